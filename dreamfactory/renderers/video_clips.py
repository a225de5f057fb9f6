"""Clips by any diffusers image-to-video pipeline: Wan 2.1/2.2, LTX-Video, LTX-2, CogVideoX, HunyuanVideo.

The keyframe is the first frame; the prompt is fitted to what the pipeline's text encoders read (HunyuanVideo's
inside its prompt template). Frames per generation, frame rate and size come from the model (its `__call__` defaults,
its VAE's scale factors) or its family's card. A longer shot chains generations as extension.py says for the class;
a shot ends on the next keyframe only where the model takes a last frame (`last_frame_mode`). The frames are
resampled to the film's rate and size and encoded as H.264; a model's own sound (LTX-2) becomes an AAC track.
SVD has its own module (svd_clips.py): no prompt, its own motion conditioning.
"""

from __future__ import annotations

import importlib.metadata
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import torch
from PIL import Image

from ..contracts import ClipRequest, ClipResult
from ..errors import RenderError, SettingsError
from ..settings import RenderSettings
from ..voices.audio import run_ffmpeg
from . import extension
from . import prompt_budget as budget
from .devices import (PipelineSpec, cover_fit, dtype_name, load_pipeline, out_of_memory_is_retryable, resolve_device,
                      resolve_dtype, scaled_size, vae_memory, weight_identity)
from .diffusers_keyframes import call_parameters
from .families import Family, clip_choice, clip_pipeline, model_config
from .svd_clips import ENCODING, resample, source_frames_needed, write_h264

VERSION = 3  # bump when this module changes what it sends to the pipeline or the encoder (git log says what each did)
FALLBACK_FRAMES, FALLBACK_SHORT_SIDE = 49, 480  # a pipeline whose __call__ gives no default
READS = frozenset({"keyframe_sha", "prompt", "negative_prompt", "duration", "fps", "width", "height", "seed"})
AUDIO_ENCODING = {"codec": "aac", "bitrate": "128k"}
AUDIO_SWITCHES = ("sample_audio",)  # call parameters that turn a pipeline's own sound off (Kandinsky 6 TI2VA)
Ending = Literal["none", "optional", "required", "unknown"]


