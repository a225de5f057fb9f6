"""Render tasks: the Base frame, then one task per scene (keyframe, speech, clip), mapped and retried alone."""

from __future__ import annotations

from collections import OrderedDict

from prefect import task
from prefect.runtime import task_run

from dreamfactory import faults, renders, scenes
from dreamfactory.renders import Made
from dreamfactory.scenes import SceneRenders
from dreamfactory.screenplay import Screenplay
from dreamfactory.settings import FilmOptions

from .common import keyed_by, store_for

# What earlier attempts of a scene's task run finished, by task run id: a retry goes on from the failed step, and
# what the failed attempt made still counts as made by this run. Bounded: only retries in this process read it.
_FINISHED: OrderedDict[str, dict] = OrderedDict()


def _base_key(project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    return renders.base_content_key(screenplay, options)


def _scene_key(scene_id: str, project: str, screenplay: Screenplay, base: Made, options: FilmOptions) -> str:
    return scenes.scene_content_key(screenplay, scene_id, base, options)


@task(name="design-base", retries=1, retry_delay_seconds=2, task_run_name="base-frame", **keyed_by("base", _base_key))
def design_base(project: str, screenplay: Screenplay, options: FilmOptions) -> Made:
    store = store_for(options.store)
    key, data = renders.base_description_key(project, screenplay)
    store.put_bytes(key, data)
    return renders.make_keyframe(store, project, renders.plan_base(screenplay, options), options, kind="base_frame")


@task(name="render-scene", retries=3, retry_delay_seconds=2, task_run_name="scene-{scene_id}", **keyed_by("scene", _scene_key))
def render_scene(scene_id: str, project: str, screenplay: Screenplay, base: Made, options: FilmOptions) -> SceneRenders:
    run_id = str(task_run.id)
    finished = _FINISHED.setdefault(run_id, {})
    while len(_FINISHED) > 256:
        _FINISHED.popitem(last=False)
    made = scenes.make_scene(store_for(options.store), project, screenplay, scene_id, base, options, done=finished,
                             before=lambda step, attempt: faults.inject(step, scene_id, attempt))
    _FINISHED.pop(run_id, None)
    return made
