"""Scenes cut into shots, as library calls: each shot planned and rendered on its own, timed by its scene's
speech, edited by its stable id; a render's retry finds in the store what its earlier attempts made."""

from __future__ import annotations

import pytest

from dreamfactory import backends, renders
from dreamfactory.agents.studio import Studio
from dreamfactory.editing import add_shot, apply_edits, fresh_shot_id, remove_shot
from dreamfactory.errors import SettingsError
from dreamfactory.renderers.animatic import AnimaticClips
from dreamfactory.renders import make_clip, make_keyframe, plan_base, plan_clip, plan_keyframe
from dreamfactory.contracts import RenderRecord
from dreamfactory.contracts.screenplay import DialogueLine, Shot
from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from dreamfactory.store import open_store
from dreamfactory.voices import voice_scene
from dreamfactory.writers.draft import DraftWriter
from dreamfactory.writing import load_head, save_edit
from tests.conftest import SAMPLE

FPS = 8


def three_shots(screenplay):
    """Scene s02 cut into a wide shot, a close-up of its first speaker saying lines 0-1, and an insert."""
    scene = screenplay.scenes[1]
    cast = list(scene.characters) or [screenplay.characters[0].id]
    dialogue = list(scene.dialogue) or [DialogueLine(speaker=cast[0], text="The light is out.")]
    dialogue += [DialogueLine(speaker=cast[0], text="We must climb.")] if len(dialogue) < 2 else []
    shots = [Shot(id="a", description="the stairs", keyframe_prompt="a spiral stair in a lighthouse", framing="wide",
                  duration=2.0),
             Shot(id="b", description="her face", keyframe_prompt="a girl's face lit by a lantern", framing="close_up",
                  characters=[dialogue[0].speaker], duration=1.0, lines=[0, 1]),
             Shot(id="p", description="the lamp", keyframe_prompt="a cold brass lamp", framing="insert", prop="brass lamp",
                  duration=1.5)]
    scenes = [s.model_copy(update={"shots": shots, "dialogue": dialogue, "characters": cast}) if s.id == scene.id else s
              for s in screenplay.scenes]
    return screenplay.model_copy(update={"scenes": scenes})


OPTIONS = FilmOptions(scenes=3, render=RenderSettings(width=320, height=180, fps=FPS), sound=SoundSettings(enabled=False))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The sample's screenplay, written once for the module (the draft writer takes seconds)."""
    store = open_store(str(tmp_path_factory.mktemp("writing")))
    return three_shots(Studio(DraftWriter(), store, "p", OPTIONS).write(SAMPLE.read_text()))


@pytest.fixture
def film(tmp_path, written):
    store, options, screenplay = open_store(str(tmp_path / "store")), OPTIONS, written
    save_edit(store, "p", screenplay)
    base = make_keyframe(store, "p", plan_base(screenplay, options), options, kind="base_frame")
    return store, options, screenplay, base


def test_each_shot_plans_its_own_keyframe(film):
    store, options, screenplay, base = film
    wide, close, insert = (plan_keyframe(screenplay, "s02", shot, base, options) for shot in ("a", "b", "p"))
    scene = screenplay.scene("s02")
    assert (wide.shot_id, wide.framing, close.framing, insert.framing, insert.prop) == ("a", "wide", "close_up", "insert",
                                                                                      "brass lamp")
    assert [c.id for c in close.characters] == scene.shot("b").characters  # in frame, subject first
    assert [c.id for c in wide.characters] == scene.characters  # a shot naming no one shows the scene's cast
    assert close.prompt.startswith("A girl's face lit by a lantern.") or close.prompt.startswith("a girl's face")
    assert screenplay.base_description.text in close.prompt and scene.action in close.prompt  # most specific first
    assert close.prompt.index("lantern") < close.prompt.index(scene.action)
    assert len({wide.seed, close.seed, insert.seed}) == 3 and close.base_frame_sha == base.sha256
    assert len({renders.keyframe_content_key(screenplay, "s02", s, base, options) for s in ("a", "b", "p")}) == 3


