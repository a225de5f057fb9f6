"""Bad input at the edge: one line, a non-zero exit, no traceback, and nothing in the store touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dreamfactory.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "store"
    (folder / "earlier-project").mkdir(parents=True)
    (folder / "earlier-project" / "screenplay.json").write_text('{"kept": true}')
    return folder


def _run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_error(code, err, needle):
    assert code == 2, err
    lines = [l for l in err.strip().splitlines() if l.startswith("dreamfactory: error:")]
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, needle", [
    (b"", "is empty"),
    (b"   \n\t \n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
    ("Mira sang: caf\xe9".encode("latin-1"), "not UTF-8"),
    (b"word " * 220_000, "longer than 200 KB"),
    (b"!!! ??? ...", "no words"),
])
def test_bad_story_files(tmp_path, store, capsys, content, needle):
    before = _snapshot(store)
    story = tmp_path / "story.txt"
    story.write_bytes(content)
    code, _, err = _run(["make", str(story), "--store", str(store)], capsys)
    _assert_one_line_error(code, err, needle)
    assert _snapshot(store) == before


def test_missing_story_file(tmp_path, store, capsys):
    code, _, err = _run(["make", str(tmp_path / "nope.txt"), "--store", str(store)], capsys)
    _assert_one_line_error(code, err, "does not exist")


@pytest.mark.parametrize("scenes, needle", [("0", "between 1 and 200"), ("1000", "between 1 and 200"), ("x", "whole number")])
def test_bad_scene_counts(store, capsys, scenes, needle):
    before = _snapshot(store)
    with pytest.raises(SystemExit) as exc:
        main(["make", str(ROOT / "stories" / "lighthouse.txt"), "--scenes", scenes, "--store", str(store)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert _snapshot(store) == before


def test_more_scenes_than_the_story_has(tmp_path, store, capsys):
    story = tmp_path / "short.txt"
    story.write_text("Mira walked to the sea. She sat down.")
    code, _, err = _run(["make", str(story), "--scenes", "5", "--store", str(store)], capsys)
    _assert_one_line_error(code, err, "too few for 5 scenes")


def test_unwritable_out(tmp_path, store, capsys):
    before = _snapshot(store)
    for out, needle in [(tmp_path / "missing-folder" / "film.mp4", "does not exist"), (tmp_path, "is a folder")]:
        code, _, err = _run(["make", str(ROOT / "stories" / "lighthouse.txt"), "--store", str(store), "--out", str(out)], capsys)
        _assert_one_line_error(code, err, needle)
    assert _snapshot(store) == before


def test_stdin_story_and_console_script(tmp_path):
    # The installed console script, reading an empty story from stdin: one line, exit 2.
    exe = Path(sys.executable).with_name("dreamfactory")
    done = subprocess.run([str(exe), "make", "-", "--store", str(tmp_path / "s")], input=b"  \n", capture_output=True,
                          env={**os.environ, "DREAMFACTORY_SETTINGS_FILE": str(tmp_path / "none.toml")})
    assert done.returncode == 2
    assert done.stderr.decode().strip() == "dreamfactory: error: standard input is empty"


def test_missing_local_model_folder_is_refused_before_any_work(tmp_path, store, capsys):
    before = _snapshot(store)
    code, _, err = _run(["make", str(ROOT / "stories" / "lighthouse.txt"), "--store", str(store),
                         "--image-model", str(tmp_path / "no-such-model")], capsys)
    _assert_one_line_error(code, err, "no such folder")
    assert _snapshot(store) == before


@pytest.mark.parametrize("flag, make, needle", [
    ("--video-model", "wan_t2v", "makes video from text alone"),
    ("--image-model", "wan_i2v", "image-to-video pipeline, not one for keyframes"),
    ("--video-model", "empty", "cannot load it as a diffusers pipeline"),
])
def test_a_local_model_that_cannot_do_its_task_is_refused_before_any_work(tmp_path, store, capsys, flag, make, needle):
    """Only its config files are read (a model_index.json is all these folders have): refused while planning, before
    a word of the script is written."""
    folder = tmp_path / make
    folder.mkdir()
    declared = {"wan_t2v": "WanPipeline", "wan_i2v": "WanImageToVideoPipeline"}.get(make)
    if declared:
        (folder / "model_index.json").write_text(json.dumps({"_class_name": declared, "transformer": ["diffusers", "X"]}))
    before = _snapshot(store)
    code, _, err = _run(["make", str(ROOT / "stories" / "lighthouse.txt"), "--store", str(store), flag, str(folder)],
                        capsys)
    _assert_one_line_error(code, err, needle)
    assert _snapshot(store) == before  # not a word of the script written


def test_settings_of_every_section_reach_the_options_of_a_run(tmp_path, capsys, monkeypatch):
    """`make`, `rerun`, `plan` and `params` take their options from the one converter: a `[metrics]` setting (in the
    environment or the TOML file) reaches the keyframe gate as it reaches `evaluate`, and a flag still wins."""
    toml = tmp_path / "dreamfactory.toml"
    toml.write_text("[metrics]\nface_min_size = 24\n[render]\nfps = 12\n")
    monkeypatch.setenv("DREAMFACTORY_SETTINGS_FILE", str(toml))
    monkeypatch.setenv("DREAMFACTORY_METRICS__CLIP_MODEL", "./my-clip")
    code, out, err = _run(["params", str(ROOT / "stories" / "lighthouse.txt"), "--fps", "8"], capsys)
    assert code == 0, err
    options = json.loads(out)["options"]
    assert options["metrics"] == {"face_min_size": 24, "clip_model": "./my-clip"}
    assert options["render"]["fps"] == 8
