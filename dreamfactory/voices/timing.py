"""Timing: a scene's lines spoken one after another, its speech track, its cues, and the film's subtitles.

A scene lasts max(its planned duration, end of its last line + TAIL): the clip renderer is given this
voiced duration, so pictures wait for the words. The track is written to the store at a key derived
from its line keys and their start times, so an unchanged scene is never rebuilt.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from ..screenplay import DialogueLine, Scene, Screenplay, Voice
from ..settings import SoundSettings
from ..store import Store, digest
from .audio import SAMPLE_RATE, read_wav, wav_bytes
from .engines import VoiceError, voice_problem
from .speech import LineAudio, line_key, normalise, speakable, synthesize_line

LEAD_IN = 0.4  # seconds of quiet before the first line
GAP = 0.35  # between lines
TAIL = 0.6  # after the last line
READING_WORDS_PER_SECOND = 2.7  # cue length of a line when sound is off (subtitles only)


class Cue(BaseModel):
    """A line on screen: when it is heard (seconds from the start of its scene, or of the film)."""

    start: float = Field(description="Start in seconds.")
    end: float = Field(description="End in seconds.")
    speaker: str = Field(description="Character id, or 'narrator'.")
    name: str = Field(default="", description="The speaker's name as shown ('' for the narrator).")
    text: str = Field(description="The words.")


class SkippedLine(BaseModel):
    index: int = Field(description="0-based position of the line in the scene's dialogue.")
    speaker: str = Field(description="Who would have said it.")
    reason: str = Field(description="Why it was not spoken.")


class SceneSound(BaseModel):
    """A scene's speech track in the store, its length and its cues."""

    scene_id: str = Field(description="The scene's stable id.")
    key: str = Field(description="Store key of the scene's speech track WAV, exactly `duration` long.")
    duration: float = Field(description="The scene's voiced duration in seconds; the clip is rendered this long.")
    cues: list[Cue] = Field(default_factory=list, description="Lines timed to the real audio.")
    line_keys: list[str] = Field(default_factory=list, description="Store keys of the lines' audio, in order.")
    synthesized: int = Field(default=0, description="Lines spoken on this run.")
    cached: int = Field(default=0, description="Lines found in the store.")
    skipped: list[SkippedLine] = Field(default_factory=list, description="Lines not spoken, with reasons.")


def speaker_voice(screenplay: Screenplay, speaker: str) -> Voice:
    """The speaker's voice, or a VoiceError naming the speaker and the fix."""
    who = "narrator" if speaker == "narrator" else f"character {speaker}"
    voice = screenplay.narrator if speaker == "narrator" else screenplay.character(speaker).voice
    if voice is None:
        raise VoiceError(f"{who} has no voice; cast voices first (cast_voices)")
    problem = voice_problem(voice)
    if problem:
        raise VoiceError(f"{who}: {problem}")
    return voice


def speaker_name(screenplay: Screenplay, speaker: str) -> str:
    return "" if speaker == "narrator" else screenplay.character(speaker).name


def _silent_line(line: DialogueLine) -> LineAudio:
    """Sound off: no audio, a reading-time cue."""
    if not speakable(line.text):
        return LineAudio(skipped="no speakable characters (only punctuation, symbols or emoji)")
    seconds = max(1.2, len(normalise(line.text).split()) / READING_WORDS_PER_SECOND)
    return LineAudio(seconds=round(seconds, 3))


def scene_inputs_key(scene: Scene, screenplay: Screenplay, settings: SoundSettings, frame_rate: int | None = None) -> str:
    """Everything that decides a scene's speech track, known before any synthesis (for the task cache)."""
    if settings.enabled:
        lines = [line_key(line.text, speaker_voice(screenplay, line.speaker)) if speakable(line.text) else "skip"
                 for line in scene.dialogue]
    else:
        lines = [normalise(line.text) for line in scene.dialogue]
    names = [speaker_name(screenplay, line.speaker) for line in scene.dialogue]
    return digest({"lines": lines, "names": names, "enabled": settings.enabled, "duration": scene.duration,
                   "frame_rate": frame_rate, "lead_in": LEAD_IN, "gap": GAP, "tail": TAIL, "sample_rate": SAMPLE_RATE,
                   "loudness": settings.loudness})


