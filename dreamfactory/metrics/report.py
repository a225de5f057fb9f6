"""A film's consistency report, shot by shot: evaluate its keyframes against the Base frame and each other, save it
(Parquet, PNG), compare two films shot by shot.

`evaluate_frames` computes every metric it can with the models on disk and says, in the report, which models and
weight files it used, what was missing and why a metric is None. Definitions: faces.py (CSFD), style.py (CSSC),
clip_score.py (Average Key-Frames CLIP Score), gate.py (a shot's distance to the Base frame); docs/metrics.md.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
from pathlib import Path
from typing import BinaryIO, Literal, Mapping, Sequence

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from ..settings import MetricOptions
from .clip_score import average_clip_score, clip_scores
from .faces import IdentityScores, ShotFaces, cross_scene_face_distance, embedder_name, faces_available
from .gate import GateThresholds, analyse_frame, failures, judge, open_rgb
from .style import cross_scene_style_consistency, style_embedding_name
from .weights import (MetricUnavailable, MissingWeight, clip_available, clip_folder, dlib_model_files,
                      facenet_weights_path, files_fingerprint, missing_weights, turned_off)

REPORT_VERSION = 2
_PARQUET_KEY = b"dreamfactory.evaluation"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Shot(_Model):
    scene_id: str = Field(description="The scene's stable id.")
    shot_id: str = Field(description="The shot's id within its scene.")

    @property
    def label(self) -> str:
        return f"{self.scene_id}/{self.shot_id}"


class ShotFrames(_Shot):
    """What is evaluated of one shot: its keyframe, the prompt it was drawn from, who is in frame."""

    keyframe: Path = Field(description="The keyframe image file.")
    prompt: str = Field(default="", description="The prompt the keyframe was drawn from (for the CLIP score).")
    characters: list[str] | None = Field(default=None, description="Character ids in frame; None when unknown (all "
                                                                 "faces count), [] for nobody.")


class ShotScores(_Shot):
    """One shot's row of the report."""

    keyframe: str = Field(description="The keyframe evaluated.")
    characters: list[str] | None = Field(description="Character ids in frame, as the screenplay says; None: not known.")
    faces_found: int | None = Field(description="Faces MTCNN found in the keyframe; None when faces were not evaluated.")
    face_distance_to_base: float | None = Field(
        description="The Reviewer's gate's number: the worst distance of its faces to the Base frame's (lower is closer).")
    face_distance_in_scene: float | None = Field(
        description="Mean distance of a character's face here to its faces in the scene's other shots (worst character).")
    face_distance_other_scenes: float | None = Field(
        description="Mean distance of a character's face here to its faces in other scenes' shots (worst character).")
    style_similarity_to_base: float = Field(description="Cosine similarity of its style embedding to the Base frame's (the gate's).")
    clip_score: float | None = Field(description="CLIPScore of keyframe and prompt, 0-100; None without CLIP or prompt.")
    flags: list[str] = Field(default_factory=list, description="Why this shot looks inconsistent; empty when it does not.")


