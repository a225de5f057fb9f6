"""Assembly: the shots' clips into one MP4 with a subtitle track, the manifest, the contact sheet, the history.

Shots within a scene are joined by hard cuts; a scene's transition (fade, dissolve) re-encodes only its frames at the
boundary (clips have IDR frames half a second from each end: renderers/encoding.py) and stream-copies the rest, each
piece stored at a key of the clip and the transition, so the film is joined without re-encoding. A clip's fades are
made by its own render task (`fade_edge`); dissolves, which need the next scene's first clip, are made here. The
film's key hashes the clips' keys, the transitions, the subtitles and the soundtrack.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

from . import layout
from .contracts import Counts, FilmResult, FilmVersion, Made, RenderRecord, SceneSound
from .errors import RenderError
from .escape import metadata
from .manifest import manifest_rows, write_manifest
from .progress import report
from .renders import png_bytes, read_image
from .renderers.encoding import CUT_SECONDS, ENCODING, codec_args
from .renderers.fonts import font
from .contracts.screenplay import Screenplay
from .settings import FilmOptions
from .store import Store, digest, open_store, sha256_file
from .voices import clip_sound_bed, film_cues, mix_soundtrack, mux, srt
from .voices.audio import run_ffmpeg

ASSEMBLY_VERSION = "3"  # 2: speech normalised per scene track; 3: a clip per shot, transitions at scene boundaries
EDGE_VERSION = 2  # bump when a transition's look changes: it is part of every boundary piece's key (2: parts)
FADE_SECONDS = 0.25  # each side of a fade: out to black, then in from black
DISSOLVE_SECONDS = 0.5  # the outgoing scene's last shot melts into the next scene's first frame
assert max(FADE_SECONDS, DISSOLVE_SECONDS) <= CUT_SECONDS, "a transition must fit between a clip's cut and its end"


SHEET_WIDTH, SHEET_COLUMNS, SHEET_LABEL = 1600, 4, 24


def _cell(store: Store, project: str, keyframe: Made, size: tuple[int, int]) -> Image.Image:
    """A keyframe scaled to its contact-sheet cell, stored once beside the sheets."""
    key = layout.thumbnail(project, keyframe.key, size)
    if store.exists(key):
        return read_image(store, key)
    cell = read_image(store, keyframe.key).resize(size, Image.LANCZOS)
    store.put_bytes(key, png_bytes(cell, 3))
    return cell


def contact_sheet(store: Store, project: str, keyframes: list[Made], frame: tuple[int, int]) -> bytes:
    """One PNG of all keyframes (each `frame` = width x height), labelled by scene and shot."""
    columns = min(SHEET_COLUMNS, max(1, len(keyframes)))
    rows = -(-len(keyframes) // columns)
    cell_w = SHEET_WIDTH // columns
    cell_h = round(cell_w * frame[1] / frame[0])
    sheet = Image.new("RGB", (SHEET_WIDTH, rows * (cell_h + SHEET_LABEL)), (18, 18, 22))
    draw = ImageDraw.Draw(sheet)
    for i, keyframe in enumerate(keyframes):
        x, y = (i % columns) * cell_w, (i // columns) * (cell_h + SHEET_LABEL)
        sheet.paste(_cell(store, project, keyframe, (cell_w - 4, cell_h - 4)), (x + 2, y + 2))
        label = f"{keyframe.scene_id} {keyframe.shot_id}".strip()
        draw.text((x + 6, y + cell_h + 2), label, fill=(230, 230, 230), font=font(16))
    return png_bytes(sheet, 3)  # a quarter of the default level's time, 5% larger


def film_history(store: Store, project: str) -> list[FilmVersion]:
    key = layout.films_head(project)
    if not store.exists(key):
        return []
    return [FilmVersion.model_validate(v) for v in store.read_json(key)]


def add_to_history(store: Store, project: str, record: RenderRecord) -> None:
    """List a film in the project's history once, however many runs made or found it (by compare-and-swap)."""
    entry = FilmVersion(key=record.object_key, manifest=layout.manifest(project, record.render_key),
                        screenplay_sha=record.inputs["screenplay_sha"], scenes=record.inputs["scenes"],
                        duration=round(record.inputs["duration"], 3),
                        created=datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def add(current: bytes | None) -> bytes | None:
        history = json.loads(current) if current else []
        if any(film["key"] == entry.key for film in history):
            return None
        return json.dumps([*history, entry.model_dump()], indent=2).encode()

    store.update_head(layout.films_head(project), add)


def music_file(store: Store, music: str | None) -> tuple[Path | None, str | None]:
    """The music bed as a local file and its content hash; a store URL is fetched once into the local cache."""
    if not music:
        return None, None
    if "://" in music:
        parent, _, name = music.rpartition("/")
        path = open_store(parent, cache_dir=store.cache_dir).local_file(name)
    else:
        path = Path(music).expanduser()
        if not path.is_file():
            raise RenderError(f"music file {music} not found; fix --music or leave it out")
    return path, sha256_file(path)


def transitions(screenplay: Screenplay, clips: list[Made]) -> list[dict]:
    """What each clip gets at a scene boundary (empty for most): {'fade_in': s}, {'fade_out': s},
    {'dissolve_to': next clip's key, 'seconds': s}. Shots within a scene are hard cuts; the last scene has no next."""
    edges: list[dict] = [{} for _ in clips]
    scenes = [c.scene_id for c in clips]
    for i in range(len(clips) - 1):
        if scenes[i] == scenes[i + 1]:
            continue
        kind = screenplay.scene(scenes[i]).transition
        if kind == "fade":
            edges[i]["fade_out"], edges[i + 1]["fade_in"] = FADE_SECONDS, FADE_SECONDS
        elif kind == "dissolve":
            edges[i].update(dissolve_to=clips[i + 1].key, seconds=DISSOLVE_SECONDS)
    return edges


def fade_edge(screenplay: Screenplay, scene_id: str, shot_id: str) -> dict:
    """The fades one shot's clip gets at a scene boundary, as `transitions()` gives them ({} for most shots and for
    dissolves, which need the next scene's first clip)."""
    ids = [scene.id for scene in screenplay.scenes]
    i = ids.index(scene_id)
    shots = [shot.id for shot in screenplay.scenes[i].shots]
    edge: dict = {}
    if shot_id == shots[0] and i > 0 and screenplay.scenes[i - 1].transition == "fade":
        edge["fade_in"] = FADE_SECONDS
    if shot_id == shots[-1] and i < len(ids) - 1:
        if screenplay.scenes[i].transition == "dissolve":
            return {}  # the piece needs the next clip as well: the assembly makes it whole
        if screenplay.scenes[i].transition == "fade":
            edge["fade_out"] = FADE_SECONDS
    return edge


def _edge_filter(edge: dict, seconds: float, fps: int, first: int, end: int) -> tuple[str, bool]:
    """The ffmpeg filter graph of frames [first, end) of a boundary piece (input 1: the next clip, for a dissolve,
    which ends on its first frame so the cut after it is invisible); times count from `first`."""
    frame, part = 1 / fps, (end - first) / fps
    chain = [f"[0:v]trim=start_frame={first}:end_frame={end},setpts=PTS-STARTPTS[clip]"]
    label = "[clip]"
    if "dissolve_to" in edge:
        d = min(edge["seconds"], seconds / 2)
        chain.append(f"[1:v]trim=end_frame=1,setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop_duration={d:.4f}[next];"
                     f"[clip][next]xfade=transition=fade:duration={d:.4f}:offset={max(0.0, part - d - frame):.4f}[mixed]")
        label = "[mixed]"
    fades = []
    if "fade_in" in edge:
        fades.append(f"fade=t=in:st=0:d={min(edge['fade_in'], seconds / 2):.4f}")
    if "fade_out" in edge:
        d = min(edge["fade_out"], seconds / 2)
        fades.append(f"fade=t=out:st={max(0.0, part - d - frame):.4f}:d={d:.4f}")
    chain.append(f"{label}{','.join(fades) or 'null'}[out]")
    return ";".join(chain), "dissolve_to" in edge


def edge_parts(edge: dict, frames: int, cuts: list[int]) -> list[tuple[str, int, int, dict]]:
    """How a boundary piece is made: [(how, first, end, what)], 'encode' (with the transitions in `what`) or 'copy':
    only the frames before the first cut (fade in) and after the last (fade out, dissolve) are encoded; without cut
    points, the whole clip."""
    opening = {k: v for k, v in edge.items() if k == "fade_in"}
    closing = {k: v for k, v in edge.items() if k != "fade_in"}
    head = cuts[0] if cuts and opening else 0
    tail = cuts[-1] if cuts and closing else frames
    if not cuts or head > tail:
        return [("encode", 0, frames, edge)]
    parts = [("encode", 0, head, opening)] if head else []
    if tail > head:
        parts.append(("copy", head, tail, {}))
    if tail < frames:
        parts.append(("encode", tail, frames, closing))
    return parts


def edge_key(project: str, clip: Made, edge: dict, fps: int) -> str:
    """Where a clip's boundary piece is kept: keyed by the clip and the transition."""
    return layout.clip_edge(project, clip.scene_id, digest({"clip": clip.key, "edge": edge, "fps": fps,
                                                            "version": EDGE_VERSION, "encoding": ENCODING}))


def with_transition(store: Store, project: str, clip: Made, seconds: float, fps: int, edge: dict,
                    cuts: list[int] | None = None) -> str:
    """The store key of the clip with its boundary transition applied: the clip itself when it has none, else a
    piece of exactly as many frames, made once at `edge_key`."""
    if not edge:
        return clip.key
    key = edge_key(project, clip, edge, fps)
    if store.exists(key):
        return key
    frames = round(seconds * fps)
    source = str(store.local_file(clip.key))
    with tempfile.TemporaryDirectory(prefix="dreamfactory-edge-") as tmp:
        made = []
        for i, (how, first, end, what) in enumerate(edge_parts(edge, frames, cuts or [])):
            part = Path(tmp) / f"part{i}.mp4"
            # A part that starts at a cut starts at an IDR frame: ffmpeg seeks straight to it (to the microsecond
            # rounded up; -noaccurate_seek so a decode keeps that frame) instead of reading the clip from its start.
            seek = ["-noaccurate_seek", "-ss", f"{math.ceil(first * 1_000_000 / fps)}us"] if first else []
            if how == "copy":
                run_ffmpeg([*seek, "-i", source, "-c", "copy", "-frames:v", str(end - first), "-an", str(part)],
                           what="copy the middle of a boundary piece")
            else:
                graph, two = _edge_filter(what, seconds, fps, 0 if seek else first, end - first if seek else end)
                inputs = [*seek, "-i", source] + (["-i", str(store.local_file(edge["dissolve_to"]))] if two else [])
                run_ffmpeg([*inputs, "-filter_complex", graph, "-map", "[out]", "-frames:v", str(end - first),
                            "-r", str(fps), *codec_args(), "-an", str(part)], what="make a scene transition")
            made.append(part)
        out = made[0]
        if len(made) > 1:
            listing, out = Path(tmp) / "parts.txt", Path(tmp) / "edge.mp4"
            listing.write_text("".join(f"file '{p.as_posix()}'\n" for p in made))
            run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", "-movflags", "+faststart", str(out)],
                       what="join a boundary piece")
        store.put_file(key, out)
    return key