class DiffusersClips:
    """Image-to-video by a diffusers pipeline chosen by the model's class, chained into shots of any length."""

    name: ClassVar[str] = "diffusers-video"

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.device = resolve_device(settings.device)

    @cached_property
    def pipeline(self) -> tuple[str, Family]:
        """(the pipeline class loaded, its family), read once from the model's config files."""
        return clip_pipeline(self.settings.video_model, self.settings.video_model_revision)

    @property
    def family(self) -> Family:
        return self.pipeline[1]

    @property
    def dtype(self) -> torch.dtype:
        return resolve_dtype(self.settings.dtype, self.device, self.family.cuda_dtype)

    @property
    def reads(self) -> frozenset[str]:
        """The request fields that decide the clip: the next shot's keyframe only for a model that can end on it."""
        return READS | {"end_keyframe_sha"} if self.ending() != "none" else READS

    def ending(self) -> Ending:
        """`last_frame_mode` from the config files alone; 'unknown' while they are not here (the key then holds the
        next keyframe too: one needless re-render rather than a missing input)."""
        s = self.settings
        index = model_config(s.video_model, s.video_model_revision)
        if index is None:
            return "unknown"
        name, family = clip_choice(index, s.video_model)  # the rows one class's checkpoints differ by all end alike
        transformer: dict | None = {}
        if family.end_frame:  # only then does the transformer's config tell (last_frame_mode)
            names = [n for n in ("transformer", "transformer_2") if (index.get(n) or [None])[0] is not None]
            transformer = model_config(s.video_model, s.video_model_revision, f"{names[0]}/config.json") if names else {}
        if transformer is None:
            return "unknown"
        return last_frame_mode(family, name, index, transformer)

    @property
    def audio(self) -> bool:
        """Whether the clip gets the model's own sound: `video_audio` on, and a family that makes one."""
        return self.settings.video_audio and self.family.audio

    def identity(self) -> dict[str, Any]:
        s = self.settings
        return {
            "backend": self.name, "version": VERSION, "diffusers": importlib.metadata.version("diffusers"),
            "family": self.family.name, "pipeline": self.pipeline[0],
            "weights": weight_identity(s.video_model, s.video_model_revision),
            "video_frames": s.video_frames, "video_steps": s.video_steps, "video_guidance": s.video_guidance,
            "video_short_side": s.video_short_side,
            "video_audio": AUDIO_ENCODING if self.audio else False,  # a model with no sound is keyed as before
            "max_sequence_length": s.max_sequence_length, "dtype": dtype_name(self.dtype),
            "device": self.device.split(":")[0], "attention_backend": s.attention_backend, "encoding": ENCODING}

    def spec(self) -> PipelineSpec:
        s = self.settings
        return PipelineSpec(
            pipeline_class=self.pipeline[0], model=s.video_model, revision=s.video_model_revision, device=self.device,
            dtype=dtype_name(self.dtype), cpu_offload=s.cpu_offload, vae_slicing=s.vae_slicing,
            vae_tiling=s.vae_slicing, attention_backend=s.attention_backend,
            component_dtypes=self.family.component_dtypes if self.dtype != torch.float32 else ())

    # -- what one generation is -----------------------------------------------------------------------------------
    def native(self, pipe: Any) -> tuple[int, int, int, int]:
        """(frames per generation, fps, short side, frame step): settings, else the family's card, else the
        pipeline's defaults; the step is the VAE's temporal compression times the transformer's temporal patch."""
        s = self.settings
        patch_t = getattr(getattr(denoiser(pipe), "config", None), "patch_size_t", None) or 1
        step = vae_scale(pipe, "temporal", 4) * int(patch_t)
        frames = s.video_frames or self.family.frames or budget.call_default(pipe, "num_frames") or FALLBACK_FRAMES
        fps = budget.call_default(pipe, "frame_rate") or self.family.fps or 16
        sides = [budget.call_default(pipe, "height"), budget.call_default(pipe, "width")]
        short = (s.video_short_side or self.family.short_side
                 or (min(x for x in sides if x) if any(sides) else FALLBACK_SHORT_SIDE))
        return snap_frames(int(frames), step), int(fps), int(short), step

    def memory_plan(self, attempt: int, frames: int, step: int) -> tuple[int, float, dict[str, Any]]:
        """(frames per generation, size scale, notes): a retry makes half the frames per generation, the third try
        on is 25% smaller per try."""
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
            film_frames, sound, notes = self._frames(loaded, request, keyframe, attempt, end_image)
        notes["cuts"] = write_h264(film_frames, out_path, request.fps)  # outside the lock: the next render need not wait
        if sound is not None:
            add_audio(out_path, sound.samples, sound.rate)
        return ClipResult(frames=len(film_frames), seconds=len(film_frames) / request.fps, notes=notes)

    def _frames(self, loaded: Any, request: ClipRequest, keyframe: Image.Image, attempt: int,
                end_image: Image.Image | None) -> tuple[list[Image.Image], Sound | None, dict[str, Any]]:
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
        dropped = frames_dropped(pipe)
        kind = extension.extension_of(pipe)
        goes_on_from = extension.overlap(kind, step)  # the frames made that a later generation is given
        repeat = 0 if dropped else goes_on_from  # those of them it returns again (a dropping pipeline returns none)
        per_generation = max(per_generation, snap_frames(repeat + 1, step))  # each generation adds frames
        plan = generations(needed, per_generation, step, exact=bool(fixed), dropped=dropped, overlap=repeat)

        params = call_parameters(pipe)
        budgets = budget.encoder_budgets(pipe, self.settings.max_sequence_length)
        lengths = [b.sequence for b in budgets if not budget.is_clip(b.tokenizer)]  # what the LLM/T5 encoders read
        budgets = in_prompt_template(budgets, budget.call_default(pipe, "prompt_template"))
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
        if "max_sequence_length" in params and lengths:
            call["max_sequence_length"] = max(lengths)
        crf = first_frame_crf(pipe, params)
        if crf:  # LTX-2 re-compresses its first frame as in training (with PyAV): done here, with our own ffmpeg
            notes["image_crf"] = crf
            if "image_crf" in params:
                call["image_crf"] = 0
        keep_sound = self.audio_plan(params, call, notes)
        transformer = getattr(denoiser(pipe), "config", None) or {}
        # As `ending()` decides it (and so the clip's key), from the same configs.
        ending = last_frame_mode(self.family, type(pipe).__name__, pipe.config, transformer)
        if ending == "required" and end_image is None:  # FLF2V cannot run without a last frame: the shot holds its look
            end_image, notes["end_frame_is_start"] = keyframe, True
        ends = (end_image is not None and ending != "none"
                and ("last_image" in params or kind in extension.ENDS_BY_CONDITION))
        notes.update({
            "family": self.family.name, "pipeline": loaded.spec.choices(), "size": f"{width}x{height}",
            "model_fps": model_fps, "generations": plan, "extend": kind if len(plan) > 1 else None,
            "overlap": repeat if len(plan) > 1 else None, "end_frame": bool(ends)})
        if getattr(pipe, "transformer_2", None) is not None:  # Wan 2.2 A14B: two experts split by noise level
            notes["experts"] = {"boundary_ratio": pipe.config.boundary_ratio,
                                "high_noise": pipe.transformer is not None, "low_noise": True}
        if end_image is not None and not ends:
            notes["end_frame_ignored"] = f"{self.family.name} takes no last frame"

        generator = torch.Generator("cpu").manual_seed(request.seed)  # the same noise on every device
        frames: list[Image.Image] = []
        sounds: list[tuple[Any, int, int]] = []  # (the generation's sound, its frames, frames of it not kept)
        advice = "retry it (each retry makes fewer frames per generation, then smaller), or set cpu_offload"
        with out_of_memory_is_retryable(f"clip {request.scene_id} at {width}x{height}", advice):
            for index, count in enumerate(plan):
                # The first generation opens on the keyframe; a later one goes on from what was made (extension.py).
                extra = (extension.first_inputs(kind, keyframe, width, height, count) if index == 0 else
                         extension.next_inputs(kind, frames, keyframe, width, height, count, goes_on_from))
                if ends and index == len(plan) - 1:
                    extension.end_on(kind, extra, cover_fit(end_image, width, height), count)
                if crf:  # the end frame too, as a picture the model reads
                    extra = extension.recompressed(extra, lambda image: h264_round_trip(image, crf))
                with loaded.lock:
                    output = pipe(num_frames=count, generator=generator, **call, **extra)
                segment = as_images(output.frames[0])
                # A later generation opens on the `repeat` frames it went on from, already kept (unless the pipeline
                # drops its opening frames: then all it returns is new).
                repeated = repeat if frames and not dropped else 0
                frames.extend(segment[repeated:])
                if keep_sound:
                    sounds.append((output.audio[0], count, repeated))
        film_frames = [cover_fit(f, request.width, request.height)
                       for f in resample(frames, frames_out, request.fps, model_fps)]
        sound = None
        if keep_sound:
            sound = soundtrack(sounds, model_fps, audio_rate(pipe), frames_out / request.fps)
            notes["audio"] = {"sample_rate": sound.rate, "seconds": sound.seconds, "channels": sound.samples.shape[0]}
        return film_frames, sound, notes

    def audio_plan(self, params: Any, call: dict[str, Any], notes: dict[str, Any]) -> bool:
        """Whether this render keeps the model's sound; if not, the pipeline is told not to make one where it can."""
        if self.audio:
            return True
        if self.family.audio:
            switch = next((p for p in AUDIO_SWITCHES if p in params), None)
            if switch:
                call[switch] = False
                notes["audio_off"] = f"video_audio is off: not made ({switch}=False)"
            else:
                notes["audio_off"] = (f"video_audio is off: {self.family.name} makes its sound with the picture and "
                                      "has no switch to skip it, so it is dropped")
        elif self.settings.video_audio:
            notes["audio_off"] = f"{self.family.name} makes no sound"
        return False