def test_a_keyframe_draws_each_character_in_the_look_of_its_scenes_period(film):
    from dreamfactory.contracts.screenplay import LaterLook

    store, options, screenplay, base = film
    first = screenplay.scenes[1].characters[0]
    aged = [c.model_copy(update={"later_looks": [LaterLook(from_scene="s03", appearance="an old woman, white hair",
                                                           wardrobe="a grey shawl")]}) if c.id == first else c
            for c in screenplay.characters]
    later = screenplay.model_copy(update={"characters": aged,
                                          "scenes": [s.model_copy(update={"characters": [first]}) if s.id == "s03" else s
                                                     for s in screenplay.scenes]})
    look = lambda scene_id: next(c for c in plan_keyframe(later, scene_id, later.scene(scene_id).shots[0].id, base,  # noqa: E731
                                                          options).characters if c.id == first)
    before, after = look("s02"), look("s03")
    assert "white hair" not in before.appearance and (after.appearance, after.wardrobe) == ("an old woman, white hair",
                                                                                           "a grey shawl")
    assert [c.appearance for c in plan_base(later, options).characters if c.id == first] == [before.appearance]


def test_speech_times_every_shot_in_whole_frames(film):
    store, options, screenplay, _ = film
    scene = screenplay.scene("s02")
    sound = voice_scene(store, "p", scene, screenplay, options.sound, frame_rate=FPS)
    spans = {s.shot_id: s for s in sound.shots}
    assert list(spans) == ["a", "b", "p"]
    for span in sound.shots:
        assert span.duration * FPS == pytest.approx(round(span.duration * FPS)) and span.duration > 0
    starts = [s.start for s in sound.shots]
    assert starts == pytest.approx([0, spans["a"].duration, spans["a"].duration + spans["b"].duration])
    assert sum(s.duration for s in sound.shots) == pytest.approx(sound.duration)
    # Both lines are said in the close-up, which stretches to hold them; the others keep their planned share.
    said = [c for c in sound.cues]
    assert {c.shot_id for c in said} == {"b"} and len(said) == 2
    assert spans["b"].start + 0.4 == pytest.approx(said[0].start, abs=1e-3)
    assert said[-1].end + 0.6 <= spans["b"].start + spans["b"].duration + 1e-6
    share = scene.duration / sum(s.duration for s in scene.shots)
    assert spans["a"].duration == pytest.approx(2.0 * share, abs=1 / FPS)
    assert spans["p"].duration == pytest.approx(1.5 * share, abs=1 / FPS)


def test_each_clip_is_its_shots_span_long(film):
    store, options, screenplay, base = film
    sound = voice_scene(store, "p", screenplay.scene("s02"), screenplay, options.sound, frame_rate=FPS)
    made = []
    for shot in ("a", "b", "p"):
        keyframe = renders.make_keyframe_checked(store, "p", screenplay, "s02", shot, base, options)
        request = plan_clip(screenplay, "s02", shot, keyframe, sound.span(shot).duration, options)
        assert request.end_keyframe_sha is None and request.camera == screenplay.scene("s02").shot(shot).camera
        made.append(make_clip(store, "p", request, options, keyframe))
    records = [store.read_model(f"{m.key.rsplit('.', 1)[0]}.json", RenderRecord) for m in made]
    assert [r.notes["frames"] for r in records] == [round(s.duration * FPS) for s in sound.shots]
    assert [r.shot_id for r in records] == ["a", "b", "p"]


