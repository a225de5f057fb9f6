"""A film's consistency report: evaluate its keyframes against the Base frame, save it (Parquet, PNG), compare two.

`evaluate_frames` computes every metric it can with the models on disk and says, in the report, which
models it used, what was missing and why a metric is None. Definitions: faces.py (CSFD), style.py (CSSC),
clip_score.py (Average Key-Frames CLIP Score).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import BinaryIO, Literal, Mapping, Sequence

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from .clip_score import average_clip_score, clip_scores
from .faces import IdentityScores, SceneFaces, cross_scene_face_distance, embedder_name, faces_available, find_faces
from .options import MetricOptions
from .style import cross_scene_style_consistency, style_embeddings
from .weights import MetricUnavailable, MissingWeight, clip_available, missing_weights

REPORT_VERSION = 1
_PARQUET_KEY = b"dreamfactory.evaluation"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneFrames(_Model):
    """What is evaluated of one scene: its keyframe, the prompt it was drawn from, who is on screen."""

    scene_id: str = Field(description="The scene's stable id.")
    keyframe: Path = Field(description="The keyframe image file.")
    prompt: str = Field(default="", description="The prompt the keyframe was drawn from (for the CLIP score).")
    characters: list[str] | None = Field(
        default=None, description="Character ids on screen; None when unknown (all faces count), [] for nobody."
    )


class SceneScores(_Model):
    """One scene's row of the report."""

    scene_id: str = Field(description="The scene's stable id.")
    keyframe: str = Field(description="The keyframe evaluated.")
    faces_found: int | None = Field(description="Faces MTCNN found in the keyframe; None when faces were not evaluated.")
    face_distance_to_base: float | None = Field(description="Mean distance of its faces to the Base frame's (lower is closer).")
    style_similarity_to_base: float = Field(description="Cosine similarity of its style embedding to the Base frame's.")
    clip_score: float | None = Field(description="CLIPScore of keyframe and prompt, 0-100; None without CLIP or prompt.")


