"""rerun-scenes: after a screenplay edit, render again exactly the shots whose inputs changed, and reassemble."""

from __future__ import annotations

from prefect import flow

from dreamfactory.contracts import FilmResult
from dreamfactory.settings import FilmOptions
from flows.make_film import render_film
from tasks.writing import load_screenplay


@flow(name="rerun-scenes", validate_parameters=True)
def rerun_film(project: str, options: FilmOptions = FilmOptions()) -> FilmResult:
    """Render again the shots whose inputs an edit changed, and reassemble the film (a new version).

    Args:
        project: The project id (`dreamfactory show` lists it; it is the folder name in the store).
        options: Store and renderer settings; they must match the first run's for unchanged shots to be reused.
    """
    options = options.resolved()  # what the run left unset takes the worker's settings

    # 1. Read the project's screenplay as it is now in the store (edited with `dreamfactory edit` or by hand).
    written = load_screenplay(project, options)

    # 2-6. Render what changed; unchanged shots come from the store (see flows/make_film.py).
    return render_film(written, options)


if __name__ == "__main__":
    import sys

    print(rerun_film(sys.argv[1]).film)
