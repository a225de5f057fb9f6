"""A film from a story, end to end through the Prefect flow, with the embedded default backends."""

from __future__ import annotations

import json
import subprocess

import imageio_ffmpeg
import pyarrow.parquet as pq
import pytest

from dreamfactory.cli import main
from tests.conftest import SAMPLE, SMALL


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
    """One film made once for the module's tests (4 scenes of the sample story, 320x180, 8 fps)."""
    store = tmp_path_factory.mktemp("store")
    out = tmp_path_factory.mktemp("out") / "film.mp4"
    code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", "4", "--json", "--out", str(out), *SMALL])
    assert code == 0
    return store, out


def test_film_has_every_scene_video_audio_and_subtitles(first_film, capsys):
    store, out = first_film
    result = make(capsys, store)  # the identical second run reports where everything is
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


def test_identical_second_run_renders_and_writes_nothing(first_film, capsys):
    store, _ = first_film
    before = snapshot(store)
    result = make(capsys, store)
    assert result["keyframes"] == {"rendered": 0, "cached": 4}
    assert result["clips"] == {"rendered": 0, "cached": 4}
    assert result["base_frame"] == {"rendered": 0, "cached": 1}
    assert result["film_rendered"] is False
    assert result["writer_answers"]["rendered"] == 0 and result["llm_calls"] == 0
    assert result["voice_lines"]["rendered"] == 0
    assert snapshot(store) == before


def test_manifest_records_how_to_make_every_render_again(first_film, capsys):
    store, _ = first_film
    result = make(capsys, store)
    manifests = list((store / result["project"] / "manifests").glob("*.parquet"))
    assert len(manifests) == 1
    table = pq.read_table(manifests[0]).to_pylist()
    kinds = [r["kind"] for r in table]
    assert kinds.count("keyframe") == 4 and kinds.count("clip") == 4 and kinds.count("base_frame") == 1
    assert "film" in kinds and "writing" in kinds
    for row in table:
        if row["kind"] in ("keyframe", "clip", "base_frame"):
            assert row["seed"] is not None and row["renderer"] and json.loads(row["identity_json"])
            assert json.loads(row["inputs_json"])["seed"] == row["seed"]


def test_show_lists_screenplay_states_and_films(first_film, capsys):
    store, _ = first_film
    result = make(capsys, store)
    assert main(["show", result["project"], "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "The Lighthouse Keeper's Daughter" in text and "## Base Description" in text
    assert text.count("keyframe rendered") == 0 or "s01" in text
    assert "## Films" in text and result["film_key"].split("/")[-1] in text
    assert main(["show", result["project"], "--store", str(store), "--transcript"]) == 0
    transcript = capsys.readouterr().out
    for role in ("ceo", "director", "screenwriter", "reviewer", "filmmaker"):
        assert f"· {role}" in transcript


def test_base_description_and_contact_sheet_are_artifacts(first_film, capsys):
    store, _ = first_film
    result = make(capsys, store)
    project = store / result["project"]
    assert list((project / "base").glob("bd-*.json"))
    sheets = list((project / "contact").glob("*.png"))
    assert len(sheets) == 1 and sheets[0].stat().st_size > 1000


def test_music_bed_makes_a_new_film_version_and_a_missing_file_is_one_line(first_film, capsys, tmp_path):
    import wave

    import numpy as np

    store, _ = first_film
    tone = tmp_path / "bed.wav"
    t = np.arange(0, 3.0, 1 / 24000)
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(24000)
        w.writeframes((0.2 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes())
    plain = make(capsys, store)
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

    from dreamfactory.cli import _started_here

    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None
    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    with _started_here():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")  # the user's choice is kept
    with _started_here():
        assert get_current_settings().flows.heartbeat_frequency == default
