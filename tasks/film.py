"""Assembly and publication: one MP4 with subtitles, the manifest, and the run's artifacts in the Prefect UI."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from dreamfactory import layout, steps
from dreamfactory.errors import RenderError
from dreamfactory.escape import markdown as md
from dreamfactory.film import assemble_film, summarize
from dreamfactory.contracts import FilmResult
from dreamfactory.contracts import Made
from dreamfactory.settings import FilmOptions
from dreamfactory.steps import FilmSteps, Step
from dreamfactory.show import contact_sheet_markdown, screenplay_markdown
from dreamfactory.contracts import SceneSound
from dreamfactory.writing import Written

from .common import NO_CACHE, keyed_by, store_for


def _film_key(step: Step, project: str, written: Written, base: Made, keyframes: list[Made], clips: list[Made],
              sounds: list[SceneSound], options: FilmOptions) -> str:
    return steps.film_key(store_for(options.store), written.screenplay, clips, sounds, options)


@task(name="assemble-film", retries=1, retry_delay_seconds=2, **keyed_by(_film_key))
def assemble(step: Step, project: str, written: Written, base: Made, keyframes: list[Made], clips: list[Made],
             sounds: list[SceneSound], options: FilmOptions) -> Made:
    store = store_for(options.store)
    made = assemble_film(store, written.project, written.screenplay, written.sha, clips, keyframes, base, sounds, options,
                         writing_usage=written.usage, casting_notes=written.casting_notes)
    return steps.keep(store, project, step, _film_key(step, project, written, base, keyframes, clips, sounds, options), made)


@task(name="publish-artifacts", **NO_CACHE)
def publish(written: Written, film: Made, options: FilmOptions) -> None:
    """The screenplay, the Base Description and the contact sheet as artifacts of the run."""
    store = store_for(options.store)
    screenplay = written.screenplay
    create_markdown_artifact(key="screenplay", markdown=screenplay_markdown(screenplay), description=f"{written.project}: the screenplay")
    create_markdown_artifact(key="base-description", markdown=f"# Base Description\n\n{md(screenplay.base_description.text)}",
                             description="The Base Description every keyframe receives")
    sheet = layout.contact_sheet(written.project, film.key.rsplit("/", 1)[-1].split(".")[0])
    if store.exists(sheet):
        create_markdown_artifact(key="contact-sheet", markdown=contact_sheet_markdown(store, sheet, screenplay.brief.title),
                                 description="All keyframes of the film")
    create_markdown_artifact(key="film", markdown=f"# {md(screenplay.brief.title)}\n\nFilm: `{store.location(film.key)}`",
                             description="Where the film is")


def _why(future) -> str:
    return (future.state.message or future.state.name).removeprefix("Task run encountered an exception ")


def failed_for_good(steps: FilmSteps, base, keyframes, sounds, clips) -> None:
    """Raise one error naming every step that failed after its retries (a clip waiting on a failed keyframe is not
    named twice); whatever finished is in the store, and the next run renders only what is missing."""
    failed = {"base frame": _why(base)} if not base.state.is_completed() else {}
    failed |= {f"voice of {step.scene_id}": _why(f) for step, f in zip(steps.speeches, sounds) if not f.state.is_completed()}
    for step, keyframe, clip in zip(steps.clips, keyframes, clips):
        if not keyframe.state.is_completed():
            failed[f"keyframe of {step.scene_id}/{step.shot_id}"] = _why(keyframe)
        elif not clip.state.is_completed() and clip.state.is_final():
            failed[f"clip of {step.scene_id}/{step.shot_id}"] = _why(clip)
    if failed:
        first = next(iter(failed.values()))
        raise RenderError(f"{', '.join(failed)} failed for good ({first}); every finished render is kept in the store and "
                          "the next run renders only what is missing")


def _this_run(future):
    """A finished task's result as this run's count sees it: a Cached state's result was made by an earlier run,
    whatever it says (the one place where Prefect's cache meets the counts)."""
    return steps.taken(future.result()) if future.state.name == "Cached" else future.result()


def summary(written: Written, options: FilmOptions, base, keyframes, clips, sounds, film) -> FilmResult:
    """What this run made and where the film is (the CLI's --json object), from the finished futures."""
    return summarize(store_for(options.store), written, _this_run(base), [_this_run(f) for f in keyframes],
                     [_this_run(f) for f in clips], _this_run(film), options, [_this_run(f) for f in sounds])
