"""Timing: a scene's lines spoken shot by shot, its speech track, each shot's span, and the film's subtitles.

Each line is said in the shot `Scene.shot_lines()` puts it in; a shot lasts max(its planned duration scaled to the
scene's, LEAD_IN + its lines + TAIL) in whole video frames, so pictures wait for the words. The track's key derives
from its line keys and their start times: an unchanged scene is never rebuilt.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from ..contracts import Cue, LineAudio, SceneSound, ShotSpan, SkippedLine
from ..escape import subtitle
from ..contracts.screenplay import DialogueLine, Scene, Screenplay, Voice
from ..settings import SoundSettings
from ..store import Store, digest
from .audio import SAMPLE_RATE, read_wav, wav_bytes
from .engines import VoiceError, require
from .speech import line_key, normalise, speakable, synthesize_line

LEAD_IN = 0.4  # seconds of quiet before the first line
GAP = 0.35  # between lines
TAIL = 0.6  # after the last line
READING_WORDS_PER_SECOND = 2.7  # cue length of a line when sound is off (subtitles only)


def speaker_voice(screenplay: Screenplay, speaker: str) -> Voice:
    """The speaker's voice, or a VoiceError naming the speaker and the fix."""
    who = "narrator" if speaker == "narrator" else f"character {speaker}"
    voice = screenplay.narrator if speaker == "narrator" else screenplay.character(speaker).voice
    if voice is None:
        raise VoiceError(f"{who} has no voice; cast voices first (cast_voices)")
    require(voice, who)
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
    shots = [(shot.id, shot.duration, placed) for shot, placed in zip(scene.shots, scene.shot_lines().values())]
    return digest({"lines": lines, "names": names, "enabled": settings.enabled, "duration": scene.duration,
                   "shots": shots, "frame_rate": frame_rate, "lead_in": LEAD_IN, "gap": GAP, "tail": TAIL, "sample_rate": SAMPLE_RATE,
                   "loudness": settings.loudness})


def voice_scene(store: Store, project: str, scene: Scene, screenplay: Screenplay, settings: SoundSettings,
                frame_rate: int | None = None) -> SceneSound:
    """Speak the scene's lines shot by shot (or time them silently when sound is off) and store its speech track;
    with `frame_rate` every shot's span is whole video frames (else whole ms), so no drift builds up."""
    sound = SceneSound(scene_id=scene.id, key="", duration=scene.duration)
    step = frame_rate or 1000
    planned = sum(shot.duration for shot in scene.shots)
    placed: list[tuple[str, float]] = []
    steps = 0  # the scene's length so far, in frames
    for shot, lines in zip(scene.shots, scene.shot_lines().values()):
        start = steps / step
        t = start + LEAD_IN
        spoken = False
        for index in lines:
            line = scene.dialogue[index]
            audio = synthesize_line(store, project, line, speaker_voice(screenplay, line.speaker)) if settings.enabled \
                else _silent_line(line)
            if audio.skipped:
                sound.skipped.append(SkippedLine(index=index, speaker=line.speaker, reason=audio.skipped))
                continue
            sound.cached += audio.cached
            sound.synthesized += bool(audio.key) and not audio.cached
            t = round(t, 3)
            end = round(t + audio.seconds, 3)
            sound.cues.append(Cue(start=t, end=end, speaker=line.speaker, name=speaker_name(screenplay, line.speaker),
                                  text=normalise(line.text), shot_id=shot.id))
            if audio.store_key:
                placed.append((audio.store_key, t))
                sound.line_keys.append(audio.store_key)
            t, spoken = end + GAP, True
        voiced = (t - GAP + TAIL - start) if spoken else 0.0
        span = max(shot.duration * scene.duration / planned, voiced)
        frames = max(1, math.ceil(span * step - 1e-6))
        sound.shots.append(ShotSpan(shot_id=shot.id, start=start, duration=frames / step))
        steps += frames
    sound.duration = steps / step
    track = digest({"lines": placed, "duration": sound.duration, "sample_rate": SAMPLE_RATE,
                    "loudness": settings.loudness if placed else None, "normalised": "lines together, as placed"})[:32]
    sound.key = f"{project}/voices/scene-{track}.wav"
    if not store.exists(sound.key):
        lines = [read_wav(store.read_bytes(key))[0] for key, _ in placed]
        starts = [start for _, start in placed]
        store.put_bytes(sound.key, wav_bytes(_speech_track(lines, starts, sound.duration, settings.loudness)))
    return sound


def _normalised(lines: list[np.ndarray], loudness: float) -> list[np.ndarray]:
    """The scene's lines at the loudness target (EBU R128), normalised together back to back and placed afterwards
    (loudnorm over long silences misses the target); the film's mix then only joins scene tracks."""
    from .mix import normalise_speech

    with tempfile.TemporaryDirectory(prefix="dreamfactory-scene-") as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "norm.wav"
        raw.write_bytes(wav_bytes(np.concatenate(lines)))
        normalise_speech(raw, loudness, out)
        speech, _ = read_wav(out.read_bytes())
    ends = np.cumsum([len(line) for line in lines])
    return [speech[end - len(line):end] for line, end in zip(lines, ends)]


def _speech_track(lines: list[np.ndarray], starts: list[float], duration: float, loudness: float) -> np.ndarray:
    """The scene's track at the loudness target: its lines normalised together, placed, measured as placed (the
    pauses between shots lower the integrated loudness), and normalised once more for the difference."""
    if not lines:
        return _track(lines, starts, duration)
    track = _track(_normalised(lines, loudness), starts, duration)
    from .mix import measure_loudness

    with tempfile.TemporaryDirectory(prefix="dreamfactory-scene-") as tmp:
        placed = Path(tmp) / "placed.wav"
        placed.write_bytes(wav_bytes(track))
        measured = measure_loudness(placed)["input_i"]
    if not math.isfinite(measured) or abs(measured - loudness) < 0.5:
        return track
    return _track(_normalised(lines, loudness + min(6.0, max(-6.0, loudness - measured))), starts, duration)


def _track(lines: list[np.ndarray], starts: list[float], duration: float) -> np.ndarray:
    track = np.zeros(int(round(duration * SAMPLE_RATE)), np.float32)
    for samples, start in zip(lines, starts):
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
    """SubRip text of the cues; 'Name: ' before a character's line when names is True; each cue one line of plain
    text (escape.subtitle)."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        text = subtitle(f"{cue.name}: {cue.text}" if names and cue.name else cue.text)
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{text}\n")
    return "\n".join(blocks)
