"""Benchmark: the sample story as a film (8 scenes, 1280x720, 24 fps) as a user runs it, and what Prefect costs.

Each film run is a fresh `dreamfactory make` / `rerun` process, start-up included:
  1. full run with Prefect's temporary server (no PREFECT_API_URL: a user's first run), then the identical rerun;
  2. with a running `prefect server`: the full run, the rerun after editing one shot (or one scene, on builds
     without shots), each with the number of task runs it recorded (counted on the server);
  3. Prefect's own cost per task run: a flow of N no-op mapped tasks against N = 0, with and without the server.
Prints wall times, task-run counts, the edit-rerun / full ratio and film seconds per wall second (> 1: the
film renders faster than it plays). Not a timed test:
`.venv/bin/python bench/film_bench.py [--scenes N] [--width W --height H --fps F] [--json OUT]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).with_name("dreamfactory"))

OVERHEAD = """
import json, resource, sys, time
from prefect import flow, task
from prefect.cache_policies import NONE

@task(cache_policy=NONE, persist_result=False)
def nothing(i: int) -> int:
    return i

@flow
def tasks(n: int) -> int:
    return len([f.result() for f in nothing.map(range(n))]) if n else 0

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

tasks(0)  # warm: the temporary server (when there is one) starts here
t0, c0 = time.perf_counter(), cpu(); tasks(0); empty, empty_cpu = time.perf_counter() - t0, cpu() - c0
n = int(sys.argv[1])
t0, c0 = time.perf_counter(), cpu(); tasks(n); full, full_cpu = time.perf_counter() - t0, cpu() - c0
# Wall: what a task run adds to a flow's time (they overlap on the thread pool); CPU: what it costs this process.
print(json.dumps({"wall": (full - empty) / n, "cpu": (full_cpu - empty_cpu) / n}))
"""


def run(args: list[str], env: dict) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "_measure.py"), EXE, *args]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout)
    if out["rc"] != 0:
        raise SystemExit(f"run failed:\n{out['stderr_tail']}")
    out["result"] = json.loads(out["stdout"]) if out["stdout"].strip().startswith("{") else {}
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, dict]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    import urllib.request

    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return proc, env
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("prefect server did not start")
            time.sleep(0.5)


def task_runs(env: dict) -> int:
    import urllib.request

    request = urllib.request.Request(f"{env['PREFECT_API_URL']}/task_runs/count", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    return int(urllib.request.urlopen(request, timeout=10).read())


def cuts(film: str) -> int:
    """Cuts ffmpeg's scene-change filter finds in the film (a frame differing from the last by more than 0.3)."""
    import imageio_ffmpeg

    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", film, "-vf",
                           "select='gt(scene,0.3)',showinfo", "-f", "null", "-"], capture_output=True, text=True)
    return done.stderr.count("pts_time:")


def overhead(env: dict, n: int) -> dict:
    """Seconds a no-op task run adds: to the flow's wall time, and CPU in the flow's process (the server's own CPU
    is apart: the film runs above count it, in their whole process tree)."""
    done = subprocess.run([sys.executable, "-c", OVERHEAD, str(n)], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def edit_one(project: str, store: str, env: dict) -> str:
    """Edit one shot (scene 5's second shot when it has one, else its first), as a user would."""
    play = json.loads((Path(store) / project / "screenplay.json").read_text())
    scene = play["scenes"][min(4, len(play["scenes"]) - 1)]
    shots = scene["shots"]
    shot = shots[1] if len(shots) > 1 else shots[0]
    args = ["edit", project, "--store", store, "--scene", scene["id"], "--set", "description=Mira counts the silver fish"]
    probe = subprocess.run([EXE, "edit", "--help"], capture_output=True, text=True, env=env)
    if "--shot" in probe.stdout:
        args[6:6] = ["--shot", shot["id"]]
    subprocess.run([EXE, *args], check=True, capture_output=True, env=env)
    return f"{scene['id']}/{shot['id']}" if "--shot" in args else scene["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--story", default=str(ROOT / "stories" / "lighthouse.txt"))
    parser.add_argument("--scenes", type=int, default=8)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--overhead-tasks", type=int, default=40)
    parser.add_argument("--json", help="Also write the figures to this file.")
    a = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dreamfactory-bench-"))
    size = ["--width", str(a.width), "--height", str(a.height), "--fps", str(a.fps)]
    plain = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    plain["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
    plain.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")  # a busy machine starts it slowly
    figures: dict = {}
    server = None
    try:
        make = ["make", a.story, "--scenes", str(a.scenes), "--json", *size]
        first = run([*make, "--store", str(work / "a")], plain)
        second = run([*make, "--store", str(work / "a")], plain)
        server, env = start_server(work / "prefect-home")
        env["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
        n0 = task_runs(env)
        served = run([*make, "--store", str(work / "b")], env)
        n1 = task_runs(env)
        found_cuts = cuts(served["result"]["film"])
        edited_what = edit_one(served["result"]["project"], str(work / "b"), env)
        edited = run(["rerun", served["result"]["project"], "--store", str(work / "b"), "--json", *size], env)
        n2 = task_runs(env)
        per_task_server = overhead(env, a.overhead_tasks)
        per_task_plain = overhead(plain, a.overhead_tasks)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    r1 = first["result"]
    figures = {
        "scenes": r1["scenes"], "shots": r1.get("shots", r1["scenes"]), "cuts_found_by_scene_filter": found_cuts,
        "film_seconds": r1["duration"], "size": f"{a.width}x{a.height}@{a.fps}",
        "full_temporary_server_s": round(first["wall_s"], 2), "identical_rerun_s": round(second["wall_s"], 2),
        "full_with_server_s": round(served["wall_s"], 2), "task_runs_full": n1 - n0,
        "edited": edited_what, "edit_rerun_with_server_s": round(edited["wall_s"], 2), "task_runs_edit_rerun": n2 - n1,
        "edit_rerun_ratio": round(edited["wall_s"] / served["wall_s"], 3),
        "edit_rerun_rendered": {k: edited["result"][k]["rendered"] for k in ("keyframes", "clips")},
        "prefect_overhead_per_task_run_ms": {
            "server": {k: round(v * 1000, 1) for k, v in per_task_server.items()},
            "temporary_server": {k: round(v * 1000, 1) for k, v in per_task_plain.items()}},
        "film_seconds_per_wall_second": round(r1["duration"] / first["wall_s"], 2),
        "peak_rss_mib": round(first["peak_rss_mib"], 1),
    }
    print(f"film: {r1['scenes']} scenes, {r1['duration']:.1f} s at {a.width}x{a.height} {a.fps} fps")
    for key, value in figures.items():
        print(f"  {key:<36} {value}")
    if a.json:
        Path(a.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
