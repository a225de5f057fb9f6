"""Keyframes by any diffusers text-to-image or image-edit pipeline, with the paper's Keyframe Iteration Design.

The pipeline class comes from the model's model_index.json (families.py says how each family is called). The Base
frame is drawn from text alone. Every shot's keyframe is then tied to it, the family's way:
- SD 1.5, SDXL, SD 3.5, FLUX.1, Qwen-Image: img2img from the Base frame (the same weights through `from_pipe`, no
  second load), and for the SD family, when an IP-Adapter is set, the Base frame as an image prompt too;
- FLUX.1 Kontext, FLUX.2, Qwen-Image-Edit(-Plus): an edit of the Base frame by an instruction built from the shot,
  the cast in frame, the scene and C(t-1) — the modern form of the paper's method.
Every prompt is composed to what each of the pipeline's text encoders reads (prompt_budget.py); what each encoder
read, and every memory choice, are in `last_notes` for the render record.
"""

from __future__ import annotations

import importlib.metadata
import math
import re
import threading
from functools import cached_property
from typing import Any, ClassVar

import torch
from PIL import Image

from ..errors import RenderError, SettingsError
from ..settings import RenderSettings
from ..contracts import KeyframeRequest
from . import prompt_budget as budget
from .devices import (LoadedPipeline, PipelineSpec, cover_fit, dtype_name, load_pipeline, out_of_memory_is_retryable,
                      resolve_device, resolve_dtype, scaled_size, vae_memory, weight_identity)
from .families import Family, family_of_class, model_class

VERSION = 4  # bump when this module changes what it sends to the pipeline (2: prompts composed to each encoder's budget;
#             3: room for the template Qwen-Image and FLUX.2 wrap the prompt in, their whole window in the call;
#             4: characters shorten to their coloured looks; a crowded shot on SD/SDXL is encoded in chunks)
EDIT_KEEP = "Keep the same characters, their faces, hair and clothes, and the same art style as in this image"


