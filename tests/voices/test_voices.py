"""Voices, casting, timing, mix and mux: real synthesis (hibari; espeak-ng and piper when installed)."""

from __future__ import annotations

import http.server
import importlib.util
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from dreamfactory.errors import RenderError
from dreamfactory.contracts.screenplay import (
    BaseDescription, Brief, Character, DialogueLine, Scene, Screenplay, Shot, StyleGuide, Voice,
)
from dreamfactory.settings import SoundSettings
from dreamfactory.store import open_store
from dreamfactory.voices import (
    SAMPLE_RATE, VoiceError, cast_voices, clip_sound_bed, film_cues, get_engine, line_key, measure_loudness,
    media_seconds, mix_soundtrack, mux, speakable, split_for_speech, srt, streams, synthesize,
    synthesize_line, use_engine, voice_scene,
)
from dreamfactory.voices.audio import decode_audio, read_wav, run_ffmpeg, wav_bytes
from dreamfactory.voices.openai_speech import OpenAISpeechEngine

HEART = Voice(engine="hibari", voice_id="heart")
HAS_ESPEAK = bool(shutil.which("espeak-ng") or shutil.which("espeak"))
HAS_PIPER = importlib.util.find_spec("piper") is not None
needs_espeak = pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng not installed")


def character(cid, appearance, voice=None):
    return Character(id=cid, name=cid.title(), appearance=appearance, wardrobe="grey coat", voice=voice)


def scene(sid, lines, duration=2.0, index=1):
    return Scene(
        id=sid, index=index, setting="a harbour", time_of_day="dusk", environment="wind, lanterns",
        action="They talk.", dialogue=[DialogueLine(speaker=s, text=t) for s, t in lines],
        duration=duration, shots=[Shot(id="a", description="wide", keyframe_prompt="harbour")],
    )


def screenplay(characters, scenes):
    return Screenplay(
        brief=Brief(title="T", logline="L", genre="drama", tone="calm", target_seconds=10, scene_count=len(scenes)),
        style=StyleGuide(look="ink", palette=["#000000", "#ffffff", "#888888"], lens="35mm"),
        characters=characters, base_description=BaseDescription(text="ink"), scenes=scenes,
    )


def rms(x):
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "store")


def objects(store):
    return store.list("p/voices")


# -- engines -------------------------------------------------------------------------------------------
ENGINE_VOICES = [HEART]
ENGINE_VOICES += [Voice(engine="espeak", voice_id="en-us+m3")] if HAS_ESPEAK else []
ENGINE_VOICES += [Voice(engine="piper", voice_id="joe")] if HAS_PIPER else []


@pytest.mark.parametrize("voice", ENGINE_VOICES, ids=lambda v: v.engine)
def test_engine_speaks_a_line(voice):
    engine = get_engine(voice.engine)
    assert voice.voice_id in engine.voices()
    assert len(engine.identity(voice.voice_id)["engine"]) > 0
    audio = synthesize("The boat is late tonight.", voice)
    assert 0.6 < len(audio) / SAMPLE_RATE < 4.0
    assert rms(audio) > 0.03


def _f0(x):
    """Median pitch (Hz) of voiced 40 ms frames, by autocorrelation."""
    found, n = [], int(0.04 * SAMPLE_RATE)
    for i in range(0, len(x) - n, n):
        f = x[i:i + n] - x[i:i + n].mean()
        if rms(f) < 0.03:
            continue
        ac = np.correlate(f, f, "full")[n - 1:]
        lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 70
        found.append(SAMPLE_RATE / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(found))


def test_rate_and_pitch_are_applied():
    text = "A quiet evening by the water, and the lamps are lit."
    plain = synthesize(text, HEART)
    fast = synthesize(text, HEART.model_copy(update={"rate": 1.5}))
    high = synthesize(text, HEART.model_copy(update={"pitch": 5.0}))
    assert 0.55 < len(fast) / len(plain) < 0.8
    ratio = _f0(high) / _f0(plain)
    assert 1.2 < ratio < 1.5, ratio  # 5 semitones up is x1.33: fails when the pitch setting is ignored (x1.0)
    assert abs(len(high) / len(plain) - 1) < 0.1


