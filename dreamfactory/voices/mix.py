"""The mix: scene speech tracks joined into the film's soundtrack, speech at a loudness target, music ducked
under it; then the soundtrack and subtitles muxed with the film's pictures into one MP4.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from ..contracts import MixInfo, MuxInfo
from ..errors import RenderError
from ..escape import metadata
from .audio import SAMPLE_RATE, ffmpeg_exe, read_wav, run_ffmpeg, wav_bytes

MUSIC_BELOW_SPEECH = 14.0  # LU: the music bed sits this far under the speech target before ducking
SCENE_SOUND_BELOW_SPEECH = 10.0  # LU: the video model's own sound (LTX-2) sits this far under the speech, ducked too
TRUE_PEAK = -1.5  # dBTP ceiling of the speech after normalising
AAC_RATE = 48_000


def measure_loudness(path: Path) -> dict:
    """loudnorm's analysis pass: input_i (LUFS), input_tp, input_lra, input_thresh, as floats."""
    proc = run_ffmpeg(["-i", str(path), "-af", "loudnorm=print_format=json", "-f", "null", "-"],
                      what=f"measure the loudness of {path.name}")
    text = proc.stderr.decode("utf-8", "replace")
    found = json.loads(text[text.rindex("{") : text.rindex("}") + 1])
    return {k: float(v) for k, v in found.items() if k.startswith("input_") or k == "target_offset"}


