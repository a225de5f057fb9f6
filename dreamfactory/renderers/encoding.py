"""How every clip is encoded: one H.264 setting for all clip backends and for the assembly's boundary pieces.

One setting, because the film is joined by stream copy (ffmpeg's concat demuxer), so the pieces must agree on what
the decoder reads from the first file's header; it is part of every clip's key. Every clip has an IDR frame
(a closed GOP boundary) `cut_frames()` from each end, so a scene transition re-encodes only those frames (film.py);
the renderer records them in `ClipResult.notes["cuts"]`.

Speed: the animatic's encoder is most of its render time. x264 `ultrafast` with CABAC, B-frames and deblocking back
on, one thread per encoder, costs ~9 ms of CPU a 720p frame (`veryfast`: 21); CRF 23 instead of 20 keeps the picture
(5 s pan: 45.8 dB PSNR at 902 KB, against 45.4 dB at 464 KB). The sample film went from ~41 to ~35 s on the 2-core
CI machine (`bench/clip_bench.py`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Iterable

ENCODING: dict[str, Any] = {
    "codec": "libx264", "pix_fmt": "yuv420p", "preset": "ultrafast", "crf": 23,
    "x264_params": "cabac=1:bframes=3:deblock=1,0,0:threads=1",
    "cut_seconds": 0.5,  # an IDR frame this far (plus one frame) from each end: see cut_frames()
}
CUT_SECONDS = ENCODING["cut_seconds"]  # the longest transition the assembly applies must fit in it


def cut_frames(count: int, fps: int) -> list[int]:
    """Frames where the clip starts a new closed GOP (besides 0): CUT_SECONDS + 1 frame from each end; none for a
    clip too short to have a middle."""
    k = math.ceil(CUT_SECONDS * fps) + 1
    return sorted({k, count - k}) if count >= 2 * k else []


def _x264_args() -> list[str]:
    return ["-preset", ENCODING["preset"], "-crf", str(ENCODING["crf"]), "-x264-params", ENCODING["x264_params"]]


def codec_args() -> list[str]:
    """ffmpeg output options of the shared setting (no key-frame placement)."""
    return ["-c:v", ENCODING["codec"], "-pix_fmt", ENCODING["pix_fmt"], *_x264_args()]


def _key_args(count: int, fps: int) -> list[str]:
    cuts = cut_frames(count, fps)
    return ["-force_key_frames", "expr:" + "+".join(f"eq(n,{c})" for c in cuts)] if cuts else []


def write_clip(frames: Iterable[bytes], out_path: Path, size: tuple[int, int], fps: int, count: int,
               pix_fmt_in: str = "rgb24") -> list[int]:
    """Encode `count` raw frames (bytes of `pix_fmt_in`, e.g. rgb24 or planar yuv420p) into `out_path`, written
    atomically: a half-written clip never sits at the path. Returns the cut points it placed."""
    import imageio_ffmpeg

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.stem + ".partial" + out_path.suffix)
    writer = imageio_ffmpeg.write_frames(
        str(partial), size, fps=fps, codec=ENCODING["codec"], quality=None, pix_fmt_in=pix_fmt_in,
        pix_fmt_out=ENCODING["pix_fmt"], macro_block_size=2, ffmpeg_log_level="error",
        output_params=[*_x264_args(), *_key_args(count, fps), "-movflags", "+faststart", "-f", "mp4"],
    )
    try:
        writer.send(None)
        for frame in frames:
            writer.send(frame)
        writer.close()
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out_path)
    return cut_frames(count, fps)