def film_key_of(store: Store, clips: list[Made], sounds: list[SceneSound], screenplay: Screenplay, options: FilmOptions,
                music_sha: str | None = None) -> str:
    """The film's content address: its clips, the transitions between scenes, its speech tracks, subtitles, music,
    mix settings and the title in its metadata."""
    if music_sha is None:
        _, music_sha = music_file(store, options.sound.music)
    return digest({"version": ASSEMBLY_VERSION, "clips": [c.key for c in clips], "edges": transitions(screenplay, clips),
                   "srt": srt(film_cues(sounds)),
                   "speech": [s.key for s in sounds], "music": music_sha, "loudness": options.sound.loudness,
                   "sound": options.sound.enabled, "title": metadata(screenplay.brief.title)})


def assemble_film(store: Store, project: str, screenplay: Screenplay, screenplay_sha: str, clips: list[Made],
                  keyframes: list[Made], base: Made, sounds: list[SceneSound], options: FilmOptions,
                  writing_usage: dict | None = None, casting_notes: list[str] | None = None) -> Made:
    """Join the shots' clips (transitions at scene boundaries) and the scenes' speech into the film; write subtitles,
    manifest, contact sheet and history."""
    records = [store.read_model(layout.record(c.key), RenderRecord) for c in clips]
    total = sum(r.inputs["duration"] for r in records)
    subtitles = srt(film_cues(sounds))
    music, music_sha = music_file(store, options.sound.music)
    key = film_key_of(store, clips, sounds, screenplay, options, music_sha)
    film_key = layout.film(project, key)
    if store.exists(layout.record(film_key)) and store.exists(film_key):
        record = store.read_model(layout.record(film_key), RenderRecord)
        add_to_history(store, project, record)  # a run stopped before its history entry leaves the film unlisted
        return Made(kind="film", key=film_key, sha256=record.sha256, made=False)

    started = time.perf_counter()
    # The contact sheet is drawn while ffmpeg makes the boundary pieces and joins the film (PIL and ffmpeg both work
    # outside the GIL); the boundary pieces are independent ffmpeg runs, two at a time.
    with ThreadPoolExecutor(max_workers=3) as pool, tempfile.TemporaryDirectory(prefix="dreamfactory-film-") as tmp:
        sheet = pool.submit(contact_sheet, store, project, keyframes, (options.render.width, options.render.height))
        tmp = Path(tmp)
        listing = tmp / "clips.txt"
        pieces = list(pool.map(lambda job: with_transition(store, project, job[0], job[1].inputs["duration"],
                                                           options.render.fps, job[2], job[1].notes.get("cuts")),
                               zip(clips, records, transitions(screenplay, clips))))
        # Each piece lasts exactly its frames (`duration`): a clip with its own sound track, a little longer in AAC
        # frames, must not push the next one later. Only the pictures are joined; the sound is mixed below.
        fps = options.render.fps
        listing.write_text("".join(f"file '{store.local_file(p).as_posix()}'\nduration {round(r.inputs['duration'] * fps) / fps:.6f}\n"
                                   for p, r in zip(pieces, records)))
        joined, soundtrack, out = tmp / "joined.mp4", tmp / "soundtrack.wav", tmp / "film.mp4"
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:v:0", "-c", "copy", str(joined)],
                   what="join the film's shots")
        # A video model's own sound (LTX-2 with video_audio): the clips' tracks, joined in film time, go under the speech.
        bed = tmp / "clip-sound.wav"
        has_bed = clip_sound_bed([(store.local_file(c.key) if r.notes.get("audio") else None, round(r.inputs["duration"] * fps) / fps)
                                  for c, r in zip(clips, records)], bed)
        # Scene tracks come normalised to the loudness target from voice_scene: the film's mix only joins them.
        mix = mix_soundtrack([(store.local_file(s.key), s.duration) for s in sounds], music, options.sound.loudness,
                             soundtrack, normalise=False, scene_sound=bed if has_bed else None)
        mux(joined, soundtrack, subtitles, out, title=screenplay.brief.title)
        seconds = time.perf_counter() - started
        store.put_file(film_key, out)
        store.put_bytes(layout.subtitles(project, key), subtitles.encode("utf-8"))
        record = RenderRecord(
            kind="film", project=project, scene_id="", object_key=film_key, render_key=key, sha256=sha256_file(out),
            bytes=out.stat().st_size, renderer="ffmpeg-concat",
            identity={"assembly": ASSEMBLY_VERSION, "ffmpeg": imageio_ffmpeg.get_ffmpeg_version()},
            inputs={"clips": [c.key for c in clips], "pieces": pieces, "speech": [s.key for s in sounds],
                    "music": options.sound.music, "music_sha256": music_sha, "loudness": options.sound.loudness,
                    "screenplay_sha": screenplay_sha, "duration": total, "scenes": len(sounds), "shots": len(clips)},
            seconds=round(seconds, 3),
            notes={"casting": casting_notes or [], "skipped_lines": [k.model_dump() for s in sounds for k in s.skipped],
                   "mix": mix.model_dump(mode="json") if hasattr(mix, "model_dump") else str(mix)})

        store.put_bytes(layout.contact_sheet(project, key), sheet.result())

    rows = manifest_rows(store, [base, *keyframes, *clips], writing_usage or {}, film=record, screenplay_sha=screenplay_sha)
    write_manifest(store, layout.manifest(project, key), rows)
    store.put_json(layout.record(film_key), record)

    add_to_history(store, project, record)
    report("film", f"assembled {len(sounds)} scenes, {len(clips)} shots, {total:.1f} s, in {seconds:.2f} s")
    return Made(kind="film", key=film_key, sha256=record.sha256, made=True, seconds=seconds)


