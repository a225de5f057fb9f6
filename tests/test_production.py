"""Durable production: independent retries, failures that keep finished work, resume after SIGKILL, edit and rerun
one scene, concurrent runs, and the same film on S3."""

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
from dreamfactory.renders import RenderRecord
from tests.conftest import SAMPLE, SMALL

pytestmark = pytest.mark.usefixtures("prefect_harness")


def make(capsys, store, *extra, expect=0) -> dict | str:
    code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", "4", "--json", *SMALL, *extra])
    out = capsys.readouterr()
    assert code == expect, out.err
    return json.loads(out.out) if expect == 0 else out.err


def records(store: Path, kind: str) -> dict[str, list[RenderRecord]]:
    found: dict[str, list[RenderRecord]] = {}
    for path in (store).rglob(f"{kind}s/*/*.json"):
        record = RenderRecord.model_validate_json(path.read_text())
        found.setdefault(record.scene_id, []).append(record)
    return found


def test_a_failing_clip_retries_alone(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("DREAMFACTORY_FAULTS", "clip:s02:1")
    result = make(capsys, store)
    # s02's retry goes on from its clip: the keyframe its first attempt made is not drawn again, and still counts
    # as made by this run.
    assert result["clips"] == {"rendered": 4, "cached": 0} and result["keyframes"] == {"rendered": 4, "cached": 0}
    clips = records(store, "clip")
    assert {sid: [r.attempts for r in rs] for sid, rs in clips.items()} == {"s01": [1], "s02": [2], "s03": [1], "s04": [1]}
    assert all(len(rs) == 1 for rs in records(store, "keyframe").values())


def test_a_scene_failing_for_good_names_it_and_keeps_the_rest(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("DREAMFACTORY_FAULTS", "clip:s03:*")
    err = make(capsys, store, expect=1)
    assert "s03" in err and "failed for good" in err and "Traceback" not in err
    assert set(records(store, "clip")) == {"s01", "s02", "s04"}
    monkeypatch.delenv("DREAMFACTORY_FAULTS")
    result = make(capsys, store)
    assert result["clips"] == {"rendered": 1, "cached": 3}
    assert result["keyframes"] == {"rendered": 0, "cached": 4}


def test_resume_after_sigkill_renders_only_what_was_missing(tmp_path, capsys):
    store = tmp_path / "store"
    exe = Path(sys.executable).with_name("dreamfactory")
    env = {**os.environ, "DREAMFACTORY_FAULTS": "clip:s04:sleep=120", "DREAMFACTORY_MAX_WORKERS": "2"}
    env.pop("PREFECT_API_URL", None)  # its own ephemeral server, as a user's first run has
    proc = subprocess.Popen([str(exe), "make", str(SAMPLE), "--store", str(store), "--scenes", "4", *SMALL],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and len(records(store, "clip")) < 3:
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.5)
        assert len(records(store, "clip")) >= 3, "clips did not appear in time"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished, drawn = set(records(store, "clip")), set(records(store, "keyframe"))
    assert "s04" not in finished and finished <= drawn
    result = make(capsys, store)
    # Exactly what was missing at the kill: the clips not finished, and the keyframes not drawn yet.
    assert result["clips"] == {"rendered": 4 - len(finished), "cached": len(finished)}
    assert result["keyframes"] == {"rendered": 4 - len(drawn), "cached": len(drawn)}


def test_edit_one_scene_then_rerun_renders_only_that_scene(tmp_path, capsys):
    store = tmp_path / "store"
    first = make(capsys, store)
    project = first["project"]

    assert main(["edit", project, "--store", str(store), "--scene", "2", "--set", "action=Mira waves at the seagulls.",
                 "--set", "description=Mira waves at the seagulls"]) == 0
    capsys.readouterr()
    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    second = json.loads(capsys.readouterr().out)
    # The action is in s02's prompt and caption: s02 is drawn again; s03's context C(t-1) is s02's environment,
    # which did not change, so s03 stays.
    assert second["keyframes"] == {"rendered": 1, "cached": 3}
    assert second["clips"] == {"rendered": 1, "cached": 3}
    assert second["film_rendered"] is True and second["film_key"] != first["film_key"]
    # The new contact sheet draws one new cell (s02's new keyframe); the other cells come from the store.
    cells = sorted(p.name for p in (store / project / "contact" / "cells").iterdir())
    assert len(cells) == 5 and sum(name.startswith("s02-") for name in cells) == 2

    assert main(["edit", project, "--store", str(store), "--scene", "s02", "--set", "environment=thick fog over the stairs"]) == 0
    capsys.readouterr()
    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    third = json.loads(capsys.readouterr().out)
    # Now s03's C(t-1) changed too: exactly s02 and s03 are drawn again (their clips follow only where the
    # keyframe's pixels changed: a clip is keyed by its keyframe's content).
    assert third["keyframes"] == {"rendered": 2, "cached": 2}
    assert third["clips"]["cached"] >= 2

    assert main(["show", project, "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    for film in (first, second, third):
        assert film["film_key"].split("/")[-1] in shown
        assert (store / film["film_key"]).exists()  # earlier versions are kept


def test_hand_edited_screenplay_is_rendered_by_rerun_and_kept_by_make(tmp_path, capsys):
    store = tmp_path / "store"
    first = make(capsys, store)
    head = store / layout.screenplay_head(first["project"])
    data = json.loads(head.read_text())
    data["scenes"][3]["shots"][0]["description"] = "The beam sweeps over the sea"
    head.write_text(json.dumps(data, indent=1))
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    rerun = json.loads(capsys.readouterr().out)
    assert rerun["keyframes"] == {"rendered": 1, "cached": 3}
    again = make(capsys, store)  # make keeps the hand edit rather than overwriting it
    assert again["edited_screenplay"] is True and again["keyframes"]["rendered"] == 0


def test_invalid_hand_edit_is_a_clear_error(tmp_path, capsys):
    store = tmp_path / "store"
    first = make(capsys, store)
    head = store / layout.screenplay_head(first["project"])
    data = json.loads(head.read_text())
    data["scenes"][0]["time_of_day"] = "teatime"
    head.write_text(json.dumps(data))
    assert main(["rerun", first["project"], "--store", str(store), *SMALL]) == 1
    err = capsys.readouterr().err
    assert "scenes.0.time_of_day" in err and "Traceback" not in err


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
    for kind in ("keyframe", "clip"):
        assert all(len(rs) == 1 for rs in records(store, kind).values())
    assert not list(store.rglob(".part-*"))
    result = make(capsys, store)
    assert result["clips"]["rendered"] == 0


def test_the_same_film_on_s3(s3_env, capsys):
    first = make(capsys, s3_env)
    assert first["film"].startswith("s3://") and first["clips"]["rendered"] == 4
    second = make(capsys, s3_env)
    assert second["clips"] == {"rendered": 0, "cached": 4} and second["keyframes"]["rendered"] == 0
    assert second["film_key"] == first["film_key"]
    # Prefect's task results live on the same store, beside the artifacts, keyed by the same content addresses.
    from dreamfactory.store import open_store

    results = open_store(s3_env).list(f"{first['project']}/_prefect")
    kinds = {key.rsplit("/", 1)[-1].split("-")[0] for key in results}
    assert kinds == {"base", "scene", "film"}


def test_nightly_batch_films_only_new_stories(tmp_path):
    from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
    from flows.film_folder import film_new_stories

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fox.txt").write_text("The Fox\n\nA red fox crossed the snowy field at dawn.\n\nAt night the fox slept in the forest.\n")
    (inbox / "notes.md").write_text("not a story: other extension")
    options = FilmOptions(store=str(tmp_path / "store"), render=RenderSettings(width=320, height=180, fps=8),
                          sound=SoundSettings(enabled=False))
    first = film_new_stories(str(inbox), options)
    assert [r.scenes for r in first] == [2]
    (inbox / "owl.txt").write_text("The Owl\n\nAn old owl watched the village from the church tower.\n")
    second = film_new_stories(str(inbox), options)
    assert len(second) == 1 and second[0].project.startswith("the-owl")
    assert film_new_stories(str(inbox), options) == []


def test_renders_deleted_by_hand_are_made_again(tmp_path, capsys):
    """Prefect's cache still points at them; the store is the truth, so the next run makes them again."""
    import shutil

    store = tmp_path / "store"
    first = make(capsys, store)
    project = store / first["project"]
    shutil.rmtree(project / "clips" / "s03")  # a whole scene's clip, object and record
    next(p for p in (project / "keyframes" / "s04").glob("*.png") if "." not in p.stem).unlink()  # only the image
    assert main(["edit", first["project"], "--store", str(store), "--scene", "1", "--set", "description=Mira waves"]) == 0
    capsys.readouterr()
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["keyframes"] == {"rendered": 2, "cached": 2}  # s01 (edited) and s04 (its image was deleted)
    assert second["clips"]["rendered"] >= 2 and second["film_rendered"] is True
    assert {"s03", "s04"} <= {r.scene_id for rs in records(store, "clip").values() for r in rs}
    Path(second["film"]).unlink()  # the film itself
    assert main(["rerun", first["project"], "--store", str(store), "--json", *SMALL]) == 0
    third = json.loads(capsys.readouterr().out)
    assert third["film_rendered"] is True and Path(third["film"]).exists() and third["clips"]["rendered"] == 0
