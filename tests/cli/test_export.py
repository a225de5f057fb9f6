"""`dreamfactory export`: a film's cut as an editor's timeline, read back by OTIO's adapters and rendered by a real
editor engine (melt, MLT's command line, the engine under Kdenlive and Shotcut) to the film's own frames."""

from __future__ import annotations

import os
import shutil
import subprocess

import imageio_ffmpeg
import numpy as np
import opentimelineio as otio
import pytest

from dreamfactory import layout
from dreamfactory.cli import main
from dreamfactory.export import FORMATS, export_film
from dreamfactory.film import film_history
from dreamfactory.store import open_store
from tests.conftest import SAMPLE

FPS = 24  # EDL and FCP7 count in SMPTE timecode, which has 24 fps and not the suite's usual 8
SMALL = ["--width", "160", "--height", "96", "--fps", str(FPS)]  # a cut's timing is what is tested, not its pixels


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def film(tmp_path_factory, prefect_harness):
    """Three scenes of the sample story at 160x96, 24 fps, the first scene dissolving into the second and the
    second fading into the third."""
    store = tmp_path_factory.mktemp("store")
    assert main(["make", str(SAMPLE), "--store", str(store), "--scenes", "3", "--json", *SMALL]) == 0
    project = next(p.name for p in store.iterdir() if p.is_dir())
    assert main(["edit", project, "--store", str(store), "--scene", "s01", "--set", "transition=dissolve"]) == 0
    assert main(["edit", project, "--store", str(store), "--scene", "s02", "--set", "transition=fade"]) == 0
    assert main(["rerun", project, "--store", str(store), *SMALL]) == 0
    return open_store(str(store)), project


def shots_of(timeline) -> list[tuple[str, int, int]]:
    """(name, first source frame, frames) of every clip on the first video track."""
    track = timeline.video_tracks()[0]
    return [(c.name, round(c.source_range.start_time.value), round(c.source_range.duration.value))
            for c in track.find_clips()]


def film_shots(store, project) -> list[tuple[str, int, int]]:
    record = store.read_json(layout.record(film_history(store, project)[-1].key))
    return [(f"{r['scene_id']}/{r['shot_id']}", 0, round(r["inputs"]["duration"] * FPS))
            for r in (store.read_json(layout.record(c)) for c in record["inputs"]["clips"])]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reads_back_with_the_films_cuts(film, fmt, tmp_path):
    store, project = film
    done = export_film(store, project, fmt, tmp_path / f"cut{FORMATS[fmt][1]}")
    expected = film_shots(store, project)
    if fmt == "kdenlive":  # otio-mlt-adapter writes only: read the MLT playlist of the shots itself
        from xml.etree import ElementTree

        root = ElementTree.parse(done.timeline).getroot()
        profile = root.find("profile").attrib
        assert (profile["width"], profile["height"], profile["frame_rate_num"]) == ("160", "96", str(FPS))
        shots: list[list] = []
        for e in next(p for p in root.iter("playlist") if p.get("id") == "Shots").iter("entry"):
            frames = round(float(e.get("out"))) - round(float(e.get("in"))) + 1
            if e.get("producer").startswith("transition"):  # the dissolve: the last frames of the shot before it
                shots[-1][2] += frames
            else:
                shots.append([e.get("producer"), round(float(e.get("in"))), frames])
        assert [tuple(s) for s in shots] == expected
        return
    timeline = otio.adapters.read_from_file(done.timeline, adapter_name=FORMATS[fmt][0])
    if fmt == "edl":  # an EDL names its events by reel, not by clip name: the cuts are what it holds
        assert [(s, n) for _, s, n in shots_of(timeline)] == [(s, n) for _, s, n in expected]
    else:
        assert shots_of(timeline) == expected
    total = sum(n for *_, n in expected)
    assert round(timeline.video_tracks()[0].duration().value) == total
    assert open(done.subtitles, encoding="utf-8").read() == store.read_bytes(
        layout.subtitles(project, done.film_key.rsplit("/", 1)[-1].split(".")[0])).decode()


def test_the_otio_timeline_carries_transitions_sound_subtitles_and_each_clips_making(film, tmp_path):
    store, project = film
    timeline = otio.adapters.read_from_file(export_film(store, project, "otio", tmp_path / "cut.otio").timeline)
    video = timeline.video_tracks()[0]
    dissolves = [t for t in video if isinstance(t, otio.schema.Transition)]
    assert len(dissolves) == 1 and dissolves[0].out_offset.value == 0 and dissolves[0].in_offset.value > 0
    before = video[video.index(dissolves[0]) - 1]
    assert before.metadata["dreamfactory"]["scene"] == "s01"
    fades = [(c.metadata["dreamfactory"]["scene"], m.name) for c in video.find_clips() for m in c.markers]
    assert ("s02", "fade out") in fades and ("s03", "fade in") in fades
    film_record = store.read_json(layout.record(film_history(store, project)[-1].key))
    records = [store.read_json(layout.record(c)) for c in film_record["inputs"]["clips"]]
    for clip, record, key in zip(video.find_clips(), records, film_record["inputs"]["clips"]):
        made = clip.metadata["dreamfactory"]
        assert (made["scene"], made["shot"], made["render_key"], made["seed"], made["prompt"]) == (
            record["scene_id"], record["shot_id"], record["render_key"], record["seed"], record["inputs"]["prompt"])
        assert made["model"] and clip.media_reference.target_url == store.local_file(key).resolve().as_uri()
    speech = [t for t in timeline.audio_tracks() if t.name == "Speech"][0]
    assert [c.name for c in speech.find_clips()] == ["s01 speech", "s02 speech", "s03 speech"]
    assert round(speech.duration().value) == round(video.duration().value)
    subtitles = [m for m in video.markers if "subtitle" in m.metadata.get("dreamfactory", {})]
    assert subtitles and all(m.marked_range.duration.value > 0 for m in subtitles)


