"""A GPU slot held by a run that was killed mid-render is free again once its lease expires, even when the run's
temporary Prefect server died with it and the next command starts another one on the same database."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.server.concurrency.lease_storage.filesystem import ConcurrencyLeaseStorage
from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings
from prefect.utilities.asyncutils import run_coro_as_sync

from dreamfactory.cli.server import TemporaryServer
from dreamfactory.settings import FilmOptions
from tasks.common import gpu_slot


class OnTheGpu:
    name = "diffusers"


@pytest.mark.slow  # two temporary Prefect servers started one after the other
def test_a_slot_left_by_a_killed_run_is_taken_once_its_lease_expires(tmp_path, monkeypatch):
    home, limit = tmp_path / "prefect", "gpu-left-by-a-killed-run"
    monkeypatch.setenv("PREFECT_HOME", str(home))  # the servers' database and leases, as for every command
    first = TemporaryServer(database=home / "prefect.db").start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: first.api_url, PREFECT_HOME: home}):
            with get_client(sync_client=True) as client:
                client.upsert_global_concurrency_limit_by_name(limit, 1)
                taken = client.increment_concurrency_slots_with_lease([limit], 1, "concurrency", lease_duration=60)
    finally:
        first.stop()  # the render, its run and its server die together: nobody renews or releases the lease
    lease = UUID(taken.json()["lease_id"])
    # A minute later, unrenewed, the lease has expired (as the renewal would have kept it, it is moved, not waited for).
    assert run_coro_as_sync(ConcurrencyLeaseStorage(home / "concurrency_leases").renew_lease(lease, timedelta(seconds=-1)))

    second = TemporaryServer(database=home / "prefect.db").start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: second.api_url, PREFECT_HOME: home}):
            with get_client(sync_client=True) as client:
                assert client.read_global_concurrency_limit_by_name(limit).active_slots == 1  # the dead run's slot
            rendered = threading.Event()

            def render() -> None:
                with temporary_settings(updates={PREFECT_API_URL: second.api_url, PREFECT_HOME: home}):
                    with gpu_slot(FilmOptions(gpu_limit=limit, gpu_slots=1), OnTheGpu()):
                        rendered.set()

            thread = threading.Thread(target=render, daemon=True)
            thread.start()
            thread.join(60)
            assert rendered.is_set(), "the next render waits for ever on the slot of a run that no longer exists"
            with get_client(sync_client=True) as client:
                assert client.read_global_concurrency_limit_by_name(limit).active_slots == 0
    finally:
        second.stop()
