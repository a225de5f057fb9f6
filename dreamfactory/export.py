"""A film's cut as an editor's timeline (OpenTimelineIO): the shots' clips, the scene transitions, speech, music and
subtitles, each clip carrying its scene, shot, render key, prompt, seed and model, written with OTIO's adapters."""

from __future__ import annotations

import re
import shutil
import wave
from pathlib import Path

from pydantic import BaseModel, Field

from . import layout
from .contracts import Made, RenderRecord
from .errors import SettingsError
from .film import DISSOLVE_SECONDS, FADE_SECONDS, film_history, transitions
from .store import Store
from .writing import load_head

# --format NAME -> (OTIO adapter, file suffix). `kdenlive` is MLT XML, the project format of Kdenlive and Shotcut:
# otio-kdenlive-adapter is unmaintained and its projects render at the wrong length in melt (checked), while
# otio-mlt-adapter's render frame-exact once the film's size and rate are written into the profile.
FORMATS = {"otio": ("otio_json", ".otio"), "edl": ("cmx_3600", ".edl"), "fcp7": ("fcp_xml", ".xml"),
           "fcpxml": ("fcpx_xml", ".fcpxml"), "kdenlive": ("mlt_xml", ".kdenlive")}


class ExportError(SettingsError):
    """A timeline cannot be exported (no film yet, an unknown format, an unwritable place)."""


class Exported(BaseModel):
    """What `export` wrote."""

    timeline: str = Field(description="Path of the timeline file.")
    subtitles: str = Field(description="Path of the SRT written beside it.")
    format: str
    film_key: str
    clips: int
    media: list[str] = Field(description="Where the timeline points for each medium (paths or s3:// URLs).")


def _rt(frames: float, fps: int):
    import opentimelineio as otio

    return otio.opentime.RationalTime(round(frames), fps)


def _range(start: float, frames: float, fps: int):
    import opentimelineio as otio

    return otio.opentime.TimeRange(_rt(start, fps), _rt(frames, fps))


def _subtitles_key(project: str, film_key: str) -> str:
    return layout.subtitles(project, film_key.rsplit("/", 1)[-1].split(".")[0])


