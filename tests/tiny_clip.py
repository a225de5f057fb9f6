"""A tiny CLIP with random weights, built from configs and saved with save_pretrained: the real classes at the smallest size.

Its scores mean nothing; it exercises the loading and embedding code exactly as a real CLIP folder would.
"""

from __future__ import annotations

import string
from pathlib import Path


def tiny_clip_tokenizer():
    """A CLIPTokenizer over single characters (and a few merges); unknown characters become <|endoftext|>."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    symbols = string.ascii_lowercase + string.digits + ".,'!?-"
    for ch in symbols:
        vocab[ch] = len(vocab)
    for ch in symbols:
        vocab[ch + "</w>"] = len(vocab)
    merges = [("t", "h"), ("th", "e</w>"), ("a", "n"), ("i", "n")]  # transformers 5 wants tuples
    for a, b in merges:
        vocab[a + b] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges)


def build_tiny_clip(path: Path, image_size: int = 224, patch_size: int = 32, seed: int = 0) -> Path:
    """Save a random tiny CLIPModel and its CLIPProcessor at path (image_size 224 also suits SVD's image encoder)."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tokenizer = tiny_clip_tokenizer()
    config = CLIPConfig(
        text_config=dict(
            vocab_size=len(tokenizer.get_vocab()),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
        ),
        vision_config=dict(
            image_size=image_size,
            patch_size=patch_size,
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
        ),
        projection_dim=16,
    )
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    images = CLIPImageProcessor(size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size})
    path = Path(path)
    model.save_pretrained(path)
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(path)
    return path
