"""Register dreamfactory's deployments on the Prefect server in PREFECT_API_URL.

    make-film/on-demand          a film from a story (run from the UI: the form shows FilmOptions' fields)
    rerun-scenes/after-edit      re-render what an edit changed, reassemble
    evaluate-film/on-demand      the consistency metrics of a project's latest film
    film-new-stories/nightly     02:00 every night: film every new story in a folder or bucket

Usage: python deployments/deploy.py [--pool dreamfactory-process] [--source .] [--stories stories] [--store URL]
                                    [--batch-concurrency N]
The flows are loaded from --source (this checkout; a git URL in production) by the worker of --pool.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prefect import deploy
from prefect.flows import Flow
from prefect.schedules import Cron

ROOT = Path(__file__).resolve().parent.parent

DEPLOYMENTS = [
    # (entrypoint, deployment name, description, schedule or None)
    ("flows/make_film.py:make_film", "on-demand", "Make a film from a story.", None),
    ("flows/rerun_scenes.py:rerun_film", "after-edit", "Re-render the scenes an edit changed, and reassemble.", None),
    ("flows/evaluate_film.py:evaluate_film", "on-demand", "Cross-scene face and style consistency, keyframe CLIP score.", None),
    ("flows/film_folder.py:film_new_stories", "nightly", "Film every new story in a folder or bucket.", Cron("0 2 * * *")),
]


def build(source: str, stories: str, store: str | None, batch_concurrency: int | None = None) -> list:
    built = []
    for entrypoint, name, description, schedule in DEPLOYMENTS:
        flow = Flow.from_source(source=source, entrypoint=entrypoint)
        parameters = {}
        if store:
            parameters["options"] = {"store": store}
        if entrypoint.endswith("film_new_stories"):
            parameters["folder"] = stories
            if batch_concurrency:
                parameters["batch_concurrency"] = batch_concurrency
        built.append(flow.to_deployment(name=name, description=description, parameters=parameters,
                                        schedules=[schedule] if schedule else None, tags=["dreamfactory"]))
    return built


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", default="dreamfactory-process", help="Work pool whose workers run the flows.")
    parser.add_argument("--source", default=str(ROOT), help="Where workers load the flows from (a folder or git URL).")
    parser.add_argument("--stories", default=str(ROOT / "stories"), help="Folder or bucket the nightly batch reads.")
    parser.add_argument("--store", help="Store URL the deployments write to (default: the worker's setting).")
    parser.add_argument("--batch-concurrency", type=int, help="Films the nightly batch makes side by side (default: "
                        "the worker's DREAMFACTORY_BATCH_CONCURRENCY, 1 unless set).")
    args = parser.parse_args(argv)
    ids = deploy(*build(args.source, args.stories, args.store, args.batch_concurrency), work_pool_name=args.pool, print_next_steps_message=False)
    print(f"registered {len(ids)} deployments on pool {args.pool}")


if __name__ == "__main__":
    main()
