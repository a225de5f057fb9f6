"""How fast each speech engine speaks on this machine, and what the mix costs (not a test).

    python bench/sound_bench.py

Real-time factor = seconds of audio / seconds of compute (higher is faster). 'engine' times the engine
alone; 'line' times dreamfactory's whole line synthesis (engine + resample, rate/pitch, trim, level).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from dreamfactory.contracts.screenplay import Voice
from dreamfactory.voices import SAMPLE_RATE, get_engine, mix_soundtrack, synthesize
from dreamfactory.voices.audio import run_ffmpeg, wav_bytes
from dreamfactory.voices.mix import mux

TEXT = (
    "The lantern swung in the wind, and Mira counted the steps down to the harbour. "
    "Forty-two, she said, the same as yesterday. Old Tomas did not look up from his nets. "
    "Somewhere beyond the breakwater a bell was ringing, slow and patient, as if it had all night."
)
VOICES = [
    Voice(engine="hibari", voice_id="heart"),
    Voice(engine="piper", voice_id="joe"),
    Voice(engine="espeak", voice_id="en-us+f3"),
    Voice(engine="hibari", voice_id="heart", rate=1.2, pitch=-3),  # rate native, pitch through rubberband
]
REPEATS = 3


def bench_voice(voice: Voice) -> str:
    engine = get_engine(voice.engine)
    problem = engine.missing(voice.voice_id)
    if problem:
        return f"{voice.engine:7s} {voice.voice_id:9s} skipped: {problem}"
    synthesize("Warm up.", voice)  # loads the model once, as a worker process would
    t0 = time.perf_counter()
    for _ in range(REPEATS):
        raw, rate, _ = engine.speak(TEXT, voice.voice_id, voice.rate)
    engine_s = (time.perf_counter() - t0) / REPEATS
    t0 = time.perf_counter()
    for _ in range(REPEATS):
        line = synthesize(TEXT, voice)
    line_s = (time.perf_counter() - t0) / REPEATS
    audio_s = len(line) / SAMPLE_RATE
    shape = f"rate {voice.rate:g}, pitch {voice.pitch:+g}"
    return (f"{voice.engine:7s} {voice.voice_id:9s} {shape:17s} audio {audio_s:5.1f} s   "
            f"engine {len(raw) / rate / engine_s:6.1f}x real time   line {audio_s / line_s:6.1f}x real time")


def bench_mix(seconds: float = 60.0) -> str:
    """Mix a soundtrack of speech-like noise bursts with a looped music bed, then mux it onto a video."""
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        speech = np.zeros(int(seconds * SAMPLE_RATE), np.float32)
        for start in np.arange(0.4, seconds - 2, 2.5):
            at = int(start * SAMPLE_RATE)
            speech[at : at + int(1.6 * SAMPLE_RATE)] = rng.normal(0, 0.1, int(1.6 * SAMPLE_RATE))
        track = tmp / "scene.wav"
        track.write_bytes(wav_bytes(speech))
        music = tmp / "music.wav"
        run_ffmpeg(["-f", "lavfi", "-i", "sine=f=220:d=7:sample_rate=44100", str(music)], what="make music")
        video = tmp / "film.mp4"
        run_ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=1280x720:r=24", "-t", str(seconds), "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(video)], what="make video")
        t0 = time.perf_counter()
        mix_soundtrack([(track, seconds)], music, -16.0, tmp / "mix.wav")
        t1 = time.perf_counter()
        mux(video, tmp / "mix.wav", "1\n00:00:01,000 --> 00:00:02,000\nHello.\n", tmp / "out.mp4")
        t2 = time.perf_counter()
    return f"mix {seconds:.0f} s soundtrack with music: {t1 - t0:.2f} s   mux onto a 720p video: {t2 - t1:.2f} s"


def main() -> None:
    print(f"speech synthesis, mean of {REPEATS} runs of a {len(TEXT)}-character paragraph:")
    for voice in VOICES:
        print(" ", bench_voice(voice))
    print(" ", bench_mix())


if __name__ == "__main__":
    main()
