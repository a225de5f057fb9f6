"""hibari: the default offline neural voice (Apache-2.0; a small Kokoro-derived ONNX model, 24 kHz).

The wheel ships one voice, 'heart' (US female). hibari's other voices (fenrir, emma, fable, kore) are
downloaded by hibari itself on first use; here they count as installed only once they are in its cache.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import os
import threading

import numpy as np

from .engines import model_hash

INSTALL = "pip install 'dreamfactory[sound]' (the hibari-tts package)"
SEED = 0  # hibari adds a noise component; a fixed seed makes the same line sound the same


@functools.lru_cache(maxsize=1)
def _registry():
    """hibari's voice registry module (stdlib only), loaded from its file without importing the hibari package:
    the package pulls in its whole synthesis stack (scipy), which listing voices for casting does not need."""
    spec = importlib.util.find_spec("hibari")
    path = os.path.join(list(spec.submodule_search_locations)[0], "voices.py")
    module_spec = importlib.util.spec_from_file_location("_dreamfactory_hibari_voices", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


class HibariEngine:
    name = "hibari"
    licence = "Apache-2.0"

    def __init__(self):
        self._models: dict[str, object] = {}
        self._lock = threading.Lock()

    def _installed(self) -> bool:
        return importlib.util.find_spec("hibari") is not None

    def _path(self, voice_id: str) -> str | None:
        registry = _registry()
        if voice_id not in registry.VOICES:
            return None
        try:
            return registry.voice_path(voice_id, download_missing=False)
        except FileNotFoundError:
            return None

    def missing(self, voice_id: str) -> str | None:
        if not self._installed():
            return f"hibari voice {voice_id!r} needs the sound extra: {INSTALL}"
        if voice_id not in _registry().VOICES:
            return f"hibari has no voice {voice_id!r}; installed: {', '.join(self.voices()) or 'none'}"
        if self._path(voice_id) is None:
            return (f"hibari voice {voice_id!r} is not downloaded; run `hibari --voice {voice_id} hello` once "
                    f"with a connection, or use one of: {', '.join(self.voices())}")
        return None

    def voices(self) -> list[str]:
        if not self._installed():
            return []
        registry = _registry()
        names = sorted(registry.VOICES, key=lambda v: (v != registry.DEFAULT, v))
        return [v for v in names if self._path(v)]

    def casting_voices(self) -> list[str]:
        return self.voices()

    def gender(self, voice_id: str) -> str | None:
        return _registry().VOICES.get(voice_id, {}).get("gender")

    def identity(self, voice_id: str) -> dict:
        return {"engine": self.name, "version": importlib.metadata.version("hibari-tts"), "model": model_hash(self._path(voice_id)), "seed": SEED}

    def warm(self) -> list[str]:
        """Import hibari's synthesis stack (scipy, onnxruntime), which the first line would otherwise wait for."""
        if not self._installed():
            return []
        import hibari  # noqa: F401

        return ["hibari"]

    def _model(self, voice_id: str):
        if voice_id not in self._models:
            from hibari import Hibari

            self._models[voice_id] = Hibari(voice=voice_id)
        return self._models[voice_id]

    def speak(self, text: str, voice_id: str, rate: float) -> tuple[np.ndarray, int, float]:
        speed = min(2.0, max(0.5, rate))  # hibari's own range; ffmpeg's atempo does the rest
        with self._lock:  # one model per voice; its G2P is not known to be thread-safe
            model = self._model(voice_id)
            audio = model(text, speed=speed, seed=SEED)
        return np.asarray(audio, np.float32), model.sample_rate, speed
