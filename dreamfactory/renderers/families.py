"""The diffusers model families we render with, in one table, chosen by the `_class_name` in a model's model_index.json.

A family says how its pipeline is called (which guidance, whether it takes a negative prompt), how a keyframe is
tied to the Base frame (img2img from it, or an edit of it by instruction), what dtype its model card asks for on a
GPU, and, for video, its frame rate. Frame counts and sizes come from the pipeline itself (its `__call__` defaults
and its VAE's scale factors), so a new checkpoint of a known class needs no new row. What differs between checkpoints
of one class (Wan's first-last-frame variant) is read from the model's own config files (`model_config`).
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ..errors import SettingsError


@dataclass(frozen=True)
class Family:
    name: str
    classes: tuple[str, ...]  # model_index.json `_class_name` values of this family
    task: Literal["text-to-image", "image-edit", "image-to-video"]
    cuda_dtype: str  # what the model card loads it as on a GPU
    hub_ids: tuple[str, ...] = ()
    tie: Literal["img2img", "edit", "none"] = "img2img"  # how a keyframe follows the Base frame
    text_to_image: str | None = None  # an edit family's sibling for the Base frame (same weights, from_pipe)
    guidance: str = "guidance_scale"  # the call's guidance argument ("true_cfg_scale": real CFG with a negative)
    fps: int | None = None  # video: the rate it was trained at (model card)
    frames: int | None = None  # video: frames per generation the card uses, over the pipeline's __call__ default
    short_side: int | None = None  # video: the short side the card renders at, over the pipeline's __call__ default
    end_frame: bool = False  # video: takes a last frame (first-last-frame)
    audio: bool = False  # video: makes its own sound track
    negative: bool = True  # takes a negative prompt (real classifier-free guidance); guidance-distilled models do not
    component_dtypes: tuple[tuple[str, str], ...] = ()  # components the card keeps in another dtype on a GPU
    chat_template: bool = False  # the pipeline wraps the prompt in its tokenizer's chat template, then cuts to length
    size_multiple: int = 1  # what the pipeline's input checks ask sides to divide by, beyond its VAE's scale
    vram: str = ""  # what the model card says it needs, and where that figure is from


FAMILIES: tuple[Family, ...] = (
    # -- keyframes -------------------------------------------------------------------------------------------
    Family("sd", ("StableDiffusionPipeline",), "text-to-image", "float16", ("stable-diffusion-v1-5/stable-diffusion-v1-5",)),
    Family("sdxl", ("StableDiffusionXLPipeline",), "text-to-image", "float16", ("stabilityai/stable-diffusion-xl-base-1.0",)),
    Family("sd3", ("StableDiffusion3Pipeline",), "text-to-image", "bfloat16",
           ("stabilityai/stable-diffusion-3.5-medium", "stabilityai/stable-diffusion-3.5-large")),
    Family("flux", ("FluxPipeline",), "text-to-image", "bfloat16",
           ("black-forest-labs/FLUX.1-schnell", "black-forest-labs/FLUX.1-dev"), negative=False),
    Family("flux-kontext", ("FluxKontextPipeline",), "image-edit", "bfloat16", ("black-forest-labs/FLUX.1-Kontext-dev",),
           tie="edit", text_to_image="FluxPipeline", negative=False),
    Family("flux2-klein", ("Flux2KleinPipeline",), "image-edit", "bfloat16",
           ("black-forest-labs/FLUX.2-klein-4B", "black-forest-labs/FLUX.2-klein-9B"), tie="edit", negative=False,
           chat_template=True),
    Family("flux2", ("Flux2Pipeline",), "image-edit", "bfloat16", ("black-forest-labs/FLUX.2-dev",), tie="edit", negative=False, chat_template=True),
    Family("qwen-image", ("QwenImagePipeline",), "text-to-image", "bfloat16", ("Qwen/Qwen-Image",), guidance="true_cfg_scale"),
    Family("qwen-image-edit", ("QwenImageEditPipeline",), "image-edit", "bfloat16", ("Qwen/Qwen-Image-Edit",),
           tie="edit", text_to_image="QwenImagePipeline", guidance="true_cfg_scale"),
    Family("qwen-image-edit-plus", ("QwenImageEditPlusPipeline",), "image-edit", "bfloat16", ("Qwen/Qwen-Image-Edit-2509",),
           tie="edit", text_to_image="QwenImagePipeline", guidance="true_cfg_scale"),
    # -- clips -----------------------------------------------------------------------------------------------
    Family("svd", ("StableVideoDiffusionPipeline",), "image-to-video", "float16",
           ("stabilityai/stable-video-diffusion-img2vid-xt",), fps=7),
    Family("wan-i2v", ("WanImageToVideoPipeline",), "image-to-video", "bfloat16",
           ("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
            "Wan-AI/Wan2.2-I2V-A14B-Diffusers"), fps=16, end_frame=True,
           component_dtypes=(("vae", "float32"), ("image_encoder", "float32"))),
    Family("wan-vace", ("WanVACEPipeline",), "image-to-video", "bfloat16",
           ("Wan-AI/Wan2.1-VACE-1.3B-diffusers", "Wan-AI/Wan2.1-VACE-14B-diffusers"), fps=16, end_frame=True,
           component_dtypes=(("vae", "float32"),)),
    Family("ltx-i2v", ("LTXImageToVideoPipeline", "LTXConditionPipeline"), "image-to-video", "bfloat16",
           ("Lightricks/LTX-Video",), fps=24, size_multiple=32),
    Family("ltx2-i2v", ("LTX2ImageToVideoPipeline", "LTX2ConditionPipeline"), "image-to-video", "bfloat16", ("Lightricks/LTX-2",), fps=24,
           frames=121, audio=True, size_multiple=32),  # 121: its __call__'s own choice without a duration head
    Family("cogvideox-i2v", ("CogVideoXImageToVideoPipeline",), "image-to-video", "bfloat16",
           ("THUDM/CogVideoX-5b-I2V", "THUDM/CogVideoX1.5-5B-I2V"), fps=8),
    Family("hunyuan-i2v", ("HunyuanVideoImageToVideoPipeline",), "image-to-video", "bfloat16",
           ("hunyuanvideo-community/HunyuanVideo-I2V", "hunyuanvideo-community/HunyuanVideo-I2V-33ch"), fps=24,
           negative=False, size_multiple=16),
)

# Wan 2.2 TI2V-5B declares the text-to-video WanPipeline with `expand_timesteps` (its image-to-video mode: the keyframe
# is the first latent frame, whose timesteps are held at zero). Clips load WanImageToVideoPipeline from the same weights
# as this row (a folder saved as WanImageToVideoPipeline with expand_timesteps is the same model). Such a pipeline
# accepts a `last_image` and silently ignores it, so this row takes no last frame. 121 frames at 24 fps, 1280x704: the
# card's; the pipeline's own defaults (81 frames, 832x480) are Wan 2.1's.
WAN_TI2V = Family("wan2.2-ti2v", (), "image-to-video", "bfloat16", ("Wan-AI/Wan2.2-TI2V-5B-Diffusers",), fps=24, frames=121,
                  short_side=704, component_dtypes=(("vae", "float32"),))
WAN_CLASSES = ("WanPipeline", "WanImageToVideoPipeline")

# CogVideoX 1.5 shares its class with 1.0 and is told apart by its transformer's config (a temporal patch of 2, no
# learned positional embeddings): its card runs it at 16 fps, 81 frames, at least 768 on the short side (the
# pipeline's default size is its transformer's sample size, 2400x2400 for 1.5); 1.0 is 8 fps, 49 frames, 720x480.
COGVIDEOX_15 = Family("cogvideox1.5-i2v", (), "image-to-video", "bfloat16", ("THUDM/CogVideoX1.5-5B-I2V",), fps=16,
                      frames=81, short_side=768)
# Classes whose family depends on their transformer's config: only for them is it read (or fetched from the hub).
BY_TRANSFORMER = ("CogVideoXImageToVideoPipeline",)

# Checkpoints that declare their text-to-video class (the hub's Lightricks/LTX-Video and Lightricks/LTX-2 do) hold the
# weights of an image-to-video pipeline too: clips load that class from the same folder (LTX-2's condition pipeline:
# it opens on the keyframe and goes on from the last frames made, extension.py).
IMAGE_TO_VIDEO = {"LTXPipeline": "LTXImageToVideoPipeline", "LTX2Pipeline": "LTX2ConditionPipeline"}

# A pipeline class the table does not list is still usable when it is a known task's: a generic row keeps it working.
_BY_CLASS = {cls: family for family in FAMILIES for cls in family.classes}


def family_of_class(class_name: str, task: Literal["keyframes", "clips"]) -> Family:
    """The family of a pipeline class; an unlisted class gets a generic row of the task asked for."""
    family = _BY_CLASS.get(class_name)
    if family is None:
        edit = "Edit" in class_name or "Kontext" in class_name
        kind = "image-to-video" if task == "clips" else "image-edit" if edit else "text-to-image"
        family = Family(class_name, (class_name,), kind, "bfloat16", tie="none" if task == "clips" else "edit" if edit else "img2img")
    wanted = {"keyframes": ("text-to-image", "image-edit"), "clips": ("image-to-video",)}[task]
    if family.task not in wanted:
        raise SettingsError(f"{class_name} is a {family.task} pipeline, not one for {task}; choose another model")
    return family


def clip_pipeline(model: str, revision: str | None) -> tuple[str, Family]:
    """(the pipeline class clips load from a model, the family they render it as): `clip_choice` on its
    model_index.json, and on its transformer's config where the class has rows that differ by it."""
    index = model_index(model, revision)
    transformer = transformer_config(model, revision) if index["_class_name"] in BY_TRANSFORMER else None
    return clip_choice(index, model, transformer)


