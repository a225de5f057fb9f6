"""A film from a story, end to end through the Prefect flow, with the embedded default backends: shots cut hard
within a scene, scenes joined by their transitions."""

from __future__ import annotations

import json
import re
import subprocess

import imageio_ffmpeg
import pyarrow.parquet as pq
import pytest

from dreamfactory.cli import main
from tests.conftest import SAMPLE, SMALL, make_quietly


def make(capsys, store, *extra) -> dict:
    code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", "4", "--json", *SMALL, *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def streams(path) -> str:
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return done.stderr


def snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def first_film(tmp_path_factory, prefect_harness):
    """One film made once for the module's tests (4 scenes of the sample story, 320x180, 8 fps): (store, the --out
    copy, what the run reported)."""
    store = tmp_path_factory.mktemp("store")
    out = tmp_path_factory.mktemp("out") / "film.mp4"
    return store, out, make_quietly(store, "--out", str(out))


@pytest.fixture(scope="module")
def second_run(first_film):
    """The identical second run, once: (what it reported, the store's files before it, after it)."""
    store, _, _ = first_film
    before = snapshot(store)
    result = make_quietly(store)
    return result, before, snapshot(store)


def test_film_has_every_scene_video_audio_and_subtitles(first_film):
    store, out, result = first_film
    assert result["scenes"] == 4
    film = store / result["film_key"]
    assert film.exists() and out.exists() and out.read_bytes() == film.read_bytes()
    info = streams(film)
    assert "Video: h264" in info and "320x180" in info and "8 fps" in info
    assert "Audio: aac" in info
    assert "Subtitle: mov_text" in info
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(film))
    assert abs(seconds - result["duration"]) < 0.2
    assert frames == pytest.approx(result["duration"] * 8, abs=2)
    from dreamfactory.voices import measure_loudness

    assert measure_loudness(film)["input_i"] == pytest.approx(-16.0, abs=1.5)  # speech at the EBU R128 web target
    srt = (store / result["film_key"].replace(".mp4", ".srt")).read_text()
    assert "Grandfather, the light is out!" in srt or "-->" in srt


def test_identical_second_run_renders_and_writes_nothing(first_film, second_run):
    _, _, first = first_film
    result, before, after = second_run
    assert result["shots"] > result["scenes"] == 4  # the storyboard cuts scenes into shots
    assert result["keyframes"] == {"rendered": 0, "cached": result["shots"]}
    assert result["clips"] == {"rendered": 0, "cached": result["shots"]}
    assert result["base_frame"] == {"rendered": 0, "cached": 1}
    assert result["film_rendered"] is False and result["film_key"] == first["film_key"]
    assert result["writer_answers"]["rendered"] == 0 and result["llm_calls"] == 0
    assert result["voice_lines"]["rendered"] == 0
    assert after == before


def test_manifest_records_how_to_make_every_render_again(first_film):
    store, _, result = first_film
    manifests = list((store / result["project"] / "manifests").glob("*.parquet"))
    assert len(manifests) == 1
    table = pq.read_table(manifests[0]).to_pylist()
    kinds = [r["kind"] for r in table]
    assert kinds.count("keyframe") == kinds.count("clip") == result["shots"] and kinds.count("base_frame") == 1
    assert {(r["scene_id"], r["shot_id"]) for r in table if r["kind"] == "clip"} == \
        {(r["scene_id"], r["shot_id"]) for r in table if r["kind"] == "keyframe"}
    assert "film" in kinds and "writing" in kinds
    for row in table:
        if row["kind"] in ("keyframe", "clip", "base_frame"):
            assert row["seed"] is not None and row["renderer"] and json.loads(row["identity_json"])
            assert json.loads(row["inputs_json"])["seed"] == row["seed"]


