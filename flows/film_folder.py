"""film-new-stories: the nightly batch — every story in a folder or bucket that has no film yet becomes one."""

from __future__ import annotations

from prefect import flow

from dreamfactory.batch import new_stories
from dreamfactory.film import FilmResult
from dreamfactory.settings import FilmOptions
from flows.make_film import make_film
from tasks.common import store_for


@flow(name="film-new-stories", validate_parameters=True)
def film_new_stories(folder: str, options: FilmOptions = FilmOptions(), pattern: str = "*.txt") -> list[FilmResult]:
    options = options.resolved()  # an empty store means the worker's own

    # 1. Find the stories without a film (a story's project id derives from its text, so an edited story is new).
    stories = new_stories(store_for(options.store), folder, pattern)

    # 2. Film each one as its own make-film run, one after another (each run's scenes already run in parallel).
    return [make_film(story, options) for _, story in stories]


if __name__ == "__main__":
    import sys

    for result in film_new_stories(sys.argv[1] if len(sys.argv) > 1 else "stories"):
        print(result.film)
