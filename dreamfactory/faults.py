"""Fault injection for tests and drills: make a chosen render fail or stall, to prove retries and resume.

DREAMFACTORY_FAULTS (Settings.faults) is a comma-separated list of STAGE:SCENE:WHAT, e.g.
    clip:s03:1          the first attempt of s03's clip fails (its retry succeeds)
    clip:s03:*          every attempt fails (the scene fails for good)
    clip:s05:sleep=30   s05's clip stalls 30 s before rendering (time to kill the process)
Empty in production.
"""

from __future__ import annotations

import time

from .errors import RenderError
from .settings import Settings


class InjectedFault(RenderError):
    """A failure asked for by DREAMFACTORY_FAULTS."""


def inject(stage: str, scene_id: str, attempt: int) -> None:
    spec = Settings().faults
    if not spec:
        return
    for item in spec.split(","):
        parts = item.strip().split(":")
        if len(parts) != 3 or parts[0] != stage or parts[1] not in (scene_id, "*"):
            continue
        what = parts[2]
        if what.startswith("sleep="):
            time.sleep(float(what.split("=", 1)[1]))
        elif what == "*" or (what.isdigit() and int(what) == attempt):
            raise InjectedFault(f"injected fault: {stage} of {scene_id}, attempt {attempt}")
