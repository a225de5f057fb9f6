"""Clips by any diffusers image-to-video pipeline: Wan 2.1/2.2, LTX-Video, LTX-2, CogVideoX, HunyuanVideo.

The shot's keyframe is the first frame; the shot's prompt (what moves) is composed to what the pipeline's text
encoders read. Frames per generation, frame rate and size come from the model: the pipeline's own `__call__`
defaults and its VAE's temporal and spatial scale factors (Wan: 81 frames at 16 fps, 832x480; LTX: 161 at 24 fps).
A shot longer than one generation goes on from the last frame of the one before (the only way all of these
pipelines share); a shot with an end keyframe ends on it when the model takes a last frame (Wan's first-last-frame).
The frames are then resampled to the film's rate and size and encoded as H.264, exactly round(duration * fps).
Stable Video Diffusion keeps its own module (svd_clips.py): it has no prompt and its own motion conditioning.
"""

from __future__ import annotations

import importlib.metadata
import math
import threading
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from PIL import Image

from ..settings import RenderSettings
from . import prompt_budget as budget
from .base import ClipRequest, ClipResult
from .devices import (
    PipelineSpec,
    cover_fit,
    dtype_name,
    load_pipeline,
    out_of_memory_is_retryable,
    resolve_device,
    resolve_dtype,
    scaled_size,
    vae_memory,
    weight_identity,
)
from .diffusers_keyframes import call_parameters
from .families import Family, family_of_class, model_class
from .svd_clips import ENCODING, resample, source_frames_needed, write_h264

VERSION = 1  # bump when this module changes what it sends to the pipeline or the encoder
FALLBACK_FRAMES, FALLBACK_SHORT_SIDE = 49, 480  # a pipeline whose __call__ gives no default