class EvaluationReport(_Model):
    """The consistency metrics of one film, with the models used and what was missing."""

    version: int = Field(default=REPORT_VERSION, description="Report schema version.")
    scenes: list[SceneScores] = Field(description="Per-scene rows, in film order.")
    identities: list[IdentityScores] = Field(default_factory=list, description="Per-identity face distances (CSFD's parts).")
    csfd: float | None = Field(description="Cross-Scene Face Distance; lower is better.")
    cssc: float | None = Field(description="Cross-Scene Style Consistency; higher is better.")
    style_to_base: float | None = Field(description="Mean style similarity of the scenes to the Base frame.")
    clip_score: float | None = Field(description="Average Key-Frames CLIP Score (0-100).")
    base_faces: int | None = Field(description="Faces found in the Base frame; None when faces were not evaluated.")
    face_detector: str | None = Field(description="'mtcnn' when faces were evaluated.")
    face_embedder: str | None = Field(description="'facenet-vggface2' or 'dlib-resnet-v1'; distances of the two differ in scale.")
    style_embedding: str = Field(description="'clip:<model>' or 'gram-v1'; similarities of the two differ in scale.")
    clip_model: str | None = Field(description="The CLIP model of the CLIP score, when there was one.")
    missing: list[MissingWeight] = Field(default_factory=list, description="Models not found, and how to get them.")
    notes: list[str] = Field(default_factory=list, description="Why a metric is None, or anything else to know.")
    seconds: float = Field(default=0.0, description="Time the evaluation took.")

    def to_parquet(self, where: str | Path | BinaryIO) -> None:
        """One row per scene; the film-level fields ride along as JSON in the file's metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [s.model_dump() for s in self.scenes]
        film = self.model_dump(mode="json", exclude={"scenes"})
        schema = pa.schema(
            [
                ("scene_id", pa.string()),
                ("keyframe", pa.string()),
                ("faces_found", pa.int64()),
                ("face_distance_to_base", pa.float64()),
                ("style_similarity_to_base", pa.float64()),
                ("clip_score", pa.float64()),
            ],
            metadata={_PARQUET_KEY: json.dumps(film).encode()},
        )
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), where)

    @classmethod
    def from_parquet(cls, where: str | Path | BinaryIO) -> EvaluationReport:
        import pyarrow.parquet as pq

        table = pq.read_table(where)
        film = json.loads((table.schema.metadata or {})[_PARQUET_KEY])
        return cls.model_validate({**film, "scenes": table.to_pylist()})

    def plot_png(self, path: str | Path) -> Path:
        """A bar chart per scene (style similarity and face distance to the Base frame), film numbers on top."""
        from .chart import draw_report

        path = Path(path)
        draw_report(self).save(path, format="PNG")
        return path


def _open(image: Path | Image.Image) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    with Image.open(image) as im:
        return im.convert("RGB")


def evaluate_frames(
    base_frame: Path | Image.Image,
    scenes: Sequence[SceneFrames],
    prompts: Mapping[str, str] | None = None,
    options: MetricOptions | None = None,
) -> EvaluationReport:
    """Every metric the models on disk allow, for the scenes' keyframes (film order) against the Base frame.

    `prompts` (scene id -> prompt) overrides SceneFrames.prompt. Missing models never raise: their metrics
    are None, and `missing`/`notes` say what to download.
    """
    start = time.perf_counter()
    options = options or MetricOptions()
    prompts = {s.scene_id: (prompts or {}).get(s.scene_id, s.prompt) for s in scenes}
    base = _open(base_frame)
    frames = [_open(s.keyframe) for s in scenes]
    notes: list[str] = []

    # 1. Faces (CSFD)
    face_embedder = embedder_name(options) if faces_available(options) else None
    base_faces, faces, csfd, identities, face_to_base = None, [None] * len(scenes), None, [], {}
    if face_embedder:
        base_found = find_faces(base, options)
        found = [find_faces(frame, options) for frame in frames]
        consistency = cross_scene_face_distance(
            base_found, [SceneFaces(s.scene_id, f, s.characters) for s, f in zip(scenes, found)]
        )
        base_faces, faces = len(base_found), [len(f) for f in found]
        csfd, identities, face_to_base = consistency.csfd, consistency.identities, consistency.to_base
        notes += [consistency.note] if consistency.note else []
    else:
        notes.append("CSFD not computed: no face detector or embedder on this machine (see missing)")

    # 2. Style (CSSC)
    embeddings, style_name = style_embeddings([base, *frames], options)
    style = cross_scene_style_consistency(embeddings[0], embeddings[1:])
    notes += [style.note] if style.note else []
    if clip_available(options) and not style_name.startswith("clip:"):
        notes.append(f"CLIP model {options.clip_model!r} is on disk but could not be loaded: style used Gram statistics")

    # 3. CLIP score
    clip = [None] * len(scenes)
    clip_model = options.clip_model if clip_available(options) else None
    if clip_model:
        scored = [k for k, s in enumerate(scenes) if prompts[s.scene_id].strip()]
        try:
            values = clip_scores([frames[k] for k in scored], [prompts[scenes[k].scene_id] for k in scored], options)
        except MetricUnavailable as exc:
            clip_model, values = None, []
            notes.append(f"CLIP score not computed: {exc}")
        for k, v in zip(scored, values):
            clip[k] = v
        if clip_model and len(scored) < len(scenes):
            notes.append(f"{len(scenes) - len(scored)} keyframe(s) without a prompt have no CLIP score")
    else:
        notes.append("CLIP score not computed: no CLIP model on this machine (see missing)")

    rows = [
        SceneScores(
            scene_id=s.scene_id,
            keyframe=str(s.keyframe),
            faces_found=faces[k],
            face_distance_to_base=face_to_base.get(s.scene_id),
            style_similarity_to_base=style.to_base[k],
            clip_score=clip[k],
        )
        for k, s in enumerate(scenes)
    ]
    return EvaluationReport(
        scenes=rows,
        identities=identities,
        csfd=csfd,
        cssc=style.cssc,
        style_to_base=sum(style.to_base) / len(style.to_base) if style.to_base else None,
        clip_score=average_clip_score([c for c in clip if c is not None]),
        base_faces=base_faces,
        face_detector="mtcnn" if face_embedder else None,
        face_embedder=face_embedder,
        style_embedding=style_name,
        clip_model=clip_model,
        missing=missing_weights(options),
        notes=notes,
        seconds=round(time.perf_counter() - start, 3),
    )


# --- dreamfactory compare A B -------------------------------------------------------------------------------------


class ComparisonRow(_Model):
    metric: str = Field(description="What is compared.")
    a: float | None = Field(description="The value in report A.")
    b: float | None = Field(description="The value in report B.")
    delta: float | None = Field(description="b - a, when both exist and were measured the same way.")
    better: Literal["a", "b", "same"] | None = Field(description="Which report is better on this metric.")
    note: str = Field(default="", description="Why there is no delta, when there is none.")


class Comparison(_Model):
    """Two reports side by side; deltas are B minus A."""

    rows: list[ComparisonRow]

    def to_text(self) -> str:
        def num(v: float | None) -> str:
            return "-" if v is None else f"{v:.4g}"

        width = max([len(r.metric) for r in self.rows] + [6])
        lines = [f"{'metric':<{width}}  {'A':>9}  {'B':>9}  {'B-A':>9}  better"]
        for r in self.rows:
            delta = "-" if r.delta is None else f"{r.delta:+.4g}"
            tail = (r.better or "") + (f"  ({r.note})" if r.note else "")
            lines.append(f"{r.metric:<{width}}  {num(r.a):>9}  {num(r.b):>9}  {delta:>9}  {tail}".rstrip())
        return "\n".join(lines)


def _row(
    metric: str, a: float | None, b: float | None, higher_is_better: bool, measured_by: tuple[str | None, str | None]
) -> ComparisonRow:
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
    """Film-level metrics, then every scene present in both, side by side with deltas (B - A)."""
    faces = (a.face_embedder, b.face_embedder)
    style = (a.style_embedding, b.style_embedding)
    clip = (a.clip_model, b.clip_model)
    rows = [
        _row("CSFD (lower is better)", a.csfd, b.csfd, False, faces),
        _row("CSSC", a.cssc, b.cssc, True, style),
        _row("style similarity to Base", a.style_to_base, b.style_to_base, True, style),
        _row("CLIP score", a.clip_score, b.clip_score, True, clip),
    ]
    b_scenes = {s.scene_id: s for s in b.scenes}
    for sa in a.scenes:
        sb = b_scenes.get(sa.scene_id)
        if sb is None:
            continue
        rows += [
            _row(f"{sa.scene_id}: style to Base", sa.style_similarity_to_base, sb.style_similarity_to_base, True, style),
            _row(f"{sa.scene_id}: face distance to Base", sa.face_distance_to_base, sb.face_distance_to_base, False, faces),
            _row(f"{sa.scene_id}: CLIP score", sa.clip_score, sb.clip_score, True, clip),
        ]
    return Comparison(rows=rows)