class DiffusersKeyframes:
    """Base frame by text-to-image; shot keyframes by img2img (+ IP-Adapter) or by an edit of the Base frame."""

    name: ClassVar[str] = "diffusers"
    reads: ClassVar[frozenset[str]] = frozenset({
        "scene_id", "prompt", "negative_prompt", "look", "seed", "width", "height", "base_frame_sha", "tie_strength",
        "framing", "prop", "characters", "palette", "setting", "time_of_day", "context",
    })

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.device = resolve_device(settings.device)
        self._local = threading.local()

    # -- what this renderer is -----------------------------------------------------------------------------------
    @cached_property
    def family(self) -> Family:
        return family_of_class(model_class(self.settings.image_model, self.settings.image_model_revision), "keyframes")

    @property
    def dtype(self) -> torch.dtype:
        return resolve_dtype(self.settings.dtype, self.device, self.family.cuda_dtype)

    @property
    def last_notes(self) -> dict[str, Any]:
        """What the last render in this thread chose (prompt read per encoder, memory choices, back-offs)."""
        return getattr(self._local, "notes", {})

    def identity(self) -> dict[str, Any]:
        s = self.settings
        ip_adapter = None
        if s.ip_adapter:
            ip_adapter = {"weight": s.ip_adapter_weight, "scale": s.ip_adapter_scale, **weight_identity(s.ip_adapter, None)}
        return {
            "backend": self.name, "version": VERSION, "diffusers": importlib.metadata.version("diffusers"),
            "family": self.family.name, "pipeline": model_class(s.image_model, s.image_model_revision),
            "weights": weight_identity(s.image_model, s.image_model_revision), "steps": s.steps,
            "long_prompts": s.long_prompts if self.family.name in COMPEL else "compose",
            "prompt_chunks": s.prompt_chunks if self.family.name in COMPEL else None,  # crowded shots use them too
            "guidance": s.guidance, "negative_prompt": s.negative_prompt, "keyframe_strength": s.keyframe_strength,
            "ip_adapter": ip_adapter, "keyframe_size": s.keyframe_size, "max_sequence_length": s.max_sequence_length,
            "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0],  # CUDA and CPU kernels differ in the last bits
            "attention_backend": s.attention_backend,
        }

    def spec(self) -> PipelineSpec:
        s = self.settings
        if s.ip_adapter and self.family.name not in ("sd", "sdxl"):
            raise SettingsError(f"ip_adapter: {self.family.name} has no IP-Adapter here; it ties keyframes by "
                                f"{self.family.tie}. Leave ip_adapter empty")
        return PipelineSpec(
            pipeline_class=model_class(s.image_model, s.image_model_revision), model=s.image_model,
            revision=s.image_model_revision, device=self.device, dtype=dtype_name(self.dtype),
            cpu_offload=s.cpu_offload, vae_slicing=s.vae_slicing, vae_tiling=s.vae_slicing,
            attention_backend=s.attention_backend,
            ip_adapter=(s.ip_adapter, s.ip_adapter_weight) if s.ip_adapter else None,
            component_dtypes=self.family.component_dtypes if self.dtype != torch.float32 else ())

    # -- rendering -----------------------------------------------------------------------------------------------
    def render(self, request: KeyframeRequest, base_frame: Image.Image | None, attempt: int = 1) -> Image.Image:
        """Draw the keyframe. `attempt` counts tries after running out of device memory: the second turns on VAE
        slicing and tiling, the third on draws 25% smaller per try (the film is still cover-fitted to its size)."""
        s = self.settings
        if request.scene_id != "base" and base_frame is None and request.base_frame_sha is not None:
            raise RenderError(f"keyframe {request.scene_id}: tied to Base frame {request.base_frame_sha[:12]} but no "
                              "image was given")
        self._local.notes = notes = {}
        loaded = load_pipeline(self.spec())
        notes["pipeline"] = loaded.spec.choices()
        scale = 0.75 ** max(0, attempt - 2)
        if attempt >= 2:
            with loaded.lock:
                notes["out_of_memory_retry"] = {"attempt": attempt, "vae": vae_memory(loaded.pipe, True, True), "scale": scale}
        multiple = size_multiple(loaded.pipe)
        width, height = scaled_size(request.width, request.height, s.keyframe_size * scale, multiple=multiple)
        notes["size"] = f"{width}x{height}"
        advice = "retry it (the next try tiles the VAE, then draws smaller), lower keyframe_size, or set cpu_offload"
        # The pipeline's lock for the whole render: its tokenizers are measured here, and a fast tokenizer's
        # truncation setting is shared state that a concurrent encode in another thread would see.
        with out_of_memory_is_retryable(f"keyframe {request.scene_id} at {width}x{height}", advice), loaded.lock:
            if request.scene_id == "base" or base_frame is None:
                return self._text_to_image(loaded, request, width, height, notes)
            base = cover_fit(base_frame, width, height)
            if self.family.tie == "edit":
                return self._edit(loaded, request, base, notes)
            return self._from_base_frame(loaded, request, base, notes)

    def _text_to_image(self, loaded: LoadedPipeline, request: KeyframeRequest, width: int, height: int,
                       notes: dict[str, Any]) -> Image.Image:
        pipe = loaded.derived(self.family.text_to_image) if self.family.text_to_image else loaded.pipe
        call = self._call(pipe, budget.keyframe_parts(request), request, notes)
        with loaded.lock:
            if loaded.spec.ip_adapter:
                # No image prompt exists before the Base frame: the adapter runs at scale 0, i.e. not at all.
                pipe.set_ip_adapter_scale(0.0)
                call["ip_adapter_image"] = Image.new("RGB", (width, height), (128, 128, 128))
            return pipe(**call, width=width, height=height, num_inference_steps=self.settings.steps).images[0]

    def _from_base_frame(self, loaded: LoadedPipeline, request: KeyframeRequest, base: Image.Image,
                         notes: dict[str, Any]) -> Image.Image:
        strength = request.tie_strength if request.tie_strength is not None else self.settings.keyframe_strength
        notes["tie"] = {"by": "img2img", "strength": strength}
        if strength <= 0:  # follow the Base frame entirely
            return base.copy()
        # img2img runs steps * strength steps; keep at least one.
        steps = max(self.settings.steps, math.ceil(1 / strength))
        img2img = loaded.derived("AutoPipelineForImage2Image")
        call = self._call(img2img, budget.keyframe_parts(request), request, notes)
        if {"height", "width"} <= call_parameters(img2img):  # FLUX and Qwen img2img draw at their default size otherwise
            call.update(width=base.width, height=base.height)
        with loaded.lock:
            if loaded.spec.ip_adapter:
                img2img.set_ip_adapter_scale(self.settings.ip_adapter_scale)
                call["ip_adapter_image"] = base
            return img2img(**call, image=base, strength=strength, num_inference_steps=steps).images[0]

    def _edit(self, loaded: LoadedPipeline, request: KeyframeRequest, base: Image.Image, notes: dict[str, Any]) -> Image.Image:
        """The Base frame edited into this shot: the model keeps who and how, the instruction says what changes."""
        pipe = loaded.pipe
        notes["tie"] = {"by": "edit", "pipeline": type(pipe).__name__}
        call = self._call(pipe, edit_parts(request), request, notes)
        width, height = base.size
        image: Any = [base] if type(pipe).__name__ == "QwenImageEditPlusPipeline" else base
        params = call_parameters(pipe)
        if "max_area" in params:  # Kontext: keep our size, not the megapixel it would scale the edit to
            call["max_area"] = width * height
        if "_auto_resize" in params:
            call["_auto_resize"] = False
        with loaded.lock:
            return pipe(**call, image=image, width=width, height=height, num_inference_steps=self.settings.steps).images[0]

    def _call(self, pipe: Any, parts: list[budget.Part], request: KeyframeRequest, notes: dict[str, Any]) -> dict[str, Any]:
        """The prompt, negative prompt, guidance and seed, as this pipeline takes them, composed to its budgets."""
        s, family = self.settings, self.family
        if family.name in COMPEL and (s.long_prompts == "compel" or len(request.characters) >= CROWD):
            if s.long_prompts != "compel":  # 77 tokens cannot hold four people's names and looks: chunks can
                notes["long_prompt"] = f"{len(request.characters)} characters in frame: encoded in chunks"
            return self._compel_call(pipe, parts, request, notes)
        budgets = budget.encoder_budgets(pipe, s.max_sequence_length, family.chat_template)
        prompt = budget.compose(parts, budgets)
        notes.update(prompt.notes())
        # A CPU generator gives the same starting noise for a seed on every device.
        call: dict[str, Any] = {"prompt": prompt.text, "generator": torch.Generator("cpu").manual_seed(request.seed)}
        params = call_parameters(pipe)
        if s.guidance is not None and family.guidance in params:
            call[family.guidance] = s.guidance
        if family.negative and "negative_prompt" in params:
            negative = budget.compose_list(budget.negative_items(request.negative_prompt, s.negative_prompt), budgets)
            call["negative_prompt"] = negative.text
            notes.update(negative.notes("negative_"))
            if family.guidance == "true_cfg_scale" and not negative.text:
                call["negative_prompt"] = " "  # Qwen-Image runs true CFG only with a negative prompt
        if "max_sequence_length" in params and any(not budget.is_clip(b.tokenizer) for b in budgets):
            call["max_sequence_length"] = max(b.sequence for b in budgets if not budget.is_clip(b.tokenizer))
        return call

    def _compel_call(self, pipe: Any, parts: list[budget.Part], request: KeyframeRequest, notes: dict[str, Any]) -> dict[str, Any]:
        """Long-prompt embeddings for CLIP encoders (compel): the prompt in 75-token chunks, each encoded with its own
        BOS/EOS and concatenated, so up to `prompt_chunks` x 75 tokens reach the UNet instead of 77."""
        import compel

        s = self.settings
        long = [budget.EncoderBudget(b.encoder, b.tokenizer, CHUNK * s.prompt_chunks + 2) for b in budget.encoder_budgets(pipe)]
        safe = [budget.Part(p.kind, [compel_safe(f) for f in p.forms]) for p in parts]
        prompt = budget.compose(safe, long)
        negative = budget.compose_list([compel_safe(i) for i in budget.negative_items(request.negative_prompt, s.negative_prompt)], long)
        notes.update(prompt.notes())
        notes.update(negative.notes("negative_"))
        builder = {"sd": compel.CompelForSD, "sdxl": compel.CompelForSDXL}[self.family.name]
        with torch.no_grad():
            conditioning = builder(pipe, device=str(pipe.device))(prompt.text, negative.text or "")
        # Windows as compel cut them (it breaks at word and comma boundaries, so sometimes one more than the budget's).
        notes["prompt_chunks"] = conditioning.embeds.shape[1] // (CHUNK + 2)
        call: dict[str, Any] = {
            "prompt_embeds": conditioning.embeds, "negative_prompt_embeds": conditioning.negative_embeds,
            "generator": torch.Generator("cpu").manual_seed(request.seed),
        }
        if conditioning.pooled_embeds is not None:
            call.update(pooled_prompt_embeds=conditioning.pooled_embeds,
                        negative_pooled_prompt_embeds=conditioning.negative_pooled_embeds)
        if s.guidance is not None:
            call["guidance_scale"] = s.guidance
        return call


