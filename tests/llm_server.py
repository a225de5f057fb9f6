"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests: the real openai client talks HTTP to it.

Each request to POST /v1/chat/completions (or /chat/completions) takes the next step of the script, or the
default step when the script is used up. A step is a function of the recorded request that returns a Reply;
the helpers below make the usual ones: a JSON answer (fixed, or computed from the request, e.g. picked by the
json_schema name), raw text, an HTTP error, a slow answer, a refusal, an empty answer, and `fills_schema`: an
arbitrary answer valid against the schema the request carries, exactly as given and no more (what a server with
grammar-constrained decoding may return, however bad its model), and `dies`: the server crashes mid-request (closes
the connection unanswered and stops listening; `start()` brings it back on the same port). GET /v1/models names the
server's family in `owned_by`, as real servers do. Every chat request is recorded, so a test can say how many calls
were made and what they carried.

    with ScriptedLLM(default=by_schema({"Review": {"approved": True, "notes": []}})) as llm:
        llm.script(raw("not json"), status(429))
        ... ChatWriter(WritingSettings(base_url=llm.url), None) ...
        assert llm.calls == 3
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import re
import re._constants as sre
import re._parser as sre_parse
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest
from pydantic import BaseModel


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def model(self) -> str:
        return self.body.get("model", "")

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    @property
    def response_format(self) -> dict | None:
        return self.body.get("response_format")

    @property
    def tool(self) -> dict | None:
        """The function a forced tool call must call, when the request forces one."""
        choice = self.body.get("tool_choice")
        if not isinstance(choice, dict):
            return None
        name = choice["function"]["name"]
        return next(t["function"] for t in self.body.get("tools", []) if t["function"]["name"] == name)

    @property
    def format_type(self) -> str:
        return "tool" if self.tool else (self.response_format or {}).get("type", "text")

    @property
    def text(self) -> str:
        """Every message's content, joined."""
        return "\n".join(str(m.get("content") or "") for m in self.messages)

    @property
    def last_user(self) -> str:
        return next((str(m.get("content")) for m in reversed(self.messages) if m.get("role") == "user"), "")

    @property
    def schema_name(self) -> str:
        """The output asked for: the json_schema's name, or the schema's title in the prompt (fallback modes)."""
        fmt = self.response_format or {}
        if self.tool:
            return self.tool["name"]
        if fmt.get("type") == "json_schema":
            return fmt["json_schema"]["name"]
        if isinstance(fmt.get("schema"), dict) and fmt["schema"].get("title"):
            return fmt["schema"]["title"]
        found = re.search(r'\{"title":\s*"(\w+)"', self.text)
        return found.group(1) if found else ""

    @property
    def schema(self) -> dict | None:
        """The JSON schema the answer must match: response_format's, or the one written into the prompt."""
        fmt = self.response_format or {}
        if self.tool:
            return self.tool["parameters"]
        if fmt.get("type") == "json_schema":
            return fmt["json_schema"]["schema"]
        if isinstance(fmt.get("schema"), dict):
            return fmt["schema"]
        for message in self.messages:
            text = str(message.get("content") or "")
            if SCHEMA_MARK in text:
                return json.JSONDecoder().raw_decode(text[text.index(SCHEMA_MARK) + len(SCHEMA_MARK):].lstrip())[0]
        return None


@dataclass
class Reply:
    """What one request gets back."""

    status: int = 200
    content: str | None = ""
    refusal: str | None = None
    finish_reason: str = "stop"
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: bool = True
    dies: bool = False


Step = Callable[[Recorded], Reply]


# -- steps ---------------------------------------------------------------------------------------------------
def _dump(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value)


def answer(value: Any | Callable[[Recorded], Any]) -> Step:
    """A good answer: a dict or model, or a function of the request that returns one."""
    return lambda rec: Reply(content=_dump(value(rec) if callable(value) else value))


def raw(text: str, finish_reason: str = "stop") -> Step:
    """An answer whose content is exactly `text` (malformed JSON, a poem, a schema violation as a string)."""
    return lambda rec: Reply(content=text, finish_reason=finish_reason)


def status(code: int, message: str | Callable[[Recorded], str] = "", headers: dict | None = None) -> Step:
    """An HTTP error with OpenAI's error body. 429 and 5xx ask for a retry after 1 ms, to keep tests fast."""
    fast = {"retry-after": "0", "retry-after-ms": "1"} if code == 429 or code >= 500 else {}
    return lambda rec: Reply(
        status=code, error=message(rec) if callable(message) else (message or f"scripted HTTP {code}"),
        headers={**fast, **(headers or {})},
    )


def refuses_json_schema(code: int = 400) -> Step:
    """What a server that does not support structured outputs answers to response_format json_schema."""
    return status(code, "response_format of type 'json_schema' is not supported by this server")


