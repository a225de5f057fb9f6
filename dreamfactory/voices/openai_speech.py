"""OpenAI speech through the openai client (`audio.speech.create`), for users with a key. Not used offline.

The client reads OPENAI_API_KEY and OPENAI_BASE_URL itself; to use another server or model, install a
configured engine: `use_engine(OpenAISpeechEngine(client=OpenAI(base_url=...), model="tts-1"))`.
"""

from __future__ import annotations

import threading

import numpy as np

VOICES = {  # the API's voices and the gender they are usually heard as (None: neutral)
    "alloy": None, "ash": "male", "ballad": "male", "coral": "female", "echo": "male", "fable": None,
    "nova": "female", "onyx": "male", "sage": "female", "shimmer": "female", "verse": "male",
}
SAMPLE_RATE = 24_000  # response_format="pcm" is 24 kHz 16-bit mono


class OpenAISpeechEngine:
    name = "openai"
    licence = "OpenAI API terms (network service)"

    def __init__(self, client=None, model: str = "gpt-4o-mini-tts"):
        self.model = model
        self._client = client
        self._lock = threading.Lock()

    def client(self):
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI()
            return self._client

    def missing(self, voice_id: str) -> str | None:
        try:
            self.client()
        except Exception as exc:  # openai.OpenAIError when no key; anything else the client raises on setup
            return f"openai voice {voice_id!r} needs an API key: set OPENAI_API_KEY ({type(exc).__name__})"
        if voice_id and voice_id not in VOICES:
            return f"openai has no voice {voice_id!r}; use one of {', '.join(VOICES)}"
        return None

    def voices(self) -> list[str]:
        return list(VOICES) if self.missing("") is None else []

    def casting_voices(self) -> list[str]:
        return self.voices()

    def gender(self, voice_id: str) -> str | None:
        return VOICES.get(voice_id)

    def identity(self, voice_id: str) -> dict:
        return {"engine": self.name, "model": self.model, "format": "pcm"}

    def speak(self, text: str, voice_id: str, rate: float) -> tuple[np.ndarray, int, float]:
        speed = min(4.0, max(0.25, rate))
        response = self.client().audio.speech.create(
            model=self.model, voice=voice_id, input=text, response_format="pcm", speed=speed
        )
        pcm = np.frombuffer(response.content, dtype="<i2")
        return pcm.astype(np.float32) / 32767.0, SAMPLE_RATE, speed
