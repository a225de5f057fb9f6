"""Tiny random Qwen-Image-Edit and Qwen-Image-Edit-Plus (2509) pipelines, built offline and saved with save_pretrained.

An edit pipeline is Qwen-Image's parts plus a `processor` (Qwen2VLProcessor: an image processor that cuts the image to
edit into 14 px patches, and the tokenizer with Qwen's vision tokens), whose text encoder reads the image with its
vision tower. The text encoder and transformer are tiny_models' Qwen-Image ones; two things differ, both for speed:
- the VAE downsamples 16x (four levels, two channels): both edit pipelines encode the image to edit at one megapixel
  whatever size is asked for, which a 4x VAE turns into 16,384 transformer tokens and a minute and a half per edit on
  one CPU thread; at 16x it is 1,024 tokens and a few seconds;
- the processor reads few pixels (at most 16 merged 28 px patches; Qwen2VLImageProcessor's default is 1,280).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from tests.tiny_models import build_tiny_qwen_image

Z_DIM = 4


def _vae():
    """The Qwen-Image VAE, four levels (16x: 1024 px -> 64 latent px), two channels."""
    from diffusers import AutoencoderKLQwenImage

    return AutoencoderKLQwenImage(base_dim=2, z_dim=Z_DIM, dim_mult=[1, 1, 1, 1, 1], num_res_blocks=1,
                                  temperal_downsample=[False, False, False, True], latents_mean=[0.0] * Z_DIM,
                                  latents_std=[1.0] * Z_DIM).eval()


def _processor(tokenizer):
    """Qwen2VLProcessor as the Qwen-Image-Edit checkpoints ship it (14 px patches merged 2x2), reading few pixels."""
    from transformers import Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor

    images = Qwen2VLImageProcessor(patch_size=14, merge_size=2, temporal_patch_size=2, min_pixels=28 * 28 * 4,
                                   max_pixels=28 * 28 * 16)
    return Qwen2VLProcessor(image_processor=images, tokenizer=tokenizer, video_processor=Qwen2VLVideoProcessor(),
                            chat_template=tokenizer.chat_template)


def build_tiny_qwen_image_edit(path: str | Path, plus: bool = False) -> Path:
    """QwenImageEditPipeline, or with `plus` QwenImageEditPlusPipeline (Qwen-Image-Edit-2509: a list of images)."""
    from diffusers import QwenImageEditPipeline, QwenImageEditPlusPipeline, QwenImagePipeline

    with tempfile.TemporaryDirectory() as text_to_image, torch.random.fork_rng(devices=[]):
        parts = QwenImagePipeline.from_pretrained(build_tiny_qwen_image(Path(text_to_image) / "qwen-image")).components
        torch.manual_seed(0)
        parts.update(vae=_vae(), processor=_processor(parts["tokenizer"]))
        pipe = (QwenImageEditPlusPipeline if plus else QwenImageEditPipeline)(**parts)
        pipe.save_pretrained(path)
    return Path(path)