# -- casting -------------------------------------------------------------------------------------------
def cast_screenplay():
    chars = [
        character("mira", "a young girl with red braids"),
        character("tomas", "an old man with a white beard"),
        character("fox", "a small red fox"),
    ]
    lines = [("mira", "Hello."), ("tomas", "Evening."), ("narrator", "Night fell.")]
    return screenplay(chars, [scene("s1", lines)])


@needs_espeak
def test_casting_gives_distinct_stable_voices():
    pool = [HEART] + [Voice(engine="espeak", voice_id=v) for v in ("en-us+f3", "en-us+m3", "en-gb+f4")]
    first = cast_voices(cast_screenplay(), pool)
    again = cast_voices(cast_screenplay(), pool)
    voices = {c.id: c.voice for c in first.screenplay.characters}
    assert voices["mira"] == HEART
    assert voices["tomas"].voice_id == "en-us+m3"  # the only male voice
    names = [(v.engine, v.voice_id) for v in [*voices.values(), first.screenplay.narrator]]
    assert len(set(names)) == 4
    assert first == again
    # A cast screenplay keeps its voices when a character is added.
    grown = first.screenplay.model_copy(deep=True)
    grown.characters.append(character("ana", "a woman in a blue shawl"))
    regrown = cast_voices(grown, pool).screenplay
    assert [c.voice for c in regrown.characters[:3]] == list(voices.values())


def test_casting_varies_a_shared_voice():
    cast = cast_voices(cast_screenplay(), [HEART])
    voices = [c.voice for c in cast.screenplay.characters] + [cast.screenplay.narrator]
    assert {(v.engine, v.voice_id) for v in voices} == {("hibari", "heart")}
    assert len({(v.pitch, v.rate) for v in voices}) == 4
    assert any("shares hibari:heart" in n for n in cast.notes)
    assert any("tomas" in n and "male on a female voice" in n for n in cast.notes)


def test_bad_voices_are_one_line_errors(monkeypatch):
    play = cast_screenplay()
    play.characters[0].voice = Voice(engine="nope", voice_id="x")
    with pytest.raises(VoiceError, match=r"^character mira: unknown speech engine 'nope'"):
        cast_voices(play, [HEART])
    play.characters[0].voice = Voice(engine="hibari", voice_id="zelda")
    with pytest.raises(VoiceError, match="character mira: hibari has no voice 'zelda'"):
        cast_voices(play, [HEART])
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "piper" else real(n, *a))
    play.characters[0].voice = Voice(engine="piper", voice_id="joe")
    with pytest.raises(VoiceError, match="needs the optional piper extra: pip install piper-tts joe-us"):
        cast_voices(play, [HEART])


# -- per-line cache ------------------------------------------------------------------------------------
def test_line_cache_and_key(store):
    first = synthesize_line(store, "p", DialogueLine(speaker="mira", text="Hold the rope."), HEART)
    assert not first.cached and first.seconds > 0.5
    before = objects(store)
    second = synthesize_line(store, "p", "Hold  the rope. ", HEART)  # same words, same voice
    assert second.cached and second.key == first.key and objects(store) == before
    # Every field of the voice enters the key (a new field must be added here, and to the key).
    base = Voice(engine="espeak", voice_id="en-us") if HAS_ESPEAK else HEART
    changed = {
        "engine": HEART if HAS_ESPEAK else None,
        "voice_id": base.model_copy(update={"voice_id": "en-gb"}) if HAS_ESPEAK else None,
        "rate": base.model_copy(update={"rate": 1.2}),
        "pitch": base.model_copy(update={"pitch": 2.0}),
    }
    assert set(changed) == set(Voice.model_fields)
    voices = [base] + [v for v in changed.values() if v]
    assert len({line_key("Hold the rope.", v) for v in voices}) == len(voices)


def test_unspeakable_and_long_lines(store):
    for text in ["…!!!", "😀🎉", "  --  "]:
        assert not speakable(text)
        assert "no speakable" in synthesize_line(store, "p", text, HEART).skipped
    assert objects(store) == []
    with pytest.raises(ValidationError):
        DialogueLine(speaker="mira", text="a" * 10_000)  # the screenplay refuses it
    text = ("The lantern swung, and she counted the steps down to the harbour. " * 160)[:10_000]
    assert all(len(c) <= 400 for c in split_for_speech(text))
    voice = Voice(engine="espeak", voice_id="en-us") if HAS_ESPEAK else HEART
    long = synthesize_line(store, "p", text, voice)  # spoken in chunks, stored whole
    assert long.seconds > 300 and len(objects(store)) == 1


