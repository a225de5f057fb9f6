"""Evaluating a project's film shot by shot: its keyframes against the Base frame and each other, stored beside the film."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from . import layout
from .errors import DreamFactoryError
from .contracts import FilmVersion
from .film import film_history
from .manifest import read_manifest
from .metrics import EvaluationReport, ShotFrames, evaluate_frames
from .progress import report
from .settings import FilmOptions
from .store import Store, digest


def report_key(film: FilmVersion, options: FilmOptions) -> str:
    """What decides a film's report: the film, the metric settings and gate thresholds, the report's version, and
    the models these settings use here with their weight files' hashes. Anything else is left out on purpose."""
    from .metrics.report import REPORT_VERSION, models_used

    return digest({"report": REPORT_VERSION, "film": film.key, "manifest": film.manifest, "metrics": options.metrics,
                   "thresholds": options.thresholds, "models": models_used(options.metrics)})


def evaluate_project(store: Store, project: str, options: FilmOptions) -> tuple[EvaluationReport, str, str]:
    """The metrics of the project's latest film, shot by shot, made once per film, settings and metric models.

    Returns the report and the store keys of its Parquet table and PNG plot.
    """
    history = film_history(store, project)
    if not history:
        raise DreamFactoryError(f"project {project} has no film yet in {store.url}; run `dreamfactory make` first")
    latest = history[-1]
    key = report_key(latest, options)
    parquet_key, png_key = (layout.evaluation(project, latest.key, key, ext) for ext in ("parquet", "png"))
    if store.exists(parquet_key):
        report("evaluate", f"{project}: reusing the report made with these settings and models")
        return EvaluationReport.from_parquet(io.BytesIO(store.read_bytes(parquet_key))), parquet_key, png_key

    rows = read_manifest(store, latest.manifest).to_pylist()
    base = next(r for r in rows if r["kind"] == "base_frame")
    shots = []
    for row in rows:
        if row["kind"] != "keyframe":
            continue
        inputs = json.loads(row["inputs_json"])
        shots.append(ShotFrames(scene_id=row["scene_id"], shot_id=row["shot_id"] or "", prompt=inputs["prompt"],
                                keyframe=store.local_file(row["object_key"]),
                                characters=[c["id"] for c in inputs["characters"]]))
    report("evaluate", f"{project}: {len(shots)} shots' keyframes against the Base frame and each other")
    result = evaluate_frames(store.local_file(base["object_key"]), shots, options=options.metrics,
                             thresholds=options.thresholds)
    with tempfile.TemporaryDirectory() as tmp:
        png = result.plot_png(Path(tmp) / "report.png")
        store.put_file(png_key, png)
    buf = io.BytesIO()
    result.to_parquet(buf)
    store.put_bytes(parquet_key, buf.getvalue())  # last: its presence means the report is complete
    return result, parquet_key, png_key


def report_text(project: str, result: EvaluationReport, store: Store, png_key: str) -> str:
    """The report for a person: the film's numbers (or why each is missing), then one row per shot."""
    def num(value, fmt="{:.3f}"):
        return "n/a" if value is None else fmt.format(value)

    def film(metric: str, value, fmt: str, model: str) -> str:
        why = result.unavailable.get(metric)
        return f"{num(value, fmt)}  [{why}]" if value is None and why else f"{num(value, fmt)}  [{model}]"

    lines = [f"{project}: consistency of the latest film, {len(result.shots)} shots",
             f"  Cross-Scene Face Distance (lower is better): {film('csfd', result.csfd, '{:.3f}', result.face_embedder)}",
             f"  Cross-Scene Style Consistency (higher is better): {film('cssc', result.cssc, '{:.3f}', result.style_embedding)}",
             f"  Style similarity to the Base frame: {num(result.style_to_base)}",
             f"  Average Key-Frames CLIP Score: {film('clip_score', result.clip_score, '{:.1f}', result.clip_model)}"]
    who = ["?" if s.characters is None else ",".join(s.characters) or "-" for s in result.shots]
    width = max([len(w) for w in who] + [8])
    lines.append(f"  scene    shot  {'in frame':<{width}}  faces  face→base  face↔scene  face↔others  style→base  CLIP  flags")
    for s, w in zip(result.shots, who):
        lines.append(f"  {s.scene_id:<8} {s.shot_id:<5} {w:<{width}} {num(s.faces_found, '{}'):>6}  "
                     f"{num(s.face_distance_to_base):>9}  {num(s.face_distance_in_scene):>10}  "
                     f"{num(s.face_distance_other_scenes):>11}  {s.style_similarity_to_base:>10.3f}  "
                     f"{num(s.clip_score, '{:.1f}'):>4}  {'; '.join(s.flags) or 'ok'}")
    lines += [f"  note: {n}" for n in result.notes]
    lines += [f"  missing: {m.message()}" for m in result.missing]
    lines.append(f"  plot: {store.location(png_key)}")
    return "\n".join(lines)
