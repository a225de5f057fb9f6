"""Voice tasks: each scene's lines spoken in its characters' voices, before its clip (the clip lasts as long)."""

from __future__ import annotations

from prefect import task

from dreamfactory.screenplay import Screenplay
from dreamfactory.settings import FilmOptions
from dreamfactory.voices import SceneSound, voice_scene as speak_scene
from dreamfactory.voices.timing import scene_inputs_key

from .common import keyed_by, store_for


def _voice_key(scene_id: str, project: str, screenplay: Screenplay, options: FilmOptions) -> str:
    return scene_inputs_key(screenplay.scene(scene_id), screenplay, options.sound, options.render.fps)


@task(name="voice-scene", retries=1, retry_delay_seconds=2, task_run_name="voice-{scene_id}", **keyed_by("voice", _voice_key))
def voice_scene(scene_id: str, project: str, screenplay: Screenplay, options: FilmOptions) -> SceneSound:
    return speak_scene(store_for(options.store), project, screenplay.scene(scene_id), screenplay, options.sound,
                       frame_rate=options.render.fps)
