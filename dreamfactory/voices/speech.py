"""Speak one line in one voice, cached in the store like a render: `<project>/voices/<key>.wav`, written once.

A line's key hashes everything that decides its sound (normalised text, voice, engine identity with its model hash,
sample rate, SYNTHESIS_VERSION) and nothing else, so the same words in the same voice are spoken once per project.
Text with nothing to say (punctuation, emoji) is skipped with a reason; long text is spoken in chunks of at most
CHUNK_CHARS, cut at sentence ends (then commas, then spaces) and joined with short pauses.
"""

from __future__ import annotations

import re
import unicodedata
import wave
from io import BytesIO

import numpy as np
from ..contracts import LineAudio
from ..contracts.screenplay import DialogueLine, Voice
from ..store import Store, digest
from .audio import SAMPLE_RATE, level, reshape, silence, trim_silence, wav_bytes
from .engines import require

SYNTHESIS_VERSION = 1  # bump when the processing here changes how a stored line sounds
CHUNK_CHARS = 400
CHUNK_PAUSE = 0.2  # seconds between the chunks of a long line


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
    return {"text": normalise(text), "voice": voice.model_dump(mode="json"),
            "engine": require(voice).identity(voice.voice_id), "sample_rate": SAMPLE_RATE, "synthesis": SYNTHESIS_VERSION}


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
