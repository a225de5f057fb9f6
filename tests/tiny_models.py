"""Tiny random diffusers pipelines built from configs and saved with save_pretrained, for tests and benches.

Each builder writes a complete model folder that `from_pretrained` loads like a real checkpoint (model_index.json,
one subfolder per component, safetensors weights). The weights are random, so the pictures are noise, but every
code path (loading, text-to-image, img2img from a Base frame, IP-Adapter, SVD segments) runs for real.
Seeds are fixed: the same call writes the same weights.
"""

from __future__ import annotations

from pathlib import Path

import torch


def _byte_level_chars() -> list[str]:
    """The 256 printable characters byte-level BPE maps bytes to (as GPT-2 and CLIP do)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = [], 0
    for byte in range(256):
        if byte in printable:
            chars.append(chr(byte))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


def _clip_tokenizer():
    """A CLIP tokenizer over single byte-level characters: a small vocab, no merges, any text tokenizes."""
    from transformers import CLIPTokenizer

    chars = _byte_level_chars()
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for token in chars + [c + "</w>" for c in chars]:
        vocab.setdefault(token, len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77), len(vocab)


def _clip_text_model(vocab_size: int, *, projection: bool = False, hidden: int = 32):
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    config = CLIPTextConfig(
        vocab_size=vocab_size, hidden_size=hidden, intermediate_size=37, num_hidden_layers=2,
        num_attention_heads=4, max_position_embeddings=77, projection_dim=hidden, bos_token_id=0,
        eos_token_id=1, pad_token_id=1, hidden_act="gelu",
    )
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(config).eval()


def _vae():
    """An AutoencoderKL with four levels, so its scale factor is 8 as in SD (64 px -> 8 latent px)."""
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=(8, 8, 8, 8), in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1,
        norm_num_groups=4, sample_size=64,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    ).eval()


def _scheduler():
    from diffusers import EulerDiscreteScheduler

    return EulerDiscreteScheduler(  # SD 1.5's noise schedule
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", timestep_spacing="leading", steps_offset=1
    )


def _clip_vision(hidden: int = 32):
    """A CLIP image encoder at 224 px (what SVD and IP-Adapter resize to), kept small by 14 px patches."""
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    config = CLIPVisionConfig(
        hidden_size=hidden, projection_dim=hidden, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=37, image_size=224, patch_size=14,
    )
    return CLIPVisionModelWithProjection(config).eval(), CLIPImageProcessor(size=224, crop_size=224)


# The tiny SD UNet; the tiny IP-Adapter is shaped after its cross-attention layers.
SD_UNET = dict(
    block_out_channels=(16, 32), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
    down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=32, attention_head_dim=4, norm_num_groups=8,
)


def build_tiny_sd(path: str | Path) -> Path:
    """An SD 1.5-style text-to-image pipeline (the Auto pipelines also make img2img from it)."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    path = Path(path)
    with torch.random.fork_rng(devices=[]):  # fixed weights, and the caller's random state untouched
        torch.manual_seed(0)
        tokenizer, vocab_size = _clip_tokenizer()
        unet = UNet2DConditionModel(**SD_UNET).eval()
        vae, text_encoder = _vae(), _clip_text_model(vocab_size)
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=_scheduler(),
        safety_checker=None, feature_extractor=None, image_encoder=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(path)
    return path


def build_tiny_sdxl(path: str | Path) -> Path:
    """An SDXL-style pipeline: two text encoders, the second with a projection, and size/crop conditioning."""
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel

    path = Path(path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer, vocab_size = _clip_tokenizer()
        unet = UNet2DConditionModel(
            block_out_channels=(16, 32), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
            addition_time_embed_dim=8, transformer_layers_per_block=(1, 1), projection_class_embeddings_input_dim=80,
            cross_attention_dim=64, norm_num_groups=8,
        ).eval()
        vae, text_encoder = _vae(), _clip_text_model(vocab_size)
        text_encoder_2 = _clip_text_model(vocab_size, projection=True)
    pipe = StableDiffusionXLPipeline(
        vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2,
        tokenizer=tokenizer, tokenizer_2=tokenizer, unet=unet, scheduler=_scheduler(),
        image_encoder=None, feature_extractor=None,
    )
    pipe.save_pretrained(path)
    return path


def build_tiny_ip_adapter(path: str | Path) -> Path:
    """An IP-Adapter for build_tiny_sd, laid out like h94/IP-Adapter: models/<weight> and models/image_encoder/.

    The weight file holds `image_proj.*` (the image embedding projected to 4 tokens) and `ip_adapter.*` (key and
    value projections for every cross-attention layer, numbered as diffusers numbers them: 1, 3, 5, ...).
    Returns the repo folder; load it with subfolder="models", weight_name="ip-adapter_tiny.safetensors".
    """
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file

    path = Path(path)
    context, embed, tokens = SD_UNET["cross_attention_dim"], 32, 4
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        encoder, _ = _clip_vision(embed)
        tensors = {
            "image_proj.proj.weight": torch.randn(context * tokens, embed) * 0.02,
            "image_proj.proj.bias": torch.zeros(context * tokens),
            "image_proj.norm.weight": torch.ones(context),
            "image_proj.norm.bias": torch.zeros(context),
        }
        with torch.device("meta"):  # only the layer names and widths are needed
            unet = UNet2DConditionModel(**SD_UNET)
        for index, name in enumerate(unet.attn_processors):
            if name.endswith("attn2.processor"):
                hidden = unet.get_submodule(name.removesuffix(".processor")).to_q.out_features
                tensors[f"ip_adapter.{index}.to_k_ip.weight"] = torch.randn(hidden, context) * 0.02
                tensors[f"ip_adapter.{index}.to_v_ip.weight"] = torch.randn(hidden, context) * 0.02
    encoder.save_pretrained(path / "models" / "image_encoder")
    save_file(tensors, str(path / "models" / "ip-adapter_tiny.safetensors"))
    return path


def build_tiny_svd(path: str | Path) -> Path:
    """A Stable Video Diffusion image-to-video pipeline (UNet and VAE with a temporal decoder, CLIP image encoder)."""
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )

    path = Path(path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        unet = UNetSpatioTemporalConditionModel(  # its GroupNorms have 32 groups: 32 channels at least
            block_out_channels=(32, 64), layers_per_block=1, sample_size=8, in_channels=8, out_channels=4,
            down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
            up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
            cross_attention_dim=32, num_attention_heads=(2, 4), addition_time_embed_dim=8,
            projection_class_embeddings_input_dim=24, num_frames=4,  # 3 conditions: fps, motion, noise
        ).eval()
        vae = AutoencoderKLTemporalDecoder(  # four levels: scale factor 8, as in SVD
            block_out_channels=(32, 32, 32, 32), down_block_types=("DownEncoderBlock2D",) * 4, layers_per_block=1,
            in_channels=3, out_channels=3, latent_channels=4, sample_size=64,
        ).eval()
        encoder, processor = _clip_vision(32)
    scheduler = EulerDiscreteScheduler(  # SVD's own scheduler config
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
        prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1, timestep_spacing="leading",
        timestep_type="continuous", use_karras_sigmas=True,
    )
    pipe = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=encoder, unet=unet, scheduler=scheduler, feature_extractor=processor
    )
    pipe.save_pretrained(path)
    return path
