"""film-new-stories: the nightly batch — every story in a folder or bucket that has no film yet becomes one.

Each story stands alone: one that cannot be read is named with its reason and skipped, a film that fails is named
with the step that failed, and every other story is still filmed. Films are made `batch_concurrency` at a time, each
as its own make-film run; GPU renders across them still take turns through the `gpu` concurrency limit.
"""

from __future__ import annotations

import contextvars
import time
from concurrent.futures import ThreadPoolExecutor

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.states import Completed, Failed, State

from dreamfactory.batch import BatchRow, StoryFile, film_of, read_stories, without_film
from dreamfactory.escape import table_cell
from dreamfactory.settings import FilmOptions, load_settings
from dreamfactory.store import Store
from flows.make_film import make_film
from tasks.common import store_for


@flow(name="film-new-stories", validate_parameters=True)
def film_new_stories(folder: str, options: FilmOptions = FilmOptions(), pattern: str = "*.txt",
                     batch_concurrency: int | None = None) -> State:
    """Film every story in a folder that has no film yet.

    Args:
        folder: A local folder or any fsspec URL (s3://bucket/inbox) that people drop stories into.
        options: Settings of every film; empty fields take the worker's settings.
        pattern: Which files are stories.
        batch_concurrency: Films made side by side; empty: the worker's DREAMFACTORY_BATCH_CONCURRENCY (default 1).
    """
    # The worker's settings under this run's parameters: what the run left unset takes the worker's own.
    worker = load_settings(options, **({"batch_concurrency": batch_concurrency} if batch_concurrency else {}))
    options, store = worker.film_options(), store_for(worker.store)

    # 1. Read every story on its own: one that cannot be read is named with its reason, and the others go on.
    stories = read_stories(folder, pattern)

    # 2. Film each readable story without a film, as its own make-film run, side by side up to the concurrency.
    with ThreadPoolExecutor(max_workers=worker.batch_concurrency) as pool:
        # Each thread runs its subflow in a copy of this run's context, so the UI shows it under this run.
        rows = list(pool.map(lambda story, context: context.run(film_story, store, story, options), stories,
                             [contextvars.copy_context() for _ in stories]))

    # 3. One row per story in the UI; the run fails naming the stories without a film, after trying them all.
    # A file's name and its reason come from a folder or bucket anyone may write to: each cell shows them as text.
    table = [{k: table_cell(v) if isinstance(v, str) else v for k, v in row.model_dump().items()} for row in rows]
    filmed = sum(bool(r.film) for r in rows)
    create_table_artifact(table=table, key="film-new-stories",
                          description=f"{filmed} of {len(rows)} stories in {table_cell(folder)} have a film")
    if all(row.film for row in rows):
        return Completed(message=f"{len(rows)} stories, every one filmed", data=rows)
    return Failed(message=without_film(rows), data=rows)


def film_story(store: Store, story: StoryFile, options: FilmOptions) -> BatchRow:
    """One story's row: its film (made now, or before), or why it has none."""
    if story.reason:
        return BatchRow(path=story.path, reason=story.reason)
    row = BatchRow(path=story.path, project=story.project, film=film_of(store, story.project))
    if row.film:
        return row
    started = time.perf_counter()
    state = make_film(story.text, options, return_state=True)
    seconds = round(time.perf_counter() - started, 1)
    if state.is_completed():
        return row.model_copy(update={"film": state.result().film, "seconds": seconds})
    error = state.result(raise_on_failure=False)
    why = str(error).strip().splitlines()[0] if str(error).strip() else state.message
    return row.model_copy(update={"reason": f"{story.path}: make-film failed: {why}", "seconds": seconds})


if __name__ == "__main__":
    import sys

    for line in film_new_stories(sys.argv[1] if len(sys.argv) > 1 else "stories"):
        print(line.film or line.reason)
