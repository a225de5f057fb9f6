"""CLIP, loaded once per process from a local folder or the Hugging Face cache (never downloaded), and its embeddings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from PIL import Image

from ..settings import MetricOptions
from .cache import load_once, torch_device
from .weights import MetricUnavailable, clip_local_dir, missing_weights


@dataclass
class ClipModel:
    """A CLIPModel with its processor; calls are serialised by a lock."""

    name: str
    model: Any
    processor: Any
    device: str
    lock: threading.Lock = field(default_factory=threading.Lock)

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """L2-normalised image embeddings (CLIP's projection), one row per image."""
        import torch

        inputs = self.processor(images=[im.convert("RGB") for im in images], return_tensors="pt")
        with self.lock, torch.inference_mode():
            out = self.model.get_image_features(pixel_values=inputs["pixel_values"].to(self.device))
        return _normalised(out)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised text embeddings, one row per text, truncated to CLIP's context (77 tokens)."""
        import torch

        limit = self.model.config.text_config.max_position_embeddings
        inputs = self.processor.tokenizer(list(texts), padding=True, truncation=True, max_length=limit,
                                          return_tensors="pt")
        with self.lock, torch.inference_mode():
            out = self.model.get_text_features(input_ids=inputs["input_ids"].to(self.device),
                                               attention_mask=inputs["attention_mask"].to(self.device))
        return _normalised(out)


def _normalised(out) -> np.ndarray:
    # transformers 5 returns an output object whose pooler_output is the projection; 4.x returned the tensor.
    tensor = getattr(out, "pooler_output", out)
    vectors = tensor.float().cpu().numpy().astype(np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def load_clip(options: MetricOptions) -> ClipModel:
    """The CLIP model named by options.clip_model; MetricUnavailable (saying what to download) when it is not on disk."""
    if not options.clip_model:
        raise MetricUnavailable("CLIP is turned off: metrics.clip_model is empty; set it to a CLIP model folder.")
    device = torch_device(options.device)
    local = clip_local_dir(options.clip_model)
    key = ("clip", str(local.resolve()) if local else options.clip_model, options.clip_revision, device)
    return load_once(key, lambda: _load(options, device))


def _load(options: MetricOptions, device: str) -> ClipModel:
    try:
        from transformers import AutoProcessor, CLIPModel
    except ImportError as exc:
        raise MetricUnavailable("CLIP needs transformers: pip install 'dreamfactory[render]'.") from exc
    local = clip_local_dir(options.clip_model)
    source = str(local) if local is not None else options.clip_model
    kwargs = {} if local is not None else {"revision": options.clip_revision, "local_files_only": True}
    try:
        model = CLIPModel.from_pretrained(source, **kwargs).eval().to(device)
        processor = AutoProcessor.from_pretrained(source, **kwargs)
    except OSError as exc:  # not in the cache / not a model folder: say what to fetch
        if local is not None and local.is_dir():
            raise MetricUnavailable(f"CLIP model folder {local} could not be loaded ({exc}). " + _how(options)) from exc
        raise MetricUnavailable(f"CLIP model {options.clip_model!r} is not on this machine. " + _how(options)) from exc
    return ClipModel(name=options.clip_model, model=model, processor=processor, device=device)


def _how(options: MetricOptions) -> str:
    clip = [m for m in missing_weights(options) if m.name.startswith("clip")]
    return clip[0].message() if clip else "Download it again with `hf download ... --local-dir` (see docs/metrics.md)."
