"""How each later generation of a long shot is conditioned on what came before, so the shot moves on without a seam.

A video model makes a bounded number of frames per call, so a long shot takes several calls. Four ways, by class:
- "last_frame" (any image-to-video pipeline): the previous generation's last frame is the next one's `image=`. One
  frame carries no motion, so each join shows as a hitch. Overlap: 1 frame.
- "ltx_conditions" (LTXConditionPipeline) and "ltx2_conditions" (LTX2ConditionPipeline, with its sound): the last
  `overlap` frames made are a video condition at frame 0, kept (almost) clean through denoising, so the new frames
  carry their motion on.
- "vace" (WanVACEPipeline): the control `video=` holds the last `overlap` frames then grey; the `mask=` is black over
  the kept frames, white over the ones to make ("extend a clip" is one of VACE's training tasks).

The overlap: these VAEs compress time causally (latent frame 0 is pixel frame 0, each later one `step` frames), and
two latent frames are the fewest that carry motion. LTX keeps step + 1 frames (its conditions take step * k + 1);
VACE 2 * step + 1, because it resamples its mask per latent frame (nearest-exact) and would otherwise call latent
frame 1 "to make". The overlapping frames are made again and dropped.

Ending (`end_on`): the same conditions pin a shot's last frame to the next keyframe (LTX at the last frame, LTX-2 at
index -1, VACE as a kept last control frame); first-last-frame Wan models take `last_image`.
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


def _condition(kind: Kind, frames: Any, index: int) -> Any:
    """LTX-Video's or LTX-2's condition of `frames` (one image or a video) at frame `index`."""
    if kind == "ltx_conditions":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        return LTXVideoCondition(**{"image" if isinstance(frames, Image.Image) else "video": frames}, frame_index=index)
    from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

    return LTX2VideoCondition(frames=frames, index=index)


def first_inputs(kind: Kind, keyframe: Image.Image, width: int, height: int, count: int) -> dict[str, Any]:
    """The conditioning arguments of a shot's first generation: it opens on the keyframe."""
    start = cover_fit(keyframe, width, height)
    if kind in ("ltx_conditions", "ltx2_conditions"):
        return {"conditions": [_condition(kind, start, 0)]}
    return _vace([start], width, height, count) if kind == "vace" else {"image": start}


def next_inputs(kind: Kind, made: Sequence[Image.Image], keyframe: Image.Image, width: int, height: int, count: int,
                overlap: int, reference: bool = True) -> dict[str, Any]:
    """The conditioning arguments of a later generation of `count` frames, going on from the last `overlap` of the
    frames `made` so far. `reference`: VACE also reads the shot's keyframe as a reference image (its look)."""
    if len(made) < overlap or count <= overlap:
        raise ValueError(f"a generation of {count} frames going on from {overlap} of {len(made)} frames made")
    kept = [cover_fit(frame, width, height) for frame in made[len(made) - overlap:]]
    if kind in ("ltx_conditions", "ltx2_conditions"):
        return {"conditions": [_condition(kind, kept, 0)]}
    if kind == "vace":
        inputs = _vace(kept, width, height, count)
        if reference:
            inputs["reference_images"] = [cover_fit(keyframe, width, height)]
        return inputs
    return {"image": kept[-1]}


def recompressed(inputs: dict[str, Any], still: Any) -> dict[str, Any]:
    """The inputs with each single conditioning picture passed through `still` (LTX-2's H.264 re-compression)."""
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
    """Make a shot's last generation (of `count` frames) end on `end` (the next keyframe, at the generation's size)."""
    if kind in ("ltx_conditions", "ltx2_conditions"):
        inputs["conditions"] = [*inputs["conditions"], _condition(kind, end, count - 1 if kind == "ltx_conditions" else -1)]
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
