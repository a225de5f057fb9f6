"""Durable production: a failed render retries alone as its own task run, failures keep finished work, resume
after SIGKILL, edit and rerun one shot, concurrent runs, the GPU limit, and the same film on S3.

Fault drills live here: a test patches a backend to fail or stall; production code has no hooks for them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dreamfactory import layout
from dreamfactory.cli import main
from dreamfactory.contracts import RenderRecord
from tests.conftest import SAMPLE, SMALL, make_quietly

pytestmark = pytest.mark.usefixtures("prefect_harness")


def make(capsys, store, *extra, expect=0, scenes=4) -> dict | str:
    code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", str(scenes), "--json", *SMALL, *extra])
    out = capsys.readouterr()
    assert code == expect, out.err
    return json.loads(out.out) if expect == 0 else out.err


@pytest.fixture(scope="module")
def made(tmp_path_factory, prefect_harness):
    """One film of 4 scenes made once for the module: (its store, what its run reported)."""
    store = tmp_path_factory.mktemp("made") / "store"
    return store, make_quietly(store)


@pytest.fixture
def film(made, tmp_path):
    """A copy of the module's film's store (its renders, records and Prefect's results), for one test to change:
    (the copy, what the film's run reported)."""
    import shutil

    source, result = made
    return shutil.copytree(source, tmp_path / "store"), result


def records(store: Path, kind: str) -> dict[str, list[RenderRecord]]:
    found: dict[str, list[RenderRecord]] = {}
    for path in (store).rglob(f"{kind}s/*/*.json"):
        record = RenderRecord.model_validate_json(path.read_text())
        found.setdefault(record.scene_id, []).append(record)
    return found


class FailingClips:
    """A fault drill driven from the test: the animatic clip backend fails chosen renders (no hook in production).

    fail(request, attempt) -> True makes that try raise; every try is recorded as (scene, shot, attempt)."""

    def __init__(self, monkeypatch, fail):
        from dreamfactory.renderers.animatic import AnimaticClips

        self.tries: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        real = AnimaticClips.render

        def render(clips, request, keyframe, out_path, attempt=1):
            with self.lock:
                self.tries.append((request.scene_id, request.shot_id, attempt))
            if fail(request, attempt):
                raise RuntimeError(f"CUDA out of memory (drill: {request.scene_id}/{request.shot_id}, attempt {attempt})")
            return real(clips, request, keyframe, out_path, attempt=attempt)

        monkeypatch.setattr(AnimaticClips, "render", render)


def task_runs_named(name: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    with get_client(sync_client=True) as client:
        return client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(any_=[name])))


@pytest.mark.slow  # a whole film through the flow, one clip failing once
def test_a_failing_clip_retries_alone(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    drill = FailingClips(monkeypatch, lambda request, attempt: (request.scene_id, attempt) == ("s02", 1)
                         and request.shot_id == min_shot(store, "s02"))
    result = make(capsys, store, scenes=2)
    shots = result["shots"]
    assert result["clips"] == {"rendered": shots, "cached": 0} and result["keyframes"] == {"rendered": shots, "cached": 0}
    failed = min_shot(store, "s02")
    # The failed clip was retried as its own task run (attempt 2, its own count); its keyframe was drawn once.
    assert sorted(a for sc, sh, a in drill.tries if (sc, sh) == ("s02", failed)) == [1, 2]
    assert all(a == 1 for sc, sh, a in drill.tries if (sc, sh) != ("s02", failed))
    clips = records(store, "clip")
    assert {(r.shot_id, r.attempts) for r in clips["s02"]} >= {(failed, 2)}
    assert all(r.attempts == 1 for sid, rs in clips.items() for r in rs if (sid, r.shot_id) != ("s02", failed))
    assert all(len({r.shot_id for r in rs}) == len(rs) for rs in records(store, "keyframe").values())
    # In the UI: one task run named clip-s02-<shot> ran twice and completed; its keyframe's ran once.
    runs = task_runs_named(f"clip-s02-{failed}")
    assert any(r.run_count == 2 and r.state.is_completed() for r in runs)
    assert all(r.run_count == 1 for r in task_runs_named(f"keyframe-s02-{failed}"))


def test_a_keyframe_out_of_memory_once_is_retried_by_prefect_as_the_renders_second_try(tmp_path, capsys, monkeypatch):
    """The keyframe backend runs out of memory on the first try of the Base frame and of one shot's keyframe: Prefect
    retries each task run, and the backend sees that retry as the render's attempt 2 (its out-of-memory back-off);
    every other render is a first try. The number comes from Prefect's own retry, not from the test."""
    from dreamfactory.renderers.animatic import AnimaticKeyframes

    store, tries, lock = tmp_path / "store", [], threading.Lock()
    real = AnimaticKeyframes.render

    def render(self, request, base_frame, attempt=1):
        with lock:
            tries.append((request.scene_id, request.shot_id, attempt))
        if attempt == 1 and (request.scene_id == "base" or (request.scene_id, request.shot_id) == ("s02", min_shot(store, "s02"))):
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (drill)")
        return real(self, request, base_frame, attempt=attempt)

    monkeypatch.setattr(AnimaticKeyframes, "render", render)
    result = make(capsys, store, scenes=2)
    failed = min_shot(store, "s02")
    assert result["keyframes"] == {"rendered": result["shots"], "cached": 0}
    assert [a for sc, _, a in tries if sc == "base"] == [1, 2]
    assert [a for sc, sh, a in tries if (sc, sh) == ("s02", failed)] == [1, 2]
    assert all(a == 1 for sc, sh, a in tries if sc != "base" and (sc, sh) != ("s02", failed))
    assert {(r.shot_id, r.attempts) for r in records(store, "keyframe")["s02"]} >= {(failed, 2)}
    assert any(r.run_count == 2 and r.state.is_completed() for r in task_runs_named(f"keyframe-s02-{failed}"))


def min_shot(store: Path, scene_id: str) -> str:
    """The id of the scene's first shot, read from the project's screenplay once it is written."""
    heads = list(store.glob("*/screenplay.json"))
    if not heads:
        return ""
    play = json.loads(heads[0].read_text())
    return next(s for s in play["scenes"] if s["id"] == scene_id)["shots"][0]["id"]


def shots_of(store: Path, project: str) -> dict[str, list[str]]:
    play = json.loads((store / layout.screenplay_head(project)).read_text())
    return {scene["id"]: [shot["id"] for shot in scene["shots"]] for scene in play["scenes"]}


@pytest.mark.slow  # a whole film through the flow, twice
def test_a_shot_failing_for_good_names_it_and_keeps_the_rest(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    FailingClips(monkeypatch, lambda request, attempt: request.scene_id == "s02")
    err = make(capsys, store, expect=1, scenes=3)
    assert "clip of s02/" in err and "failed for good" in err and "Traceback" not in err
    assert set(records(store, "clip")) == {"s01", "s03"}
    monkeypatch.undo()
    result = make(capsys, store, scenes=3)
    in_s02 = len(shots_of(store, result["project"])["s02"])
    assert result["clips"] == {"rendered": in_s02, "cached": result["shots"] - in_s02}
    assert result["keyframes"] == {"rendered": 0, "cached": result["shots"]}


STALL_S04 = """
import sys, time
from dreamfactory.renderers.animatic import AnimaticClips
real = AnimaticClips.render
def render(self, request, keyframe, out_path, attempt=1):
    if request.scene_id == "s04":
        time.sleep(120)  # a drill: this render is still running when the test kills the process
    return real(self, request, keyframe, out_path, attempt=attempt)
AnimaticClips.render = render
from dreamfactory.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow  # a killed process: a command of its own, with its own temporary Prefect server
def test_resume_after_sigkill_renders_only_what_was_missing(tmp_path, capsys):
    store = tmp_path / "store"
    env = {**os.environ, "DREAMFACTORY_MAX_WORKERS": "2", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    env.pop("PREFECT_API_URL", None)  # its own ephemeral server, as a user's first run has
    log = tmp_path / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", STALL_S04, "make", str(SAMPLE), "--store", str(store), "--scenes",
                                 "4", *SMALL], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and len(records(store, "clip")) < 3:
            assert proc.poll() is None, f"the run ended before it could be killed:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        assert len(records(store, "clip")) >= 3, "clips did not appear in time"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def made(kind):
        return {(sid, r.shot_id) for sid, rs in records(store, kind).items() for r in rs}

    finished, drawn = made("clip"), made("keyframe")
    assert not any(sid == "s04" for sid, _ in finished) and finished <= drawn
    result = make(capsys, store)
    # Exactly what was missing at the kill: the clips not finished, and the keyframes not drawn yet.
    assert result["clips"] == {"rendered": result["shots"] - len(finished), "cached": len(finished)}
    assert result["keyframes"] == {"rendered": result["shots"] - len(drawn), "cached": len(drawn)}


@pytest.mark.slow  # a film, then three reruns through the flow
def test_edit_one_shot_then_rerun_renders_only_that_shot(film, capsys):
    from dreamfactory.editing import add_shot, apply_edits
    from dreamfactory.store import open_store

    store, first = film
    project, shots = first["project"], first["shots"]
    s02 = shots_of(store, project)["s02"]
    edited_shot = s02[-1]

    apply_edits(open_store(str(store)), project, "2", ["description=Mira counts the silver fish",
                                                       "keyframe_prompt=a girl counting silver fish"], shot_ref=edited_shot)
    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    second = json.loads(capsys.readouterr().out)
    # Exactly that shot's keyframe and clip, and the film.
    assert second["keyframes"] == {"rendered": 1, "cached": shots - 1}
    assert second["clips"] == {"rendered": 1, "cached": shots - 1}
    assert second["film_rendered"] is True and second["film_key"] != first["film_key"]
    # The new contact sheet draws one new cell; the other cells come from the store.
    cells = sorted(p.name for p in (store / project / "contact" / "cells").iterdir())
    assert len(cells) == shots + 1 and sum(name.startswith(f"s02-{edited_shot}-") for name in cells) == 2

    add_shot(open_store(str(store)), project, "3", None, ["framing=wide", "description=The sea at night"])
    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    third = json.loads(capsys.readouterr().out)
    # A new shot with a fresh id: its keyframe and clip alone; no other shot moves or is drawn again.
    assert third["shots"] == shots + 1
    assert third["keyframes"] == {"rendered": 1, "cached": shots}
    assert third["clips"] == {"rendered": 1, "cached": shots}

    assert main(["edit", project, "--store", str(store), "--scene", "s02", "--set", "environment=thick fog over the stairs"]) == 0
    capsys.readouterr()
    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    fourth = json.loads(capsys.readouterr().out)
    # s02's environment is in its shots' keyframes and it is s03's C(t-1): exactly those shots are drawn again.
    changed = len(s02) + len(shots_of(store, project)["s03"])
    assert fourth["keyframes"] == {"rendered": changed, "cached": shots + 1 - changed}

    assert main(["show", project, "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    for film in (first, second, third, fourth):
        assert film["film_key"].split("/")[-1] in shown
        assert (store / film["film_key"]).exists()  # earlier versions are kept


@pytest.mark.slow  # a film, a rerun and a make through the flow
def test_hand_edited_screenplay_is_rendered_by_rerun_and_kept_by_make(film, capsys):
    store, first = film
    head = store / layout.screenplay_head(first["project"])
    data = json.loads(head.read_text())
    data["scenes"][3]["shots"][0]["description"] = "The beam sweeps over the sea"
    head.write_text(json.dumps(data, indent=1))
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    rerun = json.loads(capsys.readouterr().out)
    assert rerun["keyframes"] == {"rendered": 1, "cached": rerun["shots"] - 1}
    again = make(capsys, store)  # make keeps the hand edit rather than overwriting it
    assert again["edited_screenplay"] is True and again["keyframes"]["rendered"] == 0


def test_invalid_hand_edit_is_a_clear_error(tmp_path, capsys):
    from dreamfactory.settings import FilmOptions
    from dreamfactory.store import open_store
    from dreamfactory.writing import write_project

    store = tmp_path / "store"  # a written screenplay is enough: nothing is rendered before it is read
    project = write_project(open_store(str(store)), SAMPLE.read_text(encoding="utf-8"), FilmOptions(scenes=4)).project
    head = store / layout.screenplay_head(project)
    data = json.loads(head.read_text())
    data["scenes"][0]["time_of_day"] = "teatime"
    head.write_text(json.dumps(data))
    assert main(["rerun", project, "--store", str(store), *SMALL]) == 1
    err = capsys.readouterr().err
    assert "scenes.0.time_of_day" in err and "Traceback" not in err


@pytest.mark.slow  # two whole films through the flow at once, and a third run
def test_two_runs_of_one_project_at_once(tmp_path, capsys):
    store = tmp_path / "store"
    codes: list[int] = []

    def run():
        codes.append(main(["make", str(SAMPLE), "--store", str(store), "--scenes", "4", *SMALL]))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    capsys.readouterr()
    assert codes == [0, 0]
    for kind in ("keyframe", "clip"):  # each shot's render made once, whichever run made it
        made = [(sid, r.shot_id) for sid, rs in records(store, kind).items() for r in rs]
        assert len(made) == len(set(made)) > 4
    assert not list(store.rglob(".part-*"))
    result = make(capsys, store)
    assert result["clips"]["rendered"] == 0


@pytest.mark.slow  # a whole film through the flow on S3, twice
def test_the_same_film_on_s3(s3_env, capsys):
    first = make(capsys, s3_env, scenes=2)
    assert first["film"].startswith("s3://") and first["clips"]["rendered"] == first["shots"] > 4
    second = make(capsys, s3_env, scenes=2)
    assert second["clips"] == {"rendered": 0, "cached": first["shots"]} and second["keyframes"]["rendered"] == 0
    assert second["film_key"] == first["film_key"]
    # Prefect's task results live on the same store, beside the artifacts, keyed by the same content addresses.
    from dreamfactory.store import open_store

    results = open_store(s3_env).list(f"{first['project']}/_prefect")
    kinds = {key.rsplit("/", 1)[-1].split("-")[0] for key in results}
    assert kinds == {"base", "keyframe", "voice", "clip", "film"}


@pytest.mark.slow  # a film, then two reruns through the flow
def test_renders_deleted_by_hand_are_made_again(film, capsys):
    """Prefect's cache still points at them; the store is the truth, so the next run makes them again."""
    import shutil

    store, first = film
    project = store / first["project"]
    shutil.rmtree(project / "clips" / "s03")  # a whole scene's clips, objects and records
    sorted((project / "keyframes" / "s04").glob("*.png"))[0].unlink()  # only the image of one shot's keyframe
    assert main(["edit", first["project"], "--store", str(store), "--scene", "1", "--set", "description=Mira waves"]) == 0
    capsys.readouterr()
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    second = json.loads(capsys.readouterr().out)
    in_s03 = len(shots_of(store, first["project"])["s03"])
    # s01's first shot (edited) and s04's shot whose image was deleted; s03's clips, and the two new keyframes' clips.
    assert second["keyframes"] == {"rendered": 2, "cached": first["shots"] - 2}
    assert second["clips"]["rendered"] >= in_s03 + 1 and second["film_rendered"] is True
    assert {"s03", "s04"} <= {r.scene_id for rs in records(store, "clip").values() for r in rs}
    Path(second["film"]).unlink()  # the film itself
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    third = json.loads(capsys.readouterr().out)
    assert third["film_rendered"] is True and Path(third["film"]).exists() and third["clips"]["rendered"] == 0


@pytest.mark.slow  # a whole film through the flow, one render at a time
def test_gpu_renders_hold_a_slot_of_the_gpu_limit(tmp_path, monkeypatch):
    """With a GPU backend (the animatic marked as one here), the flow creates the `gpu` limit at its configured size
    and no two renders ever hold the GPU at once, though the runner has threads to spare."""
    from prefect.client.orchestration import get_client
    from prefect.task_runners import ThreadPoolTaskRunner

    from dreamfactory.renderers.animatic import AnimaticClips, AnimaticKeyframes
    from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
    from flows.make_film import make_film

    busy, most, lock = [0], [0], threading.Lock()

    def holding(real):
        def render(self, *args, **kwargs):
            with lock:
                busy[0] += 1
                most[0] = max(most[0], busy[0])
            try:
                time.sleep(0.05)  # long enough that two renders without the limit would overlap
                return real(self, *args, **kwargs)
            finally:
                with lock:
                    busy[0] -= 1
        return render

    for cls in (AnimaticKeyframes, AnimaticClips):
        monkeypatch.setattr(cls, "uses_gpu", True, raising=False)
        monkeypatch.setattr(cls, "render", holding(cls.render))
    name = f"gpu-test-{os.getpid()}-{time.monotonic_ns()}"
    options = FilmOptions(scenes=1, store=str(tmp_path / "store"), gpu_limit=name, gpu_slots=1,
                          render=RenderSettings(width=320, height=180, fps=8), sound=SoundSettings(enabled=False))
    result = make_film.with_options(task_runner=ThreadPoolTaskRunner(max_workers=4))(
        SAMPLE.read_text(encoding="utf-8"), options)
    assert result.clips.rendered == result.shots > 2
    assert most[0] == 1
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(name)
    assert limit.limit == 1 and limit.active_slots == 0
