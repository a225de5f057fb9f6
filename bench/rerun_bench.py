"""Benchmark: a 12-scene film, the full run vs the rerun after editing one shot, and a fully cached rerun.

Counts what each run renders and the task runs it records, and prints the wall-time ratio (goal: rerun/full <= 0.15). All runs share one
process and one Prefect server, started before the clock (as with `make serve` or a worker), so the ratio
compares the work itself; `bench/film_bench.py` measures fresh CLI processes, start-up included.
Not a timed test: `.venv/bin/python bench/rerun_bench.py [--width 1280 --height 720 --fps 24]`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(argv: list[str]) -> tuple[dict, float]:
    from dreamfactory.cli import main

    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    wall = time.perf_counter() - started
    if code != 0:
        raise SystemExit(err.getvalue()[-3000:])
    return json.loads(out.getvalue()), wall


def task_runs() -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.count_task_runs()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenes", type=int, default=12)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    a = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry row racing the harness start
    from prefect.testing.utilities import prefect_test_harness

    store = Path(tempfile.mkdtemp(prefix="dreamfactory-rerun-bench-"))
    size = ["--width", str(a.width), "--height", str(a.height), "--fps", str(a.fps)]
    make = ["make", str(ROOT / "stories" / "lighthouse.txt"), "--scenes", str(a.scenes), "--store", str(store), "--json", *size]
    try:
        with prefect_test_harness(server_startup_timeout=90):
            n0 = task_runs()
            full, t_full = run(make)
            n1 = task_runs()
            project = full["project"]
            from dreamfactory.cli import main as cli

            play = json.loads((store / project / "screenplay.json").read_text())
            shots = play["scenes"][4]["shots"]
            shot = shots[1]["id"] if len(shots) > 1 else shots[0]["id"]
            with contextlib.redirect_stdout(io.StringIO()):
                cli(["edit", project, "--store", str(store), "--scene", "5", "--shot", shot,
                     "--set", "description=Mira counts the silver fish"])
            edited, t_edit = run(["rerun", project, "--store", str(store), "--json", *size])
            n2 = task_runs()
            cached, t_cached = run(["rerun", project, "--store", str(store), "--json", *size])
            n3 = task_runs()
    finally:
        shutil.rmtree(store, ignore_errors=True)
    print(f"{a.scenes} scenes, {full.get('shots', a.scenes)} shots, {full['duration']:.1f} s of film at {a.width}x{a.height} {a.fps} fps")
    print(f"{'run':<24}{'wall s':>9}{'keyframes':>11}{'clips':>7}{'film':>6}{'LLM calls':>11}{'task runs':>11}")
    for name, r, t, n in (("full", full, t_full, n1 - n0), ("rerun after 1 shot edit", edited, t_edit, n2 - n1),
                          ("rerun, nothing changed", cached, t_cached, n3 - n2)):
        print(f"{name:<24}{t:>9.2f}{r['keyframes']['rendered']:>11}{r['clips']['rendered']:>7}{int(r['film_rendered']):>6}"
              f"{r['llm_calls']:>11}{n:>11}")
    print(f"rerun-after-edit / full wall-time ratio: {t_edit / t_full:.3f} (goal <= 0.15)")
    print(f"cached rerun / full wall-time ratio: {t_cached / t_full:.3f}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
