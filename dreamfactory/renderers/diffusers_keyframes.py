"""Keyframes by Stable Diffusion (1.5 or XL) through diffusers, with the paper's Keyframe Iteration Design.

The Base frame is drawn from text alone. Every scene's keyframe is then tied to it: img2img from the Base frame
(the same weights through `from_pipe`, no second load), and, when an IP-Adapter is set, the Base frame as an
image prompt too. So characters and style carry from the Base frame into every scene.
"""

from __future__ import annotations

import importlib.metadata
import math
from typing import Any, ClassVar

import torch
from PIL import Image

from ..errors import RenderError
from ..settings import RenderSettings
from .base import KeyframeRequest
from .devices import (
    LoadedPipeline,
    PipelineSpec,
    cover_fit,
    dtype_name,
    load_pipeline,
    out_of_memory_is_retryable,
    resolve_device,
    resolve_dtype,
    scaled_size,
    weight_identity,
)

VERSION = 1  # bump when this module changes what it sends to the pipeline


class DiffusersKeyframes:
    """Base frame by text-to-image; scene keyframes by img2img (+ IP-Adapter) from the Base frame."""

    name: ClassVar[str] = "diffusers"
    reads: ClassVar[frozenset[str]] = frozenset(
        {"scene_id", "prompt", "negative_prompt", "look", "seed", "width", "height", "base_frame_sha", "tie_strength"}
    )

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.device = resolve_device(settings.device)
        self.dtype = resolve_dtype(settings.dtype, self.device)

    def identity(self) -> dict[str, Any]:
        s = self.settings
        ip_adapter = None
        if s.ip_adapter:
            ip_adapter = {"weight": s.ip_adapter_weight, "scale": s.ip_adapter_scale, **weight_identity(s.ip_adapter, None)}
        return {
            "backend": self.name,
            "version": VERSION,
            "diffusers": importlib.metadata.version("diffusers"),
            "weights": weight_identity(s.image_model, s.image_model_revision),
            "steps": s.steps,
            "guidance": s.guidance,
            "negative_prompt": s.negative_prompt,
            "keyframe_strength": s.keyframe_strength,
            "ip_adapter": ip_adapter,
            "keyframe_size": s.keyframe_size,
            "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0],  # CUDA and CPU kernels differ in the last bits
        }

    def spec(self) -> PipelineSpec:
        s = self.settings
        return PipelineSpec(
            pipeline_class="AutoPipelineForText2Image",
            model=s.image_model,
            revision=s.image_model_revision,
            device=self.device,
            dtype=dtype_name(self.dtype),
            cpu_offload=s.cpu_offload,
            vae_slicing=s.vae_slicing,
            ip_adapter=(s.ip_adapter, s.ip_adapter_weight) if s.ip_adapter else None,
        )

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None) -> Image.Image:
        s = self.settings
        if request.scene_id != "base" and base_frame is None and request.base_frame_sha is not None:
            raise RenderError(
                f"keyframe {request.scene_id}: tied to Base frame {request.base_frame_sha[:12]} but no image was given"
            )
        loaded = load_pipeline(self.spec())
        width, height = scaled_size(request.width, request.height, s.keyframe_size, multiple=8)
        call: dict[str, Any] = {
            "prompt": with_look(request.prompt, request.look),
            "negative_prompt": ", ".join(p for p in (request.negative_prompt, s.negative_prompt) if p.strip()),
            "guidance_scale": s.guidance,
            # A CPU generator gives the same starting noise for a seed on every device.
            "generator": torch.Generator("cpu").manual_seed(request.seed),
        }
        advice = "lower keyframe_size, or turn on cpu_offload or vae_slicing"
        with out_of_memory_is_retryable(f"keyframe {request.scene_id} at {width}x{height}", advice):
            if request.scene_id == "base" or base_frame is None:
                return self._text_to_image(loaded, call, width, height)
            return self._from_base_frame(loaded, call, cover_fit(base_frame, width, height), request.tie_strength)

    def _text_to_image(self, loaded: LoadedPipeline, call: dict[str, Any], width: int, height: int) -> Image.Image:
        with loaded.lock:
            if loaded.spec.ip_adapter:
                # No image prompt exists before the Base frame: the adapter runs at scale 0, i.e. not at all.
                loaded.pipe.set_ip_adapter_scale(0.0)
                call["ip_adapter_image"] = Image.new("RGB", (width, height), (128, 128, 128))
            return loaded.pipe(**call, width=width, height=height, num_inference_steps=self.settings.steps).images[0]

    def _from_base_frame(self, loaded: LoadedPipeline, call: dict[str, Any], base: Image.Image, tie: float | None) -> Image.Image:
        strength = tie if tie is not None else self.settings.keyframe_strength
        if strength <= 0:  # follow the Base frame entirely
            return base.copy()
        # img2img runs steps * strength steps; keep at least one.
        steps = max(self.settings.steps, math.ceil(1 / strength))
        img2img = loaded.derived("AutoPipelineForImage2Image")
        with loaded.lock:
            if loaded.spec.ip_adapter:
                img2img.set_ip_adapter_scale(self.settings.ip_adapter_scale)
                call["ip_adapter_image"] = base
            return img2img(**call, image=base, strength=strength, num_inference_steps=steps).images[0]


def with_look(prompt: str, look: str) -> str:
    """The look leads the prompt unless it is already there: CLIP reads only 77 tokens, the start is safest."""
    look = look.strip()
    if not look or look.lower() in prompt.lower():
        return prompt
    return f"{look}. {prompt}"