def count(made: list[Made]) -> Counts:
    return Counts(rendered=sum(m.made for m in made), cached=sum(not m.made for m in made))


def summarize(store: Store, written, base: Made, keyframes: list[Made], clips: list[Made], film: Made,
              options: FilmOptions, sounds: list[SceneSound]) -> FilmResult:
    """The run's answer: where the film is and what this run made (each Made's `made`, each sound's `synthesized`)."""
    from . import backends

    record = store.read_model(layout.record(film.key), RenderRecord)
    return FilmResult(
        project=written.project, film=store.location(film.key), film_key=film.key, store=store.url,
        scenes=len(sounds), shots=len(clips), duration=round(record.inputs["duration"], 3), screenplay_sha=written.sha,
        edited_screenplay=written.edited, base_frame=count([base]), keyframes=count(keyframes), clips=count(clips),
        film_rendered=film.made, llm_calls=written.calls_made, llm_tokens=written.tokens_made,
        writer_answers=Counts(rendered=written.answers_made, cached=written.answers_cached),
        tokens_by_phase={k: v["prompt_tokens"] + v["completion_tokens"] for k, v in written.usage.items()},
        voice_lines=Counts(rendered=sum(s.synthesized for s in sounds), cached=sum(s.cached for s in sounds)),
        backends=backends.describe(options))
