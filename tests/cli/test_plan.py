"""`dreamfactory plan` and the answer-at-once path: the plan uses the tasks' own keys, so it says exactly what a run
will make, and a film that is already in the store is answered without Prefect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_server import prefect_api

from dreamfactory.cli import main
from dreamfactory.plan import FilmPlan, plan_project, plan_story
from dreamfactory.settings import FilmOptions, RenderSettings
from dreamfactory.store import open_store
from tests.conftest import ROOT, SAMPLE, SMALL

ARGS = ["--scenes", "2", *SMALL]


def _options(store: Path, project: str) -> FilmOptions:
    return FilmOptions(store=str(store), scenes=2, project=project, render=RenderSettings(width=320, height=180, fps=8))


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    with prefect_api(tmp_path_factory.mktemp("prefect")) as url:
        yield url


@pytest.fixture(scope="module")
def film(tmp_path_factory, prefect_server):
    """One small film with voices, made through the CLI in this process."""
    store = tmp_path_factory.mktemp("store")
    code = main(["make", str(SAMPLE), "--store", str(store), "--project", "light", "--json", *ARGS])
    assert code == 0
    return store, "light"


def _made_now(store: Path, project: str) -> None:
    """The film made with the code as it is now: a shared working tree may have changed a renderer's version since
    the module's film was made, and this test is about a film that exists."""
    story = SAMPLE.read_text(encoding="utf-8")
    if not plan_story(open_store(str(store)), story, _options(store, project)).plan.nothing_to_do:
        assert main(["make", str(SAMPLE), "--store", str(store), "--project", project, *ARGS]) == 0


def _made(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def no_writer(monkeypatch):
    """Every writer, and the studio that asks them, raises: a plan must not write."""
    from dreamfactory.agents.studio import Studio
    from dreamfactory.writers.draft import DraftWriter
    from dreamfactory.writers.openai_chat import ChatWriter

    def refuse(*args, **kwargs):
        raise AssertionError("a writer ran in a plan")

    for cls, name in ((Studio, "write"), (Studio, "ask"), (DraftWriter, "write"), (ChatWriter, "write")):
        monkeypatch.setattr(cls, name, refuse)


def _listed(plan: FilmPlan) -> list[tuple]:
    return [(s.kind, s.scene_id, s.shot_ids, s.line, s.key, s.stored) for s in plan.steps() if s.kind != "writing"]


def test_plan_of_a_made_film_has_nothing_to_make(film, capsys):
    store, project = film
    story = SAMPLE.read_text(encoding="utf-8")
    planned = plan_story(open_store(str(store)), story, _options(store, project))
    plan = planned.plan
    assert plan.nothing_to_do, [s for s in plan.to_make()]
    history = json.loads((store / project / "films.json").read_text())
    assert plan.film.key == history[-1]["key"]
    shots = sum(len(scene.shots) for scene in plan.scenes)
    kinds = [s.kind for s in plan.steps()]
    assert kinds.count("keyframe") == kinds.count("clip") == shots >= 2
    assert kinds.count("speech") == 2 and kinds.count("voice_line") >= 1


def test_make_again_answers_at_once_without_prefect(film, tmp_path):
    """A fresh process: the film is printed with zero renders, no server is started and Prefect is never imported
    (its API URL points at a closed port: any use of it would fail the command)."""
    store, project = film
    _made_now(store, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL="http://127.0.0.1:9/api", HOME=str(tmp_path))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "dreamfactory.cli", "make", str(SAMPLE), "--store",
                           str(store), "--project", project, "--json", *ARGS], capture_output=True, cwd=ROOT, env=env,
                          timeout=120)
    wall = time.perf_counter() - started
    assert done.returncode == 0, "\n".join(l for l in done.stderr.decode().splitlines() if not l.startswith("import time"))[-3000:]
    result = json.loads(done.stdout)
    assert result["keyframes"]["rendered"] == result["clips"]["rendered"] == result["base_frame"]["rendered"] == 0
    assert result["voice_lines"]["rendered"] == 0 and result["film_rendered"] is False and result["llm_calls"] == 0
    assert result["keyframes"]["cached"] == result["shots"] >= 2
    imported = [l.split("|")[-1].strip() for l in done.stderr.decode().splitlines() if l.startswith("import time:")]
    assert not [m for m in imported if m == "prefect" or m.startswith("prefect.")], "Prefect was imported"
    assert "Prefect server" not in done.stderr.decode()
    print(f"answered from the store in {wall:.2f} s (with -X importtime)")