class DiffusersClips:
    """Image-to-video by a diffusers pipeline chosen by the model's class, chained into shots of any length."""

    name: ClassVar[str] = "diffusers-video"
    reads: ClassVar[frozenset[str]] = frozenset(
        {"keyframe_sha", "end_keyframe_sha", "prompt", "negative_prompt", "duration", "fps", "width", "height", "seed"}
    )

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.device = resolve_device(settings.device)
        self._local = threading.local()

    @cached_property
    def family(self) -> Family:
        return family_of_class(model_class(self.settings.video_model, self.settings.video_model_revision), "clips")

    @property
    def dtype(self) -> torch.dtype:
        return resolve_dtype(self.settings.dtype, self.device, self.family.cuda_dtype)

    def identity(self) -> dict[str, Any]:
        s = self.settings
        return {
            "backend": self.name,
            "version": VERSION,
            "diffusers": importlib.metadata.version("diffusers"),
            "family": self.family.name,
            "pipeline": model_class(s.video_model, s.video_model_revision),
            "weights": weight_identity(s.video_model, s.video_model_revision),
            "video_frames": s.video_frames,
            "video_steps": s.video_steps,
            "video_guidance": s.video_guidance,
            "video_short_side": s.video_short_side,
            "max_sequence_length": s.max_sequence_length,
            "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0],
            "attention_backend": s.attention_backend,
            "encoding": ENCODING,
        }

    def spec(self) -> PipelineSpec:
        s = self.settings
        return PipelineSpec(
            pipeline_class=model_class(s.video_model, s.video_model_revision),
            model=s.video_model,
            revision=s.video_model_revision,
            device=self.device,
            dtype=dtype_name(self.dtype),
            cpu_offload=s.cpu_offload,
            vae_slicing=s.vae_slicing,
            vae_tiling=s.vae_slicing,
            attention_backend=s.attention_backend,
            component_dtypes=self.family.component_dtypes if self.device.startswith("cuda") else (),
        )

    # -- what one generation is -----------------------------------------------------------------------------------
    def native(self, pipe: Any) -> tuple[int, int, int, int]:
        """(frames per generation, fps, short side, frame step) from the model: the pipeline's defaults, the VAE's
        temporal compression (frame counts of the form step * k + 1), the family's training rate; settings override."""
        s = self.settings
        step = int(getattr(pipe, "vae_scale_factor_temporal", 4) or 4)
        frames = s.video_frames or budget.call_default(pipe, "num_frames") or FALLBACK_FRAMES
        fps = budget.call_default(pipe, "frame_rate") or self.family.fps or 16
        sides = [budget.call_default(pipe, "height"), budget.call_default(pipe, "width")]
        short = s.video_short_side or (min(x for x in sides if x) if any(sides) else FALLBACK_SHORT_SIDE)
        return snap_frames(int(frames), step), int(fps), int(short), step

    def memory_plan(self, attempt: int, frames: int, step: int) -> tuple[int, float, dict[str, Any]]:
        """(frames per generation, size scale, notes) for this try: the second try tiles the VAE and makes half the
        frames per generation (more, shorter generations), the third on is 25% smaller per try."""
        notes: dict[str, Any] = {}
        scale = 0.75 ** max(0, attempt - 2)
        if attempt >= 2:
            frames = snap_frames(max(step + 1, frames // 2), step)
            notes = {"reason": f"retry {attempt} after running out of device memory", "frames_per_generation": frames}
            if scale < 1:
                notes["scale"] = scale
        return frames, scale, notes

    # -- rendering -------------------------------------------------------------------------------------------------
    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        """Write the shot's clip. `end_image`: the next shot's keyframe, for models that end on a given frame."""
        loaded = load_pipeline(self.spec())
        with loaded.lock:  # one render at a time per pipeline (its tokenizers' state included), as the keyframes do
            film_frames, notes = self._frames(loaded, request, keyframe, attempt, end_image)
        notes["cuts"] = write_h264(film_frames, out_path, request.fps)  # outside the lock: the next render need not wait
        return ClipResult(frames=len(film_frames), seconds=len(film_frames) / request.fps, notes=notes)

    def _frames(self, loaded: Any, request: ClipRequest, keyframe: Image.Image, attempt: int,
                end_image: Image.Image | None) -> tuple[list[Image.Image], dict[str, Any]]:
        pipe = loaded.pipe
        native_frames, model_fps, short_side, step = self.native(pipe)
        per_generation, scale, notes = self.memory_plan(attempt, native_frames, step)
        if attempt >= 2:
            with loaded.lock:
                notes["vae"] = vae_memory(pipe, True, True)
        multiple = math.lcm(video_size_multiple(pipe), self.family.size_multiple)
        width, height = scaled_size(request.width, request.height, short_side * scale, multiple=multiple)
        frames_out = max(1, round(request.duration * request.fps))
        needed = source_frames_needed(frames_out, request.fps, model_fps)
        fixed = fixed_size(pipe)
        if fixed:  # learned positional embeddings (CogVideoX 1.0): one size and length only; the film is cover-fitted
            (width, height), per_generation = fixed, native_frames
            notes["fixed_size"] = "the model's positional embeddings allow only its trained size and length"
        plan = generations(needed, per_generation, step, exact=bool(fixed))

        params = call_parameters(pipe)
        budgets = budget.encoder_budgets(pipe, self.settings.max_sequence_length)
        prompt = budget.compose_text(request.prompt or request.action or "the scene comes to life", budgets)
        call: dict[str, Any] = {"prompt": prompt.text, "height": height, "width": width, "output_type": "pil"}
        notes.update(prompt.notes())
        if self.family.negative and "negative_prompt" in params and request.negative_prompt:
            negative = budget.compose_list(budget.negative_items(request.negative_prompt), budgets)
            call["negative_prompt"] = negative.text
            notes.update(negative.notes("negative_"))
        if self.settings.video_steps:
            call["num_inference_steps"] = self.settings.video_steps
        if self.settings.video_guidance is not None:
            call["guidance_scale"] = self.settings.video_guidance
        if "frame_rate" in params:
            call["frame_rate"] = model_fps
        if "max_sequence_length" in params and any(not budget.is_clip(b.tokenizer) for b in budgets):
            call["max_sequence_length"] = max(b.max_tokens for b in budgets if not budget.is_clip(b.tokenizer))
        needs_end = first_last_frame_only(pipe)
        if needs_end and end_image is None:  # an FLF2V model cannot run without a last frame: the shot holds its look
            end_image, notes["end_frame_is_start"] = keyframe, True
        ends = end_image is not None and "last_image" in params and (needs_end or getattr(pipe, "image_encoder", None) is None)
        notes.update({
            "family": self.family.name, "pipeline": loaded.spec.choices(), "size": f"{width}x{height}",
            "model_fps": model_fps, "generations": plan, "extend": self.family.extends if len(plan) > 1 else None,
            "end_frame": bool(ends),
        })
        if end_image is not None and not ends:
            notes["end_frame_ignored"] = f"{self.family.name} takes no last frame"

        generator = torch.Generator("cpu").manual_seed(request.seed)  # the same noise on every device
        image = cover_fit(keyframe, width, height)
        frames: list[Image.Image] = []
        advice = "retry it (each retry makes fewer frames per generation, then smaller), or set cpu_offload"
        with out_of_memory_is_retryable(f"clip {request.scene_id} at {width}x{height}", advice):
            for index, count in enumerate(plan):
                extra: dict[str, Any] = {}
                if ends and index == len(plan) - 1:
                    extra["last_image"] = cover_fit(end_image, width, height)
                with loaded.lock:
                    output = pipe(image=image, num_frames=count, generator=generator, **call, **extra)
                segment = as_images(output.frames[0])
                # A generation opens on its conditioning image: the previous one's last frame, already kept.
                frames.extend(segment if not frames else segment[1:])
                image = segment[-1]
        film_frames = [cover_fit(f, request.width, request.height)
                       for f in resample(frames, frames_out, request.fps, model_fps)]
        return film_frames, notes


def first_last_frame_only(pipe: Any) -> bool:
    """Wan FLF2V: its image embedder reads the first and the last frame's embeddings together (pos_embed_seq_len)."""
    config = getattr(getattr(pipe, "transformer", None), "config", None)
    return getattr(config, "pos_embed_seq_len", None) is not None and getattr(pipe, "image_encoder", None) is not None


def snap_frames(frames: int, step: int) -> int:
    """The nearest count at or above `frames` that the VAE can compress: step * k + 1."""
    return step * max(1, math.ceil((frames - 1) / step)) + 1


def fixed_size(pipe: Any) -> tuple[int, int] | None:
    """(width, height) of a model that can make only its trained size (learned positional embeddings), else None."""
    config = getattr(getattr(pipe, "transformer", None), "config", None)
    if not getattr(config, "use_learned_positional_embeddings", False):
        return None
    spatial = int(getattr(pipe, "vae_scale_factor_spatial", 8) or 8)
    return config.sample_width * spatial, config.sample_height * spatial


def generations(needed: int, per_generation: int, step: int, exact: bool = False) -> list[int]:
    """Frame counts of the generations that make `needed` frames: full ones, each after the first adding count - 1
    new frames, and a last one only as long as it must be (snapped to the VAE's step) unless `exact` lengths only."""
    plan, have = [], 0
    while have < needed:
        missing = needed - have + (1 if plan else 0)  # a later generation repeats its first frame
        count = per_generation if exact else min(per_generation, snap_frames(missing, step))
        plan.append(count)
        have += count if len(plan) == 1 else count - 1
    return plan


def video_size_multiple(pipe: Any) -> int:
    """Both sides a multiple of the VAE's spatial scale times the transformer's patch size."""
    spatial = int(getattr(pipe, "vae_scale_factor_spatial", 8) or 8)
    denoiser = getattr(pipe, "transformer", None)
    patch = getattr(getattr(denoiser, "config", None), "patch_size", 1) or 1
    patch = patch[-1] if isinstance(patch, (tuple, list)) else patch
    return spatial * int(patch)


def as_images(frames: Any) -> list[Image.Image]:
    """A pipeline's frames as RGB images, whether it gave PIL images or arrays in 0..1."""
    if isinstance(frames, list) and frames and isinstance(frames[0], Image.Image):
        return [f.convert("RGB") for f in frames]
    array = np.asarray(frames.float().cpu() if isinstance(frames, torch.Tensor) else frames)
    if array.ndim == 4 and array.shape[1] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(0, 2, 3, 1)
    return [Image.fromarray((np.clip(f, 0, 1) * 255).round().astype(np.uint8)) for f in array]
