"""What the diffusers renderers share: device and dtype, one cached pipeline per process, sizes, weight identity.

A pipeline is loaded once per process by one thread while the others wait; each call holds that pipeline's lock
(diffusers pipelines keep per-call state and are not thread-safe).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import diffusers
import torch

from ..errors import SettingsError
from ..store import first_line
from .base import OutOfMemory, cover_fit  # noqa: F401 - cover_fit: the renderers import it from here

log = logging.getLogger(__name__)


# -- device and dtype -------------------------------------------------------------------------------------------
def resolve_device(setting: str) -> str:
    """'auto' is the first CUDA device when there is one, else the CPU."""
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting.startswith("cuda") and not torch.cuda.is_available():
        raise SettingsError(f"device {setting!r}: this machine has no CUDA device; use --device cpu or auto")
    if setting != "cpu" and not setting.startswith("cuda"):
        raise SettingsError(f"device {setting!r}: use 'auto', 'cpu', 'cuda' or 'cuda:N'")
    return setting


def resolve_dtype(setting: str, device: str, cuda_dtype: str = "float16") -> torch.dtype:
    """'auto' is the model card's half precision on CUDA (fp16 for SD/SVD, bf16 for the transformer families) and
    float32 on the CPU (where half precision is slow or missing)."""
    if setting == "auto":
        return getattr(torch, cuda_dtype) if device.startswith("cuda") else torch.float32
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[setting]


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


# -- the process-wide pipeline cache ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineSpec:
    """Everything that decides which pipeline object a render gets: equal specs share one loaded pipeline."""

    pipeline_class: str  # a diffusers class name, e.g. "AutoPipelineForText2Image"
    model: str  # hub id or local path
    revision: str | None
    device: str
    dtype: str
    cpu_offload: str = "none"  # "none", "model" or "sequential" (CUDA only)
    vae_slicing: bool = False
    ip_adapter: tuple[str, str] | None = None  # (repo or path, "subfolder/weight file"), loaded into the UNet
    vae_tiling: bool = False
    attention_backend: str | None = None  # None: diffusers' default (torch SDPA); else a diffusers backend name
    component_dtypes: tuple[tuple[str, str], ...] = ()  # per-component dtypes a model card asks for (Wan's fp32 VAE)

    def choices(self) -> dict[str, Any]:
        """The memory and speed choices this pipeline was loaded with, for a render's notes."""
        choices = {"pipeline": self.pipeline_class, "device": self.device, "dtype": self.dtype,
                   "cpu_offload": self.cpu_offload, "vae_slicing": self.vae_slicing, "vae_tiling": self.vae_tiling,
                   "attention_backend": self.attention_backend or "default (torch SDPA)"}
        if self.component_dtypes:  # what the card keeps in another precision (Wan's fp32 VAE)
            choices["component_dtypes"] = dict(self.component_dtypes)
        return choices


@dataclass
class LoadedPipeline:
    """A loaded pipeline and the lock every call to it (or to a pipeline derived from it) must hold."""

    spec: PipelineSpec
    pipe: Any
    lock: threading.RLock = field(default_factory=threading.RLock)
    _derived: dict[str, Any] = field(default_factory=dict)

    def derived(self, pipeline_class: str) -> Any:
        """The same weights as another task's pipeline (e.g. img2img from text-to-image), made once, no reload."""
        with self.lock:
            if pipeline_class not in self._derived:
                pipe = getattr(diffusers, pipeline_class).from_pipe(self.pipe)
                pipe.set_progress_bar_config(disable=True)
                self._derived[pipeline_class] = pipe
            return self._derived[pipeline_class]


_PIPELINES: dict[PipelineSpec, LoadedPipeline] = {}
_LOADING: dict[PipelineSpec, threading.Lock] = {}
_LOAD_LOCK = threading.Lock()  # guards the two dicts; a long load holds only its own spec's lock


