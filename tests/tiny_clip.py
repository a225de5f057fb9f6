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


# -- the real CLIP vocabulary, offline ----------------------------------------------------------------------------
def clip_bpe_file() -> Path:
    """open-clip-torch's copy of CLIP's BPE merges (bpe_simple_vocab_16e6.txt.gz), found without importing open_clip."""
    import importlib.util

    found = importlib.util.find_spec("open_clip")
    if found is None or not found.submodule_search_locations:
        raise FileNotFoundError("open-clip-torch is not installed: pip install open-clip-torch==3.3.0 --no-deps")
    return Path(list(found.submodule_search_locations)[0]) / "bpe_simple_vocab_16e6.txt.gz"


def build_real_clip_tokenizer(path: Path) -> Path:
    """OpenAI CLIP's tokenizer (49408 tokens, the merges SD 1.5, SDXL, SD 3.5 and FLUX.1 ship) as vocab.json +
    merges.txt, built from the BPE file the way CLIP's own SimpleTokenizer builds its vocabulary."""
    import gzip

    from transformers import CLIPTokenizer

    lines = gzip.open(clip_bpe_file(), "rt", encoding="utf-8").read().split("\n")
    merges = [tuple(line.split()) for line in lines[1: 49152 - 256 - 2 + 1]]
    # GPT-2's byte-to-character table in its own order: printable bytes as themselves, then the rest as 256 + n.
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = [chr(b) for b in printable] + [chr(256 + n) for n in range(256 - len(printable))]
    vocab = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    tokenizer = CLIPTokenizer(vocab={token: i for i, token in enumerate(vocab)}, merges=merges, model_max_length=77,
                              pad_token="<|endoftext|>")
    tokenizer.save_pretrained(path)  # vocab.json, merges.txt and tokenizer.json, as a hub checkpoint has them
    return Path(path)
