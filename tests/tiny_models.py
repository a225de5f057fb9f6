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


def build_tiny_sd(path: str | Path, clip_tokenizer: Path | None = None) -> Path:
    """An SD 1.5-style text-to-image pipeline (the Auto pipelines also make img2img from it); `clip_tokenizer`: a
    tokenizer folder to use (the real CLIP vocabulary, tiny_clip.build_real_clip_tokenizer), else byte-level."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    path = Path(path)
    with torch.random.fork_rng(devices=[]):  # fixed weights, and the caller's random state untouched
        torch.manual_seed(0)
        tokenizer, vocab_size = _real_or_byte_clip(clip_tokenizer)
        unet = UNet2DConditionModel(**SD_UNET).eval()
        vae, text_encoder = _vae(), _clip_text_model(vocab_size)
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=_scheduler(),
        safety_checker=None, feature_extractor=None, image_encoder=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(path)
    return path


def build_tiny_sdxl(path: str | Path, clip_tokenizer: Path | None = None) -> Path:
    """An SDXL-style pipeline: two text encoders, the second with a projection, and size/crop conditioning."""
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel

    path = Path(path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer, vocab_size = _real_or_byte_clip(clip_tokenizer)
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


# -- the transformer families: tiny configs after diffusers' own pipeline tests ----------------------------------------
def t5_tokenizer():
    """A T5 tokenizer (Unigram, as T5/UMT5 use) over single characters and a few words, built offline: any English text
    tokenizes, as in a real T5 each word opens with '▁' and the sequence ends with </s>."""
    import string

    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    for ch in string.ascii_letters + string.digits + ".,;:'!?-()":
        pieces += [(ch, -5.0), ("▁" + ch, -6.0)]
    pieces += [("▁" + w, -3.0) for w in "the a of and in on with by her his she he to at is light house sea storm".split()]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def _t5(vocab_size: int, d_model: int = 32):
    from transformers import T5Config, T5EncoderModel

    config = T5Config(vocab_size=vocab_size, d_model=d_model, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                      relative_attention_num_buckets=8, decoder_start_token_id=0)
    return T5EncoderModel(config).eval()


def _real_or_byte_clip(clip_tokenizer):
    """The given CLIP tokenizer folder (the real vocabulary) or the byte-level one; (tokenizer, vocab size)."""
    if clip_tokenizer is None:
        return _clip_tokenizer()
    from transformers import CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(clip_tokenizer)
    return tokenizer, len(tokenizer)


def _flux_components(clip_tokenizer=None) -> dict:
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxTransformer2DModel

    torch.manual_seed(0)
    tokenizer, vocab_size = _real_or_byte_clip(clip_tokenizer)
    t5_tok = t5_tokenizer()
    return dict(
        transformer=FluxTransformer2DModel(
            patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
            joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 4, 8]).eval(),
        text_encoder=_clip_text_model(vocab_size), text_encoder_2=_t5(len(t5_tok)), tokenizer=tokenizer, tokenizer_2=t5_tok,
        vae=AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4, 4), layers_per_block=1,
                          latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                          shift_factor=0.0609, scaling_factor=1.5035,
                          down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2).eval(),
        scheduler=FlowMatchEulerDiscreteScheduler(),
    )


def build_tiny_flux(path: str | Path, clip_tokenizer=None) -> Path:
    """A FLUX.1-style pipeline: CLIP (pooled) + T5 text encoders, a flux transformer, a flow-matching scheduler."""
    from diffusers import FluxPipeline

    with torch.random.fork_rng(devices=[]):
        pipe = FluxPipeline(**_flux_components(clip_tokenizer), image_encoder=None, feature_extractor=None)
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_flux_kontext(path: str | Path, clip_tokenizer=None) -> Path:
    """FLUX.1 Kontext: the FLUX.1 components, called with the image to edit."""
    from diffusers import FluxKontextPipeline

    with torch.random.fork_rng(devices=[]):
        pipe = FluxKontextPipeline(**_flux_components(clip_tokenizer), image_encoder=None, feature_extractor=None)
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_sd3(path: str | Path, clip_tokenizer=None) -> Path:
    """An SD 3.5-style pipeline: two CLIPs with projections, a T5, an MMDiT transformer."""
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer, vocab_size = _real_or_byte_clip(clip_tokenizer)
        t5_tok = t5_tokenizer()
        pipe = StableDiffusion3Pipeline(
            transformer=SD3Transformer2DModel(
                sample_size=32, patch_size=1, in_channels=4, num_layers=1, attention_head_dim=8, num_attention_heads=4,
                caption_projection_dim=32, joint_attention_dim=32, pooled_projection_dim=64, out_channels=4).eval(),
            text_encoder=_clip_text_model(vocab_size, projection=True), text_encoder_2=_clip_text_model(vocab_size, projection=True),
            text_encoder_3=_t5(len(t5_tok)), tokenizer=tokenizer, tokenizer_2=tokenizer, tokenizer_3=t5_tok,
            vae=AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4, 4), layers_per_block=1,
                              latent_channels=4, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                              shift_factor=0.0609, scaling_factor=1.5035,
                              down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2).eval(),
            scheduler=FlowMatchEulerDiscreteScheduler(),
        )
    pipe.save_pretrained(path)
    return Path(path)


def wan_vae():
    """The tiny Wan VAE every Wan pipeline here shares: 4x in time, 8x in space, 16 latent channels."""
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True]).eval()


def wan_transformer(in_channels: int, out_channels: int, **kw):
    """A tiny Wan transformer (patch 1x2x2): 36 -> 16 channels for image-to-video (noise, mask, image latents),
    48 -> 48 for Wan 2.2 TI2V (its VAE's 48 latent channels, the keyframe in place of the first latent frame)."""
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels,
        out_channels=out_channels, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, **kw).eval()