def load_pipeline(spec: PipelineSpec) -> LoadedPipeline:
    """The pipeline for `spec`, loaded on first use by one thread (the others wait) and kept for the process."""
    loaded = _PIPELINES.get(spec)
    if loaded is not None:
        return loaded
    with _LOAD_LOCK:
        loading = _LOADING.setdefault(spec, threading.Lock())
    with loading:
        loaded = _PIPELINES.get(spec)
        if loaded is None:
            loaded = LoadedPipeline(spec, _load(spec))
            with _LOAD_LOCK:
                _PIPELINES[spec] = loaded
        return loaded


def loaded_pipelines() -> list[PipelineSpec]:
    """The specs loaded in this process so far (what the cache holds)."""
    with _LOAD_LOCK:
        return list(_PIPELINES)


def release_pipelines() -> None:
    """Forget every loaded pipeline and free their memory (tests; a worker switching models)."""
    with _LOAD_LOCK:
        _PIPELINES.clear()
        _LOADING.clear()
    free_device_memory()


def _load(spec: PipelineSpec) -> Any:
    log.info("loading %s from %s (revision %s) on %s as %s",
             spec.pipeline_class, spec.model, spec.revision, spec.device, spec.dtype)
    cls = getattr(diffusers, spec.pipeline_class)
    try:
        dtype: Any = getattr(torch, spec.dtype)
        if spec.component_dtypes:
            dtype = {"default": dtype, **{name: getattr(torch, d) for name, d in spec.component_dtypes}}
        pipe = cls.from_pretrained(spec.model, revision=spec.revision, dtype=dtype,
                                   **dict.fromkeys(dropped_components(spec.model, spec.revision)))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"model {spec.model!r}: cannot load it as a diffusers pipeline ({first_line(exc)}); "
                            "give a hub id or a local folder saved with save_pretrained") from exc
    if spec.ip_adapter:
        repo, weight = spec.ip_adapter
        subfolder, _, weight_name = weight.rpartition("/")
        try:
            pipe.load_ip_adapter(repo, subfolder=subfolder or "models", weight_name=weight_name)
        except (OSError, ValueError) as exc:
            raise SettingsError(f"IP-Adapter {repo!r} weight {weight!r}: cannot load it ({first_line(exc)}); the repo "
                                f"needs {subfolder or 'models'}/{weight_name} and an image_encoder folder beside it") from exc
    pipe.set_progress_bar_config(disable=True)
    vae_memory(pipe, slicing=spec.vae_slicing, tiling=spec.vae_tiling)
    offloads = offload_applies(spec.device)
    if spec.attention_backend:
        use_attention_backend(pipe, spec.attention_backend)
    if spec.cpu_offload == "model" and offloads:
        pipe.enable_model_cpu_offload(device=spec.device)
    elif spec.cpu_offload == "sequential" and offloads:
        pipe.enable_sequential_cpu_offload(device=spec.device)
    else:
        if spec.cpu_offload != "none":
            log.info("cpu_offload=%s has no effect on %s", spec.cpu_offload, spec.device)
        pipe.to(spec.device)
    return pipe


def offload_applies(device: str) -> bool:
    """Whether CPU offload means anything on `device` (on the CPU the weights are there already)."""
    return device.startswith("cuda")


def dropped_components(model: str, revision: str | None) -> list[str]:
    """Components a model folder was saved without (null in model_index.json: SD 3.5 without T5), which diffusers
    loads only when told again that they are None."""
    from .families import model_config

    index = model_config(model, revision) or {}
    return [name for name, value in index.items()
            if not name.startswith("_") and isinstance(value, list) and len(value) == 2 and value[0] is None]


def vae_memory(pipe: Any, slicing: bool, tiling: bool) -> list[str]:
    """Turn on VAE slicing and tiling where the VAE has them; returns what took."""
    vae, done = getattr(pipe, "vae", None), []
    for wanted, enable in ((slicing, "enable_slicing"), (tiling, "enable_tiling")):
        if wanted and vae is not None:
            with contextlib.suppress(AttributeError, NotImplementedError):
                getattr(vae, enable)()
                done.append(enable.removeprefix("enable_"))
    return done


