"""hibari: the default offline neural voice (Apache-2.0; a small Kokoro-derived ONNX model, 24 kHz).

The wheel ships one voice, 'heart' (US female). hibari's other voices (fenrir, emma, fable, kore) are
downloaded by hibari itself on first use; here they count as installed only once they are in its cache.
"""

from __future__ import annotations

import importlib.util
import threading

import numpy as np

from .engines import model_hash

INSTALL = "pip install 'dreamfactory[sound]' (the hibari-tts package)"
SEED = 0  # hibari adds a noise component; a fixed seed makes the same line sound the same


class HibariEngine:
    name = "hibari"
    licence = "Apache-2.0"

    def __init__(self):
        self._models: dict[str, object] = {}
        self._lock = threading.Lock()

    def _installed(self) -> bool:
        return importlib.util.find_spec("hibari") is not None

    def _path(self, voice_id: str) -> str | None:
        from hibari.voices import VOICES, voice_path

        if voice_id not in VOICES:
            return None
        try:
            return voice_path(voice_id, download_missing=False)
        except FileNotFoundError:
            return None

    def missing(self, voice_id: str) -> str | None:
        if not self._installed():
            return f"hibari voice {voice_id!r} needs the sound extra: {INSTALL}"
        from hibari.voices import VOICES

        if voice_id not in VOICES:
            return f"hibari has no voice {voice_id!r}; installed: {', '.join(self.voices()) or 'none'}"
        if self._path(voice_id) is None:
            return (f"hibari voice {voice_id!r} is not downloaded; run `hibari --voice {voice_id} hello` once "
                    f"with a connection, or use one of: {', '.join(self.voices())}")
        return None

    def voices(self) -> list[str]:
        if not self._installed():
            return []
        from hibari.voices import DEFAULT, VOICES

        names = sorted(VOICES, key=lambda v: (v != DEFAULT, v))
        return [v for v in names if self._path(v)]

    def casting_voices(self) -> list[str]:
        return self.voices()

    def gender(self, voice_id: str) -> str | None:
        from hibari.voices import VOICES

        return VOICES.get(voice_id, {}).get("gender")

    def identity(self, voice_id: str) -> dict:
        import hibari

        return {"engine": self.name, "version": hibari.__version__, "model": model_hash(self._path(voice_id)), "seed": SEED}

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
