"""Render tasks: the Base frame, a keyframe per shot, a speech track per scene, a clip per shot.

Each task calls one library function (a clip at a fading scene boundary also gets its faded piece, which the
film's assembly would otherwise make) and finds in the store whatever an earlier attempt or run made; its
Prefect cache key is that render's content address (`tasks.common.StoreKeyed`). GPU renders hold a slot of
the `gpu` global concurrency limit, so workers sharing a machine never oversubscribe its GPU.
"""

from __future__ import annotations

from prefect import task
from prefect.runtime import task_run

from dreamfactory import backends, film, layout, renders
from dreamfactory.renders import Made, RenderRecord
from dreamfactory.screenplay import Screenplay
from dreamfactory.settings import FilmOptions
from dreamfactory.voices import SceneSound, voice_scene
from dreamfactory.voices.timing import scene_inputs_key

from .common import gpu_slot, keyed_by, store_for


def _base_key(project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    return renders.base_content_key(screenplay, options)


def _keyframe_key(scene_id: str, shot_id: str, project: str, screenplay: Screenplay, base: Made,
                  options: FilmOptions) -> str:
    return renders.keyframe_content_key(screenplay, scene_id, shot_id, base, options)


def _speech_key(scene_id: str, project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    return scene_inputs_key(screenplay.scene(scene_id), screenplay, options.sound, options.render.fps)


def _clip_key(scene_id: str, shot_id: str, project: str, screenplay: Screenplay, keyframe: Made, sound: SceneSound,
              options: FilmOptions, end_keyframe: Made | None = None) -> str:
    return renders.clip_content_key(screenplay, scene_id, shot_id, keyframe, sound.span(shot_id).duration, options,
                                    end_keyframe)


@task(name="design-base", retries=1, retry_delay_seconds=2, task_run_name="base-frame", **keyed_by("base", _base_key))
def design_base(project: str, screenplay: Screenplay, options: FilmOptions) -> Made:
    store = store_for(options.store)
    key, data = renders.base_description_key(project, screenplay)
    store.put_bytes(key, data)
    renderer = backends.keyframe_renderer(options.render)
    with gpu_slot(options, renderer):
        return renders.make_keyframe(store, project, renders.plan_base(screenplay, options), options, kind="base_frame",
                                     attempt=max(1, task_run.run_count))


@task(name="render-keyframe", retries=2, retry_delay_seconds=2, task_run_name="keyframe-{scene_id}-{shot_id}",
      **keyed_by("keyframe", _keyframe_key))
def render_keyframe(scene_id: str, shot_id: str, project: str, screenplay: Screenplay, base: Made,
                    options: FilmOptions) -> Made:
    """A shot's keyframe from BD + C(t-1) + the shot, tied to the Base frame, gated by the Reviewer's numbers; a
    Prefect retry of this task is the render's next attempt (a backend may lower its memory use on it)."""
    with gpu_slot(options, backends.keyframe_renderer(options.render)):
        return renders.make_keyframe_checked(store_for(options.store), project, screenplay, scene_id, shot_id, base,
                                             options, attempt=max(1, task_run.run_count))


@task(name="voice-scene", retries=2, retry_delay_seconds=2, task_run_name="voice-{scene_id}",
      **keyed_by("voice", _speech_key))
def speak_scene(scene_id: str, project: str, screenplay: Screenplay, options: FilmOptions) -> SceneSound:
    """The scene's lines in its speakers' voices as one track, and each shot's span."""
    return voice_scene(store_for(options.store), project, screenplay.scene(scene_id), screenplay, options.sound,
                       frame_rate=options.render.fps)


@task(name="render-clip", retries=3, retry_delay_seconds=2, task_run_name="clip-{scene_id}-{shot_id}",
      **keyed_by("clip", _clip_key))
def render_clip(scene_id: str, shot_id: str, project: str, screenplay: Screenplay, keyframe: Made, sound: SceneSound,
                options: FilmOptions, end_keyframe: Made | None = None) -> Made:
    """A shot's clip, exactly its span long; each retry is this task run's next attempt (a backend may lower its
    memory use on it, e.g. SVD after running out of GPU memory)."""
    request = renders.plan_clip(screenplay, scene_id, shot_id, keyframe, sound.span(shot_id).duration, options,
                                end_keyframe)
    store = store_for(options.store)
    with gpu_slot(options, backends.clip_renderer(options.render)):
        made = renders.make_clip(store, project, request, options, keyframe, attempt=max(1, task_run.run_count),
                                 end_keyframe=end_keyframe)
    # A shot at a fading scene boundary gets its faded piece now, while other shots render, instead of in the
    # film's assembly (which finds it in the store: the same content address).
    if edge := film.fade_edge(screenplay, scene_id, shot_id):
        record = store.read_model(layout.record(made.key), RenderRecord)
        film.with_transition(store, project, made, request.duration, options.render.fps, edge, record.notes.get("cuts"))
    return made
