"""Tiny random HunyuanVideo image-to-video, LTX-2 and Wan 2.2 pipelines, built from configs and saved with
save_pretrained.

As in tiny_models.py: every component is real and small, weights random and fixed by seed, and the tokenizers are
built offline. The Llava-Llama and Gemma tokenizers are SentencePiece-style BPE (words open with '▁', unknown bytes
fall back to <0xNN> tokens, as in the real ones) over single characters plus whole words: those of HunyuanVideo's
prompt template, so the template costs as many tokens as with Llama 3's vocabulary (103 before the prompt: its
`crop_start`; its <image> token at position 5, where the pipeline puts the image's 576), and some common English
ones. Any text tokenizes.
"""

from __future__ import annotations

import string
from pathlib import Path

import torch

from tests.tiny_models import _clip_text_model, _clip_tokenizer

# The words of HunyuanVideo-I2V's prompt template (diffusers' DEFAULT_PROMPT_TEMPLATE) and of everyday prompts.
TEMPLATE_WORDS = (
    "Describe the video by detailing following aspects according to reference image main content and theme of "
    "The color shape size texture quantity text spatial relationships objects Actions events behaviors temporal "
    "physical movement changes background environment light style atmosphere camera angles movements transitions "
    "used in"
).split()
COMMON_WORDS = (
    "a an is are was on at with her his she he it they to from into up down over under runs walks climbs stairs "
    "lamp room glows sea storm rain wind night day morning house lighthouse door window slowly quickly looks turns "
    "smiles waves holds opens close wide shot Mira"
).split()


def _word_bpe(words: list[str], specials: list[str], bare: tuple[str, ...] = ()) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """(vocab, merges) of a BPE that reads each word (as '▁word') in one token and anything else by characters or
    bytes. Each merge extends a word's prefix by one character: the '▁' words' merges come first, so no other merge
    takes their letters; `bare` words (read without '▁': after a special token or a line break) come last."""
    vocab: dict[str, int] = {}
    for token in [*specials, *(f"<0x{b:02X}>" for b in range(256)), "▁", "\n", "\n\n",
                  *string.ascii_letters, *string.digits, *string.punctuation]:
        vocab.setdefault(token, len(vocab))
    merges = [("\n", "\n")]
    for piece in [*dict.fromkeys("▁" + w for w in words), *bare]:
        for end in range(2, len(piece) + 1):
            if piece[:end] not in vocab:
                vocab[piece[:end]] = len(vocab)
                merges.append((piece[: end - 1], piece[end - 1]))
    return vocab, merges


LLAVA_SPECIALS = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<image>", "<pad>"]


def llava_llama_tokenizer():
    """A Llama tokenizer (the class HunyuanVideo's pipeline loads) with Llama 3's chat tokens and Llava's <image>."""
    from transformers import LlamaTokenizerFast

    vocab, merges = _word_bpe([*TEMPLATE_WORDS, *COMMON_WORDS], ["<unk>", "<|begin_of_text|>", "<|end_of_text|>"],
                              bare=("system", "user", "assistant", "Describe"))
    tokenizer = LlamaTokenizerFast(vocab=vocab, merges=merges, bos_token="<|begin_of_text|>",
                                   eos_token="<|end_of_text|>", unk_token="<unk>", add_bos_token=True)
    tokenizer.add_special_tokens({"additional_special_tokens": LLAVA_SPECIALS, "pad_token": "<pad>"})
    return tokenizer