class EvaluationReport(_Model):
    """The consistency metrics of one film, shot by shot, with the models used and what was missing."""

    version: int = Field(default=REPORT_VERSION, description="Report schema version.")
    shots: list[ShotScores] = Field(description="Per-shot rows, in film order.")
    identities: list[IdentityScores] = Field(default_factory=list, description="Per-identity face distances (CSFD's parts).")
    csfd: float | None = Field(description="Cross-Scene Face Distance over shots grouped by scene; lower is better.")
    cssc: float | None = Field(description="Cross-Scene Style Consistency over shots grouped by scene; higher is better.")
    style_to_base: float | None = Field(description="Mean style similarity of the shots to the Base frame.")
    clip_score: float | None = Field(description="Average Key-Frames CLIP Score (0-100).")
    base_faces: int | None = Field(description="Faces found in the Base frame; None when faces were not evaluated.")
    face_detector: str | None = Field(description="'mtcnn' when faces were evaluated.")
    face_embedder: str | None = Field(description="'facenet-vggface2' or 'dlib-resnet-v1'; distances of the two differ in scale.")
    style_embedding: str = Field(description="'clip:<model>' or 'gram-v1'; similarities of the two differ in scale.")
    clip_model: str | None = Field(description="The CLIP model of the CLIP score, when there was one.")
    models: dict[str, str] = Field(default_factory=dict, description="The models used and their weight files' hashes (models_used).")
    unavailable: dict[str, str] = Field(default_factory=dict, description="Why a film metric (csfd, cssc, clip_score) is None.")
    missing: list[MissingWeight] = Field(default_factory=list, description="Models not found, and how to get them.")
    notes: list[str] = Field(default_factory=list, description="Anything else to know.")
    seconds: float = Field(default=0.0, description="Time the evaluation took.")

    def to_parquet(self, where: str | Path | BinaryIO) -> None:
        """One row per shot; the film-level fields ride along as JSON in the file's metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        text, number, names = pa.string(), pa.float64(), pa.list_(pa.string())
        columns = [("scene_id", text), ("shot_id", text), ("keyframe", text), ("characters", names),
                   ("faces_found", pa.int64()), ("face_distance_to_base", number), ("face_distance_in_scene", number),
                   ("face_distance_other_scenes", number), ("style_similarity_to_base", number),
                   ("clip_score", number), ("flags", names)]
        film = self.model_dump(mode="json", exclude={"shots"})
        schema = pa.schema(columns, metadata={_PARQUET_KEY: json.dumps(film).encode()})
        pq.write_table(pa.Table.from_pylist([s.model_dump() for s in self.shots], schema=schema), where)

    @classmethod
    def from_parquet(cls, where: str | Path | BinaryIO) -> EvaluationReport:
        import pyarrow.parquet as pq

        table = pq.read_table(where)
        film = json.loads((table.schema.metadata or {})[_PARQUET_KEY])
        return cls.model_validate({**film, "shots": table.to_pylist()})

    def plot_png(self, path: str | Path) -> Path:
        """A bar chart per shot (style similarity and face distance to the Base frame), film numbers on top."""
        from .chart import draw_report

        path = Path(path)
        draw_report(self).save(path, format="PNG")
        return path


def models_used(options: MetricOptions) -> dict[str, str]:
    """The models these options use here and a hash of each one's weight files (they too decide a report)."""
    used = {"style": style_embedding_name(options)}
    if used["style"].startswith("clip:"):
        used["style_weights"] = files_fingerprint([clip_folder(options)])
    face = embedder_name(options) if faces_available(options) else None
    if face:
        used["face_detector"] = f"mtcnn (facenet-pytorch {importlib.metadata.version('facenet-pytorch')})"
        used["face_embedder"] = face
        weights = [facenet_weights_path(options)] if face == "facenet-vggface2" else dlib_model_files()
        used["face_weights"] = files_fingerprint(weights)
    return used


def _shot_flags(scores, odd_one_out: float | None, thresholds: GateThresholds) -> list[str]:
    """The gate's reasons, and a character whose face here is another person's than in most of its other shots."""
    reasons = failures(scores, thresholds)
    limit = thresholds.face_max_distance.get(scores.face_embedder or "")
    if odd_one_out is not None and limit is not None and odd_one_out > limit:
        reasons.append(f"a character's face differs from its face in most of its other shots (median distance "
                       f"{odd_one_out:.2f} > {limit} by {scores.face_embedder})")
    return reasons


