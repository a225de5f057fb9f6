"""What the metrics take: which models to use and where their weights are (one pydantic model, meant for Settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CLIP_MODEL = "openai/clip-vit-base-patch32"


class MetricOptions(BaseModel):
    """Models and weights of the consistency metrics. Nothing here is ever downloaded: missing weights are reported."""

    model_config = ConfigDict(extra="forbid")

    face_embedder: Literal["auto", "facenet", "dlib", "off"] = Field(
        default="auto",
        description="'facenet': InceptionResnetV1 (VGGFace2) from facenet-pytorch; 'dlib': dlib's 128-d ResNet face "
        "model; 'auto': facenet when its weights are on disk, else dlib; 'off': faces are not measured (no CSFD, no "
        "face gate).",
    )
    facenet_weights: Path | None = Field(
        default=None,
        description="Path of 20180402-114759-vggface2.pt; by default $TORCH_HOME/checkpoints/20180402-114759-vggface2.pt.",
    )
    face_min_probability: float = Field(
        default=0.90, ge=0, le=1, description="MTCNN faces below this detection probability are ignored."
    )
    face_min_size: int = Field(
        default=40, ge=8, le=1024,
        description="Smallest face MTCNN looks for, in pixels (40 suits characters in a keyframe; 20 also finds extras, "
        "at twice the time).",
    )
    clip_model: str | None = Field(
        default=DEFAULT_CLIP_MODEL,
        description="CLIP for style embeddings and the CLIP score: a local folder (save_pretrained layout) or a hub id "
        "already in the Hugging Face cache. Empty: no CLIP (style by Gram statistics, no CLIP score).",
    )
    clip_revision: str | None = Field(default=None, description="Hub revision of clip_model (ignored for a local folder).")
    device: str = Field(default="cpu", description="'cpu', 'cuda', 'cuda:N' or 'auto' (CUDA when available) for MTCNN, facenet and CLIP.")
