"""The studio's roles on real chat models: OpenAI, or any OpenAI-compatible server, through the openai client.

Each phase asks for its answer model (agents/answers.py) as a strict JSON schema; a server that refuses that format
gets the next kind in MODES, and the first kind it accepts is kept for the writer's life. What the schema may say
depends on the server's grammar engine (its URL, its /models or the `grammar` setting; never found by trying: a long
bound crashes llama.cpp). Every answer is validated against every bound; an invalid one is sent back with the errors,
at most `repair_attempts` times. docs/chat-models.md and docs/llm-servers.md say why, server by server. The story is
data: an answer that is not the schema is repaired or rejected; API keys never reach a message we build.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import openai
from pydantic import BaseModel, ValidationError

from ..errors import WritingError
from ..progress import report
from ..settings import WritingSettings
from .base import Message, PhaseReply, PhaseRequest, Usage

OPENAI_BASE_URL = "https://api.openai.com/v1"
KEYLESS = "not-needed"  # local servers (Ollama, vLLM, llama.cpp) ignore the key, but the client wants one
WRITER_VERSION = 2  # bump when the way answers are asked for changes: it enters every cache key

# From the most to the least constrained; a writer starts at the first and only moves down.
MODES = ("json_schema", "json_object+schema", "tool", "json_object", "text")

SCHEMA_HINT = "The answer is a {name}: one JSON object that matches this JSON schema, and nothing else.\n{schema}"
REPAIR = "Your answer is not a valid {name}: {errors}\nAnswer again with the whole corrected JSON object, and nothing else."
# OpenAI's strict mode takes `pattern` but not minLength/maxLength: there a string's length is said as a pattern.
ANY_LENGTH = "^[\\s\\S]{{{low},{high}}}$"
# Servers that say in /models (owned_by) that they decode with xgrammar, which holds every bound at once. Any other
# server (llama.cpp "llamacpp", llama-cpp-python "me", Ollama "library", LM Studio, unknown ones) gets the schema that
# llama.cpp's grammar holds: a server we do not know must not be crashed to find out.
XGRAMMAR_OWNERS = {"vllm", "sglang"}
# llama.cpp writes a bound of n characters or items as n nested optional terms: its parser recurses once a term, and
# with an 8 MiB stack 1000 held, 1150 crashed the server (docs/llm-servers.md). Longer bounds: validation only.
NESTED_LIMIT = 256
REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")
KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_*\-]{6,}")
BEARER = re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=\-]{8,}")  # only in errors: a story may speak of a bearer


class ChatWriter:
    """Answers phase requests with a chat model; one model per role, the same server for all."""

    name = "openai"
    reads_prompts = True  # the studio leaves out of the story what speaks to a model before a model reads it

    def __init__(self, settings: WritingSettings, api_key: str | None, client: openai.OpenAI | None = None):
        self.settings = settings
        self.context_tokens = settings.context_tokens
        self.base_url = settings.base_url or OPENAI_BASE_URL
        self.server = _public_url(self.base_url)
        self._key = api_key or ""
        self._needs_key = settings.base_url is None and not api_key
        # Timeouts, 429 and 5xx are retried by the client itself.
        self.client = client or openai.OpenAI(api_key=api_key or KEYLESS, base_url=self.base_url,
                                              timeout=settings.timeout, max_retries=settings.max_retries)
        self.mode = 0  # index into MODES: the most constrained kind of answer this server accepted
        # The server's schema engine: OpenAI's strict subset has no minLength/maxLength (lengths go as patterns);
        # xgrammar compiles every bound at once; llama.cpp expands long ones until it crashes. None: not asked yet.
        self.grammar = "openai" if settings.grammar == "auto" and _is_openai(self.base_url) else (
            None if settings.grammar == "auto" else settings.grammar)
        self.answered = False  # a server that answered and then fails to connect has gone away, not never been up

    def model_for(self, role: str) -> str:
        return self.settings.role_models.get(role, self.settings.model)

    def identity(self, role: str) -> dict[str, Any]:
        # The answer depends on these; not on the key, the timeout or the retries. The fallback mode is
        # deliberately left out: it is learned while running, and would change keys in the middle of a run.
        return {"backend": self.name, "version": WRITER_VERSION, "base_url": self.server,
                "model": self.model_for(role), "temperature": self.settings.temperature}

    # -- one phase ------------------------------------------------------------------------------------------
    def write(self, request: PhaseRequest) -> PhaseReply:
        where = {"phase": request.phase, "role": request.role}
        if self._needs_key:
            raise WritingError("OpenAI needs an API key: set OPENAI_API_KEY (or DREAMFACTORY_LLM_API_KEY), "
                               "or point --llm-base-url at a local OpenAI-compatible server", **where)
        model, name = self.model_for(request.role), request.output_type.__name__
        answer_type = request.answer_type or request.output_type
        usage, repair, problem = Usage(), [], ""
        for _ in range(1 + self.settings.repair_attempts):
            messages, completion = self._complete(request, model, answer_type, repair)
            usage += _usage(completion, messages)
            choice = completion.choices[0] if completion.choices else None
            message = choice.message if choice else None
            if message is not None and message.refusal:
                raise WritingError(f"model {model} refused to answer: {self._redact(message.refusal, error=True)[:200]}",
                                   **where)
            text = self._redact(_answer_text(message)).strip() if message else ""
            if not text:
                cut = " (cut off at its token limit)" if choice and choice.finish_reason == "length" else ""
                raise WritingError(f"model {model} gave an empty answer{cut}; run again, or use a stronger model", **where)
            try:
                # strict=False: raw newlines inside strings are common (even from grammar-bound servers) and harmless
                answer = answer_type.model_validate(json.loads(_json_part(text), strict=False))
                output = answer if answer_type is request.output_type else answer.settle()
                return PhaseReply(output=output, usage=usage)
            except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
                problem = _describe(exc)
                if choice.finish_reason == "length":
                    problem = "the answer was cut off at the token limit; be briefer. " + problem
                report("writing", f"{request.phase}: {request.role}'s answer is not a valid {name}; asking again")
                repair = [{"role": "assistant", "content": text},
                          {"role": "user", "content": REPAIR.format(name=name, errors=problem)}]
        raise WritingError(f"model {model} gave no valid {name} in {1 + self.settings.repair_attempts} attempt(s); "
                           f"last error: {problem[:300]}", **where)

    def _complete(self, request: PhaseRequest, model: str, answer_type: type[BaseModel], repair: list[dict]):
        """One completion, in the most constrained mode the server accepts; returns (messages sent, completion)."""
        name, grammar = request.output_type.__name__, self._grammar(request, model)
        told, enforced = strict_schema(answer_type, openai=False), grammar_schema(answer_type, grammar)
        for mode in range(self.mode, len(MODES)):
            messages, extra = _ask(request, name, told, enforced, MODES[mode])
            messages += repair
            if self.settings.answer_tokens:
                extra["max_tokens"] = self.settings.answer_tokens
            try:
                completion = self.client.chat.completions.create(model=model, messages=messages,
                                                                 temperature=self.settings.temperature, **extra)
            except openai.APIStatusError as exc:
                if mode + 1 < len(MODES) and _refuses_format(exc):
                    report("writing", f"{self.server} refused answers of kind {MODES[mode]}; trying {MODES[mode + 1]}")
                    continue
                raise self._error(exc, request, model) from None
            except openai.APIConnectionError as exc:
                raise self._error(exc, request, model) from None
            self.mode, self.answered = mode, True
            return messages, completion
        raise AssertionError("unreachable: the last mode never falls back")

    def _grammar(self, request: PhaseRequest, model: str) -> str:
        """The server's schema engine, asked of its /models once (owned_by names the server)."""
        if self.grammar is None:
            try:
                asking = self.client.with_options(max_retries=0, timeout=min(self.settings.timeout, 30))
                owners = {str(m.owned_by or "").lower() for m in asking.models.list()}
            except openai.APIConnectionError as exc:
                raise self._error(exc, request, model) from None
            except openai.APIError:  # no /models, or not the usual answer: an engine we do not know
                owners = set()
            self.answered = True
            self.grammar = "xgrammar" if owners & XGRAMMAR_OWNERS else "llama.cpp"
            report("writing", f"{self.server} (owned_by: {', '.join(sorted(owners)) or 'not said'}): "
                   f"schemas are sent in the form {self.grammar}'s grammar holds")
        return self.grammar

    # -- errors for people ----------------------------------------------------------------------------------
    def _error(self, exc: openai.APIError, request: PhaseRequest, model: str) -> WritingError:
        s, server, retries = self.settings, self.server, self.settings.max_retries
        if isinstance(exc, openai.APITimeoutError):
            text = (f"{server} gave no answer from model {model} within {s.timeout:g} s ({retries} retries); "
                    "raise writing.timeout, or check that the server is up and not overloaded")
        elif isinstance(exc, openai.APIConnectionError) and (self.answered or isinstance(
                exc.__cause__, (httpx.RemoteProtocolError, httpx.ReadError))):
            text = (f"the server at {server} closed the connection during the {request.phase} phase (it may have "
                    "crashed); start it again and run again: what was written is kept")
        elif isinstance(exc, openai.APIConnectionError):
            cause = self._redact(str(exc.__cause__ or exc), error=True)[:160]
            text = f"cannot reach {server} ({cause}); start the server, or check --llm-base-url"
        else:
            detail = f"HTTP {exc.status_code}: {self._detail(exc)}"
            if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
                text = (f"{server} refused the API key ({detail}); "
                        "set a valid key in OPENAI_API_KEY or DREAMFACTORY_LLM_API_KEY")
            elif isinstance(exc, openai.NotFoundError):
                text = f"{server} has no model {model!r} ({detail}); check --llm-model or writing.role_models"
            elif isinstance(exc, openai.RateLimitError):
                text = (f"{server} still limits model {model} after {retries} retries ({detail}); wait and run "
                        "again (answers so far are kept), or raise writing.max_retries")
            else:
                text = f"{server} failed for model {model} ({detail})"
        return WritingError(text, phase=request.phase, role=request.role)

    def _detail(self, exc: openai.APIStatusError) -> str:
        body = exc.body  # the client has already unwrapped {"error": {...}}
        if isinstance(body, dict):
            body = body.get("message") or body.get("detail") or body
        text = str(body if body else exc.message).strip().splitlines()
        return self._redact(text[0] if text else type(exc).__name__, error=True)[:200]

    def _redact(self, text: str, *, error: bool = False) -> str:
        """Anything that looks like a key, out: the key itself, OpenAI's sk-... keys, and in errors bearer tokens."""
        if len(self._key) >= 4:
            text = text.replace(self._key, "[redacted]")
        text = KEY_LIKE.sub("sk-[redacted]", text)
        return BEARER.sub("Bearer [redacted]", text) if error else text


