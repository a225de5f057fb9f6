"""Evaluating a project's film: its keyframes against the Base frame and each other, stored beside the film."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from . import layout
from .errors import DreamFactoryError
from .film import film_history
from .manifest import read_manifest
from .metrics import EvaluationReport, SceneFrames, evaluate_frames
from .progress import report
from .settings import FilmOptions
from .store import Store, digest


def evaluate_project(store: Store, project: str, options: FilmOptions) -> tuple[EvaluationReport, str, str]:
    """The metrics of the project's latest film, made once per film and set of metric models.

    Returns the report and the store keys of its Parquet table and PNG plot.
    """
    history = film_history(store, project)
    if not history:
        raise DreamFactoryError(f"project {project} has no film yet in {store.url}; run `dreamfactory make` first")
    latest = history[-1]
    key_base = f"{latest.key.rsplit('/', 1)[-1].split('.')[0]}-{digest(options.metrics)[:8]}"
    parquet_key, png_key = layout.evaluation(project, key_base, "parquet"), layout.evaluation(project, key_base, "png")
    if store.exists(parquet_key):
        return EvaluationReport.from_parquet(io.BytesIO(store.read_bytes(parquet_key))), parquet_key, png_key

    rows = read_manifest(store, latest.manifest).to_pylist()
    base = next(r for r in rows if r["kind"] == "base_frame")
    scenes = []
    for row in rows:
        if row["kind"] != "keyframe":
            continue
        inputs = json.loads(row["inputs_json"])
        scenes.append(SceneFrames(scene_id=row["scene_id"], keyframe=store.local_file(row["object_key"]), prompt=inputs["prompt"],
                                  characters=[c["id"] for c in inputs["characters"]]))
    report("evaluate", f"{project}: {len(scenes)} keyframes against the Base frame")
    result = evaluate_frames(store.local_file(base["object_key"]), scenes, options=options.metrics)
    buf = io.BytesIO()
    result.to_parquet(buf)
    store.put_bytes(parquet_key, buf.getvalue())
    with tempfile.TemporaryDirectory() as tmp:
        png = result.plot_png(Path(tmp) / "report.png")
        store.put_file(png_key, png)
    return result, parquet_key, png_key


def report_text(project: str, result: EvaluationReport, store: Store, png_key: str) -> str:
    def num(value, fmt="{:.3f}"):
        return "n/a" if value is None else fmt.format(value)

    lines = [f"{project}: consistency of the latest film",
             f"  Cross-Scene Face Distance (lower is better): {num(result.csfd)}  [{result.face_embedder or 'no face model'}]",
             f"  Cross-Scene Style Consistency (higher is better): {num(result.cssc)}  [{result.style_embedding}]",
             f"  Style similarity to the Base frame: {num(result.style_to_base)}",
             f"  Average Key-Frames CLIP Score: {num(result.clip_score, '{:.1f}')}  [{result.clip_model or 'no CLIP model'}]",
             "  scene   faces  face→base  style→base  CLIP"]
    for s in result.scenes:
        lines.append(f"  {s.scene_id:<7} {num(s.faces_found, '{}'):>5}  {num(s.face_distance_to_base):>9}  "
                     f"{s.style_similarity_to_base:>10.3f}  {num(s.clip_score, '{:.1f}'):>4}")
    lines += [f"  note: {n}" for n in result.notes]
    lines += [f"  missing: {m.name} ({', '.join(m.needed_for)}): put {m.file} in {m.put_in}; get it with: {m.how}"
              for m in result.missing]
    lines.append(f"  plot: {store.location(png_key)}")
    return "\n".join(lines)
