"""Benchmark: the sample story as a film (1280x720, 24 fps), full run then the identical rerun.

Prints wall time and peak RSS of each run and their ratio. Not a timed test: run `make bench` or
`.venv/bin/python bench/film_bench.py [--scenes N] [--width W --height H --fps F]`.
Each run is a fresh `dreamfactory make` process, so Prefect's fixed start-up cost is included, as a user sees it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "_measure.py"), str(Path(sys.executable).with_name("dreamfactory")), *args]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    if out["rc"] != 0:
        raise SystemExit(f"run failed:\n{out['stderr_tail']}")
    out["result"] = json.loads(out["stdout"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--story", default=str(ROOT / "stories" / "lighthouse.txt"))
    parser.add_argument("--scenes", type=int, default=8)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--keep", action="store_true", help="Keep the store folder.")
    a = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="dreamfactory-bench-"))
    args = ["make", a.story, "--scenes", str(a.scenes), "--store", str(store), "--json",
            "--width", str(a.width), "--height", str(a.height), "--fps", str(a.fps)]
    try:
        first = run(args)
        second = run(args)
        silent_args = [a if a != str(store) else str(store) + "-silent" for a in args] + ["--no-sound"]
        silent = run(silent_args)
    finally:
        shutil.rmtree(str(store) + "-silent", ignore_errors=True)
        if not a.keep:
            shutil.rmtree(store, ignore_errors=True)
    r1, r2 = first["result"], second["result"]
    print(f"film: {r1['scenes']} scenes, {r1['duration']:.1f} s at {a.width}x{a.height} {a.fps} fps")
    print(f"{'run':<10}{'wall s':>10}{'peak RSS MiB':>15}{'keyframes made':>16}{'clips made':>12}")
    for name, r in (("full", first), ("rerun", second), ("full, silent", silent)):
        res = r["result"]
        print(f"{name:<10}{r['wall_s']:>10.2f}{r['peak_rss_mib']:>15.1f}{res['keyframes']['rendered']:>16}{res['clips']['rendered']:>12}")
    print(f"rerun / full wall-time ratio: {second['wall_s'] / first['wall_s']:.3f}")
    print(f"film seconds per wall second (full run): {r1['duration'] / first['wall_s']:.2f}")
    print(f"with sound / silent wall-time ratio: {first['wall_s'] / silent['wall_s']:.3f} "
          f"(voiced {r1['duration']:.1f} s vs silent {silent['result']['duration']:.1f} s of film)")


if __name__ == "__main__":
    main()