def test_plan_after_an_edit_lists_exactly_what_the_rerun_renders(film, capsys):
    store, project = film
    options = _options(store, project)
    before = plan_project(open_store(str(store)), project, options)
    assert main(["edit", project, "--scene", "2", "--set", "action=The keeper climbs the stairs with a lantern.",
                 "--store", str(store)]) == 0
    capsys.readouterr()

    plan = plan_project(open_store(str(store)), project, options).plan
    todo = plan.to_make()
    assert {s.scene_id for s in todo if s.kind != "film"} == {"s02"}
    s02_shots = [shot.id for scene in plan.scenes if scene.scene_id == "s02" for shot in scene.shots]
    keyframes = sorted(s.shot_ids[0] for s in todo if s.kind == "keyframe")
    clips = sorted(s.shot_ids[0] for s in todo if s.kind == "clip")
    assert keyframes == clips == sorted(s02_shots)
    assert {s.kind for s in todo} == {"keyframe", "clip", "film"}  # the words are the same: no voice is made again
    # Keyframes are certain (their keys changed); a clip's key waits for its new keyframe's pixels.
    assert all(s.certain for s in todo if s.kind == "keyframe") and not any(s.certain for s in todo if s.kind == "clip")

    assert main(["plan", project, "--store", str(store), "--json", *SMALL]) == 0
    as_json = FilmPlan.model_validate_json(capsys.readouterr().out)
    assert [s.key for s in as_json.to_make()] == [s.key for s in todo]

    assert main(["rerun", project, "--store", str(store), "--json", *SMALL]) == 0
    result = _made(capsys)
    after = plan_project(open_store(str(store)), project, options)
    assert after.plan.nothing_to_do
    # Exactly the certain steps were made, and a clip exactly where its keyframe's pixels changed.
    assert result["keyframes"]["rendered"] == len(keyframes) and result["base_frame"]["rendered"] == 0
    changed = sum(a.sha256 != b.sha256 for a, b in zip(before.keyframes, after.keyframes))
    assert result["clips"]["rendered"] == changed <= len(clips)
    assert result["voice_lines"]["rendered"] == 0 and result["film_rendered"] is (changed > 0)


def test_plan_text_names_every_shot_and_the_estimate(film, capsys):
    store, project = film
    assert main(["plan", project, "--store", str(store), *SMALL]) == 0
    text = capsys.readouterr().out
    assert "shot a [wide" in text and "speech" in text and "film:" in text
    assert "nothing to make" in text


def test_a_plan_with_the_screenplay_recorded_runs_no_writer(film, no_writer):
    """The screenplay step's record names the screenplay: the plan lists the renders exactly as the project's own
    plan does (the film's key included), and no writer is asked."""
    store, project = film
    _made_now(store, project)
    options = _options(store, project)
    plan = plan_story(open_store(str(store)), SAMPLE.read_text(encoding="utf-8"), options).plan
    assert plan.writing.stored and plan.nothing_to_do
    assert plan.writing.key.startswith(f"{project}/screenplays/") and plan.scenes
    assert _listed(plan) == _listed(plan_project(open_store(str(store)), project, options).plan)


