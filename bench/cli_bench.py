"""Benchmark the command line as a person meets it: every run a fresh `dreamfactory` process.

For the sample film (stories/lighthouse.txt), with a temporary Prefect server (none running) and beside it with
a running server (`dreamfactory serve`, found through the server file):
  - the first film, the identical rerun (`make` again) and the rerun after one edit (`edit` + `rerun`):
    wall seconds, as a ratio of the film's duration, peak RSS of the command's process tree;
  - the start-up cost broken down, in a fresh process: imports, planning from the store, Prefect's import, the
    temporary server's start; and, on its own, a machine's first server start (Prefect makes its database, once).
Not a test: `.venv/bin/python bench/cli_bench.py [--width 1280 --height 720 --fps 24 --scenes N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "stories" / "lighthouse.txt"
EXE = Path(sys.executable).with_name("dreamfactory")


CPU: dict[str, float] = {}  # label -> CPU seconds (user + system) of the last command's whole process tree


def command(argv: list[str], env: dict, label: str = "") -> tuple[dict | None, float, float, str]:
    """Run one fresh command; (its --json result, wall seconds, peak RSS MiB of its tree, stderr).

    The CPU seconds of its process tree go to CPU[label]: on a machine shared with other work, they say what the
    wall time would be on an idle one for the single-threaded parts (start-up, planning)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(EXE), *argv], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(usage.ru_maxrss, after.ru_maxrss) / 1024
    CPU[label] = round(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime, 2)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout) if done.stdout.strip().startswith("{") else None
    return result, wall, peak, done.stderr


def series(label: str, env: dict, store: Path, size: list[str]) -> dict:
    """First film, identical rerun, rerun after one edit — each a fresh process."""
    project = "sample"
    first, t_first, rss_first, err = command(["make", str(SAMPLE), "--store", str(store), "--project", project,
                                              "--json", *size], env, "first")
    server_line = next((l for l in err.splitlines() if "Prefect server" in l), "")
    same, t_same, rss_same, _ = command(["make", str(SAMPLE), "--store", str(store), "--project", project, "--json",
                                         *size], env, "same")
    command(["edit", project, "--scene", "2", "--set", "action=The keeper climbs the stairs with a lantern.",
             "--store", str(store)], env, "edit-command")
    edited, t_edit, rss_edit, _ = command(["rerun", project, "--store", str(store), "--json", *size], env, "edit")
    duration = first["duration"]
    row = {
        "label": label, "duration_s": duration, "shots": first.get("shots"), "scenes": first["scenes"],
        "first_s": round(t_first, 2), "first_ratio": round(t_first / duration, 3),
        "same_s": round(t_same, 2), "same_ratio": round(t_same / duration, 3),
        "same_renders": same["keyframes"]["rendered"] + same["clips"]["rendered"] + same["base_frame"]["rendered"],
        "edit_s": round(t_edit, 2), "edit_ratio": round(t_edit / duration, 3),
        "edit_renders": {"keyframes": edited["keyframes"]["rendered"], "clips": edited["clips"]["rendered"]},
        "peak_rss_mib": round(max(rss_first, rss_same, rss_edit)), "server": server_line.strip(),
        "cpu_s": {k: CPU[k] for k in ("first", "same", "edit")}, "load_avg": os.getloadavg()[0],
    }
    print(json.dumps(row), flush=True)
    return row


