"""The paper's consistency metrics: Cross-Scene Face Distance, Cross-Scene Style Consistency, Average Key-Frames CLIP Score.

Definitions live in the module docstrings: faces.py (CSFD), style.py (CSSC), clip_score.py (CLIP score),
gate.py (the Reviewer's keyframe gate). Every metric is computed with the models on disk; nothing is
downloaded, and weights.missing_weights() says what is missing and how to get it.
"""

from .clip_score import average_clip_score, clip_scores
from .faces import Face, cross_scene_face_distance, face_distance, find_faces
from .gate import GRAM_STYLE_THRESHOLD, GateThresholds, KeyframeScores, failures, passes, score_keyframe
from .options import MetricOptions
from .report import Comparison, EvaluationReport, SceneFrames, SceneScores, compare, evaluate_frames
from .style import cross_scene_style_consistency, gram_embedding, style_embeddings
from .weights import MetricUnavailable, MissingWeight, describe_missing, missing_weights

__all__ = [
    "GRAM_STYLE_THRESHOLD",
    "Comparison",
    "EvaluationReport",
    "Face",
    "GateThresholds",
    "KeyframeScores",
    "MetricOptions",
    "MetricUnavailable",
    "MissingWeight",
    "SceneFrames",
    "SceneScores",
    "average_clip_score",
    "clip_scores",
    "compare",
    "cross_scene_face_distance",
    "cross_scene_style_consistency",
    "describe_missing",
    "evaluate_frames",
    "face_distance",
    "failures",
    "find_faces",
    "gram_embedding",
    "missing_weights",
    "passes",
    "score_keyframe",
    "style_embeddings",
]
