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

import numpy as np
from pydantic import BaseModel, Field

from ..errors import RenderError
from .audio import SAMPLE_RATE, ffmpeg_exe, read_wav, run_ffmpeg, wav_bytes

MUSIC_BELOW_SPEECH = 14.0  # LU: the music bed sits this far under the speech target before ducking
TRUE_PEAK = -1.5  # dBTP ceiling of the speech after normalising
AAC_RATE = 48_000


class MixInfo(BaseModel):
    """What the mix made."""

    path: str = Field(description="The soundtrack WAV (mono, 24 kHz, 16-bit).")
    duration: float = Field(description="Length of the soundtrack in seconds: the sum of the scene durations.")
    speech_lufs: float | None = Field(description="Integrated loudness of the speech before normalising; None when silent.")
    loudness: float = Field(description="The speech loudness target in LUFS.")
    music: str | None = Field(default=None, description="The music file used, if any.")
    music_seconds: float | None = Field(default=None, description="Length of the music file; shorter than the film means looped.")


class MuxInfo(BaseModel):
    path: str = Field(description="The film MP4: video copied, one AAC track, optional mov_text subtitles.")
    duration: float = Field(description="The video's duration in seconds; the audio track is cut or padded to it.")
    subtitles: bool = Field(description="Whether a subtitle track was written.")


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
                   normalise: bool = True) -> MixInfo:
    """Join the scene tracks (each padded or cut to its scene duration), normalise the speech, lay music under it.

    normalise=False: the scene tracks are already at the loudness target (voice_scene makes them so), and the
    joined speech is used as it is.
    """
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
        if music is None:
            run_ffmpeg(["-i", str(norm), "-af", "apad", "-t", f"{total:.6f}", "-ac", "1", "-ar", str(SAMPLE_RATE),
                        "-c:a", "pcm_s16le", str(out_wav)], what="write the soundtrack")
            return MixInfo(path=str(out_wav), duration=total, speech_lufs=measured, loudness=loudness)
        music_seconds = media_seconds(Path(music))
        _lay_music(norm, Path(music), loudness - MUSIC_BELOW_SPEECH, total, out_wav)
    return MixInfo(path=str(out_wav), duration=total, speech_lufs=measured, loudness=loudness,
                   music=str(music), music_seconds=music_seconds)


def _lay_music(speech: Path, music: Path, music_lufs: float, total: float, out_wav: Path) -> None:
    """Music looped or cut to the film, levelled, faded in and out, ducked under the speech (sidechain)."""
    level = measure_loudness(music)["input_i"]
    gain = music_lufs - level if math.isfinite(level) else 0.0
    fade = min(1.5, total / 4)
    graph = (
        f"[1:a]aresample={SAMPLE_RATE},aformat=channel_layouts=mono,atrim=0:{total:.6f},volume={gain:.2f}dB,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={max(0.0, total - fade):.3f}:d={fade:.3f}[bed];"
        f"[0:a]asplit=2[voice][key];"
        f"[bed][key]sidechaincompress=threshold=0.03:ratio=6:attack=20:release=400[ducked];"
        f"[voice][ducked]amix=inputs=2:duration=first:normalize=0,apad[mix]"
    )
    run_ffmpeg(["-i", str(speech), "-stream_loop", "-1", "-i", str(music), "-filter_complex", graph, "-map", "[mix]",
                "-t", f"{total:.6f}", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(out_wav)],
               what=f"mix the music {music.name} under the speech")


def mux(video_mp4: Path, soundtrack_wav: Path, srt: str | Path | None, out_mp4: Path) -> MuxInfo:
    """One MP4: the video copied, ONE AAC track exactly as long as the video, the SRT as mov_text.

    srt: a Path to an .srt file, SRT text, or None/'' for no subtitle track.
    """
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
        run_ffmpeg([*args, *maps, "-c:v", "copy", "-af", "apad", "-c:a", "aac", "-b:a", "128k", "-ar", str(AAC_RATE),
                    "-ac", "1", "-t", f"{duration:.6f}", "-movflags", "+faststart", str(out_mp4)],
                   what=f"mux sound and subtitles into {out_mp4.name}")
    return MuxInfo(path=str(out_mp4), duration=duration, subtitles=srt_file is not None)


def streams(path: Path) -> list[str]:
    """The kinds of the file's streams in order, e.g. ['video', 'audio', 'subtitle'] (from ffmpeg -i)."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()
    return [m.lower() for m in re.findall(r"Stream #\d+:\d+.*?: (Video|Audio|Subtitle|Data)", text)]
