"""The render steps of a film: a written screenplay in, one MP4 out. Called inside make-film and rerun-scenes.

A plain function, not a subflow: its tasks show directly under the calling run in the UI, and a rerun does not
pay a second flow run's start and finish (about 1 s).

Each scene is one mapped task (`scene-s05`: its keyframe from BD + C(t-1), its speech, its clip), so a failed
render retries alone, going on from the step that failed, and a rerun renders only the scenes whose inputs
changed: an unchanged scene is one Cached task, recognised by its content key before anything is opened.
"""

from __future__ import annotations

from dreamfactory.errors import RenderError
from dreamfactory.film import FilmResult, summarize
from dreamfactory.settings import FilmOptions
from dreamfactory.writing import Written
from tasks.common import fresh, on_store, settled, settled_map, store_for
from tasks.film import assemble, publish
from tasks.renders import design_base, render_scene


def failed_scenes(scene_ids: list[str], futures) -> dict[str, str]:
    """Scene id -> why its task failed for good."""
    return {sid: (f.state.message or f.state.name).removeprefix("Task run encountered an exception ")
            for sid, f in zip(scene_ids, futures) if not f.state.is_completed()}


def render_film(written: Written, options: FilmOptions) -> FilmResult:
    project, screenplay = written.project, written.screenplay
    scene_ids = [scene.id for scene in screenplay.scenes]

    store = store_for(options.store)

    # 2. Design the base: the Base frame fixes style, cast and world; its Base Description is stored beside it.
    base = fresh(settled(on_store(design_base, options), store, project, screenplay, options))

    # 3. One branch per scene: the keyframe from BD + the previous scene's context C(t-1), each line spoken in its
    #    speaker's voice (the scene lasts as long as its speech), the clip. Each scene is retried alone.
    futures = settled_map(on_store(render_scene, options), store, scene_ids, project, screenplay, base, options)
    failed = failed_scenes(scene_ids, futures)
    if failed:
        raise RenderError(f"scene(s) {', '.join(failed)} failed for good ({next(iter(failed.values()))}); every finished "
                          "scene is kept in the store and the next run renders only what is missing")
    done = [fresh(f) for f in futures]
    keyframes, sounds, clips = [d.keyframe for d in done], [d.sound for d in done], [d.clip for d in done]

    # 4. Assemble the film with its soundtrack and subtitles, manifest and contact sheet; publish the artifacts.
    film = fresh(settled(on_store(assemble, options), store, project, written, base, keyframes, clips, sounds, options))
    publish(written, film, options)
    return summarize(store, written, base, keyframes, clips, film, options, sounds)
