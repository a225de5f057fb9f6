"""A Prefect server for the CLI's test modules: the CLI's own temporary server, found through PREFECT_API_URL.

It waits for a busy machine up to 180 s (the shared test harness gives up after 60), and its database is the
module's own."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from dreamfactory.cli.server import TemporaryServer


@contextmanager
def prefect_api(folder: Path):
    server = TemporaryServer(database=folder / "prefect.db").start()
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url  # the CLI, Prefect and any worker processes find it here
    try:
        yield server.api_url
    finally:
        drain_prefect_workers()
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        server.stop()


def drain_prefect_workers(timeout: float = 60) -> None:
    """Send the events and logs this process queued for the server while it still answers. Prefect keeps one events
    worker per process, bound to the server it first saw: left running, it sends every later flow's events to this
    server once it is gone, each failing slowly, and the session's harness then waits on thousands of them at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)
