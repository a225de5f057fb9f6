"""The clip renderer: a camera move over the keyframe, encoded as H.264. No fades: shots within a scene are hard cuts,
and the transitions between scenes are the assembly's (dreamfactory/film.py).

The move is drawn straight into the encoder's planes: the keyframe is turned into Y, Cb and Cr once (video range,
chroma at half size), and each frame resamples the three planes through the camera's window (sub-pixel, bilinear).
That is 1.5 bytes a pixel instead of RGB's 3, and ffmpeg has no colour conversion left to do: 5 ms of CPU a 720p
frame instead of 29 (PIL's RGB resize, then ffmpeg's rgb24 -> yuv420p)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar, Iterator

from PIL import Image

from ...errors import RenderError
from ...contracts import ClipRequest, ClipResult
from ..encoding import ENCODING, write_clip
from .paint import box


CLIP_VERSION = 4  # 2: no fades (transitions moved to assembly); 3: drawn in YUV planes (OpenCV), the shared encoding; 4: sub-quarter-pixel steps held. Bump whenever the motion or encoding changes: it is part of every clip's key
PAN_WINDOW = 0.92  # a pan or tilt looks through 92% of the frame and slides it across
ZOOM = 1.10
HOLD_DRIFT = 1.02
STILL_STEP = 0.25  # output pixels: a camera that moved less since the last picture shows it again (the slow ends of
# eased moves, most of a hold's drift); a quarter pixel is below what the bilinear resampling itself blurs. 16% of
# the sample film's frames, warped and encoded for nothing before.


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


# Full-range BT.601 (PIL's YCbCr, as JPEG) to video range, which is what an unflagged yuv420p stream means and
# what ffmpeg's own rgb24 -> yuv420p conversion makes.
_LUMA = [round(16 + v * 219 / 255) for v in range(256)]
_CHROMA = [round(128 + (v - 128) * 224 / 255) for v in range(256)]


def video_planes(still: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """The still as yuv420p's planes: Y at full size, Cb and Cr at half, video range."""
    y, cb, cr = still.convert("RGB").convert("YCbCr").split()
    half = (max(1, still.width // 2), max(1, still.height // 2))
    return (y.point(_LUMA), cb.point(_CHROMA).resize(half, Image.BILINEAR),
            cr.point(_CHROMA).resize(half, Image.BILINEAR))


def _window_matrix(window: tuple[float, float, float, float], size: tuple[int, int], scale: float = 1.0):
    """The affine map from a plane (of the frame's size times `scale`) to the output, showing `window` (frame
    coordinates): pixel centres as PIL's box resize places them."""
    import numpy as np

    x0, y0, x1, y1 = (v * scale for v in window)
    sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)
    return np.array([[sx, 0.0, (0.5 - x0) * sx - 0.5], [0.0, sy, (0.5 - y0) * sy - 0.5]])


def camera_frames_yuv(still: Image.Image, camera: str, count: int) -> Iterator[bytes]:
    """The clip's frames as raw yuv420p, one at a time: the camera move, each plane resampled through the window
    (OpenCV's bilinear warp: 5 ms a 720p frame, half of PIL's box resize; sub-pixel, so slow moves do not step)."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)  # clips render side by side, each beside its own ffmpeg: one core each is the fair share
    planes = [np.asarray(p) for p in video_planes(still)]
    width, height = still.size
    drawn, picture = None, b""
    for i in range(count):
        t = i / (count - 1) if count > 1 else 0.0
        window = camera_window(camera, t, width, height)
        if drawn is not None and _moved(drawn, window, width) < STILL_STEP:
            yield picture  # the camera has moved less than a quarter pixel since the last picture: show it again
            continue
        drawn, picture = window, b"".join(
            cv2.warpAffine(plane, _window_matrix(window, (plane.shape[1], plane.shape[0]), plane.shape[1] / width),
                           (plane.shape[1], plane.shape[0]), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE).tobytes()
            for plane in planes)
        yield picture


def _moved(before: tuple[float, ...], now: tuple[float, ...], width: int) -> float:
    """How far (output pixels) any edge of the picture moved between two camera windows."""
    return max(abs(a - b) for a, b in zip(before, now)) * width / (now[2] - now[0])


class AnimaticClips:
    """A keyframe set in motion with the scene's camera move; the default clip renderer."""

    name: ClassVar[str] = "animatic"
    reads: ClassVar[frozenset[str]] = frozenset({"keyframe_sha", "camera", "duration", "fps", "width", "height"})

    def warm(self) -> list[str]:
        """Import OpenCV, which the first clip's camera would otherwise wait for (`backends.warm_up`)."""
        import cv2  # noqa: F401

        return ["cv2"]

    def identity(self) -> dict[str, Any]:
        return {"backend": "animatic-clips", "version": CLIP_VERSION, **ENCODING}

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        if request.width % 2 or request.height % 2:
            raise RenderError(f"H.264 needs an even frame size, got {request.width}x{request.height}; "
                              "choose even numbers")
        count = frame_count(request)
        still = cover_fit(keyframe, (request.width, request.height))
        try:
            cuts = write_clip(camera_frames_yuv(still, request.camera, count), Path(out_path),
                              (request.width, request.height), request.fps, count, pix_fmt_in="yuv420p")
        except Exception as error:  # ffmpeg died or could not write: say so (no half file is left behind)
            raise RenderError(f"encoding the clip of scene {request.scene_id} failed: {error}") from error
        return ClipResult(frames=count, seconds=count / request.fps, notes={"cuts": cuts})