# -- timing --------------------------------------------------------------------------------------------
def voiced_play():
    low = HEART.model_copy(update={"pitch": -4})
    chars = [character("mira", "a girl", HEART), character("tomas", "an old man", low)]
    lines = [("mira", "Is the boat coming?"), ("tomas", "Not tonight."), ("narrator", "The wind rose.")]
    play = screenplay(chars, [scene("s1", lines), scene("s2", [("mira", "Look!")], duration=3.0, index=2)])
    play.narrator = HEART.model_copy(update={"rate": 0.9})
    return play


def test_voice_scene_timing_track_and_cache(store):
    play, settings = voiced_play(), SoundSettings()
    sound = voice_scene(store, "p", play.scenes[0], play, settings)
    assert (sound.synthesized, sound.cached, sound.skipped) == (3, 0, [])
    assert sound.cues[0].start == pytest.approx(0.4)
    assert sound.cues[1].start == pytest.approx(sound.cues[0].end + 0.35)
    assert sound.duration == pytest.approx(max(2.0, sound.cues[-1].end + 0.6), abs=1e-3)
    track, rate = read_wav(store.read_bytes(sound.key))
    assert rate == SAMPLE_RATE and len(track) == round(sound.duration * SAMPLE_RATE)
    at = lambda a, b: track[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
    for cue in sound.cues:
        assert rms(at(cue.start, cue.end)) > 0.03
    gaps = [at(0, 0.4)] + [at(a.end + 0.05, b.start - 0.05) for a, b in zip(sound.cues, sound.cues[1:])]
    assert max(rms(g) for g in gaps) < 0.003
    again = voice_scene(store, "p", play.scenes[0], play, settings)
    assert (again.synthesized, again.cached, again.key) == (0, 3, sound.key)
    play.scenes[0].dialogue[1].text = "Not until morning."
    edited = voice_scene(store, "p", play.scenes[0], play, settings)
    assert (edited.synthesized, edited.cached) == (1, 2) and edited.key != sound.key


def test_skipped_line_and_silent_scene(store):
    play = voiced_play()
    play.scenes[0].dialogue[1].text = "…!!!"
    sound = voice_scene(store, "p", play.scenes[0], play, SoundSettings())
    assert [s.index for s in sound.skipped] == [1] and len(sound.cues) == 2
    quiet = voice_scene(store, "q", play.scenes[0], play, SoundSettings(enabled=False))
    assert quiet.synthesized == 0 and len(quiet.cues) == 2 and store.list("q/voices") == [quiet.key]
    assert rms(read_wav(store.read_bytes(quiet.key))[0]) == 0
    framed = voice_scene(store, "p", play.scenes[0], play, SoundSettings(), frame_rate=24)
    assert framed.duration * 24 == pytest.approx(round(framed.duration * 24), abs=1e-9)
    assert framed.duration - sound.duration < 1 / 24 and framed.cached == 2
    play.characters[1].voice = Voice(engine="hibari", voice_id="nobody")
    with pytest.raises(VoiceError, match="^character tomas: hibari has no voice 'nobody'"):
        voice_scene(store, "p", play.scenes[0], play, SoundSettings())


def test_srt_and_film_cues(store):
    play = voiced_play()
    sounds = [voice_scene(store, "p", s, play, SoundSettings()) for s in play.scenes]
    cues = film_cues(sounds)
    assert cues[-1].start == pytest.approx(sounds[0].duration + 0.4)
    text = srt(cues)
    assert text.startswith("1\n00:00:00,400 --> 00:00:0")
    assert "Mira: Is the boat coming?" in text and "\nThe wind rose.\n" in text
    assert text.count(" --> ") == 4


# -- mix and mux ---------------------------------------------------------------------------------------
def goertzel(x, freq):
    n = np.arange(len(x))
    return abs(np.dot(x, np.exp(-2j * np.pi * freq * n / SAMPLE_RATE))) / max(1, len(x))


def test_mix_mux_loudness_ducking_and_length(store, tmp_path):
    play = voiced_play()
    sounds = [voice_scene(store, "p", s, play, SoundSettings()) for s in play.scenes]
    tracks = [(store.local_file(s.key), s.duration) for s in sounds]
    total = sum(s.duration for s in sounds)
    music = tmp_path / "bed.wav"  # 3 s of a 70 Hz tone: shorter than the film, so it must loop
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=70:d=3:sample_rate=24000", str(music)], what="make a tone")

    dry = mix_soundtrack(tracks, None, -16.0, tmp_path / "dry.wav")
    assert dry.duration == pytest.approx(total, abs=1e-3)
    assert measure_loudness(Path(dry.path))["input_i"] == pytest.approx(-16.0, abs=1.0)

    wet = mix_soundtrack(tracks, music, -16.0, tmp_path / "wet.wav")
    assert wet.music_seconds == pytest.approx(3.0, abs=0.05)
    assert measure_loudness(Path(wet.path))["input_i"] == pytest.approx(-16.0, abs=1.5)
    mixed, _ = read_wav(Path(wet.path))
    assert len(mixed) == round(total * SAMPLE_RATE)
    bed = lambda a, b: goertzel(mixed[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)], 70)
    cues = film_cues(sounds)
    under = np.mean([bed(c.start + 0.1, c.end - 0.1) for c in cues if c.end - c.start > 0.4])
    clear = bed(cues[-1].end + 0.45, total - 1.0)  # after the last line, past the 3 s of the file
    assert cues[-1].end + 0.45 > 3.0 and clear > 3 * under  # looped, and ducked under speech

    video = tmp_path / "film.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=64x48:r=24", "-frames:v", str(round(total * 24)),
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", str(video)], what="make video")
    out = mux(video, Path(wet.path), srt(cues), tmp_path / "final.mp4")
    assert streams(Path(out.path)) == ["video", "audio", "subtitle"]
    audio = decode_audio(out.path, 48_000)
    assert abs(len(audio) / 48_000 - media_seconds(video, "0:v:0")) <= 1024 / 48_000
    assert out.duration == pytest.approx(round(total * 24) / 24, abs=1e-6)
    short = tmp_path / "short.wav"  # a soundtrack shorter than the video is padded to it
    short.write_bytes(wav_bytes(np.zeros(SAMPLE_RATE, np.float32)))
    padded = decode_audio(mux(video, short, None, tmp_path / "pad.mp4").path, 48_000)
    assert abs(len(padded) / 48_000 - out.duration) <= 1024 / 48_000
    assert streams(tmp_path / "pad.mp4") == ["video", "audio"]



