"""The render steps of a film: a written screenplay in, one MP4 out. Called inside make-film and rerun-scenes.

A plain function, not a subflow: its tasks show directly under the calling run in the UI, and a rerun does not
pay a second flow run's start and finish (about 1 s).

Each scene is a mapped branch (keyframe, then clip), so a failed render retries alone and a rerun renders only
what the store does not have yet: a scene whose inputs did not change keeps its keyframe and clip.
"""

from __future__ import annotations

from prefect import unmapped

from dreamfactory.errors import RenderError
from dreamfactory.film import FilmResult, summarize
from dreamfactory.settings import FilmOptions
from dreamfactory.writing import Written
from tasks.common import fresh, on_store, store_for
from tasks.film import assemble, publish
from tasks.renders import design_base, render_clip, render_keyframe
from tasks.sound import voice_scene


def failed_scenes(scene_ids: list[str], *stages) -> dict[str, str]:
    """Scene id -> why it failed, from the final states of its tasks (first failed stage wins)."""
    failed = {}
    for sid, *futures in zip(scene_ids, *stages):
        for future in futures:
            if not future.state.is_completed():
                failed[sid] = (future.state.message or future.state.name).removeprefix("Task run encountered an exception ")
                break
    return failed


def render_film(written: Written, options: FilmOptions) -> FilmResult:
    project, screenplay = written.project, written.screenplay
    scene_ids = [scene.id for scene in screenplay.scenes]

    # 2. Design the base: the Base frame fixes style, cast and world; its Base Description is stored beside it.
    base = fresh(on_store(design_base, options)(project, screenplay, options, return_state=True))

    # 3. Keyframes, one branch per scene, each from BD + the previous scene's context C(t-1).
    keyframes = on_store(render_keyframe, options).map(scene_ids, unmapped(project), unmapped(screenplay), unmapped(base),
                                                       unmapped(options))

    # 4. Voices, one branch per scene: each line in its speaker's voice; a scene lasts as long as its speech.
    sounds = on_store(voice_scene, options).map(scene_ids, unmapped(project), unmapped(screenplay), unmapped(options))

    # 5. Clips, one branch per scene, each retried alone.
    clips = on_store(render_clip, options).map(scene_ids, unmapped(project), unmapped(screenplay), keyframes, sounds,
                                               unmapped(options))
    clips.wait()
    failed = failed_scenes(scene_ids, keyframes, sounds, clips)
    if failed:
        raise RenderError(f"scene(s) {', '.join(failed)} failed for good ({next(iter(failed.values()))}); every finished "
                          "scene is kept in the store and the next run renders only what is missing")

    # 6. Assemble the film with its soundtrack and subtitles, manifest and contact sheet; publish the artifacts.
    keyframes, sounds, clips = [fresh(f) for f in keyframes], [fresh(f) for f in sounds], [fresh(f) for f in clips]
    film = fresh(on_store(assemble, options)(project, written, base, keyframes, clips, sounds, options, return_state=True))
    publish(written, film, options)
    return summarize(store_for(options.store), written, base, keyframes, clips, film, options, sounds)