@pytest.mark.parametrize("change", ["review_rounds", "style", "prompt"])
def test_what_decides_the_screenplay_keys_its_record(film, no_writer, tmp_path, monkeypatch, change):
    """Another review round, style or role prompt: the screenplay is to write again (and no writer runs to say so)."""
    import shutil

    from dreamfactory.agents import prompts

    store, project = film
    options = _options(store, project)
    if change == "review_rounds":
        options = options.model_copy(update={"writing": options.writing.model_copy(update={"review_rounds": 1})})
    elif change == "style":
        options = options.model_copy(update={"style": "film noir"})
    else:
        shutil.copytree(prompts.PACKAGE_PROMPTS, tmp_path / "prompts")
        role = tmp_path / "prompts" / "roles" / "reviewer.md"
        role.write_text(role.read_text() + "\nBe brief.\n")
        monkeypatch.setenv("DREAMFACTORY_PROMPTS_DIR", str(tmp_path / "prompts"))
    plan = plan_story(open_store(str(store)), SAMPLE.read_text(encoding="utf-8"), options).plan
    assert not plan.writing.stored and not plan.scenes and not plan.film.stored
    assert plan.writing.key.startswith(f"{project}/steps/screenplay-")


def test_a_new_story_plans_its_writing_first(tmp_path, capsys, no_writer):
    story = tmp_path / "story.txt"
    story.write_text("Mira walked to the sea at dawn.\n\nShe found a bottle with a letter in it.\n")
    assert main(["plan", str(story), "--store", str(tmp_path / "empty"), "--json"]) == 0
    plan = FilmPlan.model_validate_json(capsys.readouterr().out)
    assert plan.writing is not None and not plan.writing.stored and not plan.film.stored and not plan.scenes
    assert plan.estimate_basis.startswith("no earlier records")
    assert main(["plan", str(story), "--store", str(tmp_path / "empty")]) == 0
    text = capsys.readouterr().out
    assert "screenplay: to write" in text and "every one after the screenplay is to make" in text
    assert not (tmp_path / "empty").exists() or not any((tmp_path / "empty").rglob("*.json"))  # planning wrote nothing


def test_a_plan_runs_no_make_function(film, monkeypatch):
    """The plan looks the flow's own steps up by their keys: no render, voice or assembly function runs, whether the
    store has everything or a changed seed leaves everything to make."""
    from dreamfactory import film as film_module, renders, voices

    def refuse(*args, **kwargs):
        raise AssertionError("a make-function ran in a plan")

    for module, name in ((renders, "make_keyframe"), (renders, "make_keyframe_checked"), (renders, "make_clip"),
                         (film_module, "assemble_film"), (voices, "voice_scene"), (voices.timing, "voice_scene")):
        monkeypatch.setattr(module, name, refuse)
    store, project = film
    options = _options(store, project)
    assert plan_project(open_store(str(store)), project, options).plan.nothing_to_do
    reseeded = plan_project(open_store(str(store)), project, options.model_copy(update={"seed": 8})).plan
    assert not reseeded.base.stored and not reseeded.film.stored
    assert {s.kind for s in reseeded.to_make()} == {"base_frame", "keyframe", "clip", "film"}  # the words keep their voices


def test_a_step_is_made_while_its_record_and_what_it_points_to_are_in_the_store(tmp_path):
    """The one rule the plan and the cache policy read: a step's record at its key, and the objects it names."""
    from dreamfactory import layout, steps
    from dreamfactory.contracts import Made

    store = open_store(str(tmp_path))
    step = steps.Step(kind="keyframe", scene_id="s01", shot_id="a")
    made = Made(kind="keyframe", scene_id="s01", shot_id="a", key="p/keyframes/s01/a-1.png", sha256="ab" * 32,
                made=True, seconds=1.5)
    assert steps.found(store, "p", step, "k1") is None
    steps.keep(store, "p", step, "k1", made)
    assert steps.found(store, "p", step, "k1") is None  # the keyframe itself is not there
    store.put_bytes(made.key, b"png")
    store.put_bytes(layout.record(made.key), b"{}")
    assert steps.found(store, "p", step, "k1") == made.model_copy(update={"made": False, "seconds": 0.0})
    assert steps.found(store, "p", step, "k2") is None  # another key: other inputs
    store.put_bytes(steps.record_key("p", step, "k3"), b"not a record")
    assert steps.found(store, "p", step, "k3") is None  # unreadable: the step runs again