def evaluate_frames(base_frame: Path | Image.Image, shots: Sequence[ShotFrames], prompts: Mapping[str, str] | None = None,
                    options: MetricOptions | None = None, thresholds: GateThresholds | None = None) -> EvaluationReport:
    """Every metric the models on disk allow, for the shots' keyframes (film order) against the Base frame.
    `prompts` ('scene/shot' -> prompt) overrides ShotFrames.prompt. Missing models never raise: their metrics are
    None, `unavailable` says why and `missing` what to download."""
    start = time.perf_counter()
    options, thresholds = options or MetricOptions(), thresholds or GateThresholds()
    prompts = {s.label: (prompts or {}).get(s.label, s.prompt) for s in shots}
    frames = [open_rgb(s.keyframe) for s in shots]
    missing, unavailable, notes = missing_weights(options), turned_off(options), []

    # 1. Each shot as the Reviewer's gate sees it: its faces and style against the Base frame's.
    base = analyse_frame(open_rgb(base_frame), options)
    analysed = [analyse_frame(frame, options) for frame in frames]
    scores = [judge(base, a, s.characters, options) for s, a in zip(shots, analysed)]

    # 2. Faces across shots and scenes (CSFD)
    faces = None
    if base.faces is not None:
        faces = cross_scene_face_distance(
            base.faces, [ShotFaces(s.scene_id, s.shot_id, a.faces, s.characters) for s, a in zip(shots, analysed)])
        if faces.note:
            unavailable["csfd"] = faces.note
    elif "csfd" not in unavailable:
        names = ", ".join(m.name for m in missing if "faces (CSFD)" in m.needed_for)
        unavailable["csfd"] = f"no face model on this machine ({names}; see missing)"

    # 3. Style across scenes (CSSC)
    cssc, why = cross_scene_style_consistency([s.scene_id for s in shots], [a.style for a in analysed])
    if why:
        unavailable["cssc"] = why
    if clip_available(options) and not base.style_embedding.startswith("clip:"):
        notes.append(f"CLIP model {options.clip_model!r} is on disk but could not be loaded: style used Gram statistics")

    # 4. CLIP score
    clip: list[float | None] = [None] * len(shots)
    clip_model = options.clip_model if clip_available(options) else None
    scored = [k for k, s in enumerate(shots) if prompts[s.label].strip()]
    if clip_model and scored:
        try:
            values = clip_scores([frames[k] for k in scored], [prompts[shots[k].label] for k in scored], options)
        except MetricUnavailable as exc:
            clip_model, values = None, []
            unavailable["clip_score"] = f"CLIP could not be loaded: {exc}"
        for k, v in zip(scored, values):
            clip[k] = v
        if clip_model and len(scored) < len(shots):
            notes.append(f"{len(shots) - len(scored)} keyframe(s) without a prompt have no CLIP score")
    elif clip_model:
        unavailable["clip_score"] = "no keyframe has a prompt"
    elif "clip_score" not in unavailable:
        unavailable["clip_score"] = f"no CLIP weights: {options.clip_model} is not on this machine (see missing)"

    in_scene, other_scenes, odd = (faces.in_scene, faces.other_scenes, faces.odd_one_out) if faces else ({}, {}, {})
    rows = [
        ShotScores(scene_id=s.scene_id, shot_id=s.shot_id, keyframe=str(s.keyframe), characters=s.characters,
                   faces_found=k.faces_keyframe, face_distance_to_base=k.face_distance,
                   face_distance_in_scene=in_scene.get(s.label), face_distance_other_scenes=other_scenes.get(s.label),
                   style_similarity_to_base=k.style_similarity, clip_score=score,
                   flags=_shot_flags(k, odd.get(s.label), thresholds))
        for s, k, score in zip(shots, scores, clip)
    ]
    return EvaluationReport(
        shots=rows, identities=faces.identities if faces else [], csfd=faces.csfd if faces else None, cssc=cssc,
        style_to_base=sum(k.style_similarity for k in scores) / len(scores) if scores else None,
        clip_score=average_clip_score([c for c in clip if c is not None]),
        base_faces=None if base.faces is None else len(base.faces),
        face_detector="mtcnn" if base.faces is not None else None,
        face_embedder=embedder_name(options) if base.faces is not None else None,
        style_embedding=base.style_embedding, clip_model=clip_model, models=models_used(options),
        unavailable=unavailable, missing=missing, notes=notes, seconds=round(time.perf_counter() - start, 3))


# --- dreamfactory compare A B -------------------------------------------------------------------------------------