def _cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each SubRip cue."""
    stamp = r"(\d+):(\d+):(\d+),(\d+)"
    seconds = lambda h, m, s, ms: int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000  # noqa: E731
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        match = re.search(stamp + r"\s*-->\s*" + stamp + r"\s*\n(.*)", block, re.S)
        if match:
            g = match.groups()
            out.append((seconds(*g[:4]), seconds(*g[4:8]), g[8].strip()))
    return out


def _wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path)) as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, OSError, EOFError):
        return None


class _Media:
    """Where the timeline points for a store object: where it is (a local path or an s3:// URL), or a copy in the
    bundle folder under a relative path, so the folder can move to the editing machine."""

    def __init__(self, store: Store, bundle: Path | None):
        self.store, self.bundle, self.used = store, bundle, []

    def __call__(self, key: str) -> str:
        if self.bundle is None:
            url = self.store.local_file(key).resolve().as_uri() if self.store.is_local else self.store.location(key)
        else:
            url = "media/" + key.split("/", 1)[-1].replace("/", "-")
            target = self.bundle / url
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.store.local_file(key), target)
        self.used.append(url)
        return url


def film_timeline(store: Store, project: str, media, film_key: str | None = None):
    """The latest film of a project (or `film_key`) as an OTIO timeline whose media references come from `media`."""
    import opentimelineio as otio

    history = film_history(store, project)
    if not history:
        raise ExportError(f"project {project} has no film yet; make one first (dreamfactory make / rerun)")
    key = film_key or history[-1].key
    film = store.read_model(layout.record(key), RenderRecord)
    screenplay, _ = load_head(store, project)
    records = [store.read_model(layout.record(c), RenderRecord) for c in film.inputs["clips"]]
    fps = records[0].inputs["fps"]
    made = [Made(kind="clip", key=c, sha256=r.sha256, scene_id=r.scene_id, shot_id=r.shot_id, made=False)
            for c, r in zip(film.inputs["clips"], records)]
    try:
        edges = transitions(screenplay, made)
    except (KeyError, ValueError):  # the screenplay moved on since (scenes removed): the film's cut holds no edges
        edges = [{} for _ in made]

    timeline = otio.schema.Timeline(name=screenplay.brief.title or project)
    timeline.global_start_time = _rt(0, fps)
    timeline.metadata["dreamfactory"] = {"project": project, "film": key, "screenplay_sha": film.inputs["screenplay_sha"]}
    video = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
    clip_sound = otio.schema.Track(name="Clip sound", kind=otio.schema.TrackKind.Audio)
    for clip_key, record, edge in zip(film.inputs["clips"], records, edges):
        frames = round(record.inputs["duration"] * fps)
        rendered = record.notes.get("frames") or frames
        source = otio.schema.ExternalReference(target_url=media(clip_key), available_range=_range(0, rendered, fps))
        ident = record.identity
        item = otio.schema.Clip(name=f"{record.scene_id}/{record.shot_id}", media_reference=source,
                                source_range=_range(0, frames, fps))
        item.metadata["dreamfactory"] = {
            "scene": record.scene_id, "shot": record.shot_id, "render_key": record.render_key,
            "prompt": record.inputs.get("prompt", ""), "seed": record.seed, "renderer": record.renderer,
            "model": str(ident.get("model_id") or ident.get("model") or ident.get("backend") or record.renderer),
            "transition": edge}
        for what in ("fade_in", "fade_out"):
            if what in edge:  # OTIO has no fade to black between a clip and nothing: a marker over its frames
                span = round(min(edge[what], FADE_SECONDS) * fps)
                item.markers.append(otio.schema.Marker(
                    name=what.replace("_", " "), color=otio.schema.MarkerColor.BLACK,
                    marked_range=_range(0 if what == "fade_in" else frames - span, span, fps)))
        video.append(item)
        if "dissolve_to" in edge:
            # The film dissolves over the shot's last frames into the next shot's first frame: a transition that ends
            # on the cut (all of it before the cut), as an editor's "end at cut" dissolve.
            span = round(min(edge.get("seconds", DISSOLVE_SECONDS), record.inputs["duration"] / 2) * fps)
            video.append(otio.schema.Transition(name="dissolve", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                                in_offset=_rt(span, fps), out_offset=_rt(0, fps)))
        if record.notes.get("audio"):  # the video model's own sound (LTX-2)
            clip_sound.append(otio.schema.Clip(name=item.name, media_reference=otio.schema.ExternalReference(
                target_url=source.target_url, available_range=source.available_range), source_range=_range(0, frames, fps)))
        else:
            clip_sound.append(otio.schema.Gap(source_range=_range(0, frames, fps)))
    timeline.tracks.append(video)

    speech = otio.schema.Track(name="Speech", kind=otio.schema.TrackKind.Audio)
    scene_frames: dict[str, int] = {}
    for record in records:
        scene_frames[record.scene_id] = scene_frames.get(record.scene_id, 0) + round(record.inputs["duration"] * fps)
    for scene_id, track_key in zip(scene_frames, film.inputs["speech"]):
        frames = scene_frames[scene_id]
        seconds = _wav_seconds(store.local_file(track_key))
        speech.append(otio.schema.Clip(name=f"{scene_id} speech", source_range=_range(0, frames, fps),
                                       media_reference=otio.schema.ExternalReference(
                                           target_url=media(track_key),
                                           available_range=_range(0, round(seconds * fps) if seconds else frames, fps))))
    timeline.tracks.append(speech)
    if any(isinstance(i, otio.schema.Clip) for i in clip_sound):
        timeline.tracks.append(clip_sound)
    music = film.inputs.get("music")
    if music and Path(music).is_file():
        total = sum(scene_frames.values())
        timeline.tracks.append(otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio, children=[
            otio.schema.Clip(name=Path(music).name, source_range=_range(0, total, fps), media_reference=otio.schema.ExternalReference(
                target_url=Path(music).resolve().as_uri(), available_range=_range(0, total, fps)))]))

    for start, end, text in _cues(store.read_bytes(_subtitles_key(project, key)).decode("utf-8")):
        video.markers.append(otio.schema.Marker(name=text, color=otio.schema.MarkerColor.YELLOW,
                                                marked_range=_range(start * fps, (end - start) * fps, fps),
                                                metadata={"dreamfactory": {"subtitle": text}}))
    return timeline, film, records


def export_film(store: Store, project: str, fmt: str, out: str | Path | None = None, bundle: str | Path | None = None,
                film_key: str | None = None) -> Exported:
    """Write the timeline of a project's latest film in `fmt` at `out` (in `bundle` with copies of the media, when
    given), and its subtitles beside it as SRT."""
    import opentimelineio as otio

    if fmt not in FORMATS:
        raise SettingsError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    adapter, suffix = FORMATS[fmt]
    bundle_dir = Path(bundle) if bundle else None
    path = Path(out) if out else Path(f"{project}{suffix}")
    if bundle_dir is not None and not path.is_absolute():
        path = bundle_dir / path.name
    for folder in {path.parent, *([bundle_dir] if bundle_dir else [])}:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".dreamfactory-write-test-{id(path)}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise ExportError(f"cannot write the timeline in {folder}: {exc.strerror or exc}; choose another --out") from exc
    media = _Media(store, bundle_dir)
    timeline, film, records = film_timeline(store, project, media, film_key)
    fps = records[0].inputs["fps"]
    if fmt in ("edl", "fcp7") and not otio.opentime.RationalTime.is_valid_timecode_rate(fps):
        raise ExportError(f"{fmt} timelines count in SMPTE timecode, which has no {fps} fps; make the film at 24, 25 or "
                          "30 fps, or export otio, fcpxml or kdenlive")
    if fmt == "edl":  # an EDL is one video track and its cuts (its dissolves need handles the clips do not have)
        video = timeline.tracks[0]
        for transition in [t for t in video if isinstance(t, otio.schema.Transition)]:
            video.remove(transition)
        timeline.tracks[:] = [video]
    extra = {}
    if adapter == "mlt_xml":  # the film's own size and rate, not melt's 720x576 fallback
        width, height = records[0].inputs["width"], records[0].inputs["height"]
        extra = {"width": width, "height": height, "frame_rate_num": fps, "frame_rate_den": 1, "progressive": 1,
                 "sample_aspect_num": 1, "sample_aspect_den": 1, "display_aspect_num": width, "display_aspect_den": height,
                 "colorspace": 709}
    otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **extra)
    subtitles = path.with_suffix(".srt")
    subtitles.write_bytes(store.read_bytes(_subtitles_key(project, film.object_key)))
    return Exported(timeline=str(path), subtitles=str(subtitles), format=fmt, film_key=film.object_key,
                    clips=len(records), media=list(dict.fromkeys(media.used)))
