"""How each generation of a shot longer than one generation is conditioned, so that the shot moves on without a seam.

A video model makes a bounded number of frames per call (Wan 81, LTX-Video 121 to 161), so a long shot takes several
calls, and how a later call is told what came before decides whether the joins show. Three ways, by pipeline class:

- "last_frame" (any image-to-video pipeline): a later generation starts from the previous one's last frame as its
  `image=`. One frame says where things are, not where they are going: the speed and direction of every motion (the
  camera's pan, a gull's wing, falling rain) are lost at the join and the model starts them afresh, so each join
  shows as a hitch. The later generation opens on that frame: 1 frame of overlap.
- "ltx_conditions" (LTX-Video's LTXConditionPipeline): the last `overlap` frames made are given as a video condition
  at frame 0 (`LTXVideoCondition(video=..., frame_index=0)`). The pipeline encodes them with its VAE, puts their
  latents in place of the new generation's first latent frames, and keeps them (almost) clean through every denoising
  step (their timestep is capped by the conditioning mask), while the transformer attends over the whole sequence. So
  the new frames are denoised next to frames already in motion, exactly where a single longer generation would have
  had them, and carry that motion on.
- "ltx2_conditions" (LTX-2's LTX2ConditionPipeline, which the hub's LTX-2 checkpoint is loaded as): the same, with
  LTX-2's own condition (`LTX2VideoCondition(frames=..., index=0)`); its sound is made with the frames and chained
  at the same overlap.
- "vace" (Wan 2.1 VACE, WanVACEPipeline): the control `video=` holds the last `overlap` frames made, then grey frames,
  and the `mask=` is black over the kept frames and white over the frames to make. VACE encodes the kept part and the
  part to make separately and feeds both, with the mask, to its context blocks; "extend a clip" (its firstclip task)
  is one of the tasks it was trained on, so it continues the kept frames' motion into the white ones. The shot's
  keyframe may be given as a reference image too, to hold the characters' look over many generations.

The overlap. These VAEs compress time causally: latent frame 0 is pixel frame 0 alone, each later latent frame is
the next `step` pixel frames. One latent frame is a still image and carries no motion; two are the fewest that do.
- LTX: step + 1 frames (9 with LTX-Video's 8x VAE, 0.375 s at 24 fps): two whole latent frames. LTX accepts a video
  condition only of step * k + 1 frames, and every kept latent frame is one fewer new one.
- VACE: 2 * step + 1 frames (9 with Wan's 4x VAE, 0.56 s at 16 fps). VACE resamples its mask to one value per latent
  frame (nearest-exact), which for a long generation reads latent frame 1 at pixel frame 5: with step + 1 = 5 kept
  frames the mask would call latent frame 1 "to make" though its pixels are kept; with 9, latent frames 0 and 1 are
  kept in the video and in the mask alike, for every generation length.
The overlapping frames are made again by the later generation and dropped: the frames already made are kept.

Ending. The same conditions can pin a shot's last frame to the next shot's keyframe (`end_on`): LTX-Video's as an
image condition at the last frame, LTX-2's at the last latent index (-1), as their first-last-frame examples do;
VACE as a kept last frame of its control video; first-last-frame Wan models take it as `last_image`.
The plan of generations (how many, how long) is video_clips.generations(), with this module's overlap.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, Sequence

from PIL import Image

from .devices import cover_fit

Kind = Literal["last_frame", "ltx_conditions", "ltx2_conditions", "vace"]

# By class, not by family: LTXImageToVideoPipeline and LTXConditionPipeline share weights but not a way to extend.
EXTENSIONS: dict[str, Kind] = {"LTXConditionPipeline": "ltx_conditions", "LTX2ConditionPipeline": "ltx2_conditions",
                               "WanVACEPipeline": "vace"}
GREY = (128, 128, 128)  # "to be made" in a VACE control video (VACE's own code uses 127.5, the mid-grey of [0, 255])


def extension_of(pipe: Any) -> Kind:
    """How this pipeline goes on from the frames already made."""
    return EXTENSIONS.get(type(pipe).__name__, "last_frame")


def overlap(kind: Kind, step: int) -> int:
    """How many leading frames of a later generation repeat frames already made (see the module's docstring)."""
    return {"last_frame": 1, "ltx_conditions": step + 1, "ltx2_conditions": step + 1, "vace": 2 * step + 1}[kind]


def first_inputs(kind: Kind, keyframe: Image.Image, width: int, height: int, count: int) -> dict[str, Any]:
    """The conditioning arguments of a shot's first generation: it opens on the keyframe."""
    start = cover_fit(keyframe, width, height)
    if kind == "ltx_conditions":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        return {"conditions": [LTXVideoCondition(image=start, frame_index=0)]}
    if kind == "ltx2_conditions":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        return {"conditions": [LTX2VideoCondition(frames=start, index=0)]}
    if kind == "vace":
        return _vace([start], width, height, count)
    return {"image": start}


def next_inputs(kind: Kind, made: Sequence[Image.Image], keyframe: Image.Image, width: int, height: int, count: int,
                overlap: int, reference: bool = True) -> dict[str, Any]:
    """The conditioning arguments of a later generation of `count` frames, going on from the last `overlap` of the
    frames `made` so far. `reference`: VACE also reads the shot's keyframe as a reference image (its look)."""
    if len(made) < overlap or count <= overlap:
        raise ValueError(f"a generation of {count} frames going on from {overlap} of {len(made)} frames made")
    kept = [cover_fit(frame, width, height) for frame in made[len(made) - overlap:]]
    if kind == "ltx_conditions":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        return {"conditions": [LTXVideoCondition(video=kept, frame_index=0)]}
    if kind == "ltx2_conditions":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        return {"conditions": [LTX2VideoCondition(frames=kept, index=0)]}
    if kind == "vace":
        inputs = _vace(kept, width, height, count)
        if reference:
            inputs["reference_images"] = [cover_fit(keyframe, width, height)]
        return inputs
    return {"image": kept[-1]}


def recompressed(inputs: dict[str, Any], still: Any) -> dict[str, Any]:
    """The inputs with each single conditioning picture passed through `still` (LTX-2 re-compresses one as H.264, as
    its training frames were: done by the caller, and the pipeline told not to); videos are left as they are."""
    out = dict(inputs)
    if "image" in out:
        out["image"] = still(out["image"])
    if "conditions" in out and type(out["conditions"][0]).__name__ == "LTX2VideoCondition":
        out["conditions"] = [
            dataclasses.replace(c, frames=still(c.frames), crf=0) if isinstance(c.frames, Image.Image) else c
            for c in out["conditions"]]
    return out


# Pipelines whose own conditions can pin a shot's last frame (LTX's condition pipelines: a condition at the last frame,
# as their first-last-frame examples do; VACE: a kept last frame of its control video), whatever the family's row says.
ENDS_BY_CONDITION: frozenset[Kind] = frozenset({"ltx_conditions", "ltx2_conditions", "vace"})


def end_on(kind: Kind, inputs: dict[str, Any], end: Image.Image, count: int) -> None:
    """Make a shot's last generation (of `count` frames) end on `end` (the next shot's keyframe, already at the
    generation's size): LTX-Video's condition pipeline takes it as an image condition at the last frame, LTX-2's as
    one at the last latent index (-1); Wan VACE keeps it as the last frame of its control video (black in the mask);
    first-last-frame models take it as `last_image`."""
    if kind == "ltx_conditions":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        inputs["conditions"] = [*inputs["conditions"], LTXVideoCondition(image=end, frame_index=count - 1)]
    elif kind == "ltx2_conditions":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        inputs["conditions"] = [*inputs["conditions"], LTX2VideoCondition(frames=end, index=-1)]
    elif kind == "vace":
        inputs["video"] = [*inputs["video"][:-1], end]
        inputs["mask"] = [*inputs["mask"][:-1], Image.new("L", end.size, 0)]
    else:
        inputs["last_image"] = end


def _vace(kept: list[Image.Image], width: int, height: int, count: int) -> dict[str, Any]:
    """A VACE control video of `count` frames: the kept frames, then grey; its mask black (keep) then white (make)."""
    black, white = Image.new("L", (width, height), 0), Image.new("L", (width, height), 255)
    grey = Image.new("RGB", (width, height), GREY)
    made = count - len(kept)
    return {"video": [*kept, *[grey] * made], "mask": [black] * len(kept) + [white] * made}
