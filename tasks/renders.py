"""Render tasks, one per step of `dreamfactory.steps`: the Base frame, a keyframe per shot, a speech track per scene,
a clip per shot. Each calls one library function and records its result at the step's content key (`steps.keep`),
which is also its Prefect cache key (`tasks.common.StoreKeyed`); GPU renders hold a slot of the `gpu` limit.
"""

from __future__ import annotations

from prefect import task
from prefect.runtime import task_run

from dreamfactory import backends, film, layout, renders, steps
from dreamfactory.contracts import Made, RenderRecord
from dreamfactory.contracts.screenplay import Screenplay
from dreamfactory.settings import FilmOptions
from dreamfactory.steps import Step
from dreamfactory.voices import voice_scene
from dreamfactory.contracts import SceneSound

from .common import gpu_slot, keyed_by, store_for


@task(name="design-base", retries=1, retry_delay_seconds=2, task_run_name="{step.name}", **keyed_by(steps.base_key))
def design_base(step: Step, project: str, screenplay: Screenplay, options: FilmOptions) -> Made:
    """The Base frame (a Prefect retry is the render's next attempt), with its Base Description stored beside it."""
    store = store_for(options.store)
    key, data = renders.base_description_key(project, screenplay)
    store.put_bytes(key, data)
    with gpu_slot(options, backends.keyframe_renderer(options.render)):
        made = renders.make_keyframe(store, project, renders.plan_base(screenplay, options), options, kind="base_frame",
                                     attempt=max(1, task_run.run_count))
    return steps.keep(store, project, step, steps.base_key(screenplay, options), made)


@task(name="render-keyframe", retries=2, retry_delay_seconds=2, task_run_name="{step.name}", **keyed_by(steps.keyframe_key))
def render_keyframe(step: Step, project: str, screenplay: Screenplay, base: Made, options: FilmOptions) -> Made:
    """A Prefect retry of this task is the render's next attempt (a backend may lower its memory use on it)."""
    store = store_for(options.store)
    with gpu_slot(options, backends.keyframe_renderer(options.render)):
        made = renders.make_keyframe_checked(store, project, screenplay, step.scene_id, step.shot_id, base, options,
                                             attempt=max(1, task_run.run_count))
    return steps.keep(store, project, step, steps.keyframe_key(step, screenplay, base, options), made)


@task(name="voice-scene", retries=2, retry_delay_seconds=2, task_run_name="{step.name}", **keyed_by(steps.speech_key))
def speak_scene(step: Step, project: str, screenplay: Screenplay, options: FilmOptions) -> SceneSound:
    """The scene's lines in its speakers' voices as one track, and each shot's span."""
    store = store_for(options.store)
    sound = voice_scene(store, project, screenplay.scene(step.scene_id), screenplay, options.sound,
                        frame_rate=options.render.fps)
    return steps.keep(store, project, step, steps.speech_key(step, screenplay, options), sound)


@task(name="render-clip", retries=3, retry_delay_seconds=2, task_run_name="{step.name}", **keyed_by(steps.clip_key))
def render_clip(step: Step, project: str, screenplay: Screenplay, keyframe: Made, sound: SceneSound, options: FilmOptions,
                end_keyframe: Made | None = None) -> Made:
    """The clip and its faded piece when its scene fades (made now, while other shots render; the assembly finds it
    in the store). A Prefect retry is the render's next attempt (SVD makes fewer frames after running out of memory)."""
    request = steps.clip_request(step, screenplay, keyframe, sound, options, end_keyframe)
    store = store_for(options.store)
    with gpu_slot(options, backends.clip_renderer(options.render)):
        made = renders.make_clip(store, project, request, options, keyframe, attempt=max(1, task_run.run_count),
                                 end_keyframe=end_keyframe)
    if step.edge:
        cuts = store.read_model(layout.record(made.key), RenderRecord).notes.get("cuts")
        film.with_transition(store, project, made, request.duration, options.render.fps, step.edge, cuts)
    return steps.keep(store, project, step, steps.clip_key(step, screenplay, keyframe, sound, options, end_keyframe), made)