def transformer_config(model: str, revision: str | None) -> dict | None:
    """The model's transformer/config.json: from its folder or the hub cache, else fetched from the hub (a small
    file; no weights); None where it cannot be had."""
    found = model_config(model, revision, "transformer/config.json")
    if found is not None or Path(model).expanduser().exists():
        return found
    try:
        from huggingface_hub import hf_hub_download

        return json.loads(Path(hf_hub_download(model, "transformer/config.json", revision=revision)).read_text())
    except Exception:  # offline, or no such file: the class's own row
        return None


def clip_choice(index: dict, model: str = "the video model", transformer: dict | None = None) -> tuple[str, Family]:
    """(the pipeline class to load, its family) for clips, from a model's model_index.json: its declared class, or the
    image-to-video class of the same weights when it declares a text-to-video one (IMAGE_TO_VIDEO; Wan 2.2 TI2V by
    its `expand_timesteps`); `transformer` (its transformer's config) tells CogVideoX 1.5 from 1.0. A text-to-video
    model that cannot start from an image is a settings error, said before anything is rendered."""
    declared = index["_class_name"]
    if declared in WAN_CLASSES and index.get("expand_timesteps"):
        return "WanImageToVideoPipeline", WAN_TI2V
    name = IMAGE_TO_VIDEO.get(declared, declared)
    if name == "CogVideoXImageToVideoPipeline" and (transformer or {}).get("patch_size_t"):
        return name, COGVIDEOX_15
    family = family_of_class(name, "clips")
    if not opens_on_an_image(name):
        raise SettingsError(
            f"{model}: {declared} makes video from text alone (its call takes no image), so a clip cannot open on its "
            "shot's keyframe; choose an image-to-video checkpoint (e.g. Wan-AI/Wan2.2-TI2V-5B-Diffusers, "
            "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers, Lightricks/LTX-Video)")
    return name, family


