"""Tiny random pipelines that extend a video, not only start one: LTX-Video's condition pipeline and Wan VACE.

As in tiny_models.py, each builder writes a folder that `from_pretrained` loads like a real checkpoint; the weights
are random and seeded, the sizes after diffusers' own tests of these pipelines
(tests/pipelines/ltx/test_ltx_condition.py, tests/pipelines/wan/test_wan_vace.py). Both VAEs compress time 4x here
(the real LTX-Video VAE 8x, Wan's 4x).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch

from tests.tiny_models import _t5, build_tiny_ltx_i2v, t5_tokenizer, wan_vae


def build_tiny_ltx_condition(path: str | Path) -> Path:
    """LTX-Video's LTXConditionPipeline: the same five components as the image-to-video pipeline (so the tiny ones of
    build_tiny_ltx_i2v), called with `conditions=` (images or videos placed at frame indices) instead of `image=`."""
    from diffusers import DiffusionPipeline, LTXConditionPipeline

    with tempfile.TemporaryDirectory() as scratch:
        components = DiffusionPipeline.from_pretrained(build_tiny_ltx_i2v(scratch)).components
    LTXConditionPipeline(**components).save_pretrained(path)
    return Path(path)


def build_tiny_wan_vace(path: str | Path) -> Path:
    """Wan 2.1 VACE: the Wan VAE and a Wan transformer with VACE blocks (at layers 0 and 2) that read the control video
    (the kept and the to-be-made parts encoded apart, 2 x 16 channels) and its mask (8 x 8 pixels per latent: 64)."""
    from diffusers import FlowMatchEulerDiscreteScheduler, WanVACEPipeline, WanVACETransformer3DModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        pipe = WanVACEPipeline(
            vae=wan_vae(), scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
            text_encoder=_t5(len(tokenizer)), tokenizer=tokenizer,
            transformer=WanVACETransformer3DModel(
                patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
                text_dim=32, freq_dim=256, ffn_dim=32, num_layers=3, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", rope_max_seq_len=32, vace_layers=[0, 2], vace_in_channels=96).eval(),
        )
    pipe.save_pretrained(path)
    return Path(path)