class ComparisonRow(_Model):
    metric: str = Field(description="What is compared.")
    a: float | None = Field(description="The value in report A.")
    b: float | None = Field(description="The value in report B.")
    delta: float | None = Field(description="b - a, when both exist and were measured the same way.")
    better: Literal["a", "b", "same"] | None = Field(description="Which report is better on this metric.")
    note: str = Field(default="", description="Why there is no delta, when there is none.")


class Comparison(_Model):
    """Two reports side by side, shot by shot (matched by scene and shot id); deltas are B minus A."""

    rows: list[ComparisonRow]
    only_in_a: list[str] = Field(default_factory=list, description="Shots ('scene/shot') film B does not have.")
    only_in_b: list[str] = Field(default_factory=list, description="Shots ('scene/shot') film A does not have.")

    def to_text(self) -> str:
        def num(v: float | None) -> str:
            return "-" if v is None else f"{v:.4g}"

        width = max([len(r.metric) for r in self.rows] + [6])
        lines = [f"{'metric':<{width}}  {'A':>9}  {'B':>9}  {'B-A':>9}  better"]
        for r in self.rows:
            delta = "-" if r.delta is None else f"{r.delta:+.4g}"
            tail = (r.better or "") + (f"  ({r.note})" if r.note else "")
            lines.append(f"{r.metric:<{width}}  {num(r.a):>9}  {num(r.b):>9}  {delta:>9}  {tail}".rstrip())
        for film, only in (("A", self.only_in_a), ("B", self.only_in_b)):
            if only:
                lines.append(f"only in {film} ({len(only)} shots, not compared): {', '.join(only)}")
        if not (self.only_in_a or self.only_in_b):
            lines.append("both films have the same shots")
        return "\n".join(lines)


def _row(metric: str, a: float | None, b: float | None, higher_is_better: bool,
         measured_by: tuple[str | None, str | None]) -> ComparisonRow:
    """A row with a delta only when both values exist and were measured by the same model."""
    if a is None or b is None:
        return ComparisonRow(metric=metric, a=a, b=b, delta=None, better=None, note="" if a == b else "missing in one")
    if measured_by[0] != measured_by[1]:
        note = f"not comparable: {measured_by[0]} vs {measured_by[1]}"
        return ComparisonRow(metric=metric, a=a, b=b, delta=None, better=None, note=note)
    delta = b - a
    better = "same" if abs(delta) < 1e-9 else ("b" if (delta > 0) == higher_is_better else "a")
    return ComparisonRow(metric=metric, a=a, b=b, delta=delta, better=better)


def compare(a: EvaluationReport, b: EvaluationReport) -> Comparison:
    """Film-level metrics, then every shot present in both films (same scene id and shot id), with deltas (B - A)."""
    faces = (a.face_embedder, b.face_embedder)
    style = (a.style_embedding, b.style_embedding)
    clip = (a.clip_model, b.clip_model)
    rows = [
        _row("CSFD (lower is better)", a.csfd, b.csfd, False, faces),
        _row("CSSC", a.cssc, b.cssc, True, style),
        _row("style similarity to Base", a.style_to_base, b.style_to_base, True, style),
        _row("CLIP score", a.clip_score, b.clip_score, True, clip),
    ]
    b_shots = {s.label: s for s in b.shots}
    for sa in a.shots:
        sb = b_shots.get(sa.label)
        if sb is None:
            continue
        rows += [
            _row(f"{sa.label}: style to Base", sa.style_similarity_to_base, sb.style_similarity_to_base, True, style),
            _row(f"{sa.label}: face distance to Base", sa.face_distance_to_base, sb.face_distance_to_base, False, faces),
            _row(f"{sa.label}: face distance to other scenes", sa.face_distance_other_scenes,
                 sb.face_distance_other_scenes, False, faces),
            _row(f"{sa.label}: CLIP score", sa.clip_score, sb.clip_score, True, clip),
        ]
    a_labels = {s.label for s in a.shots}
    return Comparison(rows=rows, only_in_a=[s.label for s in a.shots if s.label not in b_shots],
                      only_in_b=[s.label for s in b.shots if s.label not in a_labels])