def normalise_speech(source: Path, target: float, out: Path) -> float | None:
    """Two-pass EBU R128 loudnorm (linear) of the speech; returns its measured loudness (None: silence)."""
    m = measure_loudness(source)
    if not math.isfinite(m["input_i"]) or m["input_i"] < -69:  # nothing spoken: leave the silence alone
        out.write_bytes(source.read_bytes())
        return None
    chain = (f"loudnorm=I={target}:TP={TRUE_PEAK}:LRA=20:measured_I={m['input_i']}:measured_TP={m['input_tp']}"
             f":measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}:linear=true,aresample={SAMPLE_RATE}")
    run_ffmpeg(["-i", str(source), "-af", chain, "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(out)],
               what="normalise the speech loudness")
    return m["input_i"]


def media_seconds(path: Path, stream: str = "0:a:0") -> float:
    """Exact length of a stream from its packets' timestamps (no decoding)."""
    proc = run_ffmpeg(["-i", str(path), "-map", stream, "-c", "copy", "-f", "framemd5", "pipe:1"],
                      what=f"read the timing of {path.name}")
    lines = proc.stdout.decode().splitlines()
    num, den = map(int, next(l for l in lines if l.startswith("#tb")).split()[-1].split("/"))
    packets = [l.split(",") for l in lines if l and not l.startswith("#")]
    if not packets:
        return 0.0
    start = min(int(p[2]) for p in packets)
    end = max(int(p[2]) + int(p[3]) for p in packets)
    return (end - start) * num / den


def mix_soundtrack(scene_tracks: list[tuple[Path, float]], music: Path | None, loudness: float, out_wav: Path,
                   normalise: bool = True, scene_sound: Path | None = None) -> MixInfo:
    """Join the scene tracks (each padded or cut to its scene duration), normalise the speech (unless the tracks
    are already at the target: normalise=False), lay the music and the clips' own sound (`scene_sound`) under it."""
    if not scene_tracks:
        raise RenderError("no scene tracks to mix: voice the scenes first")
    parts = []
    for path, seconds in scene_tracks:
        samples, _ = read_wav(Path(path))
        length = int(round(seconds * SAMPLE_RATE))
        parts.append(np.pad(samples[:length], (0, max(0, length - len(samples)))))
    speech = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    total = len(speech) / SAMPLE_RATE
    if music is not None and not Path(music).is_file():
        raise RenderError(f"music file {music} not found; fix the path given as the sound's music, or leave it empty")
    out_wav = Path(out_wav)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dreamfactory-mix-") as tmp:
        raw, norm = Path(tmp) / "speech.wav", Path(tmp) / "speech-norm.wav"
        raw.write_bytes(wav_bytes(speech))
        measured = normalise_speech(raw, loudness, norm) if normalise else None
        if not normalise:
            norm = raw
        beds = []
        if music is not None:
            beds.append(Bed(Path(music), loudness - MUSIC_BELOW_SPEECH, loop=True, fade=True))
        if scene_sound is not None:
            beds.append(Bed(Path(scene_sound), loudness - SCENE_SOUND_BELOW_SPEECH, loop=False, fade=False))
        if not beds:
            run_ffmpeg(["-i", str(norm), "-af", "apad", "-t", f"{total:.6f}", "-ac", "1", "-ar", str(SAMPLE_RATE),
                        "-c:a", "pcm_s16le", str(out_wav)], what="write the soundtrack")
            return MixInfo(path=str(out_wav), duration=total, speech_lufs=measured, loudness=loudness)
        music_seconds = media_seconds(Path(music)) if music is not None else None
        _lay_beds(norm, beds, total, out_wav)
    return MixInfo(path=str(out_wav), duration=total, speech_lufs=measured, loudness=loudness,
                   music=str(music) if music is not None else None, music_seconds=music_seconds,
                   scene_sound=scene_sound is not None)


class Bed(NamedTuple):
    """A sound laid under the speech: the music (looped, faded in and out) or the clips' own sound (as it is)."""

    path: Path
    lufs: float  # where it sits before ducking
    loop: bool
    fade: bool


def _lay_beds(speech: Path, beds: list[Bed], total: float, out_wav: Path) -> None:
    """Each bed cut to the film (music looped), levelled, ducked under the speech (sidechain), mixed with it."""
    fade = min(1.5, total / 4)
    inputs, chains = ["-i", str(speech)], [f"[0:a]asplit={len(beds) + 1}[voice]" + "".join(f"[key{i}]" for i in range(len(beds)))]
    for i, bed in enumerate(beds, start=1):
        level = measure_loudness(bed.path)["input_i"]
        gain = bed.lufs - level if math.isfinite(level) else 0.0
        inputs += [*(["-stream_loop", "-1"] if bed.loop else []), "-i", str(bed.path)]
        fades = f",afade=t=in:d={fade:.3f},afade=t=out:st={max(0.0, total - fade):.3f}:d={fade:.3f}" if bed.fade else ""
        chains.append(f"[{i}:a]aresample={SAMPLE_RATE},aformat=channel_layouts=mono,atrim=0:{total:.6f},"
                      f"volume={gain:.2f}dB{fades}[bed{i}];"
                      f"[bed{i}][key{i - 1}]sidechaincompress=threshold=0.03:ratio=6:attack=20:release=400[ducked{i}]")
    ducked = "".join(f"[ducked{i}]" for i in range(1, len(beds) + 1))
    chains.append(f"[voice]{ducked}amix=inputs={len(beds) + 1}:duration=first:normalize=0,apad[mix]")
    names = ", ".join(b.path.name for b in beds)
    run_ffmpeg([*inputs, "-filter_complex", ";".join(chains), "-map", "[mix]", "-t", f"{total:.6f}", "-ac", "1",
                "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(out_wav)], what=f"mix {names} under the speech")


def clip_sound_bed(clips: list[tuple[Path | None, float]], out_wav: Path) -> bool:
    """The film-long sound of the clips that have their own (silence for a clip without), each padded or cut to its
    length; returns whether any clip had sound (no file is written when none had)."""
    parts, any_sound = [], False
    for path, seconds in clips:
        length = int(round(seconds * SAMPLE_RATE))
        samples = np.zeros(0, np.float32)
        if path is not None:
            proc = run_ffmpeg(["-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le",
                               "pipe:1"], what=f"read the sound of clip {Path(path).name}")
            samples = np.frombuffer(proc.stdout, dtype="<i2").astype(np.float32) / 32767.0
            any_sound = True
        parts.append(np.pad(samples[:length], (0, max(0, length - len(samples)))))
    if any_sound:
        Path(out_wav).write_bytes(wav_bytes(np.concatenate(parts)))
    return any_sound


def mux(video_mp4: Path, soundtrack_wav: Path, srt: str | Path | None, out_mp4: Path, title: str = "") -> MuxInfo:
    """One MP4: the video copied, ONE AAC track exactly as long as the video, the SRT (a file, text, or None for no
    subtitle track) as mov_text, the title in its metadata."""
    video_mp4, out_mp4 = Path(video_mp4), Path(out_mp4)
    duration = media_seconds(video_mp4, "0:v:0")
    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dreamfactory-mux-") as tmp:
        if isinstance(srt, str) and srt.strip():
            srt_file = Path(tmp) / "film.srt"
            srt_file.write_text(srt, encoding="utf-8")
        elif isinstance(srt, Path):
            if not srt.is_file():
                raise RenderError(f"subtitle file {srt} not found")
            srt_file = srt if srt.stat().st_size > 0 else None
        else:
            srt_file = None
        args = ["-i", str(video_mp4), "-i", str(soundtrack_wav)]
        maps = ["-map", "0:v:0", "-map", "1:a:0"]
        if srt_file:
            args += ["-i", str(srt_file)]
            maps += ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", "language=eng"]
        # apad makes the audio at least as long as the video, -t cuts it (and everything) at the video's end.
        if title:
            maps += ["-metadata", f"title={metadata(title)}"]
        run_ffmpeg([*args, *maps, "-c:v", "copy", "-af", "apad", "-c:a", "aac", "-b:a", "128k", "-ar", str(AAC_RATE),
                    "-ac", "1", "-t", f"{duration:.6f}", "-movflags", "+faststart", str(out_mp4)],
                   what=f"mux sound and subtitles into {out_mp4.name}")
    return MuxInfo(path=str(out_mp4), duration=duration, subtitles=srt_file is not None)


def streams(path: Path) -> list[str]:
    """The kinds of the file's streams in order, e.g. ['video', 'audio', 'subtitle'] (from ffmpeg -i)."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()
    return [m.lower() for m in re.findall(r"Stream #\d+:\d+.*?: (Video|Audio|Subtitle|Data)", text)]