def slow(seconds: float, then: Step | None = None) -> Step:
    """Answer only after `seconds` (past the client's timeout, the client gives up first)."""
    then = then or raw("{}")
    return lambda rec: Reply(**{**then(rec).__dict__, "delay": seconds})


def refusal(text: str = "I'm sorry, I can't help with that.") -> Step:
    return lambda rec: Reply(content=None, refusal=text)


def empty() -> Step:
    return lambda rec: Reply(content="")


def dies() -> Step:
    """The server crashes while answering (as llama.cpp's did on a grammar it could not hold)."""
    return lambda rec: Reply(dies=True)


def fills_schema(seed: int) -> Step:
    """Every answer: arbitrary JSON valid against the request's schema (seeded: the n-th call of a run gets the same
    answer on every run). Strings of any allowed length and characters, enums picked at random, numbers anywhere
    within their bounds (often at them), arrays of any allowed size; nothing the schema does not ask for."""
    calls = itertools.count()

    def step(rec: Recorded) -> Reply:
        schema = rec.schema
        if schema is None:
            return Reply(status=418, error="no schema in the request to fill")
        return Reply(content=json.dumps(fill(schema, random.Random(f"{seed}:{next(calls)}")), ensure_ascii=False))
    return step


def by_schema(answers: dict[str, Any]) -> Step:
    """Answer by the output asked for (the json_schema name): answers maps a name to a value or a function."""
    def step(rec: Recorded) -> Reply:
        name = rec.schema_name
        if name not in answers:
            return Reply(status=418, error=f"no scripted answer for schema {name!r}")
        return answer(answers[name])(rec)
    return step


# -- filling a schema ---------------------------------------------------------------------------------------
SCHEMA_MARK = "matches this JSON schema, and nothing else."  # how ChatWriter writes the schema into a prompt
# Characters a model may put in a string: letters, digits, punctuation a parser or a caption may choke on,
# spaces and newlines, accents, other scripts, an emoji.
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + " " * 8 + "\n\t"
            + "'\"\\{}[]<>&%$#@!?.,:;-_/|~`^*()+=" + "éÉüßøñçÆœ" + "中文字ひらがなДом" + "🙂")


def fill(schema: dict, rng: random.Random, root: dict | None = None, alphabet: str = ALPHABET) -> Any:
    """An arbitrary instance of `schema` (the subset of JSON Schema the studio sends), its strings drawn from
    `alphabet` (and whatever characters a pattern names)."""
    root = root or schema
    if "$ref" in schema:
        schema = {**_resolve(root, schema["$ref"]), **{k: v for k, v in schema.items() if k != "$ref"}}
    if "anyOf" in schema:
        return fill(rng.choice(schema["anyOf"]), rng, root, alphabet)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = rng.choice(kind)
    if kind == "object":
        required = set(schema.get("required", []))
        return {name: fill(sub, rng, root, alphabet) for name, sub in schema.get("properties", {}).items()
                if name in required or rng.random() < 0.5}
    if kind == "array":
        low = schema.get("minItems", 0)
        return [fill(schema.get("items", {}), rng, root, alphabet) for _ in range(_count(rng, low, schema.get("maxItems", low + 4)))]
    if kind == "string":
        return _string(schema, rng, alphabet)
    if kind == "integer":
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1001) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1001) - 1)
        return rng.choice([low, high, rng.randint(low, high)])
    if kind == "number":
        return _number(schema, rng)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    raise ValueError(f"the filler cannot fill {schema}")


def _resolve(root: dict, ref: str) -> dict:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _count(rng: random.Random, low: int, high: int) -> int:
    """A size from low to high, often at the bounds."""
    roll = rng.random()
    return low if roll < 0.2 else high if roll < 0.35 else rng.randint(low, min(high, low + 30))


def _number(schema: dict, rng: random.Random) -> float:
    step = 0.001
    low = schema["minimum"] if "minimum" in schema else schema["exclusiveMinimum"] + step if "exclusiveMinimum" in schema else -1e4
    high = schema["maximum"] if "maximum" in schema else schema["exclusiveMaximum"] - step if "exclusiveMaximum" in schema else low + 1e4
    return rng.choice([low, high, round(rng.uniform(low, high), 3)])


def _string(schema: dict, rng: random.Random, alphabet: str = ALPHABET) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    for _ in range(100):
        if "pattern" in schema:
            text = "".join(_from_regex(sre_parse.parse(schema["pattern"]), rng, alphabet))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(_count(rng, low, low + 24 if high is None else high)))
        if low <= len(text) <= (len(text) if high is None else high) and re.search(schema.get("pattern", ""), text):
            return text
    raise ValueError(f"the filler found no string for {schema}")