COMPEL = ("sd", "sdxl")  # CLIP-only families, whose UNet reads any number of text tokens
CROWD = 4  # characters in frame from which a CLIP-only pipeline encodes the prompt in chunks, whatever long_prompts says
CHUNK = 75  # CLIP's window less BOS and EOS


def compel_safe(text: str) -> str:
    """Plain text for compel's prompt syntax: no weighting parentheses, no trailing +/- that would reweight a word."""
    text = re.sub(r"[()]", ",", text)
    return re.sub(r"(?<=\S)[+-]+(?=\s|$)", "", text)


def edit_parts(request: KeyframeRequest) -> list[budget.Part]:
    """An edit instruction from the shot, the cast in frame, the scene and C(t-1), most important first."""
    shot, *rest = budget.keyframe_parts(request)
    keep = budget.Part("keep", [EDIT_KEEP, "Keep the characters and the style"])
    return [keep, budget.Part("shot", [f"Make it a {form}" for form in shot.forms]), *rest]


def call_parameters(pipe: Any) -> frozenset[str]:
    import inspect

    return frozenset(inspect.signature(type(pipe).__call__).parameters)


def size_multiple(pipe: Any) -> int:
    """What both sides must be a multiple of: the VAE's scale, twice that for transformers that pack 2x2 patches."""
    factor = int(getattr(pipe, "vae_scale_factor", 8) or 8)
    return factor * 2 if getattr(pipe, "transformer", None) is not None else factor