def gemma_tokenizer():
    """A Gemma tokenizer (the class LTX-2's pipeline loads): <bos> opens every text, <pad> pads on the left."""
    from transformers import GemmaTokenizerFast

    vocab, merges = _word_bpe(COMMON_WORDS + TEMPLATE_WORDS, ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"])
    return GemmaTokenizerFast(vocab=vocab, merges=merges, add_bos_token=True)


def build_tiny_hunyuan_i2v(path: str | Path, image_condition: str = "token_replace") -> Path:
    """HunyuanVideo image-to-video: a Llava-Llama text encoder reading the prompt in its template with the keyframe
    (its vision tower makes the template's 576 image tokens: 24x24 patches), a CLIP text encoder (pooled), the
    HunyuanVideo VAE (4x in time, 8x in space). `image_condition`: 'token_replace' as the released HunyuanVideo-I2V
    (the first latent frame is the keyframe's), or 'latent_concat' as HunyuanVideo-I2V-33ch (the keyframe's latents
    beside the noise; the pipeline drops the first 4 frames it decodes)."""
    from diffusers import (AutoencoderKLHunyuanVideo, FlowMatchEulerDiscreteScheduler, HunyuanVideoImageToVideoPipeline,
                           HunyuanVideoTransformer3DModel)
    from transformers import CLIPImageProcessor, CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = llava_llama_tokenizer()
        clip_tokenizer, clip_vocab = _clip_tokenizer()
        ids = tokenizer.convert_tokens_to_ids
        text = LlamaConfig(hidden_size=16, intermediate_size=16, num_hidden_layers=2, num_attention_heads=4,
                           num_key_value_heads=4, vocab_size=len(tokenizer), bos_token_id=ids("<|begin_of_text|>"),
                           eos_token_id=ids("<|end_of_text|>"), pad_token_id=ids("<pad>"), max_position_embeddings=2048)
        vision = CLIPVisionConfig(hidden_size=8, intermediate_size=16, num_attention_heads=2, num_hidden_layers=2,
                                  image_size=24, patch_size=1, projection_dim=8)
        latent = 4
        pipe = HunyuanVideoImageToVideoPipeline(
            text_encoder=LlavaForConditionalGeneration(LlavaConfig(
                vision_config=vision, text_config=text, image_token_index=ids("<image>"), pad_token_id=ids("<pad>"),
                image_seq_length=576)).eval(),
            tokenizer=tokenizer,
            transformer=HunyuanVideoTransformer3DModel(
                in_channels=latent if image_condition == "token_replace" else 2 * latent + 1, out_channels=latent,
                num_attention_heads=2, attention_head_dim=10, num_layers=1, num_single_layers=1, num_refiner_layers=1,
                patch_size=2, patch_size_t=1, guidance_embeds=image_condition == "token_replace", text_embed_dim=16,
                pooled_projection_dim=8, rope_axes_dim=(2, 4, 4), image_condition_type=image_condition).eval(),
            vae=AutoencoderKLHunyuanVideo(
                in_channels=3, out_channels=3, latent_channels=latent, down_block_types=("HunyuanVideoDownBlock3D",) * 4,
                up_block_types=("HunyuanVideoUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), layers_per_block=1,
                act_fn="silu", norm_num_groups=4, scaling_factor=0.476986, spatial_compression_ratio=8,
                temporal_compression_ratio=4, mid_block_add_attention=True).eval(),
            scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
            text_encoder_2=_clip_text_model(clip_vocab, hidden=8),
            tokenizer_2=clip_tokenizer,
            image_processor=CLIPImageProcessor(size=24, crop_size=24),
        )
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_ltx2_i2v(path: str | Path) -> Path:
    """LTX-2 image-to-video with its sound: a Gemma 3 text encoder read at every layer through the text connectors,
    the LTX-2 video VAE (8x in time, 32x in space, as the real one), the audio VAE (mel spectrograms, 16 kHz) and a
    vocoder whose upsampling (4 x 4 x 10 = 160) matches the mel hop, so a generation's sound lasts as long as its
    frames."""
    from diffusers import (AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, FlowMatchEulerDiscreteScheduler,
                           LTX2ImageToVideoPipeline, LTX2VideoTransformer3DModel)
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration, Gemma3TextConfig, SiglipVisionConfig

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = gemma_tokenizer()
        ids = tokenizer.convert_tokens_to_ids
        hidden, layers = 16, 2
        text_encoder = Gemma3ForConditionalGeneration(Gemma3Config(
            text_config=Gemma3TextConfig(
                vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=16, num_hidden_layers=layers,
                num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=2048,
                sliding_window=64, pad_token_id=ids("<pad>"), bos_token_id=ids("<bos>"), eos_token_id=ids("<eos>")),
            vision_config=SiglipVisionConfig(hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                                             num_attention_heads=2, image_size=16, patch_size=4),
            mm_tokens_per_image=4)).eval()
        vae = AutoencoderKLLTX2Video(
            in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 8, 8), layers_per_block=(1, 1, 1, 1),
            down_block_types=("LTX2VideoDownBlock3D",) * 3, downsample_type=("spatiotemporal",) * 3,
            spatio_temporal_scaling=(True, True, True), decoder_block_out_channels=(8, 8, 8),
            decoder_layers_per_block=(1, 1, 1, 1), decoder_spatio_temporal_scaling=(True, True, True),
            decoder_inject_noise=(False,) * 4, upsample_type=("spatiotemporal",) * 3, upsample_residual=(False,) * 3,
            upsample_factor=(1, 1, 1), timestep_conditioning=False, patch_size=4, patch_size_t=1,
            encoder_causal=True, decoder_causal=False, decoder_spatial_padding_mode="zeros").eval()
        vae.use_framewise_encoding = vae.use_framewise_decoding = False
        audio_vae = AutoencoderKLLTX2Audio(
            base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
            resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
            mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8).eval()
        pipe = LTX2ImageToVideoPipeline(
            scheduler=FlowMatchEulerDiscreteScheduler(),
            vae=vae, audio_vae=audio_vae, text_encoder=text_encoder, tokenizer=tokenizer,
            connectors=LTX2TextConnectors(
                caption_channels=hidden, text_proj_in_factor=layers + 1, video_connector_num_attention_heads=2,
                video_connector_attention_head_dim=8, video_connector_num_layers=1,
                video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=2,
                audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
                audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32,
                rope_double_precision=False, rope_type="split").eval(),
            transformer=LTX2VideoTransformer3DModel(
                in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
                cross_attention_dim=16, vae_scale_factors=(8, 32, 32), audio_in_channels=4, audio_out_channels=4,
                audio_num_attention_heads=2, audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2,
                caption_channels=hidden, rope_double_precision=False, rope_type="split").eval(),
            vocoder=LTX2Vocoder(
                in_channels=2 * 8, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[8, 8, 20],
                upsample_factors=[4, 4, 10], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
                leaky_relu_negative_slope=0.1, output_sampling_rate=16000).eval(),
        )
    pipe.save_pretrained(path)
    return Path(path)


# -- Wan 2.2 ---------------------------------------------------------------------------------------------------------
def build_tiny_wan22_ti2v(path: str | Path, declared: str = "WanPipeline") -> Path:
    """Wan 2.2 TI2V-5B in small (after diffusers' Wan225B test): its VAE has 48 latent channels, patchifies 2x2 and
    compresses 16x in space; `expand_timesteps`. Saved as the hub's checkpoint declares it, the text-to-video
    WanPipeline, or as `declared` (WanImageToVideoPipeline: how save_pretrained of a loaded I2V pipeline writes it)."""
    import diffusers
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler

    from tests.tiny_models import _t5, t5_tokenizer, wan_transformer

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        vae = AutoencoderKLWan(base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
                               latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1],
                               num_res_blocks=1, scale_factor_spatial=16, scale_factor_temporal=4,
                               temperal_downsample=[False, True, True]).eval()
        parts = dict(transformer=wan_transformer(48, 48), transformer_2=None, vae=vae, text_encoder=_t5(len(tokenizer)),
                     tokenizer=tokenizer, boundary_ratio=None, expand_timesteps=True,
                     scheduler=UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                                       flow_shift=5.0))
        if declared == "WanImageToVideoPipeline":
            parts.update(image_encoder=None, image_processor=None)
        pipe = getattr(diffusers, declared)(**parts)
    pipe.save_pretrained(path)
    return Path(path)


def build_tiny_wan22_a14b(path: str | Path, high_noise: bool = True) -> Path:
    """Wan 2.2 I2V-A14B in small: two experts, `transformer` for the high-noise steps and `transformer_2` for the
    low-noise ones, split at `boundary_ratio`; no CLIP image encoder (the last frame joins the latents, so it can end
    on one). `high_noise=False`: a folder with the low-noise expert alone (boundary_ratio 1.0, as diffusers allows)."""
    from diffusers import UniPCMultistepScheduler, WanImageToVideoPipeline

    from tests.tiny_models import _t5, t5_tokenizer, wan_transformer, wan_vae

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        tokenizer = t5_tokenizer()
        pipe = WanImageToVideoPipeline(
            transformer=wan_transformer(36, 16) if high_noise else None, transformer_2=wan_transformer(36, 16),
            vae=wan_vae(), text_encoder=_t5(len(tokenizer)), tokenizer=tokenizer, image_encoder=None,
            image_processor=None, boundary_ratio=0.875 if high_noise else 1.0,
            scheduler=UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0))
    pipe.save_pretrained(path)
    return Path(path)
