"""The render key hashes everything that decides a render's output, and nothing else (a guard like pydantic-ai's).

Adding a field to a request model fails this test until the field is either read by a backend (so it enters
that backend's key) or listed below as deliberately never read.
"""

from __future__ import annotations

import pytest

from dreamfactory.renderers.animatic import AnimaticClips, AnimaticKeyframes
from dreamfactory.renderers.base import render_key
from dreamfactory.contracts import ClipRequest, KeyframeRequest
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes
from dreamfactory.renderers.svd_clips import SvdClips
from dreamfactory.settings import RenderSettings

KEYFRAME_FIELDS = {
    "scene_id", "shot_id", "framing", "prop", "prompt", "negative_prompt", "caption", "setting", "time_of_day",
    "environment", "context", "look", "palette", "characters", "base_frame_sha", "seed", "width", "height", "tie_strength",
}
CLIP_FIELDS = {"scene_id", "shot_id", "framing", "keyframe_sha", "end_keyframe_sha", "prompt", "negative_prompt", "camera",
               "action", "duration", "fps", "width", "height", "seed"}
# Fields no backend reads on purpose, each with its reason.
KEYFRAME_NEVER_READ = {"shot_id": "a shot's pixels follow its prompt, framing, cast and seed (which derives from the shot "
                                  "id); the object's path carries the shot id"}
CLIP_NEVER_READ = {"scene_id": "a clip's pixels follow its keyframe's content, not the scene's name; the object's path "
                               "carries the scene id",
                   "shot_id": "likewise: the keyframe's content and the seed (derived from the shot id) decide the clip",
                   "framing": "the keyframe already shows the framing; a clip moves the camera as `camera` says"}


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    """A tiny SD pipeline folder: a diffusers backend's identity names its weights, which a hub id cannot offline."""
    from tests.tiny_models import build_tiny_sd

    return build_tiny_sd(tmp_path_factory.mktemp("tiny-sd"))


def _keyframe_renderers(model=None):
    return [AnimaticKeyframes()] + ([DiffusersKeyframes(RenderSettings(image_model=str(model)))] if model else [])


def _all_keyframe_readers():
    return [AnimaticKeyframes(), DiffusersKeyframes(RenderSettings())]  # `reads` only: no identity, no model needed


def _flf_model_folder(root) -> str:
    """The config files of a Wan first-last-frame model (an image encoder, and a transformer that embeds two images):
    what a clip backend's `reads` is decided from, without weights and whatever this machine's hub cache holds."""
    import json

    (root / "transformer").mkdir(parents=True, exist_ok=True)
    (root / "model_index.json").write_text(json.dumps({
        "_class_name": "WanImageToVideoPipeline", "image_encoder": ["transformers", "CLIPVisionModel"],
        "transformer": ["diffusers", "WanTransformer3DModel"]}))
    (root / "transformer" / "config.json").write_text(json.dumps({"pos_embed_seq_len": 514}))
    return str(root)


