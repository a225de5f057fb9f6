"""How per-shot values become a film's number: shots grouped by scene, every pair of scenes weighing the same."""

from __future__ import annotations

import itertools
from typing import Callable, Sequence, TypeVar

import numpy as np

T = TypeVar("T")


def scene_pair_mean(items: Sequence[tuple[str, T]], measure: Callable[[T, T], float]) -> float | None:
    """The mean over pairs of scenes of the mean of `measure` over their pairs of shots; `items`: (scene id, value)
    per shot. Shots of one scene are never paired; None when fewer than two scenes have an item."""
    by_scene: dict[str, list[T]] = {}
    for scene, value in items:
        by_scene.setdefault(scene, []).append(value)
    means = [np.mean([measure(a, b) for a in by_scene[x] for b in by_scene[y]])
             for x, y in itertools.combinations(by_scene, 2)]
    return float(np.mean(means)) if means else None