def use_attention_backend(pipe: Any, backend: str) -> None:
    """Set an attention backend ('native', 'flash', 'sage', ..., 'xformers') on every denoiser; one this machine
    cannot run is a settings error at load time, not a failure in the middle of a film."""
    try:
        if backend == "xformers":
            pipe.enable_xformers_memory_efficient_attention()
            return
        models = [m for name, m in pipe.components.items() if name in ("unet", "transformer", "transformer_2") and m is not None]
        for model in models:
            model.set_attention_backend(backend)
    except (ImportError, OSError, RuntimeError, ValueError, NotImplementedError, AttributeError) as exc:
        raise SettingsError(f"attention backend {backend!r}: cannot use it here ({first_line(exc)}); "
                            "leave it empty for torch SDPA") from exc


# -- sizes ------------------------------------------------------------------------------------------------------
def scaled_size(width: int, height: int, short_side: float, multiple: int) -> tuple[int, int]:
    """The film's aspect ratio with the given short side, both sides rounded to a multiple (at least one)."""
    scale = short_side / min(width, height)

    def snap(x: float) -> int:
        return max(multiple, int(x / multiple + 0.5) * multiple)

    return snap(width * scale), snap(height * scale)


# -- out of memory ----------------------------------------------------------------------------------------------
def is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or (isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


def free_device_memory() -> None:
    """Give cached CUDA blocks back (after an OOM, or when pipelines are dropped); nothing to do on a CPU."""
    if torch.cuda.is_available():
        gc.collect()  # tensors held by reference cycles (a failed call's frames) first
        torch.cuda.empty_cache()


@contextlib.contextmanager
def out_of_memory_is_retryable(what: str, advice: str) -> Iterator[None]:
    """Turn a device out-of-memory error into OutOfMemory (retryable), freeing the cache first."""
    try:
        yield
    except RuntimeError as exc:
        if not is_out_of_memory(exc):
            raise
        free_device_memory()
        raise OutOfMemory(f"{what}: the device ran out of memory; {advice}") from exc


# -- weight identity --------------------------------------------------------------------------------------------
_WARNED_UNPINNED: set[str] = set()


def weight_identity(model: str, revision: str | None) -> dict[str, str | None]:
    """What names the weights in a render key: the hub revision, else a local folder's content hash (a hub id with
    no revision follows 'main', which can move under the key)."""
    if revision:
        return {"model": model, "revision": revision}
    path = Path(model).expanduser()
    if path.exists():
        return {"weights_sha256": folder_fingerprint(path)}
    if model not in _WARNED_UNPINNED:
        _WARNED_UNPINNED.add(model)
        log.warning("model %s has no pinned revision: a new upload to 'main' will not re-render cached scenes", model)
    return {"model": model, "revision": None}


_EDGE = 1 << 20  # bytes read from each end of a large file
_FINGERPRINTS: dict[tuple, str] = {}
_FINGERPRINT_LOCK = threading.Lock()


def folder_fingerprint(path: Path) -> str:
    """sha256 over a model folder's file names, sizes and contents (first and last MiB of files over 4 MiB);
    modification times only tell this process's cache when to hash again."""
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file() and not _hidden(p, path))
    stats = [(p.relative_to(path).as_posix() if p != path else p.name, p.stat()) for p in files]
    cache_key = (str(path.resolve()), tuple((name, st.st_size, st.st_mtime_ns) for name, st in stats))
    with _FINGERPRINT_LOCK:
        if cache_key in _FINGERPRINTS:
            return _FINGERPRINTS[cache_key]
    h = hashlib.sha256()
    for (name, st), file in zip(stats, files):
        h.update(f"{name}\0{st.st_size}\0".encode())
        with open(file, "rb") as f:
            if st.st_size <= 4 * _EDGE:
                h.update(f.read())
            else:
                h.update(f.read(_EDGE))
                f.seek(-_EDGE, 2)
                h.update(f.read(_EDGE))
    fingerprint = h.hexdigest()
    with _FINGERPRINT_LOCK:
        _FINGERPRINTS[cache_key] = fingerprint
    return fingerprint


def _hidden(file: Path, root: Path) -> bool:
    """Dot files and folders (.cache, .git, .DS_Store) are not weights."""
    parts = file.relative_to(root).parts if file != root else ()
    return any(part.startswith(".") for part in parts)
