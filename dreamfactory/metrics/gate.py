"""The Reviewer's gate: score a new keyframe against the Base frame, and say whether it is consistent enough to keep.

Scores (KeyframeScores):
- face_distance: the keyframe's faces (the most confident, one per character on screen) matched one-to-one
  to the Base frame's faces, nearest pair first; the largest matched distance (the worst-kept face).
  None when either image has no face, or when nobody is on screen: faces are then not judged.
- style_similarity: cosine similarity of the two frames' style embeddings (style.py); style_distance = 1 - it.

Default thresholds (GateThresholds), by the model that measured:
- face_distance <= 0.6 with dlib-resnet-v1 (dlib's same-person threshold on LFW); <= 1.04 with
  facenet-vggface2 (DeepFace's threshold for the same 512-d model, L2-normalised; not measured here, no
  weights offline). With dlib, the astronaut's face against its mirrored, resized or brightened copy is
  at 0.10-0.22; against the cameraman 0.84, against ten lfw_subset faces (25 px, upscaled) 0.61-0.91.
- style_similarity >= 0.75 with CLIP: a starting point, not calibrated here (no CLIP weights offline);
  measure it with `dreamfactory evaluate` on films you judge consistent.
- With gram-v1, style is not judged by default. GRAM_STYLE_THRESHOLD = 0.90 is calibrated on
  scikit-image photographs (a frame against its shifted, mirrored, brightened, cropped, blurred or JPEG
  copy scores >= 0.965; unrelated photographs 0.70-0.93 against the astronaut; see style.py), and can be
  switched on with GateThresholds(style_min_similarity={"clip": 0.75, "gram-v1": GRAM_STYLE_THRESHOLD}).
  It is off because Gram statistics follow palette and light more than drawing style: five animatic
  keyframes of one film (same drawing, other settings and times of day) scored 0.45-0.83 against their
  Base frame, so a re-render loop gated on them would redraw scenes that are already consistent.
Base-frame analyses are cached by image content, so scoring many keyframes against one Base frame
detects and embeds its faces once.
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

from .faces import Face, distance_to_base, embedder_name, faces_available, faces_on_screen, find_faces
from .options import GateThresholds, MetricOptions
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


def _open(image: Path | Image.Image) -> Image.Image:
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
    """The gate's numbers of an analysed keyframe against the analysed Base frame: the Reviewer and the evaluation
    both take a shot's scores from here, so a shot's row in a report shows what the gate saw."""
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


def score_keyframe(
    base_image: Path | Image.Image,
    keyframe_image: Path | Image.Image,
    characters: Sequence[str] | None = None,
    options: MetricOptions | None = None,
) -> KeyframeScores:
    """Face and style scores of a keyframe against the Base frame; characters on screen cap the faces judged."""
    options = options or MetricOptions()
    base, keyframe = _open(base_image), _open(keyframe_image)
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
        reasons.append(
            f"a character's face drifted from the Base frame (distance {scores.face_distance:.2f} > {face_limit} "
            f"by {scores.face_embedder})"
        )
    family = "clip" if scores.style_embedding.startswith("clip:") else scores.style_embedding
    style_limit = thresholds.style_min_similarity.get(family)
    if style_limit is not None and scores.style_similarity < style_limit:
        reasons.append(
            f"the style drifted from the Base frame (similarity {scores.style_similarity:.3f} < {style_limit} "
            f"by {scores.style_embedding})"
        )
    return reasons


def passes(scores: KeyframeScores, thresholds: GateThresholds | None = None) -> bool:
    """True when the keyframe keeps the Base frame's faces and style within the thresholds."""
    return not failures(scores, thresholds)
