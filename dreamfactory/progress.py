"""Progress lines for people: `report()` is called by the library where work happens (a render finished, a phase
written); the CLI prints them, a Prefect worker logs them to the run (and `dreamfactory.cli.watch` follows task
runs that ran elsewhere)."""

from __future__ import annotations

import logging
import sys

from .escape import terminal

logger = logging.getLogger("dreamfactory.progress")


def report(stage: str, message: str) -> None:
    """One line of progress, e.g. report('keyframe', 'scene s03 rendered in 0.4 s')."""
    message = terminal(message)  # it may quote the story: a terminal or a log shows its escapes, never runs them
    logger.info("%-10s %s", stage, message)
    if "prefect" not in sys.modules:  # no Prefect, no run to log to (and planning must not pay Prefect's import)
        return
    try:  # inside a Prefect flow or task run, the line also goes to the run's log in the UI
        from prefect.context import get_run_context
        from prefect.logging import get_run_logger

        if get_run_context() is not None:
            get_run_logger().info("%s: %s", stage, message)
    except Exception:  # noqa: BLE001 - no run context: the plain logger above already has the line
        pass
