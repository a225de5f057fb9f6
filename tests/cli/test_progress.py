"""Progress per shot and scene in the terminal whatever the task runner: the CLI follows the flow run's task runs
through Prefect's API, so steps run by Dask worker processes (which print nowhere the person sees) still show."""

from __future__ import annotations

import io
import os
import time

import pytest

from tests.cli_server import prefect_api

from dreamfactory.cli.watch import RunWatcher, step_label


def test_step_labels():
    assert step_label("keyframe-s05-b") == ("keyframe", "s05/b")
    assert step_label("clip-s01-p") == ("clip", "s01/p")
    assert step_label("voice-s02") == ("voice", "s02")
    assert step_label("base-frame") == ("base-frame", "")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    with prefect_api(tmp_path_factory.mktemp("prefect")) as url:
        yield url


@pytest.mark.slow
def test_progress_of_steps_run_by_dask_worker_processes(prefect_server):
    from prefect import flow, task
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask import DaskTaskRunner

    @task(task_run_name="keyframe-{scene}-{shot}")
    def keyframe(scene: str, shot: str) -> int:
        time.sleep(0.2)
        return os.getpid()  # where it ran

    @task(task_run_name="voice-{scene}")
    def voice(scene: str) -> int:
        return os.getpid()

    @flow
    def tiny_film() -> list[int]:
        shots = [("s01", "a"), ("s01", "b"), ("s02", "a")]
        frames = keyframe.map([s for s, _ in shots], [h for _, h in shots])
        voices = voice.map(["s01", "s02"])
        return [f.result() for f in frames] + [v.result() for v in voices]

    out = io.StringIO()
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 1, "threads_per_worker": 1, "processes": True})
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        with RunWatcher("progress-test", time.perf_counter(), {"keyframe": 3, "voice": 2}, interval=0.2, out=out):
            pids = tiny_film.with_options(task_runner=runner, flow_run_name="progress-test")()
    assert os.getpid() not in pids  # the steps really ran in another process
    lines = out.getvalue().splitlines()
    for what in ("keyframe   s01/a", "keyframe   s01/b", "keyframe   s02/a", "voice      s01", "voice      s02"):
        assert any(what in line and "done" in line for line in lines), out.getvalue()
    assert any("(3/3 keyframes)" in line for line in lines) and any("(2/2 voices)" in line for line in lines)


def test_the_watcher_reads_every_page_of_a_long_films_task_runs():
    """Prefect answers at most 200 task runs a read: the last look at a 450-shot run must still see them all, and a
    poll asks only for what may have news."""
    import types
    import uuid
    from datetime import datetime, timedelta, timezone

    from dreamfactory.cli.watch import PAGE

    start = datetime(2026, 12, 2, tzinfo=timezone.utc)
    runs = [types.SimpleNamespace(id=uuid.uuid4(), end_time=start + timedelta(seconds=i), created=start,
                                  expected_start_time=start + timedelta(seconds=i)) for i in range(450)]
    asked = []

    class Client:
        def read_task_runs(self, *, flow_run_filter, task_run_filter, offset, limit, sort):
            asked.append(task_run_filter)
            return runs[offset:offset + limit]

    watcher = RunWatcher("long", time.perf_counter(), out=io.StringIO())
    seen = watcher._changed(Client(), uuid.uuid4(), everything=True)
    assert len(seen) == 450 and len(asked) == 3 and PAGE == 200 and asked[0] is None
    watcher._changed(Client(), uuid.uuid4())
    assert asked[-1] is not None and asked[-1].operator == "or_"  # running/retrying, or ended since the last look
    assert asked[-1].end_time.after_ == runs[-1].end_time - timedelta(seconds=5)