# -- what is sent ---------------------------------------------------------------------------------------------
def _ask(request: PhaseRequest, name: str, told: dict, schema: dict, mode: str) -> tuple[list[dict], dict]:
    """The messages and the format arguments (response_format, or a forced tool) of one request in one mode: `told`
    is the schema a prompt may carry, `schema` the one the server's grammar is given."""
    prompt = request.prompt
    if mode not in ("json_schema", "tool"):  # the schema goes into the prompt when the server will not take it
        compact = json.dumps({"title": name, **told}, ensure_ascii=False, separators=(",", ":"))
        prompt += "\n\n" + SCHEMA_HINT.format(name=name, schema=compact)
    messages = [{"role": "system", "content": request.system}]
    messages += [_turn(m, request.role) for m in request.history]
    messages.append({"role": "user", "content": prompt})
    formats = {
        "json_schema": {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}},
        "json_object+schema": {"type": "json_object", "schema": schema},  # llama.cpp enforces this one
        "json_object": {"type": "json_object"},
    }
    if mode == "tool":
        tool = {"type": "function", "function": {"name": name, "description": f"Give the {name}.", "parameters": schema,
                                                  "strict": True}}
        return messages, {"tools": [tool], "tool_choice": {"type": "function", "function": {"name": name}}}
    return messages, {"response_format": formats[mode]} if mode in formats else {}


