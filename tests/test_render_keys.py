"""The render key hashes everything that decides a render's output, and nothing else (a guard like pydantic-ai's).

Adding a field to a request model fails this test until the field is either read by a backend (so it enters
that backend's key) or listed below as deliberately never read.
"""

from __future__ import annotations

from dreamfactory.renderers.animatic import AnimaticClips, AnimaticKeyframes
from dreamfactory.renderers.base import ClipRequest, KeyframeRequest, render_key
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes
from dreamfactory.renderers.svd_clips import SvdClips
from dreamfactory.settings import RenderSettings

KEYFRAME_FIELDS = {
    "scene_id", "prompt", "negative_prompt", "caption", "setting", "time_of_day", "environment", "context", "look",
    "palette", "characters", "base_frame_sha", "seed", "width", "height", "tie_strength",
}
CLIP_FIELDS = {"scene_id", "keyframe_sha", "camera", "action", "duration", "fps", "width", "height", "seed"}
# Fields no backend reads on purpose, each with its reason.
KEYFRAME_NEVER_READ: dict[str, str] = {}
CLIP_NEVER_READ = {"scene_id": "a clip's pixels follow its keyframe's content, not the scene's name; the object's path "
                               "carries the scene id"}


def _keyframe_renderers():
    return [AnimaticKeyframes(), DiffusersKeyframes(RenderSettings())]


def _clip_renderers():
    return [AnimaticClips(), SvdClips(RenderSettings())]


def test_request_fields_are_the_reviewed_ones():
    assert set(KeyframeRequest.model_fields) == KEYFRAME_FIELDS, "a KeyframeRequest field changed: update the backends' reads"
    assert set(ClipRequest.model_fields) == CLIP_FIELDS, "a ClipRequest field changed: update the backends' reads"


def test_every_field_enters_some_key_or_is_excluded_on_purpose():
    read = set().union(*(r.reads for r in _keyframe_renderers()))
    assert KEYFRAME_FIELDS - read - set(KEYFRAME_NEVER_READ) == set()
    read = set().union(*(r.reads for r in _clip_renderers()))
    assert CLIP_FIELDS - read - set(CLIP_NEVER_READ) == set()
    assert not read & set(CLIP_NEVER_READ), "a field marked never read is read: remove it from the list"


def _keyframe(**kw) -> KeyframeRequest:
    base = dict(scene_id="s01", prompt="a girl in a yellow raincoat", setting="lighthouse", time_of_day="night",
                look="watercolour", palette=("#112233", "#445566", "#778899"), seed=1, width=320, height=180)
    return KeyframeRequest(**{**base, **kw})


def test_key_follows_reads_exactly():
    for renderer in _keyframe_renderers():
        request = _keyframe()
        key = render_key(renderer, request)
        for field in KEYFRAME_FIELDS:
            changed = {"seed": 2, "width": 640, "height": 360, "tie_strength": 0.3, "palette": ("#000000",) * 3,
                       "characters": ()}.get(field, "changed")
            if field == "characters":
                continue
            other = request.model_copy(update={field: changed})
            assert (render_key(renderer, other) != key) == (field in renderer.reads), (renderer.name, field)


def test_backend_identity_enters_the_key():
    request = _keyframe()
    a = DiffusersKeyframes(RenderSettings(image_model="model-a"))
    b = DiffusersKeyframes(RenderSettings(image_model="model-b"))
    c = DiffusersKeyframes(RenderSettings(image_model="model-a", steps=3))
    assert len({render_key(a, request), render_key(b, request), render_key(c, request)}) == 3


def test_keyframe_iteration_and_its_ablation_plan_different_inputs():
    from dreamfactory.agents.studio import Studio
    from dreamfactory.renders import Made, plan_keyframe
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
    on = plan_keyframe(screenplay, "s02", base, options)
    assert bd in on.prompt and on.context == screenplay.scenes[0].environment and on.base_frame_sha == base.sha256
    off = plan_keyframe(screenplay, "s02", base, options.model_copy(update={"render": RenderSettings(keyframe_iteration=False)}))
    assert bd not in off.prompt and off.context == "" and off.base_frame_sha is None
    assert screenplay.scenes[1].shots[0].keyframe_prompt.rstrip(".") in off.prompt


def test_a_scene_key_follows_each_of_its_three_steps():
    """The scene task's cache key changes with anything its keyframe, speech or clip reads, and with nothing else."""
    import tempfile

    from dreamfactory.agents.studio import Studio
    from dreamfactory.renders import Made
    from dreamfactory.scenes import scene_content_key
    from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
    from dreamfactory.store import open_store
    from dreamfactory.voices import cast_voices
    from dreamfactory.writers.draft import DraftWriter
    from tests.conftest import SAMPLE

    with tempfile.TemporaryDirectory() as tmp:
        options = FilmOptions(scenes=3)
        screenplay = Studio(DraftWriter(), open_store(tmp), "p", options).write(SAMPLE.read_text())
    screenplay = cast_voices(screenplay).screenplay
    base = Made(kind="base_frame", key="p/base/x.png", sha256="ab" * 32, made=False)
    key = scene_content_key(screenplay, "s02", base, options)
    assert scene_content_key(screenplay, "s02", base, options) == key

    def edited(scene_id: str, **fields):
        scenes = [s.model_copy(update=fields) if s.id == scene_id else s for s in screenplay.scenes]
        return screenplay.model_copy(update={"scenes": scenes})

    line = screenplay.scenes[1].dialogue[0] if screenplay.scenes[1].dialogue else None
    changes = {
        "keyframe (action)": (edited("s02", action="Mira waves at the gulls."), base, options),
        "keyframe (C(t-1))": (edited("s01", environment="thick fog"), base, options),
        "clip only (camera)": (edited("s02", camera="tilt_up" if screenplay.scenes[1].camera != "tilt_up" else "pan_left"),
                               base, options),
        "clip (fps)": (screenplay, base, options.model_copy(update={"render": RenderSettings(fps=12)})),
        "speech (sound off)": (screenplay, base, options.model_copy(update={"sound": SoundSettings(enabled=False)})),
    }
    if line is not None:
        changes["speech (a line)"] = (edited("s02", dialogue=[line.model_copy(update={"text": "Another line."})]), base, options)
    for what, (play, b, opts) in changes.items():
        assert scene_content_key(play, "s02", b, opts) != key, what
    # The animatic never looks at the Base frame; a backend that does has it in every scene's key.
    other_base = base.model_copy(update={"sha256": "cd" * 32})
    assert scene_content_key(screenplay, "s02", other_base, options) == key
    drawn = options.model_copy(update={"render": RenderSettings(keyframe_backend="diffusers")})
    assert scene_content_key(screenplay, "s02", other_base, drawn) != scene_content_key(screenplay, "s02", base, drawn)
    # An edit of a later scene is not this scene's business.
    assert scene_content_key(edited("s03", action="Elena sleeps."), "s02", base, options) == key