def frames(path) -> list[np.ndarray]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)


@pytest.mark.skipif(not shutil.which("melt") and not os.environ.get("CI"),
                    reason="melt (Debian's package) is not installed here; .ci/run installs it")
def test_melt_renders_the_kdenlive_project_to_the_films_frames(film, tmp_path):
    store, project = film
    done = export_film(store, project, "kdenlive", tmp_path / "cut.kdenlive")
    out = tmp_path / "melt.mp4"
    subprocess.run(["melt", done.timeline, "-consumer", f"avformat:{out}", "vcodec=libx264", "crf=12", "an=1"],
                   check=True, capture_output=True, timeout=300)
    ours, theirs = frames(store.local_file(done.film_key)), frames(out)
    assert len(theirs) == len(ours)
    # Fades to and from black are markers in a timeline (OTIO has no fade between a clip and nothing), so melt draws
    # those frames unfaded: compare every 3rd frame outside the marked fades and the end-on-cut dissolve.
    timeline = otio.adapters.read_from_file(export_film(store, project, "otio", tmp_path / "cut.otio").timeline)
    video = timeline.video_tracks()[0]
    skip = set()
    for clip in video.find_clips():
        start = round(video.range_of_child(clip).start_time.value)
        spans = [(m.marked_range.start_time.value, m.marked_range.duration.value) for m in clip.markers]
        spans += [(clip.source_range.duration.value - t.in_offset.value, t.in_offset.value)
                  for t in video if isinstance(t, otio.schema.Transition) and video[video.index(t) - 1] is clip]
        skip |= {start + round(s) + i for s, n in spans for i in range(-1, round(n) + 1)}
    sampled = [i for i in range(0, len(ours), 3) if i not in skip]
    scores = [psnr(ours[i], theirs[i]) for i in sampled]
    assert len(sampled) > len(ours) // 4 and min(scores) > 30, list(zip(sampled, scores))


def test_a_rerendered_shot_reexports_with_only_that_clip_changed(film, tmp_path, capsys):
    store, project = film
    before = export_film(store, project, "otio", tmp_path / "before.otio")
    code, _, err = run(capsys, "edit", project, "--store", store.url, "--scene", "s02", "--shot", "a",
                       "--set", "camera=tilt_up")
    assert code == 0, err
    assert main(["rerun", project, "--store", store.url, *SMALL]) == 0
    after = export_film(store, project, "otio", tmp_path / "after.otio")
    old, new = (otio.adapters.read_from_file(d.timeline).video_tracks()[0].find_clips() for d in (before, after))
    changed = [a.name for a, b in zip(old, new) if a.media_reference.target_url != b.media_reference.target_url]
    assert changed == ["s02/a"]


def test_a_bundle_holds_every_medium_under_relative_paths(film, tmp_path):
    store, project = film
    bundle = tmp_path / "for-the-editor"
    done = export_film(store, project, "fcp7", "cut.xml", bundle=bundle)
    assert done.timeline == str(bundle / "cut.xml")
    assert done.media and all(not m.startswith(("/", "file:")) for m in done.media)
    assert all((bundle / m).is_file() for m in done.media)
    moved = tmp_path / "moved"
    shutil.move(bundle, moved)
    timeline = otio.adapters.read_from_file(str(moved / "cut.xml"))
    assert all((moved / c.media_reference.target_url.removeprefix("file://")).is_file()
               for c in timeline.video_tracks()[0].find_clips())


def test_an_s3_store_exports_s3_urls_or_a_local_bundle(film, s3_env, tmp_path):
    store, project = film
    s3 = open_store(s3_env)
    for key in store.list(project):
        s3.put_bytes(key, store.read_bytes(key))
    done = export_film(s3, project, "otio", tmp_path / "cut.otio")
    assert done.media and all(m.startswith("s3://") for m in done.media)
    bundled = export_film(s3, project, "kdenlive", "cut.kdenlive", bundle=tmp_path / "bundle")
    assert all((tmp_path / "bundle" / m).is_file() for m in bundled.media)


@pytest.mark.parametrize("argv, says", [
    (["--format", "avid"], "unknown export format 'avid'"),
    (["--out", "/proc/no/such/dir/cut.otio"], "cannot write the timeline"),
])
def test_bad_input_is_one_line_and_exit_2(film, capsys, argv, says):
    store, project = film
    code, out, err = run(capsys, "export", project, "--store", store.url, *argv)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1


def test_a_project_without_a_film_is_one_line_and_exit_2(film, capsys, tmp_path):
    store, project = film
    bare = open_store(str(tmp_path / "bare"))
    bare.put_bytes(layout.screenplay_head(project), store.read_bytes(layout.screenplay_head(project)))
    code, _, err = run(capsys, "export", project, "--store", bare.url)
    assert code == 2 and "has no film yet" in err and len(err.strip().splitlines()) == 1


def test_the_cli_writes_the_timeline_and_says_where(film, capsys, tmp_path):
    store, project = film
    code, out, err = run(capsys, "export", project, "--store", store.url, "--format", "edl", "--out", str(tmp_path / "cut.edl"))
    assert code == 0, err
    assert str(tmp_path / "cut.edl") in out and (tmp_path / "cut.srt").is_file()
    events = otio.adapters.read_from_file(str(tmp_path / "cut.edl")).video_tracks()[0].find_clips()
    assert len(events) == len(film_shots(store, project))