def build_tiny_wan_i2v(path: str | Path, first_last_frame: bool = False) -> Path:
    """A Wan 2.1 image-to-video pipeline (UMT5-style text encoder, CLIP image encoder, Wan VAE: 4x in time, 8x in space);
    `first_last_frame`: the FLF2V variant, whose image embedder reads the first and the last frame (pos_embed_seq_len)."""
    image_size = 4 if first_last_frame else 32
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        pipe = WanImageToVideoPipeline(
            vae=wan_vae(), scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
            text_encoder=_t5(len(tokenizer)), tokenizer=tokenizer,
            transformer=wan_transformer(36, 16, image_dim=4,
                                        pos_embed_seq_len=2 * (image_size * image_size + 1) if first_last_frame else None),
            image_encoder=CLIPVisionModelWithProjection(CLIPVisionConfig(
                hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=image_size,
                intermediate_size=16, patch_size=1)).eval(),
            image_processor=CLIPImageProcessor(crop_size=image_size, size=image_size),
            transformer_2=None,
        )
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_ltx_i2v(path: str | Path) -> Path:
    """An LTX-Video image-to-video pipeline (T5 text encoder, LTX VAE: 8x in time with the settings below -> 4x here)."""
    from diffusers import (AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXImageToVideoPipeline,
                           LTXVideoTransformer3DModel)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        vae = AutoencoderKLLTXVideo(
            in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
            decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
            decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
            decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
            upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=1,
            patch_size_t=1, encoder_causal=True, decoder_causal=False).eval()
        vae.use_framewise_encoding = vae.use_framewise_decoding = False
        pipe = LTXImageToVideoPipeline(
            transformer=LTXVideoTransformer3DModel(
                in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
                cross_attention_dim=32, num_layers=1, caption_channels=32).eval(),
            vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=_t5(len(tokenizer)), tokenizer=tokenizer,
        )
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_cogvideox_i2v(path: str | Path, v15: bool = False) -> Path:
    """A CogVideoX image-to-video pipeline (T5, CogVideoX VAE 4x in time, a transformer with 3D RoPE). 1.0 has learned
    positional embeddings (one size and length); `v15`: CogVideoX 1.5's temporal patch of 2, an `ofs` embedding and
    RoPE only (any size and length), with its DPM scheduler."""
    from diffusers import (AutoencoderKLCogVideoX, CogVideoXDPMScheduler, CogVideoXImageToVideoPipeline,
                           CogVideoXTransformer3DModel, DDIMScheduler)

    version = (dict(sample_width=8, sample_height=8, patch_size_t=2, ofs_embed_dim=2, use_learned_positional_embeddings=False)
               if v15 else dict(sample_width=2, sample_height=2, use_learned_positional_embeddings=True))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        pipe = CogVideoXImageToVideoPipeline(
            transformer=CogVideoXTransformer3DModel(
                num_attention_heads=2, attention_head_dim=16, in_channels=8, out_channels=4, time_embed_dim=2,
                text_embed_dim=32, num_layers=1, sample_frames=9, patch_size=2, temporal_compression_ratio=4,
                max_text_seq_length=16, use_rotary_positional_embeddings=True, **version).eval(),
            vae=AutoencoderKLCogVideoX(
                in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
                up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
                layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4).eval(),
            scheduler=CogVideoXDPMScheduler() if v15 else DDIMScheduler(), text_encoder=_t5(len(tokenizer)),
            tokenizer=tokenizer,
        )
    pipe.save_pretrained(path)
    return Path(path)