def _answer_text(message) -> str:
    """The answer: the forced tool call's arguments, or the message's text."""
    calls = getattr(message, "tool_calls", None) or []
    if calls and calls[0].function is not None and calls[0].function.arguments:
        return calls[0].function.arguments
    return message.content or ""


def _turn(message: Message, role: str) -> dict:
    """An earlier turn: the role's own answers are the assistant's, everyone else speaks as the user."""
    if message.role == role:
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": f"[{message.role}, {message.phase} phase]\n{message.content}"}


def strict_schema(model: type[BaseModel], *, openai: bool = True) -> dict:
    """The model's JSON schema in the form strict decoders accept: every object closed, every property required
    (optional ones are nullable already), $refs inlined, `const` as a one-value `enum`, defaults moved into the
    descriptions. Every constraint stays: with `openai` (OpenAI's strict subset) a string's length limits become a
    pattern; without it they stay minLength/maxLength (`within` then leaves out those llama.cpp cannot hold)."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(n, seen) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"].split("/")[-1]
            if ref in seen:
                raise ValueError(f"{model.__name__}: recursive schema {ref} cannot be inlined")
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return walk({**copy.deepcopy(defs[ref]), **rest}, seen + (ref,))
        out = {k: ({n: walk(p, seen) for n, p in v.items()} if k == "properties" else walk(v, seen))
               for k, v in node.items() if k not in ("default", "title")}  # a title is pydantic's name, not a hint
        if "default" in node and "description" in out and node["default"] not in (None, [], ""):
            out["description"] += f" (default {json.dumps(node['default'])})"
        if "const" in out:
            out["enum"] = [out.pop("const")]
        if openai and ("minLength" in out or "maxLength" in out):
            low, high = out.pop("minLength", 0), out.pop("maxLength", "")
            out.setdefault("pattern", ANY_LENGTH.format(low=low, high=high))  # an id's pattern bounds it already
        if out.get("type") == "object" and "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out["properties"])
        return out

    return {"title": raw.get("title", model.__name__), **walk(raw, ())}


def grammar_schema(model: type[BaseModel], grammar: str) -> dict:
    """The schema a server's grammar engine is given (a prompt is told every bound: strict_schema(openai=False))."""
    if grammar == "openai":
        return strict_schema(model)
    full = strict_schema(model, openai=False)
    return within(full, NESTED_LIMIT) if grammar == "llama.cpp" else full


