"""The paper's consistency metrics: Cross-Scene Face Distance, Cross-Scene Style Consistency, Average Key-Frames CLIP Score.

Definitions live in the module docstrings: faces.py (CSFD), style.py (CSSC), clip_score.py (CLIP score),
gate.py (the Reviewer's keyframe gate, whose per-shot numbers the report's rows show), grouping.py (shots grouped
by scene); docs/metrics.md. Every metric is computed with the models on disk; nothing is
downloaded, and weights.missing_weights() says what is missing and how to get it.
"""

import importlib

# Imported on first use (PEP 562): every command imports settings, which reads the gate's thresholds, and must not
# pay for pyarrow, torch or dlib to do so.
_MODULES = {
    "clip_score": "average_clip_score clip_scores",
    "faces": "Face cross_scene_face_distance face_distance find_faces",
    "gate": "GRAM_STYLE_THRESHOLD GateThresholds KeyframeScores MetricOptions analyse_frame judge failures passes "
            "score_keyframe",  # the options are defined with the other settings, in dreamfactory.settings
    "report": "Comparison EvaluationReport ShotFrames ShotScores models_used compare evaluate_frames",
    "style": "cross_scene_style_consistency gram_embedding style_embeddings",
    "weights": "MetricUnavailable MissingWeight describe_missing missing_weights",
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names.split()}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


__all__ = sorted(_WHERE)