def test_a_retried_clip_finds_its_keyframe_in_the_store_and_counts_its_own_attempts(film, monkeypatch):
    """A fault drill from the test: the clip backend fails its first try; the retry (attempt 2) is the clip's own,
    the keyframe is found in the store, not drawn again, and nothing is carried between attempts but the store."""
    store, options, screenplay, base = film
    real, tries = AnimaticClips.render, []

    def failing_once(self, request, keyframe, out_path, attempt=1):
        tries.append(attempt)
        if len(tries) == 1:
            raise RuntimeError("CUDA out of memory (drill)")
        return real(self, request, keyframe, out_path, attempt=attempt)

    monkeypatch.setattr(AnimaticClips, "render", failing_once)
    sound = voice_scene(store, "p", screenplay.scene("s02"), screenplay, options.sound, frame_rate=FPS)

    def attempt(n: int):
        keyframe = renders.make_keyframe_checked(store, "p", screenplay, "s02", "b", base, options)
        request = plan_clip(screenplay, "s02", "b", keyframe, sound.span("b").duration, options)
        return keyframe, make_clip(store, "p", request, options, keyframe, attempt=n)

    with pytest.raises(Exception, match="out of memory"):
        attempt(1)
    keyframe, clip = attempt(2)
    assert not keyframe.made and clip.made and tries == [1, 2]
    assert store.read_model(clip.key.rsplit(".", 1)[0] + ".json", RenderRecord).attempts == 2


def test_edit_add_and_remove_shots_keep_every_other_id(film):
    store, options, screenplay, base = film
    before = {s: renders.keyframe_content_key(screenplay, "s02", s, base, options) for s in ("a", "b", "p")}
    message = apply_edits(store, "p", "2", ["framing=medium", "description=her hands on the rail"], shot_ref="b")
    assert "shot b" in message
    edited, _ = load_head(store, "p")
    assert edited.scene("s02").shot("b").framing == "medium"
    after = {s: renders.keyframe_content_key(edited, "s02", s, base, options) for s in ("a", "b", "p")}
    assert [s for s in before if before[s] != after[s]] == ["b"]  # exactly that shot's keyframe changes

    add_shot(store, "p", "s02", "a", ["framing=reaction", "description=Tomas listens"])
    added, _ = load_head(store, "p")
    ids = [s.id for s in added.scene("s02").shots]
    assert ids == ["a", "c", "b", "p"]  # a fresh id, after shot a; no shot renumbered
    again = {s: renders.keyframe_content_key(added, "s02", s, base, options) for s in ("a", "b", "p")}
    assert again == after  # inserting a shot changes no other shot's keyframe

    remove_shot(store, "p", "s02", "c")
    add_shot(store, "p", "s02", None, ["description=the sea"])
    readded, _ = load_head(store, "p")
    assert [s.id for s in readded.scene("s02").shots] == ["d", "a", "b", "p"]  # c was used once: never again
    with pytest.raises(SettingsError, match="editable shot fields"):
        apply_edits(store, "p", "2", ["setting=a cave"], shot_ref="a")
    with pytest.raises(SettingsError, match="scene s02 has shots"):
        apply_edits(store, "p", "2", ["framing=wide"], shot_ref="zz")
    with pytest.raises(SettingsError, match="invalid screenplay"):
        apply_edits(store, "p", "2", ["lines=0"], shot_ref="a")  # line 0 is shot b's already
    for shot in ("d", "a", "b"):
        remove_shot(store, "p", "s02", shot)
    with pytest.raises(SettingsError, match="needs one"):
        remove_shot(store, "p", "s02", "p")
    assert fresh_shot_id(set("abcdefghijklmnopqrstuvwxyz")) == "s27"


def test_a_gpu_backend_holds_a_slot_and_the_animatic_does_not():
    from dreamfactory.renderers.animatic import AnimaticKeyframes
    from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes

    assert not renders.uses_gpu(AnimaticKeyframes()) and not renders.uses_gpu(AnimaticClips())
    assert renders.uses_gpu(DiffusersKeyframes(RenderSettings()))
    assert not renders.wants_end_keyframe(FilmOptions())  # the animatic clip has a free end
    assert "end_keyframe_sha" not in backends.clip_renderer(RenderSettings()).reads
