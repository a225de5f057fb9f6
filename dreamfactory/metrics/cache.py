"""Heavy models load once per process: a thread-safe cache keyed by what decides the model, and a device resolver."""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_loaded: dict[tuple, Any] = {}
_key_locks: dict[tuple, threading.Lock] = {}
_guard = threading.Lock()


def load_once(key: tuple, factory: Callable[[], T]) -> T:
    """The value cached under key, built by factory on first use; concurrent first uses build it once."""
    with _guard:
        if key in _loaded:
            return _loaded[key]
        lock = _key_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _loaded:
            value = factory()
            with _guard:
                _loaded[key] = value
        return _loaded[key]


def clear() -> None:
    """Forget every loaded model (tests; a long-lived worker that changes settings)."""
    with _guard:
        _loaded.clear()
        _key_locks.clear()


def torch_device(name: str) -> str:
    """'auto' becomes 'cuda' when a GPU is visible, else 'cpu'; other names pass through."""
    if name != "auto":
        return name
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
