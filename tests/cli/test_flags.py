"""Flags come from the settings' fields, settings are read once per command (environment < TOML < flags < a run's
parameters) into one FilmOptions, and no secret leaves the process's settings."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dreamfactory.cli import main
from dreamfactory.cli.commands import build_parser
from dreamfactory.cli.flags import DEST, FLAGLESS, setting_fields
from dreamfactory.settings import FilmOptions, load_settings

ROOT = Path(__file__).resolve().parents[2]
STORY = str(ROOT / "stories" / "lighthouse.txt")
SECRET = "sk-never-shown-0123456789"


class Captured(Exception):
    """Raised by the plan stand-in: carries the FilmOptions a command resolved, before any work."""


@pytest.fixture
def settings_file(tmp_path, monkeypatch):
    """No dreamfactory.toml but the one a test writes, and no DREAMFACTORY_* from the machine running the tests."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("DREAMFACTORY_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "settings.toml"
    monkeypatch.setenv("DREAMFACTORY_SETTINGS_FILE", str(path))
    return path


def options_of(argv: list[str], monkeypatch) -> FilmOptions:
    """The FilmOptions a command hands its plan (and then its flow)."""
    def capture(store, what, options, *rest, **kw):
        raise Captured(options)

    monkeypatch.setattr("dreamfactory.plan.plan_story", capture)
    monkeypatch.setattr("dreamfactory.plan.plan_project", capture)
    with pytest.raises(Captured) as caught:
        main(argv)
    return caught.value.args[0]


def _dests(parser) -> set[str]:
    subs = [a for a in parser._actions if a.dest == "command"][0].choices.values()
    return {a.dest.removeprefix(DEST) for p in subs for a in p._actions if a.dest.startswith(DEST)}


def test_every_setting_has_a_flag_or_a_reason():
    flagged, paths = _dests(build_parser()), [path for path, _ in setting_fields()]
    missing = [p for p in paths if p not in flagged and p not in FLAGLESS]
    assert not missing, f"settings with no flag (add one, or list it in FLAGLESS with why): {missing}"
    assert set(FLAGLESS) <= set(paths), "FLAGLESS names a setting that no longer exists"
    assert not set(FLAGLESS) & flagged
    assert {"render.steps", "metrics.device", "writing.temperature", "review_attempts", "max_workers"} <= flagged


def test_generated_and_old_flags_reach_make_film_options(settings_file, tmp_path, monkeypatch):
    options = options_of(["make", STORY, "--store", str(tmp_path / "s"), "--steps", "12", "--metrics-device", "cuda",
                          "--no-review-by-metrics", "--review-attempts", "4", "--llm-temperature", "0.3",
                          "--cpu-offload", "model", "--vae-slicing", "--sound-loudness", "-20", "--keyframes", "diffusers",
                          "--no-sound", "--writer", "draft", "--llm-role-model", "reviewer=m1", "--scenes", "2"], monkeypatch)
    assert (options.render.steps, options.render.cpu_offload, options.render.vae_slicing) == (12, "model", True)
    assert options.render.keyframe_backend == "diffusers" and options.render.keyframe_iteration is True
    assert (options.metrics.device, options.review_by_metrics, options.review_attempts) == ("cuda", False, 4)
    assert (options.writing.temperature, options.writing.backend, options.writing.role_models) == (0.3, "draft", {"reviewer": "m1"})
    assert (options.sound.enabled, options.sound.loudness, options.scenes) == (False, -20.0, 2)
    assert options.store == str(tmp_path / "s")


def test_a_named_model_is_a_model_used(settings_file, tmp_path, monkeypatch):
    options = options_of(["make", STORY, "--store", str(tmp_path), "--llm-model", "m", "--image-model", "a/b",
                          "--video-model", "c/d"], monkeypatch)
    assert (options.writing.backend, options.render.keyframe_backend, options.render.clip_backend) == ("openai", "diffusers", "svd")
    settings_file.write_text('[writing]\nbackend = "draft"\n')  # a backend the settings chose stays chosen
    assert options_of(["make", STORY, "--store", str(tmp_path), "--llm-model", "m"], monkeypatch).writing.backend == "draft"


