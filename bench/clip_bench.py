"""Benchmark: one animatic clip and one scene-boundary piece, the way before this change and now, side by side.

Clip (a 720p keyframe, 120 frames at 24 fps, each camera move):
  before - the move drawn with PIL in RGB (box resize), piped as rgb24 to x264 `veryfast` (ffmpeg converts to yuv420p);
  now    - the move drawn in yuv420p planes (OpenCV's bilinear warp), the shared clip encoding
           (dreamfactory/renderers/encoding.py: cheap motion search, one thread, IDR frames at the cut points).
Boundary piece (a fade out and a dissolve on that clip):
  before - the whole clip decoded, filtered and re-encoded;
  now    - only the frames after the last cut re-encoded, the rest stream-copied.
Prints CPU seconds (this process + ffmpeg) per frame, the ratio now/before, file sizes and peak RSS.
Not a test: `.venv/bin/python bench/clip_bench.py [--frames 120] [--width 1280 --height 720]`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dreamfactory.film import with_transition  # noqa: E402
from dreamfactory.renderers.animatic import draw_keyframe  # noqa: E402
from dreamfactory.renderers.animatic.clips import camera_frames, camera_frames_yuv  # noqa: E402
from dreamfactory.contracts import KeyframeRequest  # noqa: E402
from dreamfactory.renderers.encoding import write_clip  # noqa: E402
from dreamfactory.contracts import Made  # noqa: E402
from dreamfactory.store import open_store  # noqa: E402

CAMERAS = ("zoom_in", "pan_right", "hold")


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def before_clip(still, camera: str, frames: int, out: Path) -> None:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(str(out), still.size, fps=24, codec="libx264", quality=None,
                                         pix_fmt_out="yuv420p", macro_block_size=2, ffmpeg_log_level="error",
                                         output_params=["-preset", "veryfast", "-crf", "20"])
    writer.send(None)
    for frame in camera_frames(still, camera, frames, 24):
        writer.send(frame.tobytes())
    writer.close()


def now_clip(still, camera: str, frames: int, out: Path) -> list[int]:
    return write_clip(camera_frames_yuv(still, camera, frames), out, still.size, 24, frames, pix_fmt_in="yuv420p")


def before_piece(clip: Path, out: Path, frames: int, edge: dict, next_clip: Path) -> None:
    """The whole clip re-encoded with its transition (as the assembly did before cut points)."""
    from dreamfactory.film import _edge_filter
    from dreamfactory.voices.audio import run_ffmpeg

    graph, two = _edge_filter(edge, frames / 24, 24, 0, frames)
    run_ffmpeg(["-i", str(clip), *(["-i", str(next_clip)] if two else []), "-filter_complex", graph, "-map", "[out]",
                "-frames:v", str(frames), "-r", "24", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-crf", "20", str(out)], what="re-encode a whole boundary piece")


def timed(work) -> tuple[float, float, object]:
    c, t = cpu(), time.perf_counter()
    value = work()
    return cpu() - c, time.perf_counter() - t, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    still = draw_keyframe(KeyframeRequest(
        scene_id="s01", prompt="a lighthouse on a cliff above a stormy harbour", caption="Mira climbs the tower",
        setting="lighthouse on a cliff", time_of_day="dusk", look="storybook watercolour",
        palette=("#2b4c7e", "#e8c170", "#7a9e9f"), width=args.width, height=args.height, seed=7))
    with tempfile.TemporaryDirectory(prefix="clip-bench-") as tmp:
        tmp = Path(tmp)
        print(f"{args.frames} frames at {args.width}x{args.height}, 24 fps; CPU ms a frame (this process + ffmpeg)")
        print(f"{'camera':<10} {'before':>8} {'now':>8} {'now/before':>11} {'KB before':>10} {'KB now':>8}")
        totals = [0.0, 0.0]
        cuts = []
        for camera in CAMERAS:
            b_cpu, _, _ = timed(lambda: before_clip(still, camera, args.frames, tmp / f"b-{camera}.mp4"))
            n_cpu, _, cuts = timed(lambda: now_clip(still, camera, args.frames, tmp / f"n-{camera}.mp4"))
            totals[0] += b_cpu
            totals[1] += n_cpu
            print(f"{camera:<10} {1000 * b_cpu / args.frames:8.1f} {1000 * n_cpu / args.frames:8.1f} "
                  f"{n_cpu / b_cpu:11.2f} {(tmp / f'b-{camera}.mp4').stat().st_size // 1000:10d} "
                  f"{(tmp / f'n-{camera}.mp4').stat().st_size // 1000:8d}")
        print(f"{'all':<10} {1000 * totals[0] / (3 * args.frames):8.1f} {1000 * totals[1] / (3 * args.frames):8.1f} "
              f"{totals[1] / totals[0]:11.2f}")

        store = open_store(str(tmp / "store"))
        for name in ("zoom_in", "pan_right"):
            store.put_file(f"p/clips/{name}.mp4", tmp / f"n-{name}.mp4")
        clip = Made(kind="clip", scene_id="s01", shot_id="a", key="p/clips/zoom_in.mp4", sha256="0" * 64, made=False)
        print(f"\nboundary piece of a {args.frames}-frame clip (CPU seconds)")
        print(f"{'transition':<10} {'whole':>8} {'parts':>8} {'parts/whole':>12}")
        for name, edge in (("fade out", {"fade_out": 0.25}),
                           ("dissolve", {"dissolve_to": "p/clips/pan_right.mp4", "seconds": 0.5})):
            whole, _, _ = timed(lambda: before_piece(tmp / "n-zoom_in.mp4", tmp / "whole.mp4", args.frames, edge,
                                                     tmp / "n-pan_right.mp4"))
            parts, _, _ = timed(lambda: with_transition(store, "p", clip, args.frames / 24, 24, edge, cuts))
            print(f"{name:<10} {whole:8.2f} {parts:8.2f} {parts / whole:12.2f}")
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"\npeak RSS {peak / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
