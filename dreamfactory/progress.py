"""Progress lines for people: the CLI prints them, a Prefect worker logs them."""

from __future__ import annotations

import logging

logger = logging.getLogger("dreamfactory.progress")


def report(stage: str, message: str) -> None:
    """One line of progress, e.g. report('keyframe', 'scene s03 rendered in 0.4 s')."""
    logger.info("%-10s %s", stage, message)
    try:  # inside a Prefect flow or task run, the line also goes to the run's log in the UI
        from prefect.context import get_run_context
        from prefect.logging import get_run_logger

        if get_run_context() is not None:
            get_run_logger().info("%s: %s", stage, message)
    except Exception:  # noqa: BLE001 - no run context: the plain logger above already has the line
        pass
