"""Render tasks: the Base frame, then one keyframe and one clip per scene (mapped, each retried alone)."""

from __future__ import annotations

from prefect import task
from prefect.runtime import task_run

from dreamfactory import faults, renders
from dreamfactory.renders import Made
from dreamfactory.screenplay import Screenplay
from dreamfactory.settings import FilmOptions
from dreamfactory.voices import SceneSound

from .common import keyed_by, store_for


def _base_key(project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    return renders.base_content_key(screenplay, options)


def _keyframe_key(scene_id: str, project: str, screenplay: Screenplay, base: Made, options: FilmOptions) -> str:
    return renders.keyframe_content_key(screenplay, scene_id, base, options)


def _clip_key(scene_id: str, project: str, screenplay: Screenplay, keyframe: Made, sound: SceneSound, options: FilmOptions) -> str:
    return renders.clip_content_key(screenplay, scene_id, keyframe, sound.duration, options)


@task(name="design-base", retries=1, retry_delay_seconds=2, task_run_name="base-frame", **keyed_by("base", _base_key))
def design_base(project: str, screenplay: Screenplay, options: FilmOptions) -> Made:
    store = store_for(options.store)
    key, data = renders.base_description_key(project, screenplay)
    store.put_bytes(key, data)
    return renders.make_keyframe(store, project, renders.plan_base(screenplay, options), options, kind="base_frame")


@task(name="render-keyframe", retries=2, retry_delay_seconds=2, task_run_name="keyframe-{scene_id}",
      **keyed_by("keyframe", _keyframe_key))
def render_keyframe(scene_id: str, project: str, screenplay: Screenplay, base: Made, options: FilmOptions) -> Made:
    faults.inject("keyframe", scene_id, task_run.run_count)
    store = store_for(options.store)
    return renders.make_keyframe_checked(store, project, screenplay, scene_id, base, options)


@task(name="render-clip", retries=3, retry_delay_seconds=2, task_run_name="clip-{scene_id}", **keyed_by("clip", _clip_key))
def render_clip(scene_id: str, project: str, screenplay: Screenplay, keyframe: Made, sound: SceneSound, options: FilmOptions) -> Made:
    faults.inject("clip", scene_id, task_run.run_count)
    request = renders.plan_clip(screenplay, scene_id, keyframe, sound.duration, options)
    return renders.make_clip(store_for(options.store), project, request, options, keyframe, attempt=task_run.run_count)
