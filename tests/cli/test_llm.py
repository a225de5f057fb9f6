"""The whole product on a chat model: `dreamfactory make --llm-base-url` against an OpenAI-compatible server on
127.0.0.1 (scripted answers), through the real openai client and the Prefect flow."""

from __future__ import annotations

import json

import pytest

from dreamfactory.cli import main
from tests.conftest import SMALL
from dreamfactory.store import open_store
from dreamfactory.writing import load_head
from tests.llm_server import by_schema, dies, fills_schema, llm_server  # noqa: F401 - the fixture
from tests.agents.test_studio_llm import GOOD, STORY, assert_a_valid_film

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_make_on_a_chat_server_then_rerun_makes_zero_calls(tmp_path, capsys, llm_server, monkeypatch):
    llm_server.default = by_schema(GOOD)
    monkeypatch.setenv("DREAMFACTORY_LLM_API_KEY", "sk-local-secret-123")
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    argv = ["make", str(story), "--store", str(tmp_path / "store"), "--scenes", "2", "--json", "--no-sound",
            "--llm-base-url", llm_server.url, "--llm-model", "m-main", "--llm-role-model", "reviewer=m-cheap", *SMALL]
    assert main(argv) == 0
    out = capsys.readouterr()
    first = json.loads(out.out)
    assert "chat model m-main" in out.err  # the CLI says which writer runs
    assert first["llm_calls"] == 8 and first["llm_tokens"] > 0 and llm_server.calls == 8
    assert first["tokens_by_phase"]["screenplay/reviewer"] > 0
    assert {r.model for r in llm_server.requests if r.schema_name == "Review"} >= {"m-cheap"}
    assert first["scenes"] == 2

    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["llm_calls"] == 0 and llm_server.calls == 8  # every answer came from the store
    assert second["writer_answers"] == {"rendered": 0, "cached": 8}

    # The key reached the server (it is its key) but nothing in the store or the output mentions it.
    store_text = "".join(p.read_text(errors="ignore") for p in (tmp_path / "store").rglob("*.json"))
    assert "sk-local-secret-123" not in store_text and "sk-local-secret-123" not in out.out + out.err
    assert main(["show", first["project"], "--store", str(tmp_path / "store"), "--transcript"]) == 0
    assert "sk-local-secret-123" not in capsys.readouterr().out


def test_budget_stops_before_passing_it_and_keeps_what_was_written(tmp_path, capsys, llm_server):
    llm_server.default = by_schema(GOOD)
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    base = ["make", str(story), "--store", str(tmp_path / "store"), "--scenes", "2", "--json", "--no-sound",
            "--llm-base-url", llm_server.url, "--llm-model", "m-main", *SMALL]
    assert main([*base, "--max-tokens", "900"]) == 1
    err = capsys.readouterr().err
    assert "token budget of 900" in err and "Traceback" not in err
    made = llm_server.calls
    assert 0 < made < 8
    assert main([*base, "--max-tokens", "100000"]) == 0
    assert json.loads(capsys.readouterr().out)["llm_calls"] == 8 - made


@pytest.mark.parametrize("seed", [0, 1, 5])  # seed 5 once wrote a setting with a line break, which the animatic could not draw
def test_make_films_whatever_a_schema_filling_server_answers(tmp_path, capsys, llm_server, seed):
    """A server that decodes with the schema as its grammar, and a model that writes nonsense within it: the film is
    still made, every shot rendered, and the screenplay in the store is valid."""
    llm_server.default = fills_schema(seed)
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    store = tmp_path / "store"
    argv = ["make", str(story), "--store", str(store), "--scenes", "2", "--json", "--no-sound",
            "--llm-base-url", llm_server.url, "--llm-model", "m-main", *SMALL]
    assert main(argv) == 0, capsys.readouterr().err[-2000:]
    made = json.loads(capsys.readouterr().out)
    assert made["scenes"] == 2 and made["llm_calls"] == llm_server.calls
    assert not [r for r in llm_server.requests if "is not a valid" in r.last_user]  # nothing needed repair

    screenplay, _ = load_head(open_store(store), made["project"])
    assert_a_valid_film(screenplay, scenes=2)
    shots = sum(len(scene.shots) for scene in screenplay.scenes)
    assert made["shots"] == shots == made["keyframes"]["rendered"] == made["clips"]["rendered"] and made["film_rendered"]


def test_a_server_that_dies_mid_run_is_named_and_the_next_run_resumes(tmp_path, capsys, llm_server):
    def crashes_on_the_screenplay(rec):
        return dies()(rec) if rec.schema_name == "ScenePlans" else by_schema(GOOD)(rec)

    llm_server.default = crashes_on_the_screenplay
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    argv = ["make", str(story), "--store", str(tmp_path / "store"), "--scenes", "2", "--json", "--no-sound",
            "--llm-base-url", llm_server.url, "--llm-model", "m-main", *SMALL]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert (f"the server at {llm_server.url} closed the connection during the screenplay phase (it may have crashed)"
            in err and "start the server" not in err and "Traceback" not in err)
    made = llm_server.calls
    assert made == 5  # brief, its review, design, its review, and the screenplay it died on

    llm_server.default = by_schema(GOOD)
    llm_server.start()  # restarted at the same URL: the answers written before it died are not asked again
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["llm_calls"] == 4 and llm_server.calls == made + 4