def test_clips_own_sound_is_laid_in_film_time_under_the_speech_with_the_music(store, tmp_path):
    """A video model's own sound (LTX-2): each clip's track in its place on the film's timeline, silence for clips
    without one, ducked under the speech like the music; the music is still there."""
    play = voiced_play()
    sounds = [voice_scene(store, "p", s, play, SoundSettings()) for s in play.scenes]
    tracks = [(store.local_file(s.key), s.duration) for s in sounds]
    total = sum(s.duration for s in sounds)
    first, rest = round(total / 2, 3), total - round(total / 2, 3)
    clip = tmp_path / "clip.mp4"  # a clip with a 440 Hz sound track as a video model with audio would make
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s=64x48:r=24:d={first}", "-f", "lavfi",
                "-i", f"sine=f=440:d={first + 0.3}:sample_rate=44100", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                "-c:a", "aac", str(clip)], what="make a clip with sound")
    bed = tmp_path / "bed.wav"
    assert not clip_sound_bed([(None, first), (None, rest)], bed) and not bed.exists()  # no sound: no bed
    assert clip_sound_bed([(clip, first), (None, rest)], bed)
    samples, rate = read_wav(bed)
    assert rate == SAMPLE_RATE and len(samples) == round(first * SAMPLE_RATE) + round(rest * SAMPLE_RATE)
    at = lambda x, a, b, f: goertzel(x[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)], f)
    assert at(samples, 0.1, first - 0.1, 440) > 0.05  # lavfi's sine has amplitude 1/8: its component reads 1/16
    assert np.abs(samples[round(first * SAMPLE_RATE) + 10:]).max() == 0

    music = tmp_path / "music.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=70:d=3:sample_rate=24000", str(music)], what="make a tone")
    mixed_info = mix_soundtrack(tracks, music, -16.0, tmp_path / "mix.wav", scene_sound=bed)
    assert mixed_info.scene_sound and mixed_info.music == str(music)
    mixed, _ = read_wav(Path(mixed_info.path))
    assert len(mixed) == round(total * SAMPLE_RATE)
    cues = [c for c in film_cues(sounds) if c.end < first and c.end - c.start > 0.4]
    gaps = [(a.end + 0.1, b.start - 0.1) for a, b in zip(cues, cues[1:]) if b.start - a.end > 0.5]
    assert cues, "the test needs a spoken line in the first half"
    under = np.mean([at(mixed, c.start + 0.1, c.end - 0.1, 440) for c in cues])
    clear = max([at(mixed, a, b, 440) for a, b in gaps] + [at(mixed, 0.0, max(0.05, cues[0].start - 0.05), 440)])
    assert clear > 2 * under > 0  # the clip's sound is there, and ducked while someone speaks
    plain, _ = read_wav(Path(mix_soundtrack(tracks, music, -16.0, tmp_path / "plain.wav").path))
    half = round(first * SAMPLE_RATE) + SAMPLE_RATE // 10
    rms = lambda x: float(np.sqrt(np.mean(np.square(x))))
    added, after = rms(mixed[:half] - plain[:half]), rms(mixed[half:] - plain[half:])
    assert after < added / 20  # nothing of it past its clip: there the mix is the mix without it (ffmpeg's frame
    #                            boundaries vary run to run, so not sample for sample)
    assert at(mixed, 0.0, total, 70) > 0.001  # the music bed is still laid