def _from_regex(parsed, rng: random.Random, alphabet: str) -> list[str]:
    """Characters matching a parsed regular expression (the part of the syntax JSON schemas use)."""
    out: list[str] = []
    for op, value in parsed:
        if op is sre.LITERAL:
            out.append(chr(value))
        elif op is sre.ANY:
            out.append(rng.choice(alphabet.replace("\n", "")))
        elif op is sre.IN:
            out.append(rng.choice(_members(tuple(value), alphabet)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = value
            high = low + 30 if high is sre.MAXREPEAT else high
            for _ in range(_count(rng, low, high)):
                out += _from_regex(sub, rng, alphabet)
        elif op is sre.SUBPATTERN:
            out += _from_regex(value[-1], rng, alphabet)
        elif op is sre.BRANCH:
            out += _from_regex(rng.choice(value[1]), rng, alphabet)
        elif op is not sre.AT:  # anchors match where they are
            raise ValueError(f"the filler cannot generate {op} in a pattern")
    return out


@functools.lru_cache(maxsize=None)
def _members(items: tuple, alphabet: str) -> list[str]:
    """The characters of the alphabet (and those the class names) that a character class matches."""
    return [c for c in dict.fromkeys(alphabet + _named(items)) if _in_class(c, items)]


def _named(items) -> str:
    """The characters a character class names itself (literals, range ends), so that it is never empty."""
    named = ""
    for op, value in items:
        if op is sre.LITERAL:
            named += chr(value)
        elif op is sre.RANGE:
            named += "".join(chr(c) for c in range(value[0], min(value[1], value[0] + 64) + 1))
    return named


def _in_class(char: str, items) -> bool:
    negate = bool(items) and items[0][0] is sre.NEGATE
    found = False
    for op, value in items[1:] if negate else items:
        if op is sre.LITERAL:
            found |= char == chr(value)
        elif op is sre.RANGE:
            found |= value[0] <= ord(char) <= value[1]
        elif op is sre.CATEGORY:
            found |= bool(re.fullmatch(_CATEGORIES[value], char))
    return found != negate


_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
               sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}


# -- the server ----------------------------------------------------------------------------------------------
class ScriptedLLM:
    """The server: start it (or use it as a context manager), point base_url at `url`, script its answers."""

    def __init__(self, default: Step | None = None, owned_by: str | None = "scripted"):
        self.default = default
        self.owned_by = owned_by  # what GET /models says of the server; None: no /models (404)
        self.port = 0  # 0 until started; kept, so that a server that died comes back at the same URL
        self.steps: list[Step] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.port, "start the server first"
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def calls(self) -> int:
        return len(self.requests)

    def script(self, *steps: Step) -> ScriptedLLM:
        with self._lock:
            self.steps.extend(steps)
        return self

    def reset(self) -> None:
        with self._lock:
            self.steps.clear()
            self.requests.clear()

    def _next(self, rec: Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
            step = self.steps.pop(0) if self.steps else self.default
        if step is None:
            return Reply(status=418, error="the script is used up")  # 418: not retried by the client
        return step(rec)

    def start(self) -> ScriptedLLM:
        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.port = self._httpd.server_address[1]
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="scripted-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow answers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> ScriptedLLM:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _completion(rec: Recorded, reply: Reply) -> dict:
    content = reply.content
    message = {"role": "assistant", "content": content, "refusal": reply.refusal}
    finish = reply.finish_reason
    if rec.tool and content is not None:  # a forced tool call: the answer is the call's arguments
        message = {**message, "content": None, "tool_calls": [
            {"id": "call-scripted", "type": "function", "function": {"name": rec.tool["name"], "arguments": content}}]}
        finish = "tool_calls" if finish == "stop" else finish
    body = {
        "id": f"chatcmpl-scripted-{id(reply)}", "object": "chat.completion", "created": 0, "model": rec.model,
        "choices": [{"index": 0, "logprobs": None, "finish_reason": finish, "message": message}],
    }
    if reply.usage:  # 4 characters a token: deterministic, so budget tests can count on it
        prompt, completion = max(1, len(rec.text) // 4), max(1, len(content or reply.refusal or "") // 4)
        body["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return body


def _handler(server: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request a connection: nothing lingers at shutdown

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            if not self.path.rstrip("/").endswith("/models") or server.owned_by is None:
                return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            model = {"id": "scripted-model", "object": "model", "created": 0, "owned_by": server.owned_by}
            self._send(200, {"object": "list", "data": [model]})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            if not self.path.rstrip("/").endswith("/chat/completions"):
                return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            rec = Recorded(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
            reply = server._next(rec)
            if reply.dies:  # stop listening first, so that the client's retries find nobody; then hang up unanswered
                server.stop()
                return
            if reply.delay and server._stopping.wait(reply.delay):
                return
            if reply.status != 200:
                error = {"message": reply.error, "type": "scripted_error", "param": None, "code": reply.status}
                return self._send(reply.status, {"error": error}, reply.headers)
            self._send(200, _completion(rec, reply), reply.headers)

        def _send(self, code: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): nothing to tell it
                pass

    return Handler


@pytest.fixture
def llm_server():
    """A started ScriptedLLM, stopped after the test."""
    with ScriptedLLM() as server:
        yield server
