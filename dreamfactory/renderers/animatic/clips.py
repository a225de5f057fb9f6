"""The clip renderer: a camera move over the keyframe, encoded as H.264. No fades: shots within a scene are hard cuts,
and the transitions between scenes are the assembly's (dreamfactory/film.py)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, ClassVar, Iterator

from PIL import Image

from ...errors import RenderError
from ..base import ClipRequest, ClipResult
from .paint import box


CLIP_VERSION = 2  # 2: no fades (transitions moved to assembly). Bump whenever the motion or encoding changes: it is part of every clip's key
PAN_WINDOW = 0.92  # a pan or tilt looks through 92% of the frame and slides it across
ZOOM = 1.10
HOLD_DRIFT = 1.02
# Every clip shares these, so the film can be joined with `ffmpeg -f concat -c copy`.
ENCODING: dict[str, Any] = {"codec": "libx264", "pix_fmt": "yuv420p", "preset": "veryfast", "crf": 20}


def frame_count(request: ClipRequest) -> int:
    return max(1, round(request.duration * request.fps))


def cover_fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to cover `size` and crop the middle (a 512x512 keyframe fills a 16:9 clip)."""
    image = image.convert("RGB")
    if image.size == size:
        return image
    scale = max(size[0] / image.width, size[1] / image.height)
    w, h = size[0] / scale, size[1] / scale
    x0, y0 = (image.width - w) / 2, (image.height - h) / 2
    return image.resize(size, Image.LANCZOS, box=(x0, y0, x0 + w, y0 + h))


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def camera_window(camera: str, t: float, width: int, height: int) -> tuple[float, float, float, float]:
    """The part of the keyframe seen at time t (0..1), as a float box: sub-pixel, eased."""
    e = _ease(t)
    if camera in ("pan_left", "pan_right", "tilt_up", "tilt_down"):
        w, h = width * PAN_WINDOW, height * PAN_WINDOW
        cx, cy = width / 2, height / 2
        travel_x, travel_y = (width - w) / 2, (height - h) / 2
        if camera == "pan_right":
            cx += travel_x * (2 * e - 1)
        elif camera == "pan_left":
            cx -= travel_x * (2 * e - 1)
        elif camera == "tilt_down":
            cy += travel_y * (2 * e - 1)
        else:
            cy -= travel_y * (2 * e - 1)
    else:
        zoom = {"zoom_in": 1 + (ZOOM - 1) * e, "push_in": 1 + (ZOOM - 1) * e,
                "zoom_out": ZOOM - (ZOOM - 1) * e, "pull_back": ZOOM - (ZOOM - 1) * e}.get(camera,
                        1 + (HOLD_DRIFT - 1) * e)
        w, h = width / zoom, height / zoom
        cx, cy = width / 2, height / 2
    return box(cx, cy, w / 2, h / 2)


def camera_frames(still: Image.Image, camera: str, count: int, fps: int) -> Iterator[Image.Image]:
    """The clip's frames one at a time: the camera move."""
    for i in range(count):
        t = i / (count - 1) if count > 1 else 0.0
        frame = still.resize(still.size, Image.BILINEAR,
                             box=camera_window(camera, t, *still.size))  # <= 1.1x: bilinear is enough
        yield frame


class AnimaticClips:
    """A keyframe set in motion with the scene's camera move; the default clip renderer."""

    name: ClassVar[str] = "animatic"
    reads: ClassVar[frozenset[str]] = frozenset({"keyframe_sha", "camera", "duration", "fps", "width", "height"})

    def identity(self) -> dict[str, Any]:
        return {"backend": "animatic-clips", "version": CLIP_VERSION, **ENCODING}

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        import imageio_ffmpeg

        if request.width % 2 or request.height % 2:
            raise RenderError(f"H.264 needs an even frame size, got {request.width}x{request.height}; "
                              "choose even numbers")
        count = frame_count(request)
        still = cover_fit(keyframe, (request.width, request.height))
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(out_path.stem + ".partial" + out_path.suffix)
        writer = imageio_ffmpeg.write_frames(
            str(partial), (request.width, request.height), fps=request.fps, codec=ENCODING["codec"], quality=None,
            pix_fmt_out=ENCODING["pix_fmt"], macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-preset", ENCODING["preset"], "-crf", str(ENCODING["crf"]), "-movflags", "+faststart",
                           "-f", "mp4"],
        )
        try:
            writer.send(None)
            for frame in camera_frames(still, request.camera, count, request.fps):
                writer.send(frame.tobytes())
            writer.close()
        except Exception as error:  # ffmpeg died or could not write: say so, leave no half file behind
            writer.close()
            partial.unlink(missing_ok=True)
            raise RenderError(f"encoding the clip of scene {request.scene_id} failed: {error}") from error
        os.replace(partial, out_path)
        return ClipResult(frames=count, seconds=count / request.fps, notes={})
