"""Speak one line in one voice, cached in the store like a render: `<project>/voices/<key>.wav`, written once.

A line's key hashes everything that decides its sound (the normalised text, the voice with its rate and
pitch, the engine's identity with its model file hash, the sample rate, the version of the processing
below) and nothing else: the speaker's id, the scene and the run do not enter it, so the same words in
the same voice are spoken once per project.

Bad input: text with no letters or digits ("…!!!", emoji only) is skipped with a reason, not an error.
Long text is spoken in chunks of at most CHUNK_CHARS characters, cut at sentence ends (then at commas,
then at spaces) and joined with short pauses; there is no length limit here (DialogueLine itself refuses
lines over 2,000 characters). Each line is stored as soon as it is made, so a failure loses nothing made.
"""

from __future__ import annotations

import re
import unicodedata
import wave
from io import BytesIO

import numpy as np
from pydantic import BaseModel, Field

from ..screenplay import DialogueLine, Voice
from ..store import Store, digest
from .audio import SAMPLE_RATE, level, reshape, silence, trim_silence, wav_bytes
from .engines import require

SYNTHESIS_VERSION = 1  # bump when the processing here changes how a stored line sounds
CHUNK_CHARS = 400
CHUNK_PAUSE = 0.2  # seconds between the chunks of a long line


class LineAudio(BaseModel):
    """One spoken line in the store, or why it was not spoken."""

    key: str = Field(default="", description="Content key of the line's audio ('' when skipped).")
    store_key: str = Field(default="", description="Where the WAV lives in the store ('' when skipped).")
    seconds: float = Field(default=0.0, description="Length of the spoken audio in seconds.")
    cached: bool = Field(default=False, description="True when the store already held it.")
    skipped: str | None = Field(default=None, description="Why the line was not spoken, when it was not.")


def normalise(text: str) -> str:
    return " ".join(text.split())


def speakable(text: str) -> bool:
    """True when the text has at least one letter or digit to say."""
    return any(unicodedata.category(c)[0] in "LN" for c in text)


def split_for_speech(text: str, max_chars: int = CHUNK_CHARS) -> list[str]:
    """Chunks of at most max_chars, cut at sentence ends, else commas, else spaces, else anywhere."""
    chunks: list[str] = []
    for sentence in re.split(r"(?<=[.!?…;])\s+", normalise(text)):
        pieces = [sentence]
        for separator in (r"(?<=[,:—])\s+", r"\s+"):
            pieces = [p for piece in pieces for p in _pack(re.split(separator, piece), max_chars)]
        for piece in pieces:
            chunks += [piece[i : i + max_chars] for i in range(0, len(piece), max_chars)]
    return _pack(chunks, max_chars)


def _pack(parts: list[str], max_chars: int) -> list[str]:
    """Join neighbouring parts with spaces while they fit in max_chars."""
    packed: list[str] = []
    for part in filter(None, parts):
        if packed and len(packed[-1]) + 1 + len(part) <= max_chars:
            packed[-1] += " " + part
        else:
            packed.append(part)
    return packed


def synthesize(text: str, voice: Voice) -> np.ndarray:
    """Float mono samples at SAMPLE_RATE: the text spoken in the voice, rate and pitch applied, edges trimmed."""
    engine = require(voice)
    pieces = []
    for chunk in split_for_speech(text):
        if not speakable(chunk):
            continue
        samples, rate, applied = engine.speak(chunk, voice.voice_id, voice.rate)
        samples = reshape(samples, rate, tempo=voice.rate / applied, semitones=voice.pitch)
        pieces += [trim_silence(samples), silence(CHUNK_PAUSE)]
    return level(np.concatenate(pieces[:-1])) if pieces else np.zeros(0, np.float32)


def line_key_inputs(text: str, voice: Voice) -> dict:
    """Everything that decides a line's sound (a test guards that each Voice field is here)."""
    return {
        "text": normalise(text),
        "voice": voice.model_dump(mode="json"),
        "engine": require(voice).identity(voice.voice_id),
        "sample_rate": SAMPLE_RATE,
        "synthesis": SYNTHESIS_VERSION,
    }


def line_key(text: str, voice: Voice) -> str:
    return digest(line_key_inputs(text, voice))[:32]


def line_store_key(project: str, key: str) -> str:
    return f"{project}/voices/{key}.wav"


def wav_seconds(data: bytes) -> float:
    with wave.open(BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def synthesize_line(store: Store, project: str, line: DialogueLine | str, voice: Voice) -> LineAudio:
    """The line's audio in the store: made and written once, reused when its key is present."""
    text = line.text if isinstance(line, DialogueLine) else line
    if not speakable(text):
        return LineAudio(skipped="no speakable characters (only punctuation, symbols or emoji)")
    key = line_key(text, voice)
    store_key = line_store_key(project, key)
    if store.exists(store_key):
        return LineAudio(key=key, store_key=store_key, seconds=wav_seconds(store.read_bytes(store_key)), cached=True)
    samples = synthesize(text, voice)
    if len(samples) == 0:
        return LineAudio(skipped=f"{voice.engine} made no sound for it")
    store.put_bytes(store_key, wav_bytes(samples))
    return LineAudio(key=key, store_key=store_key, seconds=len(samples) / SAMPLE_RATE, cached=False)
