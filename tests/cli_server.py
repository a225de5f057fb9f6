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
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
        server.stop()
