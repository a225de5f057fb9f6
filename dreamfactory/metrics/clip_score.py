"""Average Key-Frames CLIP Score: how well each keyframe shows its prompt, by CLIP only (there is no fallback).

For each keyframe: CLIPScore = 100 x max(cos(E_image, E_text), 0), where E_image and E_text are CLIP's
projected image and text embeddings of the keyframe and of the prompt it was drawn from (truncated to
CLIP's 77 tokens). This is the scaling of torchmetrics' CLIPScore (Hessel et al. 2021 use 2.5 instead
of 100); the range is [0, 100] and matching pairs typically score around 30 with ViT-B/32. The
Average Key-Frames CLIP Score of a film is the mean over its keyframes. Without a CLIP model on disk
it is not computed: the report says so and what to download (see weights.missing_weights).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from .clip_model import load_clip
from .options import MetricOptions


def clip_scores(images: Sequence[Image.Image], prompts: Sequence[str], options: MetricOptions | None = None) -> list[float]:
    """CLIPScore of each (keyframe, prompt) pair; raises MetricUnavailable when no CLIP model is on disk."""
    if len(images) != len(prompts):
        raise ValueError(f"{len(images)} keyframes but {len(prompts)} prompts")
    if not images:
        return []
    clip = load_clip(options or MetricOptions())
    cosines = np.sum(clip.embed_images(images) * clip.embed_texts(prompts), axis=1)
    return [float(100.0 * max(c, 0.0)) for c in cosines]


def average_clip_score(scores: Sequence[float]) -> float | None:
    """The Average Key-Frames CLIP Score: the mean of the keyframes' scores (None for no keyframes)."""
    return float(np.mean(scores)) if scores else None