def test_missing_music_is_one_line(tmp_path):
    track = tmp_path / "t.wav"
    track.write_bytes(wav_bytes(np.zeros(SAMPLE_RATE, np.float32)))
    with pytest.raises(RenderError, match=r"music file .*nope\.mp3 not found"):
        mix_soundtrack([(track, 1.0)], tmp_path / "nope.mp3", -16.0, tmp_path / "o.wav")
    silent = mix_soundtrack([(track, 1.5)], None, -16.0, tmp_path / "o.wav")  # silence: no error
    assert silent.speech_lufs is None and len(read_wav(tmp_path / "o.wav")[0]) == 1.5 * SAMPLE_RATE


# -- OpenAI speech through the real client, against a loopback server ----------------------------------
class StubSpeechServer(http.server.BaseHTTPRequestHandler):
    """Stands in for the OpenAI API (unreachable here); its audio is real hibari speech at 24 kHz."""

    requests: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StubSpeechServer.requests.append(body)
        pcm = (synthesize(body["input"], HEART) * 32767).astype("<i2").tobytes()
        self.send_response(200)
        self.send_header("Content-Type", "audio/pcm")
        self.send_header("Content-Length", str(len(pcm)))
        self.end_headers()
        self.wfile.write(pcm)

    def log_message(self, *args):
        pass


def test_openai_speech_through_loopback(store):
    from openai import OpenAI

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubSpeechServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = OpenAI(api_key="test", base_url=f"http://127.0.0.1:{server.server_port}/v1", max_retries=0)
        use_engine(OpenAISpeechEngine(client=client, model="tts-1"))
        voice = Voice(engine="openai", voice_id="coral", rate=1.1)
        line = synthesize_line(store, "p", "Row faster.", voice)
        assert line.seconds > 0.4 and not line.cached
        assert StubSpeechServer.requests[-1] == {
            "model": "tts-1", "voice": "coral", "input": "Row faster.", "response_format": "pcm", "speed": 1.1}
        with pytest.raises(VoiceError, match="openai has no voice 'bob'"):
            synthesize("Hi.", Voice(engine="openai", voice_id="bob"))
    finally:
        server.shutdown()
        use_engine(OpenAISpeechEngine())
