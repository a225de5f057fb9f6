"""Run it the way teams run Prefect: a real server on loopback, a process work pool and worker, the registered
deployments triggered with parameters, the human review gate, and the same film on a Dask cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dreamfactory import layout
from dreamfactory.contracts import RenderRecord
from tests.conftest import ROOT, SAMPLE, free_port, wait_for_url

# Every test here runs films through a real Prefect server, a process worker and `prefect deployment run` processes.
pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SMALL_OPTIONS = {"scenes": 2, "render": {"width": 320, "height": 180, "fps": 8}, "sound": {"enabled": False}}


def _stop(proc: subprocess.Popen, grace: float = 5) -> None:
    """SIGTERM, then SIGKILL: a Prefect worker ignores the first SIGTERM for a while."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Prefect server (SQLite) on 127.0.0.1, a process pool, the deployments, and one worker."""
    home = tmp_path_factory.mktemp("prefect-home")
    store = tmp_path_factory.mktemp("deploy-store")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DREAMFACTORY_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_API_URL=api, PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", DREAMFACTORY_SETTINGS_FILE=str(home / "none.toml"),
               PATH=f"{BIN}:{os.environ['PATH']}")
    procs = [subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        wait_for_url(f"{api}/health", "the Prefect server", 90)
        subprocess.run([str(BIN / "prefect"), "work-pool", "create", "t-pool", "--type", "process",
                        "--base-job-template", str(ROOT / "infra" / "pools" / "process.json")], env=env, check=True,
                       capture_output=True)
        done = subprocess.run([sys.executable, str(ROOT / "deployments" / "deploy.py"), "--pool", "t-pool", "--store", str(store),
                               "--stories", str(tmp_path_factory.mktemp("inbox"))], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "registered 4 deployments" in done.stdout
        procs.append(subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "t-pool"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        yield {"api": api, "env": env, "store": store}
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _run_deployment(server, name: str, params: dict, timeout: int = 400) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "prefect"), "deployment", "run", name, "--watch", "--watch-timeout", str(timeout)]
    for key, value in params.items():
        cmd += ["--param", f"{key}={json.dumps(value)}"]  # --param values are JSON, strings included
    return subprocess.run(cmd, env=server["env"], capture_output=True, text=True, timeout=timeout + 60)


def test_params_command_feeds_a_deployment_run(server):
    params = subprocess.run([str(BIN / "dreamfactory"), "params", str(SAMPLE), "--scenes", "2", "--no-sound", "--width", "320",
                             "--height", "180", "--fps", "8", "--store", str(server["store"] / "via-params")],
                            env=server["env"], capture_output=True, text=True, check=True).stdout
    assert json.loads(params)["story"].startswith("The Lighthouse Keeper's Daughter")
    done = subprocess.run([str(BIN / "prefect"), "deployment", "run", "make-film/on-demand", "--params", "-", "--watch",
                           "--watch-timeout", "400"], input=params, env=server["env"], capture_output=True, text=True, timeout=460)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(list((server["store"] / "via-params").rglob("films/*.mp4"))) == 1


def test_deployment_run_with_parameters_makes_the_film(server):
    done = _run_deployment(server, "make-film/on-demand",
                           {"story": SAMPLE.read_text(), "options": {**SMALL_OPTIONS, "store": str(server["store"])}})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Completed" in done.stdout
    films = list(server["store"].glob("*/films/*.mp4"))
    assert len(films) == 1 and films[0].stat().st_size > 10_000


def test_review_gate_pauses_until_a_person_approves_with_edits(server):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    store = server["store"] / "gated"
    with temporary_settings({PREFECT_API_URL: server["api"]}):
        run = run_deployment("make-film/on-demand", timeout=0, parameters={
            "story": SAMPLE.read_text(), "review_gate": True, "options": {**SMALL_OPTIONS, "store": str(store)}})
        with get_client(sync_client=True) as client:
            deadline = time.time() + 240
            while client.read_flow_run(run.id).state.name != "Paused":
                assert time.time() < deadline, f"never paused: {client.read_flow_run(run.id).state}"
                time.sleep(1)
            assert not list(store.rglob("keyframes/*/*.png"))  # nothing is rendered before approval
            resume_flow_run(run.id, run_input={"approved": True, "edits": [
                {"scene": "1", "field": "description", "value": "Mira and her grandfather at the lighthouse door"}]})
            while not (state := client.read_flow_run(run.id).state).is_final():
                assert time.time() < deadline + 240, f"did not finish: {state}"
                time.sleep(1)
            assert state.is_completed(), state
    project = next(p for p in store.iterdir() if p.is_dir())
    head = json.loads((project / "screenplay.json").read_text())
    assert head["scenes"][0]["shots"][0]["description"] == "Mira and her grandfather at the lighthouse door"
    first = head["scenes"][0]["shots"][0]["id"]
    captions = {r["shot_id"]: r["inputs"]["caption"] for r in (json.loads(p.read_text()) for p in project.rglob("keyframes/s01/*.json"))}
    assert captions[first] == "Mira and her grandfather at the lighthouse door"
    assert len(captions) == len(head["scenes"][0]["shots"])  # a keyframe per shot


def test_the_same_film_comes_out_on_a_dask_cluster(server, tmp_path):
    argv = [str(BIN / "dreamfactory"), "make", str(SAMPLE), "--scenes", "2", "--json", "--no-sound",
            "--width", "320", "--height", "180", "--fps", "8"]
    results = {}
    for runner in ("threads", "dask"):
        env = {**server["env"], "DREAMFACTORY_TASK_RUNNER": runner, "DREAMFACTORY_MAX_WORKERS": "2"}
        done = subprocess.run([*argv, "--store", str(tmp_path / runner)], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        results[runner] = json.loads(done.stdout)
    assert results["dask"]["film_key"].split("/films/")[1] == results["threads"]["film_key"].split("/films/")[1]

    def shas(runner):
        return sorted(RenderRecord.model_validate_json(p.read_text()).sha256
                      for p in (tmp_path / runner).rglob("*/*/*.json") if "keyframes" in str(p) or "clips" in str(p))

    assert shas("dask") == shas("threads") and len(shas("dask")) == 2 * results["dask"]["shots"]
    project = results["dask"]["project"]
    assert (tmp_path / "dask" / layout.screenplay_head(project)).exists()