def _class_folder(root, class_name: str) -> str:
    """A model folder of config alone: the pipeline class its model_index.json names picks the backend and family."""
    import json

    root.mkdir(parents=True, exist_ok=True)
    (root / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    return str(root)


def _clip_renderers(tmp_path):
    renderers = [AnimaticClips(), SvdClips(RenderSettings())]
    try:  # the diffusers image-to-video backend (Wan, LTX, CogVideoX, ...): text prompts, first-last-frame
        from dreamfactory.renderers.video_clips import DiffusersClips
    except ImportError:
        return renderers
    flf = DiffusersClips(RenderSettings(clip_backend="diffusers", video_model=_flf_model_folder(tmp_path / "flf")))
    assert flf.ending() == "required"  # the folder is read as a first-last-frame model
    return renderers + [flf]


def test_request_fields_are_the_reviewed_ones():
    assert set(KeyframeRequest.model_fields) == KEYFRAME_FIELDS, "a KeyframeRequest field changed: update the backends' reads"
    assert set(ClipRequest.model_fields) == CLIP_FIELDS, "a ClipRequest field changed: update the backends' reads"


def test_every_field_enters_some_key_or_is_excluded_on_purpose(tmp_path):
    read = set().union(*(r.reads for r in _all_keyframe_readers()))
    assert KEYFRAME_FIELDS - read - set(KEYFRAME_NEVER_READ) == set()
    read = set().union(*(r.reads for r in _clip_renderers(tmp_path)))
    assert CLIP_FIELDS - read - set(CLIP_NEVER_READ) == set()
    assert not read & set(CLIP_NEVER_READ), "a field marked never read is read: remove it from the list"


# Every RenderSettings field changes some render key (through a renderer's identity() or the requests planned from the
# settings), or is listed here as keyed by nothing on purpose, with its reason.
SETTINGS_NEVER_KEYED = {
    "cpu_offload": "where the weights wait between calls (CPU or GPU memory) moves no pixel; the record's notes say which",
    "vae_slicing": "the same latents decoded a slice (and tile) at a time to save memory; like the out-of-memory retry's "
                   "tiling, the record's notes say so and the key does not",
}
# A value unlike the bases' for the fields whose type alone gives none that changes anything offline.
OTHER_VALUE = {"dtype": "float16", "device": "cuda", "guidance": 5.0, "video_guidance": 5.0, "attention_backend": "flash",
               "video_frames": 9, "video_steps": 3, "video_short_side": 32, "max_sequence_length": 64,
               "image_model_revision": "0" * 40, "video_model_revision": "0" * 40, "ip_adapter": "another/IP-Adapter"}


def _other_value(field: str, value, root):
    """A valid value of the field that differs from `value`."""
    import shutil
    import typing

    if field in OTHER_VALUE:
        return OTHER_VALUE[field]
    if field in ("image_model", "video_model"):  # the same folder with one more file: other weights, same family
        other = shutil.copytree(value, root / f"other-{field}", dirs_exist_ok=True)
        (other / "note.txt").write_text("other weights")
        return str(other)
    annotation = RenderSettings.model_fields[field].annotation
    if typing.get_origin(annotation) is typing.Literal:
        return next(choice for choice in typing.get_args(annotation) if choice != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 2  # widths and heights stay even
    if isinstance(value, float):
        return value / 2
    return f"other {value}"


def test_every_render_setting_enters_some_key_or_is_excluded_on_purpose(tiny_sd, tmp_path, monkeypatch):
    """Each setting changed alone, against set-ups that between them use every backend's settings (diffusers
    keyframes with an IP-Adapter; SVD clips, a first-last-frame video model, or one that makes sound): the Base
    frame's, a keyframe's or a clip's content key must change, unless the setting is listed as never keyed."""
    import tempfile

    import torch

    from dreamfactory import backends
    from dreamfactory.agents.studio import Studio
    from dreamfactory.renders import base_content_key, clip_content_key, keyframe_content_key
    from dreamfactory.contracts import Made
    from dreamfactory.settings import FilmOptions, SoundSettings
    from dreamfactory.store import open_store
    from dreamfactory.writers.draft import DraftWriter
    from tests.conftest import SAMPLE

    with tempfile.TemporaryDirectory() as tmp:
        screenplay = Studio(DraftWriter(), open_store(tmp), "p", FilmOptions(scenes=2)).write(SAMPLE.read_text())
    shot = screenplay.scene("s02").shots[0].id
    base = Made(kind="base_frame", key="p/base/x.png", sha256="ab" * 32, made=False)
    keyframe = Made(kind="keyframe", scene_id="s02", shot_id=shot, key="k", sha256="ef" * 32, made=False)

    def keys(render: RenderSettings) -> tuple[str, str, str]:
        options = FilmOptions(scenes=2, render=render, sound=SoundSettings(enabled=False))
        return (base_content_key(screenplay, options), keyframe_content_key(screenplay, "s02", shot, base, options),
                clip_content_key(screenplay, "s02", shot, keyframe, 2.0, options, end_keyframe=keyframe))

    drawn = dict(keyframe_backend="diffusers", image_model=str(tiny_sd), ip_adapter="h94/IP-Adapter", device="cpu",
                 width=320, height=180, fps=8)
    clips = [("svd", _class_folder(tmp_path / "svd", "StableVideoDiffusionPipeline")),
             ("diffusers", _flf_model_folder(tmp_path / "flf")),  # a model that ends on the next keyframe
             ("diffusers", _class_folder(tmp_path / "ltx2", "LTX2ImageToVideoPipeline"))]  # one that makes sound
    bases = [RenderSettings(**drawn, clip_backend=backend, video_model=folder) for backend, folder in clips]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # 'cuda' is a valid device to name here
    try:
        before = [keys(b) for b in bases]
        keyed = {field for field in RenderSettings.model_fields for b, key in zip(bases, before)
                 if keys(b.model_copy(update={field: _other_value(field, getattr(b, field), tmp_path)})) != key}
    finally:  # no renderer built for a pretended CUDA device stays in the cache
        backends._keyframe_renderer.cache_clear()
        backends._clip_renderer.cache_clear()
    assert set(RenderSettings.model_fields) - keyed - set(SETTINGS_NEVER_KEYED) == set(), "a setting enters no key"
    assert not keyed & set(SETTINGS_NEVER_KEYED), "a setting listed as never keyed is keyed: remove it from the list"


def _keyframe(**kw) -> KeyframeRequest:
    base = dict(scene_id="s01", prompt="a girl in a yellow raincoat", setting="lighthouse", time_of_day="night",
                look="watercolour", palette=("#112233", "#445566", "#778899"), seed=1, width=320, height=180)
    return KeyframeRequest(**{**base, **kw})


def test_key_follows_reads_exactly(tiny_sd):
    for renderer in _keyframe_renderers(tiny_sd):
        request = _keyframe()
        key = render_key(renderer, request)
        for field in KEYFRAME_FIELDS:
            changed = {"seed": 2, "width": 640, "height": 360, "tie_strength": 0.3, "palette": ("#000000",) * 3,
                       "characters": ()}.get(field, "changed")
            if field == "characters":
                continue
            other = request.model_copy(update={field: changed})
            assert (render_key(renderer, other) != key) == (field in renderer.reads), (renderer.name, field)


def test_backend_identity_enters_the_key(tiny_sd, tmp_path):
    import shutil

    request = _keyframe()
    other = shutil.copytree(tiny_sd, tmp_path / "other")
    (other / "scheduler" / "scheduler_config.json").write_text(
        (other / "scheduler" / "scheduler_config.json").read_text().replace("{", '{"note": "other weights", ', 1))
    a = DiffusersKeyframes(RenderSettings(image_model=str(tiny_sd)))
    b = DiffusersKeyframes(RenderSettings(image_model=str(other)))
    c = DiffusersKeyframes(RenderSettings(image_model=str(tiny_sd), steps=3))
    assert len({render_key(a, request), render_key(b, request), render_key(c, request)}) == 3


def test_keyframe_iteration_and_its_ablation_plan_different_inputs():
    from dreamfactory.agents.studio import Studio
    from dreamfactory.renders import plan_keyframe
    from dreamfactory.contracts import Made
    from dreamfactory.settings import FilmOptions, RenderSettings
    from dreamfactory.store import open_store
    from dreamfactory.writers.draft import DraftWriter
    from tests.conftest import SAMPLE

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        options = FilmOptions(scenes=3)
        screenplay = Studio(DraftWriter(), open_store(tmp), "p", options).write(SAMPLE.read_text())
    base = Made(kind="base_frame", key="p/base/x.png", sha256="ab" * 32, made=False)
    bd = screenplay.base_description.text
    shot = screenplay.scene("s02").shots[0].id
    on = plan_keyframe(screenplay, "s02", shot, base, options)
    assert bd in on.prompt and on.context == screenplay.scenes[0].environment and on.base_frame_sha == base.sha256
    off = plan_keyframe(screenplay, "s02", shot, base,
                        options.model_copy(update={"render": RenderSettings(keyframe_iteration=False)}))
    assert bd not in off.prompt and off.context == "" and off.base_frame_sha is None
    assert screenplay.scenes[1].shots[0].keyframe_prompt.rstrip(".") in off.prompt


def test_each_shot_key_follows_what_decides_that_shot_and_nothing_else(tiny_sd):
    """A shot's keyframe key changes with its scene (action, setting), C(t-1), its own fields, the Base frame for a
    backend tied to it; not with another shot's edit. Its clip key follows its keyframe, span, camera and fps; the
    scene's speech key follows its lines and which shot says them."""
    import tempfile

    from dreamfactory.agents.studio import Studio
    from dreamfactory.renders import clip_content_key, keyframe_content_key
    from dreamfactory.contracts import Made
    from dreamfactory.contracts.screenplay import Shot
    from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
    from dreamfactory.store import open_store
    from dreamfactory.voices.timing import scene_inputs_key
    from dreamfactory.writers.draft import DraftWriter
    from tests.conftest import SAMPLE

    with tempfile.TemporaryDirectory() as tmp:
        options = FilmOptions(scenes=3, sound=SoundSettings(enabled=False))
        screenplay = Studio(DraftWriter(), open_store(tmp), "p", options).write(SAMPLE.read_text())
    two = [Shot(id="a", description="wide", keyframe_prompt="the stairs"),
           Shot(id="b", description="close", keyframe_prompt="her face", framing="close_up",
                characters=screenplay.scenes[1].characters[:1] or [screenplay.characters[0].id])]
    screenplay = screenplay.model_copy(update={"scenes": [
        s.model_copy(update={"shots": two}) if s.id == "s02" else s for s in screenplay.scenes]})
    base = Made(kind="base_frame", key="p/base/x.png", sha256="ab" * 32, made=False)

    def edited(scene_id: str, shot_id: str | None = None, **fields):
        def change(scene):
            if scene.id != scene_id:
                return scene
            if shot_id is None:
                return scene.model_copy(update=fields)
            return scene.model_copy(update={"shots": [t.model_copy(update=fields) if t.id == shot_id else t
                                                      for t in scene.shots]})
        return screenplay.model_copy(update={"scenes": [change(s) for s in screenplay.scenes]})

    def keys(play, opts=options, b=base):
        return {shot: keyframe_content_key(play, "s02", shot, b, opts) for shot in ("a", "b")}

    key = keys(screenplay)
    assert key == keys(screenplay) and key["a"] != key["b"]
    changes = {
        "scene action": (edited("s02", action="Mira waves at the gulls."), {"a", "b"}),
        "C(t-1)": (edited("s01", environment="thick fog"), {"a", "b"}),
        "shot b's prompt": (edited("s02", "b", keyframe_prompt="her hands"), {"b"}),
        "shot b's framing": (edited("s02", "b", framing="reaction"), {"b"}),
        "shot a's prop": (edited("s02", "a", framing="insert", prop="a brass key"), {"a"}),
        "a later scene": (edited("s03", action="Elena sleeps."), set()),
    }
    for what, (play, expected) in changes.items():
        after = keys(play)
        assert {s for s in key if after[s] != key[s]} == expected, what
    # The animatic never looks at the Base frame; a backend that does has it in every shot's key.
    other = base.model_copy(update={"sha256": "cd" * 32})
    assert keys(screenplay, b=other) == key
    drawn = options.model_copy(update={"render": RenderSettings(keyframe_backend="diffusers", image_model=str(tiny_sd))})
    assert keys(screenplay, drawn, other) != keys(screenplay, drawn, base)

    keyframe = Made(kind="keyframe", scene_id="s02", shot_id="b", key="k", sha256="ef" * 32, made=False)
    clip = clip_content_key(screenplay, "s02", "b", keyframe, 2.0, options)
    assert clip_content_key(screenplay, "s02", "b", keyframe, 2.0, options) == clip
    assert clip_content_key(screenplay, "s02", "b", keyframe, 2.125, options) != clip  # its span
    assert clip_content_key(screenplay, "s02", "b", keyframe.model_copy(update={"sha256": "01" * 32}), 2.0, options) != clip
    assert clip_content_key(edited("s02", "b", camera="tilt_up"), "s02", "b", keyframe, 2.0, options) != clip
    assert clip_content_key(edited("s02", "a", camera="tilt_up"), "s02", "b", keyframe, 2.0, options) == clip
    assert clip_content_key(screenplay, "s02", "b", keyframe, 2.0,
                            options.model_copy(update={"render": RenderSettings(fps=12)})) != clip
    # A clip's step is keyed by its render key; one that fades at a scene boundary also by its fade (its step makes
    # the faded piece), so a transition edited in or out runs the step again.
    from dreamfactory import steps
    from dreamfactory.contracts import SceneSound, ShotSpan

    sound = SceneSound(scene_id="s02", key="v", duration=4.0, shots=[ShotSpan(shot_id="a", start=0.0, duration=2.0),
                                                                     ShotSpan(shot_id="b", start=2.0, duration=2.0)])
    cut = steps.Step(kind="clip", scene_id="s02", shot_id="b")
    fade, longer = (cut.model_copy(update={"edge": {"fade_out": s}}) for s in (0.25, 0.5))
    assert steps.clip_key(cut, screenplay, keyframe, sound, options) == clip
    assert len({clip, steps.clip_key(fade, screenplay, keyframe, sound, options),
                steps.clip_key(longer, screenplay, keyframe, sound, options)}) == 3

    scene = screenplay.scene("s02")
    speech = scene_inputs_key(scene, screenplay, options.sound, 24)
    assert scene_inputs_key(edited("s02", "b", duration=9.0).scene("s02"), screenplay, options.sound, 24) != speech
    if scene.dialogue:  # the first line said in the wide shot instead: the same words, another shot's span
        moved = edited("s02", "a", lines=[0]).scene("s02")
        assert moved.shot_lines() != scene.shot_lines()
        assert scene_inputs_key(moved, screenplay, options.sound, 24) != speech
