"""The storyboard gate through a Prefect server: a run with approve_storyboard waits after its keyframes, before any
clip; `dreamfactory approve --redraw` draws exactly that shot again and asks again; approving renders every clip once."""

from __future__ import annotations

import threading
import time

import pytest

from dreamfactory import layout
from dreamfactory.approval import waiting_for
from dreamfactory.cli import main
from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from dreamfactory.store import open_store
from tests.conftest import SAMPLE


def wait_until(check, what: str, timeout: float = 240):
    deadline = time.time() + timeout
    while not (found := check()):
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return found


def records(store, project: str, kind: str) -> list[str]:
    return [k for k in store.list(f"{project}/{kind}") if k.endswith(".json") and "/edges/" not in k]


def test_the_run_waits_for_the_storyboard_and_redraws_only_what_is_asked(prefect_harness, tmp_path, capsys):
    from flows.make_film import make_film

    store = open_store(str(tmp_path / "store"))
    options = FilmOptions(scenes=2, store=store.url, approve_storyboard=True, sound=SoundSettings(enabled=False),
                          render=RenderSettings(width=320, height=180, fps=8))
    outcome: dict = {}
    run = threading.Thread(target=lambda: outcome.update(result=make_film(SAMPLE.read_text(), options)), daemon=True)
    run.start()

    project = wait_until(lambda: next((p.name for p in (tmp_path / "store").iterdir() if p.is_dir()), None)
                         if (tmp_path / "store").exists() else None, "the project")
    first = wait_until(lambda: waiting_for(store, project), "the storyboard gate")
    shots = first.shots
    assert not records(store, project, "clips")  # nothing animated before approval
    assert len(records(store, project, "keyframes")) == len(shots)
    assert "clips (" in first.to_render and first.to_render.startswith(f"{len(shots)} clips")
    assert main(["show", project, "--store", store.url]) == 0
    assert f"dreamfactory approve {project}" in capsys.readouterr().out

    redrawn = shots[1]
    assert main(["approve", project, "--store", store.url, "--redraw", redrawn]) == 0
    assert "drawing 1 shot(s) again" in capsys.readouterr().out
    second = wait_until(lambda: (w := waiting_for(store, project)) and w.since >= first.since and
                        len(records(store, project, "keyframes")) == len(shots) + 1 and w, "the storyboard again")
    keyframes = records(store, project, "keyframes")
    scene, shot = redrawn.split("/")
    assert sum(k.startswith(f"{project}/keyframes/{scene}/{shot}-") for k in keyframes) == 2  # that shot alone again
    assert not records(store, project, "clips")

    assert main(["approve", project, "--store", store.url]) == 0
    assert f"approved; rendering {second.to_render}" in capsys.readouterr().out
    run.join(300)
    assert "result" in outcome, "the run did not finish"
    assert waiting_for(store, project) is None
    clips = records(store, project, "clips")
    assert sorted(k.split("/")[-2] + "/" + k.split("/")[-1].split("-")[0] for k in clips) == sorted(shots)  # each once
    head = store.read_json(layout.screenplay_head(project))
    takes = {f"{s['id']}/{t['id']}": t.get("take", 0) for s in head["scenes"] for t in s["shots"]}
    assert takes == {s: int(s == redrawn) for s in shots}


@pytest.mark.parametrize("argv, says", [
    (["--redraw", "s99/z"], "no shot s99/z on the storyboard"),
    (["--edit", "s01/a-framing"], "--edit takes SCENE/SHOT:FIELD=VALUE"),
])
def test_approve_refuses_what_the_storyboard_does_not_have_in_one_line(tmp_path, capsys, argv, says):
    from dreamfactory.approval import mark_waiting, waiting_now

    store = open_store(str(tmp_path))
    mark_waiting(store, "p", waiting_now("00000000-0000-0000-0000-000000000000", None, ["s01/a"], "1 clip (no estimate yet)"))
    assert main(["approve", "p", "--store", store.url, *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_approve_with_no_run_waiting_is_one_line(tmp_path, capsys):
    assert main(["approve", "nobody", "--store", str(tmp_path)]) == 2
    assert "no run of nobody waits at the storyboard" in capsys.readouterr().err
