"""Choosing a backend is configuration, resolved here and nowhere else.

A backend gets the settings it needs as arguments; the API keys come from the `Settings` of the process that
runs it (a command's, or a worker's own: never a run's parameters). Each factory is cached per process and per settings, so a heavy backend (a diffusers pipeline) is built once
per worker and reused by every scene task that runs there.
"""

from __future__ import annotations

from functools import lru_cache

from .errors import SettingsError
from .renderers.base import ClipRenderer, KeyframeRenderer
from .settings import FilmOptions, RenderSettings, Settings, WritingSettings, load_settings
from .writers.base import Writer


def writer_backend(options: WritingSettings, settings: Settings | None = None) -> str:
    """'auto' resolved: a chat model when one is configured (base URL or API key), else the draft writer."""
    if options.backend != "auto":
        return options.backend
    if options.base_url:
        return "openai"
    return "openai" if (settings or load_settings()).api_key(None) else "draft"


def describe(options: FilmOptions, settings: Settings | None = None) -> str:
    """One line for people: which writer and renderers this run uses."""
    w, r = options.writing, options.render
    if writer_backend(w, settings) == "draft":
        writer = "offline draft writer (no LLM; set --llm-model/--llm-base-url or OPENAI_API_KEY for a real one)"
    else:
        writer = f"chat model {w.model} at {w.base_url or 'api.openai.com'}"
    keyframes = {"animatic": "animatic storyboard frames", "diffusers": f"diffusers text-to-image {r.image_model}",
                 "openai": f"OpenAI Images {r.image_model}"}[r.keyframe_backend]
    clips = "animatic camera moves" if r.clip_backend == "animatic" else f"diffusers image-to-video {r.video_model}"
    return f"writer: {writer}; keyframes: {keyframes}; clips: {clips}"


def writer(options: WritingSettings, settings: Settings | None = None) -> Writer:
    settings = settings or load_settings()
    if writer_backend(options, settings) == "draft":
        from .writers.draft import DraftWriter

        return DraftWriter()
    from .writers.openai_chat import ChatWriter

    return ChatWriter(options, api_key=settings.api_key(options.base_url))


def keyframe_renderer(options: RenderSettings) -> KeyframeRenderer:
    return _keyframe_renderer(options.model_dump_json())


def clip_renderer(options: RenderSettings) -> ClipRenderer:
    return _clip_renderer(options.model_dump_json())


@lru_cache(maxsize=8)
def _keyframe_renderer(options_json: str) -> KeyframeRenderer:
    options = RenderSettings.model_validate_json(options_json)
    if options.keyframe_backend == "animatic":
        from .renderers.animatic import AnimaticKeyframes

        return AnimaticKeyframes()
    if options.keyframe_backend == "diffusers":
        from .renderers.diffusers_keyframes import DiffusersKeyframes

        return DiffusersKeyframes(options)
    if options.keyframe_backend == "openai":
        from .renderers.openai_images import OpenAIImageKeyframes

        key = load_settings().openai_api_key  # OpenAI's own: a local LLM server's key must never reach OpenAI Images
        return OpenAIImageKeyframes(options, api_key=key.get_secret_value() if key else None)
    raise SettingsError(f"unknown keyframe backend {options.keyframe_backend!r}")


@lru_cache(maxsize=8)
def _clip_renderer(options_json: str) -> ClipRenderer:
    options = RenderSettings.model_validate_json(options_json)
    if options.clip_backend == "animatic":
        from .renderers.animatic import AnimaticClips

        return AnimaticClips()
    if options.clip_backend in ("svd", "diffusers"):
        # One setting for every image-to-video model: the class in its model_index.json picks the module.
        from .renderers.families import model_class

        if model_class(options.video_model, options.video_model_revision) == "StableVideoDiffusionPipeline":
            from .renderers.svd_clips import SvdClips

            return SvdClips(options)
        from .renderers.video_clips import DiffusersClips

        return DiffusersClips(options)
    raise SettingsError(f"unknown clip backend {options.clip_backend!r}")


def warm_up(options: FilmOptions) -> list[str]:
    """Load now, in this process, what its first tasks would load: the renderers' modules (torch and diffusers for
    real models, OpenCV for the animatic's camera) and the offline voices' synthesis stack. Called while a temporary
    Prefect server starts (seconds of Prefect's imports in another process), when it costs the film nothing; no
    weights are loaded. Returns what was loaded, for the tests."""
    loaded = []
    for renderer in (keyframe_renderer(options.render), clip_renderer(options.render)):
        loaded += getattr(renderer, "warm", lambda: [])()
    if options.sound.enabled:
        from .voices.engines import warm_offline_engines

        loaded += warm_offline_engines()
    return loaded


def task_runner(settings: Settings):
    """Where scene tasks run: a thread pool in this process, or a Dask cluster (prefect-dask)."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.max_workers, "threads_per_worker": 1, "processes": True})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=settings.max_workers)