def voice_scene(
    store: Store, project: str, scene: Scene, screenplay: Screenplay, settings: SoundSettings, frame_rate: int | None = None
) -> SceneSound:
    """Speak the scene's lines (or time them silently when sound is off) and store its speech track.

    frame_rate: when given, the duration is rounded up to whole video frames, so that the clips' lengths
    add up to exactly the soundtrack's and no drift builds up from scene to scene.
    """
    sound = SceneSound(scene_id=scene.id, key="", duration=scene.duration)
    placed: list[tuple[str, float]] = []
    t = LEAD_IN
    for index, line in enumerate(scene.dialogue):
        if settings.enabled:
            audio = synthesize_line(store, project, line, speaker_voice(screenplay, line.speaker))
        else:
            audio = _silent_line(line)
        if audio.skipped:
            sound.skipped.append(SkippedLine(index=index, speaker=line.speaker, reason=audio.skipped))
            continue
        sound.cached += audio.cached
        sound.synthesized += bool(audio.key) and not audio.cached
        end = round(t + audio.seconds, 3)
        name = speaker_name(screenplay, line.speaker)
        sound.cues.append(Cue(start=t, end=end, speaker=line.speaker, name=name, text=normalise(line.text)))
        if audio.store_key:
            placed.append((audio.store_key, t))
            sound.line_keys.append(audio.store_key)
        t = round(end + GAP, 3)
    speech_end = sound.cues[-1].end + TAIL if sound.cues else 0.0
    step = frame_rate or 1000
    sound.duration = math.ceil(max(scene.duration, speech_end) * step - 1e-6) / step
    track = digest({"lines": placed, "duration": sound.duration, "sample_rate": SAMPLE_RATE,
                    "loudness": settings.loudness if placed else None})[:32]
    sound.key = f"{project}/voices/scene-{track}.wav"
    if not store.exists(sound.key):
        store.put_bytes(sound.key, _normalised(wav_bytes(_track(store, placed, sound.duration)), settings.loudness)
                        if placed else wav_bytes(_track(store, placed, sound.duration)))
    return sound


def _normalised(wav: bytes, loudness: float) -> bytes:
    """The scene's speech at the loudness target (EBU R128), made once per scene: assembling a film then only
    joins scene tracks, so editing one scene re-measures that scene alone."""
    from .mix import normalise_speech

    with tempfile.TemporaryDirectory(prefix="dreamfactory-scene-") as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "norm.wav"
        raw.write_bytes(wav)
        normalise_speech(raw, loudness, out)
        return out.read_bytes()


def _track(store: Store, placed: list[tuple[str, float]], duration: float) -> np.ndarray:
    track = np.zeros(int(round(duration * SAMPLE_RATE)), np.float32)
    for key, start in placed:
        samples, _ = read_wav(store.read_bytes(key))
        at = int(round(start * SAMPLE_RATE))
        piece = samples[: len(track) - at]
        track[at : at + len(piece)] += piece
    return track


def film_cues(scene_sounds: list[SceneSound]) -> list[Cue]:
    """Every scene's cues on the film's clock: each scene starts where the previous one's duration ends."""
    cues, offset = [], 0.0
    for sound in scene_sounds:
        cues += [c.model_copy(update={"start": round(c.start + offset, 3), "end": round(c.end + offset, 3)}) for c in sound.cues]
        offset += sound.duration
    return cues


def _timestamp(seconds: float) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt(cues: list[Cue], *, names: bool = True) -> str:
    """SubRip text of the cues (HH:MM:SS,mmm); 'Name: ' before a character's line when names is True."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        text = f"{cue.name}: {cue.text}" if names and cue.name else cue.text
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{text}\n")
    return "\n".join(blocks)
