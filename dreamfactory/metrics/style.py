"""Style: per-frame style embeddings (CLIP, or Gram statistics without CLIP) and the Cross-Scene Style Consistency (CSSC).

Cross-Scene Style Consistency (CSSC), higher is better, 1.0 when every shot shows the same frame: for
every pair of different scenes, the mean cosine similarity of the style embeddings of their shots'
keyframes over all pairs of shots (one from each scene); CSSC is the mean over the pairs of scenes
(grouping.scene_pair_mean), so every scene weighs the same whatever its number of shots. Beside it each
shot's style similarity to the Base frame (the cosine similarity of its keyframe's embedding and the Base
frame's, the Reviewer's gate's number) and, per film, the mean of those over shots.

Style embeddings, one of two, named in every report (values of the two are not comparable):
- "clip:<model>": CLIP's L2-normalised image embedding (the projection), when a CLIP model is on disk.
- "gram-v1": Gram-matrix statistics of fixed filters, when no CLIP is given or found. The frame is
  resized to 256x256 and split into 8 channels: luma Y - 0.5 (Y = 0.299 R + 0.587 G + 0.114 B, RGB in
  [0, 1]), two opponent colours R - G and (R + G) / 2 - B, and five 3x3 filter responses of luma (Sobel
  horizontal and vertical, the two diagonal Sobels, a Laplacian). At 3 scales (256, 128, 64 px, by 2x2
  average pooling of Y and the colours) the 8x8 Gram matrix G = F F^T / N of the channels (F: 8 x N
  pixels) is taken; its 36 upper-triangle entries are L2-normalised per scale, the 3 scales concatenated
  (108 values) and L2-normalised again. It captures palette, brightness, contrast and texture
  orientation, not content; Gram cosines are high for any pair of natural images, so read them on their
  own scale. On scikit-image's photographs a frame against its shifted, mirrored, brightened (x1.15),
  cropped, blurred, contrast-stretched or JPEG copy scores 0.965-1.000; different photographs score
  0.23-0.98 (0.70-0.93 against the astronaut; gray photographs, or two warm close-ups, resemble each
  other most). Gram statistics follow palette and light more than drawing style: five animatic
  keyframes of one film, drawn alike but in other settings and times of day, scored 0.45-0.83 against
  their Base frame. About 10-40 ms a frame on CPU.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from .grouping import scene_pair_mean
from .options import MetricOptions
from .weights import MetricUnavailable, clip_available

GRAM = "gram-v1"
_SIZE, _SCALES = 256, 3


def _filters():
    import torch

    k = lambda rows: torch.tensor(rows, dtype=torch.float32) / 4  # noqa: E731
    bank = [
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
        [[2, 1, 0], [1, 0, -1], [0, -1, -2]],
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    ]
    return torch.stack([k(f) for f in bank])[:, None]


def gram_embedding(image: Image.Image) -> np.ndarray:
    """The "gram-v1" style embedding of a frame (108 values, unit length); see the module docstring."""
    import torch
    import torch.nn.functional as F

    rgb = np.asarray(image.convert("RGB").resize((_SIZE, _SIZE), Image.BICUBIC), dtype=np.float32) / 255.0
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    luma, red_green, yellow_blue = 0.299 * r + 0.587 * g + 0.114 * b, r - g, (r + g) / 2 - b
    bank, upper = _filters(), torch.triu_indices(8, 8)
    parts = []
    for _ in range(_SCALES):
        edges = F.conv2d(F.pad(luma, (1, 1, 1, 1), mode="replicate"), bank)
        channels = torch.cat([luma - 0.5, red_green, yellow_blue, edges], dim=1)[0].reshape(8, -1)
        gram = channels @ channels.T / channels.shape[1]
        part = gram[upper[0], upper[1]]
        parts.append(part / part.norm().clamp_min(1e-12))
        luma, red_green, yellow_blue = (F.avg_pool2d(c, 2) for c in (luma, red_green, yellow_blue))
    vector = torch.cat(parts)
    return (vector / vector.norm().clamp_min(1e-12)).double().numpy()


def style_embedding_name(options: MetricOptions) -> str:
    """The style embedding these options give here: 'clip:<model>' when CLIP is on disk, else 'gram-v1'."""
    return f"clip:{options.clip_model}" if clip_available(options) else GRAM


def style_embeddings(images: Sequence[Image.Image], options: MetricOptions | None = None) -> tuple[np.ndarray, str]:
    """Unit-length style embeddings (one row per image) and the embedding's name; CLIP when available, else Gram."""
    options = options or MetricOptions()
    if clip_available(options):
        from .clip_model import load_clip

        try:
            clip = load_clip(options)
        except MetricUnavailable:
            clip = None  # on disk but unreadable: fall back, and say so through the name
        if clip is not None:
            return clip.embed_images(images), f"clip:{options.clip_model}"
    return np.stack([gram_embedding(im) for im in images]), GRAM


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def cross_scene_style_consistency(scenes: Sequence[str], embeddings: Sequence[np.ndarray]) -> tuple[float | None, str | None]:
    """CSSC over the shots' embeddings (film order), each shot labelled with its scene; and why it is None, if it is."""
    cssc = scene_pair_mean(list(zip(scenes, embeddings)), cosine)
    return cssc, None if cssc is not None else "CSSC undefined: it needs at least two scenes"