@pytest.mark.parametrize("command", ["make", "rerun", "plan"])
def test_metrics_settings_reach_every_run_command(settings_file, tmp_path, monkeypatch, command):
    """The old bug: `make` built its FilmOptions without [metrics], so the keyframe gate never saw them."""
    monkeypatch.setenv("DREAMFACTORY_METRICS__FACE_MIN_SIZE", "20")
    monkeypatch.setenv("DREAMFACTORY_METRICS__FACE_EMBEDDER", "dlib")
    settings_file.write_text('[metrics]\nface_min_probability = 0.5\n')
    target = "some-project" if command == "rerun" else STORY
    options = options_of([command, target, "--store", str(tmp_path)], monkeypatch)
    assert (options.metrics.face_min_size, options.metrics.face_embedder, options.metrics.face_min_probability) == (20, "dlib", 0.5)


def test_precedence_environment_toml_flags_parameters(settings_file, tmp_path, monkeypatch):
    monkeypatch.setenv("DREAMFACTORY_RENDER__FPS", "10")
    monkeypatch.setenv("DREAMFACTORY_RENDER__WIDTH", "640")
    monkeypatch.setenv("DREAMFACTORY_SEED", "3")
    argv = ["make", STORY, "--store", str(tmp_path)]
    assert options_of(argv, monkeypatch).render.fps == 10
    settings_file.write_text("seed = 4\n[render]\nfps = 12\n")
    options = options_of(argv, monkeypatch)
    assert (options.render.fps, options.render.width, options.seed) == (12, 640, 4)
    assert options_of([*argv, "--fps", "14"], monkeypatch).render.fps == 14
    # A deployment run's parameters: the fields it set win; what it left unset is the worker's setting.
    run = FilmOptions.model_validate({"render": {"fps": 16}, "scenes": 2}).resolved()
    assert (run.render.fps, run.render.width, run.seed, run.scenes, run.store) == (16, 640, 4, 2, "dreamfactory-store")
    resolved = load_settings(render={"fps": 14}).film_options()
    assert resolved.resolved() is resolved  # a command's options are resolved once, not again in the flow


def test_a_bad_setting_is_one_line_naming_it(settings_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DREAMFACTORY_LLM_API_KEY", SECRET)
    monkeypatch.setenv("DREAMFACTORY_RENDER__WIDTH", "7")
    assert main(["plan", STORY, "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dreamfactory: error: render.width:") and err.count("\n") == 1 and SECRET not in err


def test_secrets_stay_out_of_parameters_repr_and_output(settings_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET + "-openai")
    monkeypatch.setenv("DREAMFACTORY_LLM_API_KEY", SECRET + "-local")
    settings = load_settings()
    assert SECRET not in repr(settings) + str(settings) + settings.film_options().model_dump_json()
    assert settings.api_key(None) == SECRET + "-openai"  # OpenAI's own key only to OpenAI
    assert settings.api_key("http://127.0.0.1:8000/v1") == SECRET + "-local"  # never OpenAI's key to another server
    assert main(["params", STORY, "--store", str(tmp_path), "--llm-base-url", "http://127.0.0.1:9/v1"]) == 0
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err and "key" not in json.dumps(json.loads(out.out)["options"]).lower()
    assert not [f for f in FilmOptions.model_fields if "key" in f]  # a run's parameters have no place for one


def test_settings_are_built_in_one_place():
    pattern = re.compile(r"(?<![\w.])Settings\((\*\*|\))")  # a call: Settings() or Settings(**...)
    found = [f"{path.relative_to(ROOT)}:{n}" for folder in ("dreamfactory", "flows", "tasks", "deployments")
             for path in (ROOT / folder).rglob("*.py")
             for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == ["dreamfactory/settings.py:" + str(next(
        n for n, line in enumerate((ROOT / "dreamfactory/settings.py").read_text().splitlines(), 1)
        if "return Settings(" in line))], found
