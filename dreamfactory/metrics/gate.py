"""The Reviewer's gate: score a new keyframe against the Base frame, and say whether it is consistent enough to keep.

face_distance: the keyframe's faces (one per character on screen) matched one-to-one to the Base frame's, nearest
pair first; the worst matched distance, None when faces are not judged. style_similarity: cosine similarity of the
style embeddings (style.py). Default thresholds (GateThresholds; scales in docs/metrics.md): face <= 0.6 with
dlib, <= 1.04 with facenet; style >= 0.75 with CLIP. Gram style is not judged by default: it follows palette and
light more than drawing style (animatic keyframes of one film scored 0.45-0.83 against their Base frame);
GRAM_STYLE_THRESHOLD (calibrated on photographs: style.py) switches it on. Base-frame analyses are cached by image content.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from ..settings import GateThresholds, MetricOptions
from .faces import Face, distance_to_base, embedder_name, faces_available, faces_on_screen, find_faces
from .style import cosine, style_embeddings

GRAM_STYLE_THRESHOLD = 0.90


class KeyframeScores(BaseModel):
    """How close a keyframe stays to the Base frame."""

    model_config = ConfigDict(extra="forbid")

    faces_base: int | None = Field(description="Faces in the Base frame; None when faces were not evaluated.")
    faces_keyframe: int | None = Field(description="Faces in the keyframe; None when faces were not evaluated.")
    face_distance: float | None = Field(description="Worst distance of a keyframe face to its Base face; None: not judged.")
    face_embedder: str | None = Field(description="The embedder of face_distance.")
    style_similarity: float = Field(description="Cosine similarity of the style embeddings.")
    style_distance: float = Field(description="1 - style_similarity.")
    style_embedding: str = Field(description="'clip:<model>' or 'gram-v1'.")


@dataclass(frozen=True)
class FrameAnalysis:
    """What the gate reads of one frame: its faces (None when faces are not evaluated) and its style embedding."""

    faces: list[Face] | None
    style: np.ndarray
    style_embedding: str


_base_cache: OrderedDict[tuple, FrameAnalysis] = OrderedDict()
_base_lock = threading.Lock()


def open_rgb(image: Path | Image.Image) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    with Image.open(image) as im:
        return im.convert("RGB")


def analyse_frame(image: Image.Image, options: MetricOptions) -> FrameAnalysis:
    """Detect and embed a frame's faces (when a face model is available) and embed its style."""
    embeddings, name = style_embeddings([image], options)
    return FrameAnalysis(find_faces(image, options) if faces_available(options) else None, embeddings[0], name)


def _base_analysis(base: Image.Image, options: MetricOptions) -> FrameAnalysis:
    key = (hashlib.sha256(base.tobytes()).hexdigest(), base.size, options.model_dump_json())
    with _base_lock:
        if key in _base_cache:
            _base_cache.move_to_end(key)
            return _base_cache[key]
    analysis = analyse_frame(base, options)
    with _base_lock:
        _base_cache[key] = analysis
        while len(_base_cache) > 8:
            _base_cache.popitem(last=False)
    return analysis


def judge(base: FrameAnalysis, keyframe: FrameAnalysis, characters: Sequence[str] | None,
          options: MetricOptions) -> KeyframeScores:
    """The gate's numbers of an analysed keyframe against the analysed Base frame (the Reviewer's and the report's)."""
    judged = faces_on_screen(keyframe.faces, characters) if keyframe.faces is not None else []
    similarity = cosine(base.style, keyframe.style)
    return KeyframeScores(
        faces_base=None if base.faces is None else len(base.faces),
        faces_keyframe=None if keyframe.faces is None else len(keyframe.faces),
        face_distance=distance_to_base(base.faces or [], judged, worst=True),
        face_embedder=embedder_name(options) if base.faces is not None else None,
        style_similarity=similarity,
        style_distance=1.0 - similarity,
        style_embedding=keyframe.style_embedding,
    )


def score_keyframe(base_image: Path | Image.Image, keyframe_image: Path | Image.Image,
                   characters: Sequence[str] | None = None, options: MetricOptions | None = None) -> KeyframeScores:
    """Face and style scores of a keyframe against the Base frame; characters on screen cap the faces judged."""
    options = options or MetricOptions()
    base, keyframe = open_rgb(base_image), open_rgb(keyframe_image)
    base_analysis, analysis = _base_analysis(base, options), analyse_frame(keyframe, options)
    if analysis.style_embedding != base_analysis.style_embedding:  # CLIP became unreadable between calls
        base_analysis = analyse_frame(base, options)
    return judge(base_analysis, analysis, characters, options)


def failures(scores: KeyframeScores, thresholds: GateThresholds | None = None) -> list[str]:
    """Why a keyframe fails the gate, one sentence each for the Reviewer's note; empty when it passes."""
    thresholds = thresholds or GateThresholds()
    reasons = []
    face_limit = thresholds.face_max_distance.get(scores.face_embedder or "")
    if scores.face_distance is not None and face_limit is not None and scores.face_distance > face_limit:
        reasons.append(f"a character's face drifted from the Base frame (distance {scores.face_distance:.2f} > "
                       f"{face_limit} by {scores.face_embedder})")
    family = "clip" if scores.style_embedding.startswith("clip:") else scores.style_embedding
    style_limit = thresholds.style_min_similarity.get(family)
    if style_limit is not None and scores.style_similarity < style_limit:
        reasons.append(f"the style drifted from the Base frame (similarity {scores.style_similarity:.3f} < "
                       f"{style_limit} by {scores.style_embedding})")
    return reasons


def passes(scores: KeyframeScores, thresholds: GateThresholds | None = None) -> bool:
    """True when the keyframe keeps the Base frame's faces and style within the thresholds."""
    return not failures(scores, thresholds)