def last_frame_mode(family: Family, pipeline_class: str, index: Mapping[str, Any],
                    transformer: Mapping[str, Any]) -> Ending:
    """How a model takes a last frame, from its model_index.json and its transformer's config: 'optional' where its
    conditions can pin it (extension.py) or a first-last-frame family has no image encoder (Wan 2.2 A14B); 'required'
    for Wan FLF2V (its image embedder reads both frames: pos_embed_seq_len); 'none' for every other."""
    if extension.EXTENSIONS.get(pipeline_class) in extension.ENDS_BY_CONDITION:
        return "optional"
    if not family.end_frame:
        return "none"
    image_encoder = (index.get("image_encoder") or [None])[0] is not None
    if image_encoder and transformer.get("pos_embed_seq_len") is not None:
        return "required"
    return "none" if image_encoder else "optional"


def vae_scale(pipe: Any, axis: Literal["temporal", "spatial"], default: int) -> int:
    """The VAE's compression along `axis`, by either name diffusers gives it."""
    found = getattr(pipe, f"vae_scale_factor_{axis}", None) or getattr(pipe, f"vae_{axis}_compression_ratio", None)
    return int(found or default)


def frames_dropped(pipe: Any) -> int:
    """Frames a generation drops from its start: HunyuanVideo-I2V-33ch (latent_concat) drops 4, the keyframe's too."""
    config = getattr(getattr(pipe, "transformer", None), "config", None)
    return 4 if getattr(config, "image_condition_type", None) == "latent_concat" else 0