STARTUP = r"""
import json, sys, time
import resource
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
from dreamfactory import cli
from dreamfactory.plan import plan_story
from dreamfactory.settings import FilmOptions, RenderSettings
from dreamfactory.store import open_store
t1, c1 = time.perf_counter(), cpu()
store, size = sys.argv[1], json.loads(sys.argv[2])
options = FilmOptions(store=store, project="sample", render=RenderSettings(**size))
planned = plan_story(open_store(store), open(sys.argv[3]).read(), options)
t2, c2 = time.perf_counter(), cpu()
import prefect, flows.make_film
t3, c3 = time.perf_counter(), cpu()
from dreamfactory.cli.server import TemporaryServer
server = TemporaryServer().start()
server.stop()
t4 = time.perf_counter()
print(json.dumps({"imports_s": round(t1 - t0, 3), "planning_s": round(t2 - t1, 3), "prefect_import_s": round(t3 - t2, 3),
                  "temporary_server_s": round(server.seconds, 3), "nothing_to_do": planned.plan.nothing_to_do,
                  "cpu_s": {"imports": round(c1 - c0, 3), "planning": round(c2 - c1, 3), "prefect_import": round(c3 - c2, 3)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--scenes", type=int)
    parser.add_argument("--no-running-server", action="store_true", help="Only the temporary-server series.")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="Keep PYTHONDONTWRITEBYTECODE as it is set.")
    a = parser.parse_args()
    size = ["--width", str(a.width), "--height", str(a.height), "--fps", str(a.fps)] + (["--scenes", str(a.scenes)] if a.scenes else [])

    with tempfile.TemporaryDirectory(prefix="cli-bench-") as tmp:
        tmp = Path(tmp)
        # A home of its own: no Prefect profile, no server file, no settings file of the developer's are found.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DREAMFACTORY_"))}
        env.update(HOME=str(tmp / "home"), PREFECT_HOME=str(tmp / "prefect"), DREAMFACTORY_SETTINGS_FILE=str(tmp / "none.toml"),
                   DREAMFACTORY_SERVER_FILE=str(tmp / "server.json"))
        if not a.no_bytecode_cache:
            # As on a user's machine, modules are compiled once (this sandbox sets PYTHONDONTWRITEBYTECODE, which makes
            # every process compile ~80 of our modules again: about 1 s of CPU per command). Outside the tree.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
            subprocess.run([str(EXE), "--version"], env=env, capture_output=True)
            subprocess.run([sys.executable, "-c", "import dreamfactory.cli, dreamfactory.plan, dreamfactory.film, "
                            "dreamfactory.writing, dreamfactory.renderers.animatic, flows.make_film, flows.rerun_scenes"],
                           env=env, cwd=ROOT, capture_output=True)
        # Prefect makes its database on a machine's first server start (migrations: ~15-20 s here), once. That is
        # measured on its own; the series then starts from a machine that has run Prefect before, as most runs do.
        made = subprocess.run([sys.executable, "-c", "from dreamfactory.cli.server import TemporaryServer as T; "
                               "s = T().start(); s.stop(); print(s.seconds)"], env=env, cwd=ROOT, capture_output=True,
                              text=True)
        first_database = float(made.stdout.strip() or "nan")
        print(json.dumps({"first_server_start_fresh_database_s": round(first_database, 2)}), flush=True)
        rows = [series("temporary server", env, tmp / "store-temporary", size)]

        startup = subprocess.run([sys.executable, "-c", STARTUP, str(tmp / "store-temporary"),
                                  json.dumps({"width": a.width, "height": a.height, "fps": a.fps}), str(SAMPLE)],
                                 capture_output=True, text=True, env=env, cwd=ROOT)
        breakdown = json.loads(startup.stdout) if startup.returncode == 0 else {"error": startup.stderr[-500:]}
        print(json.dumps({"startup": breakdown}), flush=True)

        if not a.no_running_server:
            serve = subprocess.Popen([str(EXE), "serve", "--port", "0"], env=env, cwd=ROOT, stderr=subprocess.PIPE)
            try:
                line = serve.stderr.readline().decode()
                if "Prefect server at" not in line:
                    raise SystemExit(f"dreamfactory serve did not start: {line}")
                rows.append(series("running server", env, tmp / "store-running", size))
            finally:
                serve.terminate()
                serve.wait(timeout=30)

    print()
    print(f"{'':<26}" + "".join(f"{r['label']:>22}" for r in rows))
    for key, name in (("first", "first film"), ("same", "identical rerun"), ("edit", "rerun after one edit")):
        print(f"{name + ' (s / ratio)':<26}" + "".join(f"{r[key + '_s']:>12.1f} / {r[key + '_ratio']:<7.3f}" for r in rows))
    print(f"{'peak RSS (MiB)':<26}" + "".join(f"{r['peak_rss_mib']:>22}" for r in rows))
    print(f"{'CPU s first/same/edit':<26}" + "".join(f"{'/'.join(str(v) for v in r['cpu_s'].values()):>22}" for r in rows))
    print(f"{'load average (1 min)':<26}" + "".join(f"{r['load_avg']:>22.1f}" for r in rows))
    print(f"film: {rows[0]['duration_s']:.1f} s, {rows[0]['scenes']} scenes, {rows[0]['shots']} shots; "
          f"identical rerun renders {rows[0]['same_renders']}; edit rerun renders {rows[0]['edit_renders']}")
    print("start-up: " + ", ".join(f"{k} {v}" for k, v in breakdown.items()))
    print(f"a machine's first Prefect server start (its database made, once): {first_database:.1f} s")


if __name__ == "__main__":
    main()
