"""The manifest: one Parquet table per film with everything needed to make it again exactly.

One row per render (Base frame, a keyframe and a clip per shot, the film) with its renderer identity (model id, revision or
weight hash, settings), seed and full inputs, and one row per writing phase and role with its model calls and
tokens. Its JSON columns hold story text (prompts) exactly, as ASCII JSON: no raw control or direction character.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import layout
from .escape import manifest_json
from .contracts import Made, RenderRecord
from .store import Store

COLUMNS = [
    ("kind", pa.string()), ("scene_id", pa.string()), ("shot_id", pa.string()), ("object_key", pa.string()), ("render_key", pa.string()),
    ("sha256", pa.string()), ("bytes", pa.int64()), ("renderer", pa.string()), ("model_id", pa.string()),
    ("model_revision", pa.string()), ("seed", pa.int64()), ("identity_json", pa.string()), ("inputs_json", pa.string()),
    ("seconds", pa.float64()), ("attempts", pa.int64()), ("notes_json", pa.string()), ("scores_json", pa.string()),
    ("phase", pa.string()), ("role", pa.string()), ("calls", pa.int64()), ("prompt_tokens", pa.int64()),
    ("completion_tokens", pa.int64()), ("screenplay_sha", pa.string()),
]
SCHEMA = pa.schema(COLUMNS)


def _row(**values: Any) -> dict[str, Any]:
    return {name: None for name, _ in COLUMNS} | values


def _render_row(record: RenderRecord, screenplay_sha: str) -> dict[str, Any]:
    ident = record.identity
    return _row(
        kind=record.kind, scene_id=record.scene_id, shot_id=record.shot_id, object_key=record.object_key,
        render_key=record.render_key, sha256=record.sha256, bytes=record.bytes, renderer=record.renderer,
        model_id=str(ident.get("model_id") or ident.get("model") or ident.get("backend") or ""),
        model_revision=str(ident.get("revision") or ident.get("weights_sha256") or ident.get("version") or ""),
        seed=record.seed, identity_json=manifest_json(ident), inputs_json=manifest_json(record.inputs),
        seconds=record.seconds, attempts=record.attempts, notes_json=manifest_json(record.notes),
        scores_json=manifest_json(record.scores), screenplay_sha=screenplay_sha)


def manifest_rows(store: Store, made: list[Made], writing_usage: dict[str, dict], *, film: RenderRecord, screenplay_sha: str) -> list[dict]:
    rows = [_render_row(store.read_model(layout.record(m.key), RenderRecord), screenplay_sha) for m in made]
    rows.append(_render_row(film, screenplay_sha))
    for name, usage in sorted(writing_usage.items()):
        phase, _, role = name.partition("/")
        rows.append(_row(kind="writing", phase=phase, role=role, calls=usage["calls"], prompt_tokens=usage["prompt_tokens"],
                         completion_tokens=usage["completion_tokens"], screenplay_sha=screenplay_sha))
    return rows


def write_manifest(store: Store, key: str, rows: list[dict]) -> bool:
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return store.put_bytes(key, buf.getvalue())


def read_manifest(store: Store, key: str) -> pa.Table:
    return pq.read_table(io.BytesIO(store.read_bytes(key)))