def opens_on_an_image(class_name: str) -> bool:
    """Whether a diffusers pipeline class's call takes the frame a clip opens on: an `image`, LTX's `conditions`, or
    VACE's control `video`. A class this diffusers does not have (a custom pipeline) is given the benefit of the doubt."""
    import diffusers

    try:
        cls = getattr(diffusers, class_name)
    except (AttributeError, ImportError):
        return True
    return bool({"image", "conditions", "video"} & set(inspect.signature(cls.__call__).parameters))


def model_class(model: str, revision: str | None) -> str:
    """The pipeline class a model folder or hub repo declares (`_class_name` in its model_index.json)."""
    return model_index(model, revision)["_class_name"]


def model_index(model: str, revision: str | None) -> dict:
    """A model's model_index.json: from its folder, this machine's hub cache, or the hub."""
    try:
        index = model_config(model, revision)
        if index is None and not Path(model).expanduser().exists():
            index = dict(_hub_index(model, revision))
        if index is None:
            raise FileNotFoundError(f"{Path(model).expanduser() / 'model_index.json'} does not exist")
        if "_class_name" not in index:
            raise KeyError("_class_name")
        return index
    except (OSError, ValueError, KeyError) as exc:
        raise SettingsError(
            f"model {model!r}: cannot load it as a diffusers pipeline: no model_index.json with a pipeline class ({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}); "
            "give a diffusers hub id or a folder saved with save_pretrained"
        ) from exc


def model_config(model: str, revision: str | None, name: str = "model_index.json") -> dict | None:
    """A config file of a model (its model_index.json, or a component's, e.g. 'transformer/config.json') as a dict,
    read from the model's folder or from this machine's hub cache, never over the network; None when it is not here."""
    path = Path(model).expanduser()
    if path.exists():
        found: Path | None = path / name
    else:
        from huggingface_hub import try_to_load_from_cache

        try:
            cached = try_to_load_from_cache(model, name, revision=revision)
        except ValueError:  # not a hub id either (a folder that does not exist)
            return None
        found = Path(cached) if isinstance(cached, str) else None
    if found is None or not found.is_file():
        return None
    return json.loads(found.read_text())


@lru_cache(maxsize=64)
def _hub_index(model: str, revision: str | None) -> dict:
    from diffusers import DiffusionPipeline

    return DiffusionPipeline.load_config(model, revision=revision)
