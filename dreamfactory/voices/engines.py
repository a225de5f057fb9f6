"""The one speech interface: what a speech engine provides, and the single place where engines are chosen.

Each engine is one module (hibari, piper, espeak, openai_speech) with a class that speaks text in one of
its voices. Engines are built once per process, lazily: an engine whose package or binary is missing
still builds, and says what to install in `missing()`.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
from typing import Protocol

import numpy as np

from ..errors import RenderError
from ..contracts.screenplay import Voice


class VoiceError(RenderError):
    """A voice cannot be used: unknown engine or voice, or an engine whose package or model is missing."""


class SpeechEngine(Protocol):
    """What every engine module provides."""

    name: str
    licence: str

    def missing(self, voice_id: str) -> str | None:
        """Why this voice cannot speak here, with the fix, in one sentence; None when it can."""

    def voices(self) -> list[str]:
        """Voice ids usable on this machine now (installed models only)."""

    def casting_voices(self) -> list[str]:
        """The voices worth casting, best first (a subset of voices())."""

    def gender(self, voice_id: str) -> str | None:
        """'female', 'male' or None when the voice has no clear one."""

    def identity(self, voice_id: str) -> dict:
        """What decides this voice's sound: engine, version, model file hash. Enters every line key."""

    def speak(self, text: str, voice_id: str, rate: float) -> tuple[np.ndarray, int, float]:
        """(float mono samples, their sample rate, the rate factor the engine applied natively)."""


# Engine name -> module and class. Order is the casting preference: neural voices first.
ENGINES = {
    "hibari": ("dreamfactory.voices.hibari", "HibariEngine"),
    "piper": ("dreamfactory.voices.piper", "PiperEngine"),
    "espeak": ("dreamfactory.voices.espeak", "EspeakEngine"),
    "openai": ("dreamfactory.voices.openai_speech", "OpenAISpeechEngine"),
}
OFFLINE_ENGINES = ("hibari", "piper", "espeak")  # the ones casting uses unless told otherwise

_built: dict[str, SpeechEngine] = {}
_lock = threading.Lock()


def get_engine(name: str) -> SpeechEngine:
    """The engine of that name, built once per process."""
    with _lock:
        if name not in _built:
            if name not in ENGINES:
                raise VoiceError(f"unknown speech engine {name!r}; use one of {', '.join(ENGINES)}")
            module, cls = ENGINES[name]
            _built[name] = getattr(importlib.import_module(module), cls)()
        return _built[name]


def warm_offline_engines() -> list[str]:
    """Import the synthesis stack of the offline engines casting would pick, for `backends.warm_up`."""
    loaded = []
    for name in OFFLINE_ENGINES:
        warm = getattr(get_engine(name), "warm", None)
        if warm is not None:
            loaded += warm()
    return loaded


def use_engine(engine: SpeechEngine) -> None:
    """Install a configured engine instance under its name (e.g. an OpenAI engine with its own client)."""
    with _lock:
        _built[engine.name] = engine


def voice_problem(voice: Voice) -> str | None:
    """Why this voice cannot speak on this machine (with the fix), or None."""
    if voice.engine not in ENGINES:
        return f"unknown speech engine {voice.engine!r}; use one of {', '.join(ENGINES)}"
    return get_engine(voice.engine).missing(voice.voice_id)


def require(voice: Voice, who: str = "") -> SpeechEngine:
    """The voice's engine, or a VoiceError naming who needs it and what to do."""
    problem = voice_problem(voice)
    if problem:
        raise VoiceError(f"{who}: {problem}" if who else problem)
    return get_engine(voice.engine)


def available_voices(engines: tuple[str, ...] = OFFLINE_ENGINES) -> list[Voice]:
    """The voices casting may use on this machine, best first: hibari, then piper, then espeak-ng."""
    found = []
    for name in engines:
        engine = get_engine(name)
        found += [Voice(engine=name, voice_id=v) for v in engine.casting_voices()]
    return found


def describe_voices() -> list[str]:
    """One line per engine: whether it works here, its licence and its voices (for a `voices` CLI command)."""
    lines = []
    for name in ENGINES:
        engine = get_engine(name)
        voices = engine.voices()
        state = f"{len(voices)} voices: {', '.join(voices[:12])}{' ...' if len(voices) > 12 else ''}"
        if not voices:
            state = engine.missing("") or "no voices"
        lines.append(f"{name} ({engine.licence}): {state}")
    return lines


@functools.cache
def file_hash(path: str, size: int, mtime: float) -> str:
    """sha256 of a model file, computed once per (path, size, mtime)."""
    from ..store import sha256_file

    return sha256_file(path)


def model_hash(path) -> str:
    st = os.stat(path)
    return file_hash(str(path), st.st_size, st.st_mtime)
