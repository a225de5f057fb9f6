"""The screenplay step as a task: taken from its step record, or written by the studio (answer by answer cached)."""

from __future__ import annotations

from prefect import task

from dreamfactory.editing import apply_approval
from dreamfactory.contracts import ScreenplayApproval
from dreamfactory.settings import FilmOptions
from dreamfactory.story import words_only
from dreamfactory.writing import Written, load_project, write_project

from .common import NO_CACHE, store_for


@task(name="write-screenplay", retries=0, **NO_CACHE)
def write_screenplay(story: str, options: FilmOptions, rewrite: bool = False) -> Written:
    # A story given to the flow directly (a deployment's parameter) is read as the CLI reads a file: words, no markup.
    return write_project(store_for(options.store), words_only(story).strip() + "\n", options, rewrite=rewrite)


@task(name="load-screenplay", **NO_CACHE)
def load_screenplay(project: str, options: FilmOptions) -> Written:
    return load_project(store_for(options.store), project)


@task(name="apply-review-gate", **NO_CACHE)
def apply_gate(written: Written, approval: ScreenplayApproval, options: FilmOptions) -> Written:
    store = store_for(options.store)
    apply_approval(store, written.project, approval, read=written.sha)
    return load_project(store, written.project, costs=written)
