"""A scene's three steps as a library call: a retry goes on from the step that failed, and keeps what it made."""

from __future__ import annotations

import pytest

from dreamfactory import faults
from dreamfactory.agents.studio import Studio
from dreamfactory.renders import RenderRecord, make_keyframe, plan_base
from dreamfactory.scenes import make_scene
from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from dreamfactory.store import open_store
from dreamfactory.writers.draft import DraftWriter
from tests.conftest import SAMPLE


@pytest.fixture
def film(tmp_path):
    store = open_store(str(tmp_path / "store"))
    options = FilmOptions(scenes=3, render=RenderSettings(width=320, height=180, fps=8), sound=SoundSettings(enabled=False))
    screenplay = Studio(DraftWriter(), store, "p", options).write(SAMPLE.read_text())
    base = make_keyframe(store, "p", plan_base(screenplay, options), options, kind="base_frame")
    return store, options, screenplay, base


def _records(store, kind: str) -> list[RenderRecord]:
    return [store.read_model(key, RenderRecord) for key in store.list(f"p/{kind}s") if key.endswith(".json")]


def _fail_then_retry(film, monkeypatch, fault: str, scene_id: str) -> tuple[dict, object]:
    """Run the scene under a fault that fails its first attempt at one step, then retry it; (done, the scene)."""
    store, options, screenplay, base = film
    monkeypatch.setenv("DREAMFACTORY_FAULTS", fault)
    done: dict = {}
    inject = lambda step, attempt: faults.inject(step, scene_id, attempt)  # noqa: E731
    with pytest.raises(faults.InjectedFault):
        make_scene(store, "p", screenplay, scene_id, base, options, done=done, before=inject)
    assert not _records(store, "clip")
    return done, make_scene(store, "p", screenplay, scene_id, base, options, done=done, before=inject)


def test_a_retry_goes_on_from_the_failed_clip(film, monkeypatch):
    store = film[0]
    done, scene = _fail_then_retry(film, monkeypatch, "clip:s02:1", "s02")
    assert scene.keyframe.made and scene.clip.made  # both made by this run, across its two attempts
    assert done["tries"] == {"keyframe": 1, "voice": 1, "clip": 2}
    assert [r.attempts for r in _records(store, "clip")] == [2]
    assert len(_records(store, "keyframe")) == 1


def test_a_failed_keyframe_does_not_count_against_the_clip(film, monkeypatch):
    store = film[0]
    done, _ = _fail_then_retry(film, monkeypatch, "keyframe:s01:1", "s01")
    assert done["tries"] == {"keyframe": 2, "voice": 1, "clip": 1}
    assert [r.attempts for r in _records(store, "clip")] == [1]


def test_a_new_run_takes_every_finished_step_from_the_store(film):
    store, options, screenplay, base = film
    first = make_scene(store, "p", screenplay, "s03", base, options)
    again = make_scene(store, "p", screenplay, "s03", base, options)
    assert first.keyframe.made and first.clip.made
    assert not again.keyframe.made and not again.clip.made and again.clip.key == first.clip.key
    assert (again.keyframe.key, again.sound.key) == (first.keyframe.key, first.sound.key)
