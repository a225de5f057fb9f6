"""How every clip is encoded: one H.264 setting for all clip backends and for the assembly's boundary pieces.

One setting, because the film is joined without re-encoding (ffmpeg's concat demuxer, stream copy): the pieces must
agree on everything the decoder reads from the first file's header. It is part of every clip's key, so changing it
re-renders clips (content addressing: a clip is what its bytes are).

Cut points. A scene's transition (fade, dissolve) changes only the last or first half second of the clips at the
boundary. Every clip is encoded with an IDR frame (a closed GOP boundary) `cut_frames()` frames from each end, so
the assembly re-encodes only those frames and stream-copies the rest (dreamfactory/film.py). The renderer records
where its cuts are (`ClipResult.notes["cuts"]`); a clip without them is re-encoded whole, as before.

Speed. The default film is an animatic: a camera move over a drawn picture, where the encoder is most of the render
time. x264's `ultrafast` preset with CABAC, B-frames and the deblocking filter turned back on (one thread per
encoder, since clips encode side by side) costs ~9 ms of CPU a 720p frame where `veryfast` cost 21. Its CRF is
raised from 20 to 23 to keep the picture: on a 5 s animatic pan, PSNR 45.8 dB at 902 KB, where `veryfast` at CRF 20
gave 45.4 dB at 464 KB (`ultrafast` has no adaptive quantisation or macroblock tree, so a CRF means more bits).
Measured on the 2-core CI machine (`bench/clip_bench.py`); the whole sample film went from ~41 to ~35 s with it.
The GPU backends take seconds per frame, so the encoder's speed matters only to the animatic, but one setting
holds for all (see above).
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
    """Frames where the clip starts a new closed GOP (besides 0): one `CUT_SECONDS + 1 frame` from the start and
    one as far from the end; none for a clip too short to have a middle. A transition of up to CUT_SECONDS then
    touches only the frames before the first cut or after the last one."""
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