def snap_frames(frames: int, step: int) -> int:
    """The nearest count at or above `frames` that the VAE can compress: step * k + 1."""
    return step * max(1, math.ceil((frames - 1) / step)) + 1


def fixed_size(pipe: Any) -> tuple[int, int] | None:
    """(width, height) of a model that can make only its trained size (learned positional embeddings), else None."""
    config = getattr(getattr(pipe, "transformer", None), "config", None)
    if not getattr(config, "use_learned_positional_embeddings", False):
        return None
    spatial = vae_scale(pipe, "spatial", 8)
    return config.sample_width * spatial, config.sample_height * spatial


def generations(needed: int, per_generation: int, step: int, exact: bool = False, dropped: int = 0,
                overlap: int = 1) -> list[int]:
    """Frame counts of the generations that make `needed` frames: full ones (a later one repeats `overlap`, or loses
    `dropped`), the last only as long as it must be unless `exact` (a model with one trained length)."""
    if per_generation <= overlap and not dropped:
        raise ValueError(f"a generation of {per_generation} frames cannot go on from {overlap} kept frames; "
                         "make more frames per generation")
    plan, have = [], 0
    while have < needed:
        unkept = dropped or (overlap if plan else 0)  # a later generation repeats the frames it goes on from
        count = per_generation if exact else min(per_generation, snap_frames(needed - have + unkept, step))
        plan.append(count)
        have += count - unkept
    return plan


def video_size_multiple(pipe: Any) -> int:
    """Both sides a multiple of the VAE's spatial scale times the transformer's patch size."""
    spatial = vae_scale(pipe, "spatial", 8)
    patch = getattr(getattr(denoiser(pipe), "config", None), "patch_size", 1) or 1
    patch = patch[-1] if isinstance(patch, (tuple, list)) else patch
    return spatial * int(patch)


def denoiser(pipe: Any) -> Any:
    """The pipeline's transformer; a Wan 2.2 A14B folder may hold only its low-noise expert (`transformer_2`)."""
    found = getattr(pipe, "transformer", None)
    return found if found is not None else getattr(pipe, "transformer_2", None)


def as_images(frames: Any) -> list[Image.Image]:
    """A pipeline's frames as RGB images, whether it gave PIL images or arrays in 0..1."""
    if isinstance(frames, list) and frames and isinstance(frames[0], Image.Image):
        return [f.convert("RGB") for f in frames]
    array = np.asarray(frames.float().cpu() if isinstance(frames, torch.Tensor) else frames)
    if array.ndim == 4 and array.shape[1] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(0, 2, 3, 1)
    return [Image.fromarray((np.clip(f, 0, 1) * 255).round().astype(np.uint8)) for f in array]


# -- HunyuanVideo's prompt template --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateBudget(budget.EncoderBudget):
    """A text encoder that reads the prompt inside a template (HunyuanVideo's Llava-Llama): the prompt's tokens are
    counted as they sit in it, against the room the template's own tokens leave."""

    template: str = "{}"

    @cached_property
    def frame(self) -> tuple[int, int]:
        """(tokens before the prompt, tokens after it) in the templated text, special tokens included."""
        before = super().ids(self.template.split("{}", 1)[0])
        return len(before), len(super().ids(self.template.format(""))) - len(before)

    def ids(self, text: str) -> list[int]:
        full = super().ids(self.template.format(text))
        head, tail = self.frame
        return full[head:len(full) - tail]

    def read(self, text: str) -> dict[str, Any]:
        return {**super().read(text), "template_tokens": sum(self.frame)}


def in_prompt_template(budgets: list[budget.EncoderBudget], template: Any) -> list[budget.EncoderBudget]:
    """The budgets with the LLM encoder's in the pipeline's `prompt_template` (CLIP encoders read the bare prompt)."""
    if not isinstance(template, Mapping) or "template" not in template:
        return budgets
    out: list[budget.EncoderBudget] = []
    for b in budgets:
        if budget.is_clip(b.tokenizer):
            out.append(b)
            continue
        framed = TemplateBudget(b.encoder, b.tokenizer, 0, template=template["template"])
        room = b.max_tokens + int(template.get("crop_start") or 0) - sum(framed.frame)
        if room < 1:
            raise SettingsError(f"max_sequence_length {b.max_tokens} leaves no room for the prompt in the "
                                f"{sum(framed.frame)}-token prompt template of {b.encoder}: raise it")
        out.append(TemplateBudget(b.encoder, b.tokenizer, room, template=template["template"]))
    return out


