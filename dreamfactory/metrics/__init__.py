"""The paper's consistency metrics: Cross-Scene Face Distance, Cross-Scene Style Consistency, Average Key-Frames CLIP Score.

Definitions live in the module docstrings: faces.py (CSFD), style.py (CSSC), clip_score.py (CLIP score),
gate.py (the Reviewer's keyframe gate, whose per-shot numbers the report's rows show), grouping.py (shots grouped
by scene); docs/metrics.md. Every metric is computed with the models on disk; nothing is
downloaded, and weights.missing_weights() says what is missing and how to get it.
"""

import importlib

# Imported on first use (PEP 562): every command imports settings, which reads the gate's thresholds, and must not
# pay for pyarrow, torch or dlib to do so.
_WHERE = {
    "average_clip_score": "clip_score",
    "clip_scores": "clip_score",
    "Face": "faces",
    "cross_scene_face_distance": "faces",
    "face_distance": "faces",
    "find_faces": "faces",
    "GRAM_STYLE_THRESHOLD": "gate",
    "GateThresholds": "gate",
    "KeyframeScores": "gate",
    "analyse_frame": "gate",
    "judge": "gate",
    "failures": "gate",
    "passes": "gate",
    "score_keyframe": "gate",
    "MetricOptions": "options",
    "Comparison": "report",
    "EvaluationReport": "report",
    "ShotFrames": "report",
    "ShotScores": "report",
    "models_used": "report",
    "compare": "report",
    "evaluate_frames": "report",
    "cross_scene_style_consistency": "style",
    "gram_embedding": "style",
    "style_embeddings": "style",
    "MetricUnavailable": "weights",
    "MissingWeight": "weights",
    "describe_missing": "weights",
    "missing_weights": "weights",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


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
    "ShotFrames",
    "ShotScores",
    "analyse_frame",
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
    "judge",
    "missing_weights",
    "models_used",
    "passes",
    "score_keyframe",
    "style_embeddings",
]
