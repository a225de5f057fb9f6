"""Evaluation tasks: compute (or reuse) a film's consistency report, and show it in the Prefect UI."""

from __future__ import annotations

import base64

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from dreamfactory.evaluation import evaluate_project, report_text
from dreamfactory.settings import FilmOptions

from .common import NO_CACHE, store_for


@task(name="evaluate-keyframes", retries=0, **NO_CACHE)
def evaluate(project: str, options: FilmOptions) -> dict:
    result, parquet_key, png_key = evaluate_project(store_for(options.store), project, options)
    return {"report": result.model_dump(mode="json"), "parquet": parquet_key, "png": png_key}


@task(name="publish-evaluation", **NO_CACHE)
def publish_evaluation(project: str, result: dict, options: FilmOptions) -> None:
    from dreamfactory.metrics import EvaluationReport

    store = store_for(options.store)
    report = EvaluationReport.model_validate(result["report"])
    create_table_artifact(key="consistency", table=[s.model_dump() for s in report.shots],
                          description=f"{project}: per-shot consistency against the Base frame and the other shots")
    png = base64.b64encode(store.read_bytes(result["png"])).decode()
    create_markdown_artifact(key="consistency-report", description=f"{project}: film-level consistency",
                             markdown=f"```\n{report_text(project, report, store, result['png'])}\n```\n\n"
                                      f"![plot](data:image/png;base64,{png})")