# -- LTX-2's first frame ---------------------------------------------------------------------------------------------
def first_frame_crf(pipe: Any, params: Any) -> int | None:
    """The H.264 CRF LTX-2 re-compresses its first frame at (as its training frames were), else None."""
    if "image_crf" not in params and extension.extension_of(pipe) != "ltx2_conditions":
        return None
    try:
        from diffusers.pipelines.ltx2.utils import resolve_default_image_crf
    except ImportError:  # a diffusers whose LTX-2 chooses differently: leave it to the pipeline
        return None
    return int(resolve_default_image_crf(getattr(pipe, "text_encoder", None)))


def h264_round_trip(image: Image.Image, crf: int) -> Image.Image:
    """The image as one H.264 frame at `crf` decodes: LTX-2's PyAV step, done with our ffmpeg (same pixels everywhere)."""
    width, height = image.width // 2 * 2, image.height // 2 * 2
    rgb = image.convert("RGB").crop((0, 0, width, height))
    encoded = run_ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-i", "-",
                          "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf), "-threads", "1",
                          "-pix_fmt", "yuv420p", "-f", "h264", "-"], what="re-compress the first frame", stdin=rgb.tobytes())
    decoded = run_ffmpeg(["-f", "h264", "-i", "-", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         what="decode the re-compressed first frame", stdin=encoded.stdout)
    return Image.frombytes("RGB", (width, height), decoded.stdout[: width * height * 3])


# -- the model's own sound -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sound:
    """A clip's sound track: channels x samples in -1..1 at `rate`."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return self.samples.shape[1] / self.rate


def audio_rate(pipe: Any) -> int:
    """The sample rate of the sound the pipeline returns (LTX-2: its vocoder's output rate)."""
    rate = getattr(getattr(getattr(pipe, "vocoder", None), "config", None), "output_sampling_rate", None)
    if not rate:
        raise RenderError(f"{type(pipe).__name__} says it makes sound but not at what sample rate; set video_audio off")
    return int(rate)


def soundtrack(pieces: list[tuple[Any, int, int]], fps: int, rate: int, seconds: float) -> Sound:
    """The generations' sounds joined as their frames are: each (sound, frames, frames not kept) stretched to its
    frames' span (the vocoder makes it a few ms short), then cut or padded to `seconds`."""
    parts = []
    for audio, count, unkept in pieces:
        samples = np.asarray(audio.float().cpu() if isinstance(audio, torch.Tensor) else audio, dtype=np.float32)
        samples = samples.reshape(-1, samples.shape[-1])  # channels x samples, mono too
        parts.append(stretch(samples, round(count / fps * rate))[:, round(unkept / fps * rate):])
    joined = np.concatenate(parts, axis=1)
    length = round(seconds * rate)
    if joined.shape[1] < length:
        joined = np.pad(joined, ((0, 0), (0, length - joined.shape[1])))
    return Sound(np.clip(joined[:, :length], -1.0, 1.0), rate)


def stretch(samples: np.ndarray, length: int) -> np.ndarray:
    """`samples` (channels x n) linearly resampled to `length` samples."""
    if samples.shape[1] == length:
        return samples
    source = np.linspace(0.0, samples.shape[1] - 1, num=length)
    return np.stack([np.interp(source, np.arange(samples.shape[1]), channel) for channel in samples]).astype(np.float32)


def add_audio(clip: Path, samples: np.ndarray, rate: int) -> None:
    """Mux the sound into the clip as an AAC track, atomically; the video is stream-copied (its cut points stay)."""
    clip = Path(clip)
    partial = clip.with_name(clip.stem + ".audio.partial" + clip.suffix)
    command = ["-i", str(clip), "-f", "f32le", "-ar", str(rate), "-ac", str(samples.shape[0]), "-i", "-",
               "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", AUDIO_ENCODING["codec"],
               "-b:a", AUDIO_ENCODING["bitrate"], "-movflags", "+faststart", str(partial)]
    try:
        run_ffmpeg(command, what=f"add the model's sound to {clip.name}",  # interleaved frames of all channels
                   stdin=np.ascontiguousarray(samples.T, dtype="<f4").tobytes())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, clip)
