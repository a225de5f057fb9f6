"""Settings in one place: environment < settings file < CLI flags < flow (deployment) parameters.

`FilmOptions` is what a run takes: the Prefect flow parameter, shown as a form in the UI. `Settings` is every
FilmOptions field read from the environment (prefix DREAMFACTORY_, nested with '__', e.g. DREAMFACTORY_RENDER__FPS=12)
and a TOML file (./dreamfactory.toml, or the path in DREAMFACTORY_SETTINGS_FILE), plus what only a process needs.
`load_settings` is the one place it is built: a command puts its flags on top, a flow its run's parameters.
Secrets (API keys) are never options: they are read from the environment of the process that needs them, and never
logged or stored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from .errors import SettingsError

ROLES = ("ceo", "director", "screenwriter", "filmmaker", "reviewer")


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WritingSettings(Options):
    """Who writes the screenplay."""

    backend: Literal["auto", "draft", "openai"] = Field(
        default="auto",
        description="'draft': the offline draft writer (no network, deterministic). 'openai': a chat model "
        "through the openai client (OpenAI, or any OpenAI-compatible server via base_url). 'auto': openai when "
        "a base_url is set or OPENAI_API_KEY is in the environment, else draft.",
    )
    base_url: str | None = Field(default=None, description="OpenAI-compatible server URL, e.g. http://localhost:11434/v1.")
    model: str = Field(default="gpt-4o-mini", description="Chat model for every role without its own.")
    role_models: dict[str, str] = Field(default_factory=dict, description="Model per role, e.g. {'reviewer': 'gpt-4o-mini'}.")
    temperature: float = Field(default=0.7, ge=0, le=2, description="Sampling temperature.")
    review_rounds: int = Field(default=2, ge=0, le=10, description="At most this many Reviewer rounds per reviewed phase.")
    max_tokens: int | None = Field(default=None, ge=1, description="Token budget for the whole writing; the run stops before passing it.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for one model answer.")
    max_retries: int = Field(default=4, ge=0, le=20, description="Retries of a call on timeouts, 429 and 5xx.")
    repair_attempts: int = Field(default=2, ge=0, le=10, description="Re-asks with the validation error after an invalid answer.")
    context_tokens: int = Field(default=8000, ge=512, description="The model's context; longer stories are condensed in steps.")
    grammar: Literal["auto", "openai", "xgrammar", "llama.cpp"] = Field(
        default="auto", description="The server's schema engine, which decides what the schema sent may say: 'openai' "
        "(lengths as patterns), 'xgrammar' (vLLM, SGLang: every bound), 'llama.cpp' (llama.cpp, llama-cpp-python, "
        "Ollama, LM Studio, and any server not known: no long length bounds, which it would expand until it crashes). "
        "'auto': from the URL and the server's /models. Answers are validated against every bound whatever is sent.")
    answer_tokens: int | None = Field(default=None, ge=16, description="At most this many tokens per answer (the "
                                      "request's max_tokens); empty: the server's own limit.")


class RenderSettings(Options):
    """What draws keyframes and clips, and the settings that change their pixels."""

    keyframe_backend: Literal["animatic", "diffusers", "openai"] = Field(
        default="animatic", description="'animatic': storyboard frames drawn offline. 'diffusers': any diffusers "
        "text-to-image or image-edit pipeline (SD 1.5, SDXL, SD 3.5, FLUX.1, FLUX.1 Kontext, FLUX.2 klein, Qwen-Image, "
        "Qwen-Image-Edit), chosen by its model_index.json. 'openai': OpenAI Images."
    )
    clip_backend: Literal["animatic", "svd", "diffusers"] = Field(
        default="animatic", description="'animatic': camera moves over the keyframe. 'svd' or 'diffusers': any diffusers "
        "image-to-video pipeline (Stable Video Diffusion, Wan 2.1/2.2, LTX-Video, LTX-2, CogVideoX, HunyuanVideo), "
        "chosen by video_model's model_index.json."
    )
    keyframe_iteration: bool = Field(
        default=True, description="Keyframe Iteration Design: each keyframe from the Base Description plus the previous "
        "scene's context C(t-1), tied to the Base frame. Off: each scene drawn from its own shot alone (the ablation).")
    width: int = Field(default=1280, ge=64, le=4096, description="Film width in pixels (even).")
    height: int = Field(default=720, ge=64, le=4096, description="Film height in pixels (even).")
    fps: int = Field(default=24, ge=1, le=60, description="Frames per second of the film.")
    image_model: str = Field(default="stable-diffusion-v1-5/stable-diffusion-v1-5", description="Hub id or local path of the keyframe model.")
    image_model_revision: str | None = Field(default=None, description="Hub revision (commit) of the keyframe model.")
    video_model: str = Field(default="stabilityai/stable-video-diffusion-img2vid-xt", description="Hub id or local path of the image-to-video model.")
    video_model_revision: str | None = Field(default=None, description="Hub revision (commit) of the SVD model.")
    steps: int = Field(default=30, ge=1, le=200, description="Denoising steps per keyframe.")
    guidance: float | None = Field(default=None, ge=0, le=30, description="Guidance scale for keyframes; empty: the pipeline's own default (SD 7.5, FLUX 3.5, Qwen-Image true CFG 4).")
    negative_prompt: str = Field(default="blurry, deformed, extra limbs, text, watermark", description="Negative prompt added to the style's.")
    keyframe_strength: float = Field(default=0.55, gt=0, le=1, description="img2img strength from the Base frame (lower ties closer to it).")
    ip_adapter: str | None = Field(default=None, description="IP-Adapter repo or path, e.g. 'h94/IP-Adapter'; off when empty.")
    ip_adapter_weight: str = Field(default="ip-adapter_sd15.bin", description="IP-Adapter weight file name.")
    ip_adapter_scale: float = Field(default=0.6, ge=0, le=2, description="How strongly the Base frame steers each keyframe.")
    keyframe_size: int = Field(default=512, ge=16, le=2048, description="Short side of a diffusers keyframe in pixels.")
    svd_frames: int = Field(default=14, ge=2, le=50, description="Frames per SVD segment.")
    svd_steps: int = Field(default=25, ge=1, le=100, description="Denoising steps per SVD segment.")
    svd_fps: int = Field(default=7, ge=1, le=60, description="fps conditioning of SVD.")
    noise_aug_strength: float = Field(default=0.02, ge=0, le=1, description="SVD noise augmentation.")
    decode_chunk_size: int = Field(default=8, ge=1, le=64, description="Frames decoded at once by SVD's VAE.")
    video_frames: int | None = Field(default=None, ge=2, le=1024, description="Frames per generation of a diffusers video "
                                     "model; empty: the pipeline's default (Wan 81, LTX 161, CogVideoX 49, HunyuanVideo 129).")
    video_steps: int | None = Field(default=None, ge=1, le=200, description="Denoising steps per video generation; empty: the pipeline's default.")
    video_guidance: float | None = Field(default=None, ge=0, le=30, description="Guidance of the video model; empty: the pipeline's default.")
    video_short_side: int | None = Field(default=None, ge=16, le=2160, description="Short side of a generated clip; empty: the model's default size (Wan 480, LTX 512).")
    video_audio: bool = Field(default=False, description="Keep the sound a video model makes with its picture (LTX-2) as "
                              "the clip's AAC track. Off: the model is asked not to make it where it can be, else it "
                              "is dropped.")
    long_prompts: Literal["compose", "compel"] = Field(
        default="compose", description="'compose': each keyframe prompt is composed to what every text encoder reads "
        "(CLIP 77 tokens). 'compel': for SD 1.5/SDXL, long-prompt embeddings (compel) let prompt_chunks x 75 tokens through.")
    prompt_chunks: int = Field(default=3, ge=1, le=8, description="With long_prompts 'compel': the prompt is kept to this many "
                               "x 75 tokens (compel cuts windows at word boundaries, so it may use one window more).")
    max_sequence_length: int | None = Field(default=None, ge=16, le=4096, description="Tokens the T5/UMT5/LLM text encoder reads; empty: the pipeline's default.")
    device: str = Field(default="auto", description="'auto', 'cpu', 'cuda' or 'cuda:N'.")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        default="auto", description="Weights dtype; auto is the model card's on CUDA (fp16 for SD/SVD, bf16 for FLUX, SD 3.5, Qwen, Wan, LTX) and fp32 on the CPU.")
    cpu_offload: Literal["none", "model", "sequential"] = Field(
        default="none", description="CPU offload on CUDA: 'model' moves whole models in and out (less memory, a little slower), "
        "'sequential' layer by layer (least memory, much slower). true means 'model'.")
    vae_slicing: bool = Field(default=False, description="VAE slicing and tiling (less memory for large frames and videos).")
    attention_backend: str | None = Field(default=None, description="Attention kernels: empty is torch SDPA; 'flash', "
                                          "'_native_cudnn', 'sage', 'xformers' where installed.")

    @field_validator("cpu_offload", mode="before")
    @classmethod
    def _offload_from_bool(cls, value):
        """Settings files and flags from before the three modes said true/false."""
        return {True: "model", False: "none"}.get(value, value) if isinstance(value, bool) else value


class SoundSettings(Options):
    """Voices, subtitles timing and music."""

    enabled: bool = Field(default=True, description="Speak the dialogue; off gives a silent film with subtitles.")
    music: str | None = Field(default=None, description="Music bed: a local path or store URL, looped or trimmed to the film.")
    loudness: float = Field(default=-16.0, ge=-40, le=-5, description="Speech loudness target in LUFS (EBU R128).")


DEFAULT_CLIP_MODEL = "openai/clip-vit-base-patch32"


class MetricOptions(Options):
    """Models and weights of the consistency metrics. Nothing here is ever downloaded: missing weights are reported."""

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


class GateThresholds(Options):
    """What a keyframe must reach to pass, per measuring model (metrics/gate.py says how each is measured)."""

    face_max_distance: dict[str, float] = Field(
        default_factory=lambda: {"dlib-resnet-v1": 0.6, "facenet-vggface2": 1.04},
        description="Largest face distance to the Base frame, per face embedder.",
    )
    style_min_similarity: dict[str, float] = Field(
        default_factory=lambda: {"clip": 0.75},
        description="Smallest style similarity to the Base frame, per style embedding ('clip' covers every CLIP "
        "model); an embedding not listed is not judged (gram-v1 by default, see GRAM_STYLE_THRESHOLD).",
    )


class FilmOptions(Options):
    """Everything a film run takes, besides the story: the flow's parameters."""

    scenes: int | None = Field(default=None, ge=1, le=200, description="Number of scenes; by default one per beat of the story.")
    style: str | None = Field(default=None, description="The look, e.g. 'storybook watercolour'; by default chosen from the story.")
    project: str | None = Field(default=None, description="Project id; by default derived from the story's title and text.",
                                pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # a folder's name in the store, never a path
    seed: int = Field(default=7, ge=0, description="Project seed; each scene's seed derives from it and the scene id.")
    store: str | None = Field(default=None, description="Where artifacts live: a local folder or any fsspec URL "
                              "(s3://bucket/prefix). Empty: the worker's DREAMFACTORY_STORE (default ./dreamfactory-store).")
    writing: WritingSettings = Field(default_factory=WritingSettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    sound: SoundSettings = Field(default_factory=SoundSettings)
    review_by_metrics: bool = Field(default=True, description="Re-render keyframes whose face or style drifts from the Base frame "
                                    "(for keyframe backends tied to the Base frame).")
    review_attempts: int = Field(default=2, ge=0, le=6, description="At most this many re-renders of a drifting keyframe.")
    metrics: MetricOptions = Field(default_factory=MetricOptions, description="Models and weights of the consistency metrics.")
    thresholds: GateThresholds = Field(default_factory=GateThresholds, description="What a keyframe must reach to pass the gate.")
    gpu_limit: str = Field(default="gpu", description="Prefect global concurrency limit every GPU render holds a slot of.")
    gpu_slots: int = Field(default=1, ge=1, le=64, description="Size of that limit: GPU renders at once on the machine "
                           "(1 per GPU; more only when one render leaves room for another in GPU memory).")
    approve_storyboard: bool = Field(default=False, description="Pause after the keyframes, before any clip is rendered, "
                                     "until a person approves the storyboard (or has shots drawn again or changed).")

    def resolved(self) -> "FilmOptions":
        """A run's parameters over this process's settings (environment < TOML < parameters): what the run left
        unset takes the worker's settings. Options a command resolved already (every field set) come back as they are."""
        if self.model_fields_set == set(FilmOptions.model_fields):
            return self
        return load_settings(self).film_options()


class Settings(BaseSettings, FilmOptions):
    """Every FilmOptions field read from the environment and the settings file, plus what only a process needs (its
    task runner, its Prefect server file, its API keys). Built by `load_settings` and nowhere else."""

    model_config = SettingsConfigDict(env_prefix="DREAMFACTORY_", env_nested_delimiter="__", extra="ignore")

    store: str = Field(default="dreamfactory-store", description="Where artifacts live: a local folder or any fsspec URL "
                       "(s3://bucket/prefix).")
    task_runner: Literal["threads", "dask"] = Field(default="threads", description="Where scene tasks run: threads, or a Dask cluster.")
    dask_address: str | None = Field(default=None, description="Dask scheduler address; empty starts a LocalCluster.")
    max_workers: int = Field(default=2, ge=1, le=64, description="Scene tasks at once (thread runner).")
    batch_concurrency: int = Field(default=1, ge=1, le=64, description="Films the nightly batch makes side by side, each its "
                                   "own make-film run (their GPU renders still share the gpu limit's slots).")
    server_file: Path = Field(default=Path.home() / ".dreamfactory" / "server.json",
                              description="Where `dreamfactory serve` / `make serve` record their Prefect server's URL, "
                              "so that every command finds it (used only when GET /api/health answers).")
    # Secrets: read from the environment (or the settings file), never flags or run parameters; SecretStr hides them
    # in repr and logs.
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices(
        "dreamfactory_openai_api_key", "openai_api_key"), description="OpenAI's key (OPENAI_API_KEY or DREAMFACTORY_OPENAI_API_KEY).")
    llm_api_key: SecretStr | None = Field(default=None, description="Key for an OpenAI-compatible server (DREAMFACTORY_LLM_API_KEY).")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("DREAMFACTORY_SETTINGS_FILE", "dreamfactory.toml")
        return (init_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_path), env_settings, dotenv_settings)

    def api_key(self, base_url: str | None = None) -> str | None:
        """The key for the chat server: OpenAI's own key only when talking to OpenAI (no base_url), so a local
        server never receives it; DREAMFACTORY_LLM_API_KEY for any other server."""
        key = self.llm_api_key if base_url else self.openai_api_key or self.llm_api_key
        return key.get_secret_value() if key else None

    def film_options(self) -> FilmOptions:
        """The FilmOptions part of these settings: a run's parameters (no secret is among them)."""
        return FilmOptions.model_validate(self.model_dump(include=set(FilmOptions.model_fields)))


def load_settings(parameters: FilmOptions | None = None, **layers) -> Settings:
    """The one place settings are read: the environment < the settings file < `layers` (a command's flags, as nested
    dicts) < a run's `parameters` (the fields it set; None is 'not given'). A bad value is one line naming it."""
    given = parameters.model_dump(exclude_unset=True) if parameters else {}
    try:
        return Settings(**layers, **{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SettingsError(f"{'.'.join(str(p) for p in first['loc']) or 'settings'}: {first['msg']} (environment, "
                            "dreamfactory.toml or flags)") from None
