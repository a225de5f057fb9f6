"""Clips by Stable Video Diffusion: the scene's keyframe set in motion, segment after segment, for its duration.

SVD makes a few seconds from one image. A longer scene chains segments: the last frame of one is the
conditioning image of the next. The frames are then resampled from SVD's frame rate to the film's and encoded
as H.264, exactly round(duration * fps) frames at the film's size. How much moves (SVD's motion bucket) follows
the camera directive and the action.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from PIL import Image

from ..contracts import ClipRequest, ClipResult
from ..settings import RenderSettings
from .devices import (PipelineSpec, cover_fit, dtype_name, load_pipeline, out_of_memory_is_retryable, resolve_device,
                      resolve_dtype, scaled_size, weight_identity)
from .encoding import ENCODING, write_clip

VERSION = 2  # bump when this module changes what it sends to the pipeline or the encoder (2: the shared encoding)
SVD_SHORT_SIDE = 576  # SVD was trained at 1024x576: larger costs memory and adds nothing

# SVD's motion_bucket_id (1..255): how much the picture moves.
CAMERA_MOTION = {"hold": 40, "zoom_in": 100, "zoom_out": 100, "push_in": 100, "pull_back": 100,
                 "pan_left": 160, "pan_right": 160, "tilt_up": 160, "tilt_down": 160}
ACTION_MOTION = 180
ACTION_WORDS = frozenset(
    "run runs running ran fly flies flying flew storm storms stormy chase chases chasing fight fights fighting "
    "fought race races racing jump jumps jumping leap leaps leaping fall falls falling fell crash crashes crashing "
    "explode explodes exploding explosion gallop gallops galloping sprint sprints sprinting dash dashes dashing rush "
    "rushes rushing swim swims swimming swam dance dances dancing battle battles flee flees fleeing fled charge "
    "charges charging tumble tumbles tumbling soar soars soaring swirl swirls swirling whirl whirls thunder".split()
)


def motion_bucket(camera: str, action: str) -> int:
    """Low for a held shot, middling for a zoom or push, high for a pan or a fast action."""
    level = CAMERA_MOTION.get(camera, 127)
    if ACTION_WORDS.intersection(re.findall(r"[a-z]+", action.lower())):
        level = max(level, ACTION_MOTION)
    return level


def source_frames_needed(frames_out: int, fps_out: int, fps_source: int) -> int:
    """SVD frames (at fps_source) that cover frames_out film frames (at fps_out), nearest-frame resampling."""
    return _nearest(frames_out - 1, fps_out, fps_source) + 1


def resample(frames: list[Image.Image], frames_out: int, fps_out: int, fps_source: int) -> list[Image.Image]:
    """The source frame nearest in time to each film frame."""
    return [frames[min(len(frames) - 1, _nearest(i, fps_out, fps_source))] for i in range(frames_out)]


def _nearest(index: int, fps_out: int, fps_source: int) -> int:
    return (2 * index * fps_source + fps_out) // (2 * fps_out)  # round half up, in integers


class SvdClips:
    """Image-to-video by Stable Video Diffusion, chained into scenes of any length."""

    name: ClassVar[str] = "svd"
    reads: ClassVar[frozenset[str]] = frozenset({"keyframe_sha", "camera", "action", "duration", "fps", "width",
                                                 "height", "seed"})

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.device = resolve_device(settings.device)
        self.dtype = resolve_dtype(settings.dtype, self.device)

    def identity(self) -> dict[str, Any]:
        s = self.settings
        return {
            "backend": self.name, "version": VERSION, "diffusers": importlib.metadata.version("diffusers"),
            "weights": weight_identity(s.video_model, s.video_model_revision),
            "svd_frames": s.svd_frames, "svd_steps": s.svd_steps, "svd_fps": s.svd_fps,
            "noise_aug_strength": s.noise_aug_strength,
            "decode_chunk_size": s.decode_chunk_size,  # the temporal decoder mixes the frames of a chunk
            "short_side": min(s.keyframe_size, SVD_SHORT_SIDE), "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0], "encoding": ENCODING,
            # a kernel may change the last bits of a frame; keyed only when chosen, so the default keys stay as they were
            **({"attention_backend": s.attention_backend} if s.attention_backend else {}),
        }

    def spec(self) -> PipelineSpec:
        s = self.settings
        return PipelineSpec(pipeline_class="StableVideoDiffusionPipeline", model=s.video_model,
                            revision=s.video_model_revision, device=self.device, dtype=dtype_name(self.dtype),
                            cpu_offload=s.cpu_offload, vae_slicing=s.vae_slicing, attention_backend=s.attention_backend)

    def memory_plan(self, attempt: int) -> tuple[int, float, dict[str, Any]]:
        """(decode_chunk_size, size scale, notes) for this try: each retry decodes fewer frames at once, and
        from the third try on the picture is 25% smaller per try."""
        chunk, scale, notes = self.settings.decode_chunk_size, 1.0, {}
        if attempt >= 2:
            chunk = max(1, chunk >> (attempt - 1))
            notes = {"decode_chunk_size": chunk, "reason": f"retry {attempt} after running out of device memory"}
        if attempt >= 3:
            scale = 0.75 ** (attempt - 2)
        return chunk, scale, notes

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        s = self.settings
        chunk, scale, notes = self.memory_plan(attempt)
        width, height = scaled_size(request.width, request.height, min(s.keyframe_size, SVD_SHORT_SIDE) * scale, multiple=64)
        if scale < 1:
            notes["size"] = f"{width}x{height}"
        frames_out = max(1, round(request.duration * request.fps))
        frames_needed = source_frames_needed(frames_out, request.fps, s.svd_fps)
        loaded = load_pipeline(self.spec())
        generator = torch.Generator("cpu").manual_seed(request.seed)  # the same noise on every device
        call = {
            "height": height, "width": width, "num_frames": s.svd_frames, "num_inference_steps": s.svd_steps,
            "fps": s.svd_fps, "motion_bucket_id": motion_bucket(request.camera, request.action),
            "noise_aug_strength": s.noise_aug_strength, "decode_chunk_size": chunk, "generator": generator,
        }
        advice = f"retry it (each retry decodes fewer frames at once, now {chunk}), or turn on cpu_offload"
        frames: list[Image.Image] = []
        image = cover_fit(keyframe, width, height)
        with out_of_memory_is_retryable(f"clip {request.scene_id} at {width}x{height}", advice):
            while len(frames) < frames_needed:
                with loaded.lock:
                    segment = loaded.pipe(image, **call).frames[0]
                # A segment opens on its conditioning image: the previous segment's last frame, already kept.
                frames.extend(segment if not frames else segment[1:])
                image = segment[-1]
        film_frames = [cover_fit(f, request.width, request.height) for f in resample(frames, frames_out, request.fps, s.svd_fps)]
        notes["pipeline"] = loaded.spec.choices()  # device, dtype, offload, slicing, attention: as loaded
        notes["cuts"] = write_h264(film_frames, out_path, request.fps)
        return ClipResult(frames=frames_out, seconds=frames_out / request.fps, notes=notes)


def write_h264(frames: list[Image.Image], out_path: Path, fps: int) -> list[int]:
    """Encode RGB frames with the shared clip encoding (renderers/encoding.py), written atomically; returns the
    clip's cut points."""
    return write_clip((np.ascontiguousarray(np.asarray(f.convert("RGB"))).tobytes() for f in frames), out_path,
                      frames[0].size, fps, len(frames))
