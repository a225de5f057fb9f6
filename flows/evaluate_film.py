"""evaluate-film: the paper's consistency metrics for a project's latest film, as a table and a plot in the UI."""

from __future__ import annotations

from prefect import flow

from dreamfactory.settings import FilmOptions
from tasks.evaluate import evaluate, publish_evaluation


@flow(name="evaluate-film", validate_parameters=True)
def evaluate_film(project: str, options: FilmOptions = FilmOptions()) -> dict:
    options = options.resolved()  # what the run left unset takes the worker's settings

    # 1. Score every shot's keyframe against the Base frame and the other shots (faces, style, CLIP score).
    result = evaluate(project, options)

    # 2. Publish the per-shot table and the film's numbers as artifacts of the run.
    publish_evaluation(project, result, options)
    return result


if __name__ == "__main__":
    import sys

    print(evaluate_film(sys.argv[1]))
