"""Average Key-Frames CLIP Score: how well each keyframe shows its prompt, by CLIP only (there is no fallback).

CLIPScore = 100 x max(cos(E_image, E_text), 0) of CLIP's projected embeddings of the keyframe and its prompt (cut to
77 tokens): torchmetrics' scaling (Hessel et al. 2021 use 2.5), so matching pairs score around 30 with ViT-B/32. The
film's score is the mean over its keyframes; without CLIP on disk it is not computed, and the report says why.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from ..settings import MetricOptions
from .clip_model import load_clip


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
