"""Audio plumbing shared by the voices: mono WAV bytes, the bundled ffmpeg, resampling, rate, pitch, levels."""

from __future__ import annotations

import functools
import io
import subprocess
import wave
from pathlib import Path

import numpy as np

from ..errors import RenderError

SAMPLE_RATE = 24_000  # every line, scene track and soundtrack is mono at this rate
SPEECH_RMS_DB = -20.0  # each line is levelled here so voices of different engines sit together


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg bundled by imageio-ffmpeg (it has aac, loudnorm, sidechaincompress, rubberband)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str], *, what: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg; a failure becomes one line naming what it was doing and ffmpeg's last words."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-y", *args]
    proc = subprocess.run(cmd, input=stdin, capture_output=True)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"ffmpeg could not {what}: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")
    return proc


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit mono WAV of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def read_wav(source: bytes | str | Path) -> tuple[np.ndarray, int]:
    """Float mono samples and the rate of a 16-bit PCM WAV (channels are averaged)."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with handle, wave.open(handle, "rb") as w:
        if w.getsampwidth() != 2:
            raise RenderError(f"only 16-bit PCM WAV is read here, got {8 * w.getsampwidth()}-bit")
        channels, rate = w.getnchannels(), w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32767.0
    if channels > 1:
        samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels).mean(axis=1)
    return samples, rate


def decode_audio(path: str | Path, rate: int = SAMPLE_RATE, *, stream: str = "0:a:0") -> np.ndarray:
    """Any audio (or the audio of a video) decoded by ffmpeg to float mono samples at `rate`."""
    proc = run_ffmpeg(["-i", str(path), "-map", stream, "-ac", "1", "-ar", str(rate), "-f", "f32le", "pipe:1"],
                      what=f"decode the audio of {Path(path).name}")
    return np.frombuffer(proc.stdout, dtype="<f4").copy()


def tempo_filters(factor: float) -> list[str]:
    """atempo filters whose product is `factor` (each atempo stays within its 0.5..2 range)."""
    filters = []
    while factor > 2.0:
        filters.append("atempo=2.0")
        factor /= 2.0
    while factor < 0.5:
        filters.append("atempo=0.5")
        factor /= 0.5
    if abs(factor - 1.0) > 1e-3:
        filters.append(f"atempo={factor:.6f}")
    return filters


def pitch_filters(semitones: float) -> list[str]:
    """Pitch shift that keeps the tempo (rubberband, as bundled in ffmpeg)."""
    if abs(semitones) < 1e-3:
        return []
    return [f"rubberband=pitch={2 ** (semitones / 12):.6f}:pitchq=quality"]


def reshape(samples: np.ndarray, rate_in: int, *, tempo: float = 1.0, semitones: float = 0.0) -> np.ndarray:
    """Samples at SAMPLE_RATE with a tempo factor and pitch shift applied (ffmpeg only when something changes)."""
    filters = tempo_filters(tempo) + pitch_filters(semitones)
    if rate_in != SAMPLE_RATE:
        filters.append(f"aresample={SAMPLE_RATE}:resampler=soxr" if _has_soxr() else f"aresample={SAMPLE_RATE}")
    if not filters or len(samples) == 0:
        return samples.astype(np.float32)
    proc = run_ffmpeg(["-f", "f32le", "-ar", str(rate_in), "-ac", "1", "-i", "pipe:0", "-af", ",".join(filters),
                       "-ar", str(SAMPLE_RATE), "-f", "f32le", "pipe:1"],
                      what="resample or shift a voice line", stdin=samples.astype("<f4").tobytes())
    return np.frombuffer(proc.stdout, dtype="<f4").copy()


@functools.cache
def _has_soxr() -> bool:
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-h", "filter=aresample"], capture_output=True)
    return b"soxr" in proc.stdout


def trim_silence(samples: np.ndarray, *, threshold_db: float = -45.0, keep: float = 0.03) -> np.ndarray:
    """Cut leading and trailing silence (keeping `keep` seconds), so cues start and end with the voice."""
    if len(samples) == 0:
        return samples
    frame = SAMPLE_RATE // 100
    count = len(samples) // frame
    if count == 0:
        return samples
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1) + 1e-12)
    loud = np.nonzero(20 * np.log10(rms) > threshold_db)[0]
    if len(loud) == 0:
        return samples[:0]
    pad = int(keep * SAMPLE_RATE)
    start = max(0, loud[0] * frame - pad)
    end = min(len(samples), (loud[-1] + 1) * frame + pad)
    return samples[start:end]


def level(samples: np.ndarray, *, rms_db: float = SPEECH_RMS_DB, peak: float = 0.95) -> np.ndarray:
    """Scale so the voiced part sits at `rms_db` dBFS RMS, never above `peak`."""
    if len(samples) == 0:
        return samples
    frame = SAMPLE_RATE // 50
    count = max(1, len(samples) // frame)
    frames = np.resize(samples, count * frame).reshape(count, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    voiced = rms[rms > rms.max() * 0.1]
    current = float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 0.0
    if current < 1e-6:
        return samples
    gain = min(10 ** (rms_db / 20) / current, peak / max(float(np.abs(samples).max()), 1e-6))
    return (samples * gain).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SAMPLE_RATE)), np.float32)