QWEN_CHAT = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
             "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% if enable_thinking is defined and "
             "not enable_thinking %}<think>\n\n</think>\n\n{% endif %}{% endif %}")


def qwen_tokenizer():
    """A Qwen2 tokenizer (byte-level BPE, as Qwen's) over single bytes, with Qwen's chat tokens and a chat template."""
    from transformers import Qwen2Tokenizer

    vocab = {c: i for i, c in enumerate(_byte_level_chars())}
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[])
    tokenizer.add_special_tokens({"additional_special_tokens": [
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>"]})
    tokenizer.chat_template = QWEN_CHAT
    return tokenizer


def build_tiny_qwen_image(path: str | Path) -> Path:
    """A Qwen-Image pipeline: a Qwen2.5-VL text encoder (text path only), the Qwen-Image VAE and MMDiT."""
    from diffusers import AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImagePipeline, QwenImageTransformer2DModel
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = qwen_tokenizer()
        ids = tokenizer.convert_tokens_to_ids
        config = Qwen2_5_VLConfig(
            text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                         "num_key_value_heads": 2, "rope_scaling": {"mrope_section": [1, 1, 2], "rope_type": "default",
                                                                    "type": "default"}, "rope_theta": 1000000.0,
                         "vocab_size": len(tokenizer), "eos_token_id": ids("<|im_end|>"), "bos_token_id": ids("<|endoftext|>"),
                         "pad_token_id": ids("<|endoftext|>")},
            vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16},
            hidden_size=16, vocab_size=len(tokenizer), vision_start_token_id=ids("<|vision_start|>"),
            vision_end_token_id=ids("<|vision_end|>"), vision_token_id=ids("<|image_pad|>"),
            image_token_id=ids("<|image_pad|>"),
        )
        z_dim = 4
        pipe = QwenImagePipeline(
            transformer=QwenImageTransformer2DModel(
                patch_size=2, in_channels=16, out_channels=4, num_layers=2, attention_head_dim=16, num_attention_heads=3,
                joint_attention_dim=16, guidance_embeds=False, axes_dims_rope=(8, 4, 4)).eval(),
            vae=AutoencoderKLQwenImage(base_dim=z_dim * 6, z_dim=z_dim, dim_mult=[1, 2, 4], num_res_blocks=1,
                                       temperal_downsample=[False, True], latents_mean=[0.0] * z_dim,
                                       latents_std=[1.0] * z_dim).eval(),
            scheduler=FlowMatchEulerDiscreteScheduler(),
            text_encoder=Qwen2_5_VLForConditionalGeneration(config).eval(), tokenizer=tokenizer,
        )
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_flux2_klein(path: str | Path) -> Path:
    """A FLUX.2 klein pipeline: a Qwen3 text encoder read at three of its layers (9, 18, 27: so 28 tiny layers here),
    the FLUX.2 VAE and transformer."""
    from diffusers import AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler, Flux2KleinPipeline, Flux2Transformer2DModel
    from transformers import Qwen3Config, Qwen3ForCausalLM

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = qwen_tokenizer()
        pipe = Flux2KleinPipeline(
            transformer=Flux2Transformer2DModel(
                patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16,
                num_attention_heads=2, joint_attention_dim=48, timestep_guidance_channels=256,
                axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False).eval(),
            text_encoder=Qwen3ForCausalLM(Qwen3Config(
                intermediate_size=16, hidden_size=16, num_hidden_layers=28, num_attention_heads=2, num_key_value_heads=2,
                vocab_size=len(tokenizer), max_position_embeddings=1024)).eval(),
            tokenizer=tokenizer,
            vae=AutoencoderKLFlux2(sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
                                   up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1,
                                   latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False).eval(),
            scheduler=FlowMatchEulerDiscreteScheduler(),
        )
    pipe.save_pretrained(path)
    return Path(path)
