"""The progress watcher: while a flow runs, follow its task runs through Prefect's API and print a line per step.

Tasks may run elsewhere — Dask workers in other processes or on other machines — where the library's `report()`
lines go nowhere the person sees. Every task runner reports to Prefect's API, so the CLI follows the flow run's
task runs there (`RunWatcher`) and prints one line per shot and scene as each step finishes.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
import time


# Stages whose lines the watcher prints from the task runs while a flow runs (the rest — writing, review — stay).
FOLLOWED = {"keyframe", "base frame", "clip", "film", "voice"}
PAGE = 200  # task runs per read: Prefect's default API limit


def step_label(task_run_name: str) -> tuple[str, str]:
    """('keyframe', 's05/b') from 'keyframe-s05-b'; ('voice', 's05') from 'voice-s05'; names without parts as is."""
    kind, _, rest = task_run_name.partition("-")
    if kind in ("keyframe", "clip", "voice"):
        return kind, rest if kind == "voice" else rest.replace("-", "/", 1)
    return task_run_name, ""


class RunWatcher:
    """Follows one flow run's task runs (found by its unique name) and prints a line as each step ends.

    totals: how many steps of each kind the film has (from the plan), for the 'n/N' counters.
    """

    TERMINAL = {"Completed": "done", "Cached": "from the store", "Failed": "FAILED", "Crashed": "CRASHED",
                "AwaitingRetry": "retrying", "Retrying": "retrying"}

    def __init__(self, flow_run_name: str, started: float, totals: dict[str, int] | None = None,
                 interval: float = 0.5, out=None):
        self.flow_run_name, self.started, self.totals = flow_run_name, started, totals or {}
        self.interval, self.out = interval, out or sys.stderr
        self.seen: dict[str, str] = {}  # task run id -> state name
        self.done: dict[str, int] = {}
        self.slow_said: set[str] = set()
        self._ended_since = None  # the latest end time seen: later polls ask only for task runs that ended after it
        self._stop = threading.Event()
        # The thread reads the API of the caller's Prefect settings (temporary_settings live in context variables,
        # which a new thread does not inherit).
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._run,), name="dreamfactory-progress", daemon=True)

    def __enter__(self) -> RunWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _say(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {text}", file=self.out, flush=True)

    def _run(self) -> None:
        try:
            from prefect.client.orchestration import get_client
            from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

            with get_client(sync_client=True) as client:
                flow_run_id = None
                while True:
                    stopping = self._stop.is_set()
                    if flow_run_id is None:
                        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                            name=FlowRunFilterName(any_=[self.flow_run_name])), limit=1)
                        flow_run_id = runs[0].id if runs else None
                    if flow_run_id is not None:
                        for run in self._changed(client, flow_run_id, everything=stopping):
                            self._saw(run)
                    if stopping:
                        return
                    self._stop.wait(self.interval)
        except Exception as exc:  # noqa: BLE001 - progress must never break a run; say once that it stopped
            print(f"(progress lines stopped: {type(exc).__name__}: {str(exc)[:120]})", file=self.out, flush=True)

    def _changed(self, client, flow_run_id, everything: bool = False) -> list:
        """The flow run's task runs that may have news: those running or waiting to retry, and those that ended
        since the last poll (a few seconds of overlap; `seen` drops repeats). Reading every task run on every
        poll cost the server more than the film's 50 task runs themselves (9 s of a 76 s run on 2 cores)."""
        from datetime import timedelta

        from prefect.client.schemas.filters import (FlowRunFilter, FlowRunFilterId, TaskRunFilter,
                                                    TaskRunFilterEndTime, TaskRunFilterState,
                                                    TaskRunFilterStateType)
        from prefect.client.schemas.objects import StateType
        from prefect.client.schemas.sorting import TaskRunSort

        of_flow = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        news = None if everything else TaskRunFilter(  # everything: the last look, as the flow ends
            operator="or_", state=TaskRunFilterState(type=TaskRunFilterStateType(
                any_=[StateType.RUNNING, StateType.SCHEDULED])),
            end_time=TaskRunFilterEndTime(after_=self._ended_since - timedelta(seconds=5)) if self._ended_since
            else TaskRunFilterEndTime(is_null_=False))
        runs: list = []
        while True:  # the API answers at most PAGE runs at a time: a long film has more
            page = client.read_task_runs(flow_run_filter=of_flow, task_run_filter=news, offset=len(runs), limit=PAGE,
                                         sort=TaskRunSort.EXPECTED_START_TIME_ASC)
            runs += page
            if len(page) < PAGE:
                break
        for run in runs:
            if run.end_time is not None and (self._ended_since is None or run.end_time > self._ended_since):
                self._ended_since = run.end_time
        return sorted({str(r.id): r for r in runs}.values(), key=lambda r: r.expected_start_time or r.created)

    def _saw(self, run) -> None:
        state = run.state.name if run.state else "Pending"
        key = str(run.id)
        if self.seen.get(key) == state:
            if state == "Running" and key not in self.slow_said and run.start_time is not None:
                running = run.estimated_run_time.total_seconds() if run.estimated_run_time else 0.0
                if running > 5:
                    self.slow_said.add(key)
                    kind, what = step_label(run.name)
                    self._say(f"{kind:<10} {what:<8} running ({running:.0f} s so far)")
            return
        self.seen[key] = state
        word = self.TERMINAL.get(state)
        if word is None:
            return
        kind, what = step_label(run.name)
        counter = ""
        if word in ("done", "from the store"):
            self.done[kind] = self.done.get(kind, 0) + 1
            if kind in self.totals:
                counter = f"  ({self.done[kind]}/{self.totals[kind]} {kind}s)"
        took = f" in {run.total_run_time.total_seconds():.1f} s" if word == "done" and run.total_run_time else ""
        self._say(f"{kind:<10} {what:<8} {word}{took}{counter}")


class FollowedFilter(logging.Filter):
    """Drops the library's render lines while the watcher prints the same steps from the task runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        stage = record.args[0] if isinstance(record.args, tuple) and record.args else ""
        return stage not in FOLLOWED