def within(schema: Any, limit: int) -> Any:
    """The schema less every bound above `limit` that llama.cpp's grammar writes out term by term: lengths and item
    counts, and patterns with such a repetition. Validation still holds the answer to them."""
    if isinstance(schema, list):
        return [within(s, limit) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: within(v, limit) if k != "properties" else {n: within(p, limit) for n, p in v.items()}
           for k, v in schema.items()}
    for key in ("minLength", "maxLength", "minItems", "maxItems"):
        if isinstance(out.get(key), int) and out[key] > limit:
            del out[key]
    if "pattern" in out and any(int(n) > limit for m in REPEAT.finditer(out["pattern"]) for n in m.groups() if n):
        del out["pattern"]
    return out


# -- what comes back ------------------------------------------------------------------------------------------
def _refuses_format(exc: openai.APIStatusError) -> bool:
    """Did the server turn down the response_format rather than the request? 400/422 always count; 5xx only
    when it says so (llama.cpp answers 500 to json_schema)."""
    if exc.status_code in (400, 422):
        return True
    text = f"{exc.message} {exc.body}".lower()
    return exc.status_code >= 500 and any(w in text for w in ("response_format", "json_schema", "schema", "grammar", "tool"))


def _json_part(text: str) -> str:
    """The JSON object in an answer: models in text mode like code fences and a sentence around it."""
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{") and "{" in text and "}" in text:
        text = text[text.index("{"): text.rindex("}") + 1]
    return text


def _describe(exc: ValueError) -> str:
    """Validation errors, short: where and what, for the model to fix and for a person to read."""
    if isinstance(exc, json.JSONDecodeError):
        return f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    parts = [f"{'.'.join(str(p) for p in err['loc']) or 'the answer'}: {err['msg']}" for err in exc.errors()[:6]]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _usage(completion, messages: list[dict]) -> Usage:
    u = completion.usage
    if u is not None:
        return Usage(calls=1, prompt_tokens=u.prompt_tokens or 0, completion_tokens=u.completion_tokens or 0)
    # A server that reports no usage still spends tokens: estimate them (4 characters a token) for the budget.
    sent = sum(len(str(m.get("content") or "")) for m in messages) // 4
    got = sum(len(_answer_text(c.message)) for c in completion.choices or []) // 4
    return Usage(calls=1, prompt_tokens=sent, completion_tokens=got)


def _is_openai(url: str) -> bool:
    """OpenAI's own API or Azure OpenAI: the servers whose strict mode takes only OpenAI's subset of JSON Schema."""
    host = urlsplit(url).hostname or ""
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


def _public_url(url: str) -> str:
    """The server's URL as it may be shown and hashed: no user:password, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
