"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests: the real openai client talks HTTP to it.

Each request to POST /v1/chat/completions (or /chat/completions) takes the next step of the script, or the
default step when the script is used up. A step is a function of the recorded request that returns a Reply;
the helpers below make the usual ones: a JSON answer (fixed, or computed from the request, e.g. picked by the
json_schema name), raw text, an HTTP error, a slow answer, a refusal, an empty answer. Every request is
recorded, so a test can say how many calls were made and what they carried.

    with ScriptedLLM(default=by_schema({"Review": {"approved": True, "notes": []}})) as llm:
        llm.script(raw("not json"), status(429))
        ... ChatWriter(WritingSettings(base_url=llm.url), None) ...
        assert llm.calls == 3
"""

from __future__ import annotations

import json
import re
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
    def format_type(self) -> str:
        return (self.response_format or {}).get("type", "text")

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
        if fmt.get("type") == "json_schema":
            return fmt["json_schema"]["name"]
        if isinstance(fmt.get("schema"), dict) and fmt["schema"].get("title"):
            return fmt["schema"]["title"]
        found = re.search(r'\{"title": "(\w+)"', self.text)
        return found.group(1) if found else ""


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


def by_schema(answers: dict[str, Any]) -> Step:
    """Answer by the output asked for (the json_schema name): answers maps a name to a value or a function."""
    def step(rec: Recorded) -> Reply:
        name = rec.schema_name
        if name not in answers:
            return Reply(status=418, error=f"no scripted answer for schema {name!r}")
        return answer(answers[name])(rec)
    return step


# -- the server ----------------------------------------------------------------------------------------------
class ScriptedLLM:
    """The server: start it (or use it as a context manager), point base_url at `url`, script its answers."""

    def __init__(self, default: Step | None = None):
        self.default = default
        self.steps: list[Step] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

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
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
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
    body = {
        "id": f"chatcmpl-scripted-{id(reply)}", "object": "chat.completion", "created": 0, "model": rec.model,
        "choices": [{
            "index": 0, "logprobs": None, "finish_reason": reply.finish_reason,
            "message": {"role": "assistant", "content": content, "refusal": reply.refusal},
        }],
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