def test_show_lists_screenplay_states_and_films(first_film, capsys):
    store, _, result = first_film
    assert main(["show", result["project"], "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "The Lighthouse Keeper's Daughter" in text and "## Base Description" in text
    assert text.count("keyframe rendered") == 0 or "s01" in text
    assert "## Films" in text and result["film_key"].split("/")[-1] in text
    assert main(["show", result["project"], "--store", str(store), "--transcript"]) == 0
    transcript = capsys.readouterr().out
    for role in ("ceo", "director", "screenwriter", "reviewer", "filmmaker"):
        assert f"· {role}" in transcript


def test_base_description_and_contact_sheet_are_artifacts(first_film):
    store, _, result = first_film
    project = store / result["project"]
    assert list((project / "base").glob("bd-*.json"))
    sheets = list((project / "contact").glob("*.png"))
    assert len(sheets) == 1 and sheets[0].stat().st_size > 1000


def test_music_bed_makes_a_new_film_version_and_a_missing_file_is_one_line(first_film, capsys, tmp_path):
    import wave

    import numpy as np

    store, _, plain = first_film
    tone = tmp_path / "bed.wav"
    t = np.arange(0, 3.0, 1 / 24000)
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(24000)
        w.writeframes((0.2 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes())
    scored = make(capsys, store, "--music", str(tone))
    assert scored["film_key"] != plain["film_key"] and scored["film_rendered"] is True
    assert scored["clips"]["rendered"] == 0 and scored["keyframes"]["rendered"] == 0  # only the mix is new
    record = json.loads((store / scored["film_key"].replace(".mp4", ".json")).read_text())
    assert record["inputs"]["music_sha256"] and record["notes"]["mix"]["music_seconds"] == pytest.approx(3.0, abs=0.05)
    code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", "4", *SMALL, "--music", str(tmp_path / "none.wav")])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == f"dreamfactory: error: --music {tmp_path / 'none.wav'}: no such file"


def test_runs_started_by_the_cli_have_no_heartbeat_unless_asked(monkeypatch):
    """Prefect joins its heartbeat thread (1 s sleeps) at every run's end; a CLI run does not pay for it."""
    from prefect.settings import get_current_settings

    from dreamfactory.cli.server import started_here

    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None
    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    with started_here():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")  # the user's choice is kept
    with started_here():
        assert get_current_settings().flows.heartbeat_frequency == default


def scene_changes(path) -> list[float]:
    """Times ffmpeg's scene-change filter marks as cuts (a frame differing from the one before by more than 0.3)."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-vf",
                           "select='gt(scene,0.3)',showinfo", "-f", "null", "-"], capture_output=True, text=True)
    return [float(t) for t in re.findall(r"pts_time:([0-9.]+)", done.stderr)]


def test_shots_are_hard_cuts_within_a_scene(first_film):
    """Shot boundaries inside a scene are cuts that ffmpeg's scene-change filter finds, to the frame."""
    store, _, result = first_film
    record = json.loads((store / result["film_key"].replace(".mp4", ".json")).read_text())
    t, cuts, previous = 0.0, [], None
    for key in record["inputs"]["clips"]:
        clip = json.loads((store / key.replace(".mp4", ".json")).read_text())
        if previous == clip["scene_id"]:
            cuts.append(t)
        t, previous = t + clip["inputs"]["duration"], clip["scene_id"]
    assert result["shots"] > result["scenes"] and len(cuts) == result["shots"] - result["scenes"]
    found = scene_changes(store / result["film_key"])
    seen = [cut for cut in cuts if any(abs(f - cut) <= 1 / 8 + 1e-3 for f in found)]
    # Two shots of one scene can be alike (a medium shot, then a close-up on the same backdrop) and score under
    # 0.3; most cuts are plain changes of picture.
    assert len(seen) >= 0.6 * len(cuts), (cuts, found)


def solid_clip(path, colour: str, seconds: float, fps: int = 8) -> list[int]:
    """A clip as every clip backend writes it (the shared encoding, its cut points), of one colour with a white bar
    that moves a pixel column a frame (so frames differ and copying the wrong one shows). Returns its cut points."""
    import numpy as np
    from PIL import ImageColor

    from dreamfactory.renderers.encoding import write_clip

    count = round(seconds * fps)
    frames = []
    for i in range(count):
        frame = np.zeros((36, 64, 3), np.uint8)
        frame[:] = ImageColor.getrgb(colour)
        frame[:, (2 * i) % 64] = 255
        frames.append(frame.tobytes())
    return write_clip(frames, path, (64, 36), fps, count)


def frames_of(path) -> list:
    import numpy as np

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3).astype(float) for f in reader]


def test_scene_transitions_change_only_the_boundary_pieces(tmp_path):
    """A fade dips to black across the boundary, a dissolve melts the last shot into the next scene's first frame;
    both keep every clip's frame count (sound stays in sync), are made once and stored content-addressed."""
    from dreamfactory.film import transitions, with_transition
    from dreamfactory.contracts import Made
    from dreamfactory.store import open_store

    store = open_store(str(tmp_path / "store"))
    cuts = {}
    for name, colour in (("red", "red"), ("blue", "blue")):
        cuts[name] = solid_clip(tmp_path / f"{name}.mp4", colour, 2.0)
        store.put_file(f"p/clips/{name}.mp4", tmp_path / f"{name}.mp4")
    assert cuts["red"] == [5, 11]  # half a second and a frame from each end, at 8 fps
    red = Made(kind="clip", scene_id="s01", shot_id="a", key="p/clips/red.mp4", sha256="0" * 64, made=False)
    blue = Made(kind="clip", scene_id="s02", shot_id="a", key="p/clips/blue.mp4", sha256="1" * 64, made=False)
    source = {name: frames_of(store.local_file(f"p/clips/{name}.mp4")) for name in cuts}

    fade_out = frames_of(store.local_file(with_transition(store, "p", red, 2.0, 8, {"fade_out": 0.25}, cuts["red"])))
    fade_in = frames_of(store.local_file(with_transition(store, "p", blue, 2.0, 8, {"fade_in": 0.25}, cuts["blue"])))
    assert len(fade_out) == len(fade_in) == 16
    assert fade_out[0].mean() > 40 and fade_out[-1].mean() < 15 and fade_in[0].mean() < 15 and fade_in[-1].mean() > 20 and fade_in[1].mean() < fade_in[-1].mean()
    # Only the transition's frames were re-encoded: the rest are the clip's own frames, bit for bit.
    assert all((a == b).all() for a, b in zip(fade_out[:11], source["red"][:11]))
    assert all((a == b).all() for a, b in zip(fade_in[5:], source["blue"][5:]))
    edge = {"dissolve_to": blue.key, "seconds": 0.5}
    key = with_transition(store, "p", red, 2.0, 8, edge, cuts["red"])
    melted = frames_of(store.local_file(key))
    assert len(melted) == 16 and all((a == b).all() for a, b in zip(melted[:11], source["red"][:11]))
    r, b = melted[0].mean(axis=(0, 1)), melted[-1].mean(axis=(0, 1))
    assert r[0] > 150 > r[2] and b[2] > 150 > b[0]  # starts red, ends on the blue scene's first frame
    assert with_transition(store, "p", red, 2.0, 8, edge, cuts["red"]) == key  # made once
    assert with_transition(store, "p", red, 2.0, 8, {}) == red.key  # a hard cut is the clip itself
    # A one-shot scene between two fades: both ends re-encoded, the middle copied.
    both = frames_of(store.local_file(with_transition(store, "p", red, 2.0, 8, {"fade_in": 0.25, "fade_out": 0.25},
                                                      cuts["red"])))
    assert len(both) == 16 and both[0].mean() < 15 and both[-1].mean() < 15
    assert all((a == b).all() for a, b in zip(both[5:11], source["red"][5:11]))
    assert abs(both[4].mean() - source["red"][4].mean()) < 3 and abs(both[11].mean() - source["red"][11].mean()) < 3
    # A clip without cut points (another backend's, an older one) is re-encoded whole, to the same frame count.
    whole = frames_of(store.local_file(with_transition(store, "p", blue, 2.0, 8, {"fade_out": 0.25})))
    assert len(whole) == 16 and whole[-1].mean() < 15 and whole[0].mean() > 40

    class Two:  # the screenplay's transitions only
        def scene(self, scene_id):
            return type("S", (), {"transition": {"s01": "dissolve", "s02": "fade"}[scene_id]})

    shot_b = red.model_copy(update={"shot_id": "b", "key": "p/clips/red-b.mp4"})
    assert transitions(Two(), [red, shot_b, blue]) == [{}, {"dissolve_to": blue.key, "seconds": 0.5}, {}]


def test_a_clips_own_fades_are_the_ones_the_assembly_applies():
    """The clip task makes its faded piece early (film.fade_edge); the assembly must then find it at the same key,
    so both must agree on every shot's fades; dissolves are the assembly's alone."""
    from dreamfactory.film import fade_edge, transitions
    from dreamfactory.contracts import Made

    class Scene:  # the screenplay's fields these two read
        def __init__(self, id, shots, transition):
            self.id, self.transition = id, transition
            self.shots = [type("Shot", (), {"id": s}) for s in shots]

    class Play:
        def __init__(self, scenes):
            self.scenes = scenes

        def scene(self, scene_id):
            return next(s for s in self.scenes if s.id == scene_id)

    play = Play([Scene("s01", "ab", "fade"), Scene("s02", "a", "fade"), Scene("s03", "abc", "dissolve"),
                 Scene("s04", "a", "cut"), Scene("s05", "ab", "fade"), Scene("s06", "a", "fade")])
    clips = [Made(kind="clip", scene_id=s.id, shot_id=h.id, key=f"p/clips/{s.id}{h.id}.mp4", sha256="0" * 64, made=True)
             for s in play.scenes for h in s.shots]
    for clip, edge in zip(clips, transitions(play, clips)):
        early = fade_edge(play, clip.scene_id, clip.shot_id)
        assert early == ({} if "dissolve_to" in edge else edge), (clip, edge, early)
    assert fade_edge(play, "s02", "a") == {"fade_in": 0.25, "fade_out": 0.25}
    assert fade_edge(play, "s06", "a") == {"fade_in": 0.25}  # the last scene fades in, and has no next to fade to
