"""Assembly and publication: one MP4 with subtitles, the manifest, and the run's artifacts in the Prefect UI."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from dreamfactory import layout
from dreamfactory.film import assemble_film, film_key_of
from dreamfactory.renders import Made
from dreamfactory.settings import FilmOptions
from dreamfactory.voices import SceneSound
from dreamfactory.show import contact_sheet_markdown, screenplay_markdown
from dreamfactory.writing import Written

from .common import NO_CACHE, keyed_by, store_for


def _film_key(project: str, written: Written, base: Made, keyframes: list[Made], clips: list[Made],
              sounds: list[SceneSound], options: FilmOptions) -> str:
    return film_key_of(store_for(options.store), clips, sounds, options)


@task(name="assemble-film", retries=1, retry_delay_seconds=2, **keyed_by("film", _film_key))
def assemble(project: str, written: Written, base: Made, keyframes: list[Made], clips: list[Made],
             sounds: list[SceneSound], options: FilmOptions) -> Made:
    store = store_for(options.store)
    return assemble_film(store, written.project, written.screenplay, written.sha, clips, keyframes, base, sounds, options,
                         writing_usage=written.usage, casting_notes=written.casting_notes)


@task(name="publish-artifacts", **NO_CACHE)
def publish(written: Written, film: Made, options: FilmOptions) -> None:
    """The screenplay, the Base Description and the contact sheet as artifacts of the run."""
    store = store_for(options.store)
    screenplay = written.screenplay
    create_markdown_artifact(key="screenplay", markdown=screenplay_markdown(screenplay), description=f"{written.project}: the screenplay")
    create_markdown_artifact(key="base-description", markdown=f"# Base Description\n\n{screenplay.base_description.text}",
                             description="The Base Description every keyframe receives")
    sheet = layout.contact_sheet(written.project, film.key.rsplit("/", 1)[-1].split(".")[0])
    if store.exists(sheet):
        create_markdown_artifact(key="contact-sheet", markdown=contact_sheet_markdown(store, sheet, screenplay.brief.title),
                                 description="All keyframes of the film")
    create_markdown_artifact(key="film", markdown=f"# {screenplay.brief.title}\n\nFilm: `{store.location(film.key)}`",
                             description="Where the film is")
