"""Where the metrics' model weights live, which are missing, and exactly how to get them (nothing is downloaded here).

The metrics compute what they can with what is on disk: faces with dlib when facenet's weights are absent, style
with Gram statistics when CLIP is absent. `missing_weights(options)` lists the rest, each entry saying what to
download, where to put it and which setting points at it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import DreamFactoryError
from ..settings import DEFAULT_CLIP_MODEL, MetricOptions

FACENET_FILE = "20180402-114759-vggface2.pt"
FACENET_URL = f"https://github.com/timesler/facenet-pytorch/releases/download/v2.2.9/{FACENET_FILE}"
DLIB_FACE_MODEL = "dlib_face_recognition_resnet_model_v1.dat"
DLIB_SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class MetricUnavailable(DreamFactoryError):
    """A metric cannot be computed here (its model or package is missing); the message says what to install."""


class MissingWeight(BaseModel):
    """One model the metrics could not find, and how to get it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The model, e.g. 'facenet-vggface2' or 'clip'.")
    needed_for: list[str] = Field(description="Metrics that need it, e.g. ['clip_score'].")
    instead: str | None = Field(default=None, description="What happens meanwhile, or None when the metric is skipped.")
    file: str = Field(description="The file or folder to download.")
    put_in: str = Field(description="Where to put it.")
    how: str = Field(description="A command that downloads it (run on a machine with internet).")
    setting: str | None = Field(default=None, description="The setting that points at it, when not found by default.")

    def message(self) -> str:
        effect = f"meanwhile {self.instead}" if self.instead else "skipped until then"
        text = f"{self.name} is missing (needed for {', '.join(self.needed_for)}; {effect}). Get {self.file} into {self.put_in}: {self.how}"
        return text + (f" ; then {self.setting}." if self.setting else "")


def torch_home() -> Path:
    """torch's cache folder, resolved exactly as torch and facenet-pytorch resolve it ($TORCH_HOME, else XDG)."""
    default = os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "torch")
    return Path(os.path.expanduser(os.environ.get("TORCH_HOME", default)))


def facenet_weights_path(options: MetricOptions) -> Path:
    """The facenet weight file the options point at (it may not exist)."""
    if options.facenet_weights is not None:
        return options.facenet_weights.expanduser()
    return torch_home() / "checkpoints" / FACENET_FILE


def dlib_models_dir() -> Path | None:
    """The models/ folder of face_recognition_models, found without importing it (its import needs pkg_resources)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    ok = (folder / DLIB_FACE_MODEL).is_file() and (folder / DLIB_SHAPE_MODEL).is_file()
    return folder if ok else None


def dlib_model_files() -> list[Path]:
    """dlib's face model and shape predictor files (empty when face_recognition_models is not installed)."""
    folder = dlib_models_dir()
    return [folder / DLIB_FACE_MODEL, folder / DLIB_SHAPE_MODEL] if folder else []


def dlib_available() -> bool:
    return importlib.util.find_spec("dlib") is not None and dlib_models_dir() is not None


def facenet_available(options: MetricOptions) -> bool:
    return importlib.util.find_spec("facenet_pytorch") is not None and facenet_weights_path(options).is_file()


def clip_local_dir(model: str) -> Path | None:
    """The local folder `model` names, or None when it is a hub id."""
    path = Path(model).expanduser()
    if path.is_dir() or not _HUB_ID.match(model):
        return path
    return None


def clip_available(options: MetricOptions) -> bool:
    """True when the CLIP model's config and weights are on disk (a local folder, or the Hugging Face cache)."""
    if not options.clip_model or importlib.util.find_spec("transformers") is None:
        return False
    weights = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
    local = clip_local_dir(options.clip_model)
    if local is not None:
        return (local / "config.json").is_file() and any((local / w).is_file() for w in weights)
    from huggingface_hub import try_to_load_from_cache

    def cached(name: str) -> bool:
        return isinstance(try_to_load_from_cache(options.clip_model, name, revision=options.clip_revision), str)

    return cached("config.json") and any(cached(w) for w in weights)


def clip_folder(options: MetricOptions) -> Path:
    """The folder CLIP loads from: the local folder, or the Hugging Face cache's snapshot of the hub id."""
    local = clip_local_dir(options.clip_model)
    if local is not None:
        return local
    from huggingface_hub import try_to_load_from_cache

    return Path(try_to_load_from_cache(options.clip_model, "config.json", revision=options.clip_revision)).parent


def files_fingerprint(paths: list[Path]) -> str:
    """sha256 over the names and contents of files (every file under a folder, hidden ones aside): which weights
    a report was measured with, whatever folder they sit in."""
    h = hashlib.sha256()
    for path in paths:
        files = [path] if path.is_file() else sorted(
            f for f in path.rglob("*") if f.is_file() and not any(p.startswith(".") for p in f.relative_to(path).parts))
        for file in files:
            h.update(f"{file.name if file == path else file.relative_to(path).as_posix()}\0".encode())
            with open(file, "rb") as f:
                h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def _clip_missing(options: MetricOptions) -> MissingWeight:
    model = options.clip_model or DEFAULT_CLIP_MODEL
    local = clip_local_dir(model) if options.clip_model else None
    repo = DEFAULT_CLIP_MODEL if local is not None else model
    target = local if local is not None else Path("models") / repo.split("/")[-1]
    return MissingWeight(
        name=f"clip ({model})", needed_for=["style (CSSC)", "clip_score"],
        instead="style uses Gram statistics and the CLIP score is skipped",
        file=f"the model folder of {repo} (config.json, model.safetensors, tokenizer and preprocessor files)",
        put_in=str(target), how=f'hf download {repo} --exclude "*.h5" --exclude "*.msgpack" --local-dir {target}',
        setting=f"set metrics.clip_model = '{target}' (env DREAMFACTORY_METRICS__CLIP_MODEL)")


def missing_weights(options: MetricOptions | None = None) -> list[MissingWeight]:
    """Every model the metrics would use with these options but cannot find on this machine; a model the options
    turn off (face_embedder 'off', an empty clip_model) is never asked for."""
    options = options or MetricOptions()
    missing: list[MissingWeight] = []
    has_dlib = dlib_available()
    if options.face_embedder in ("auto", "facenet") and not facenet_available(options):
        path = facenet_weights_path(options)
        has_package = importlib.util.find_spec("facenet_pytorch") is not None
        missing.append(MissingWeight(
            name="facenet-vggface2", needed_for=["faces (CSFD)"],
            instead="faces use dlib-resnet-v1" if options.face_embedder == "auto" and has_dlib else None,
            file=FACENET_FILE if has_package else f"facenet-pytorch and {FACENET_FILE}", put_in=str(path.parent),
            how=("" if has_package else "pip install --no-deps facenet-pytorch && ")
            + f"mkdir -p {path.parent} && curl -L -o {path} {FACENET_URL}",
            setting=None if options.facenet_weights
            else "to keep it elsewhere, set metrics.facenet_weights (env DREAMFACTORY_METRICS__FACENET_WEIGHTS)"))
    if options.face_embedder in ("auto", "dlib") and not has_dlib:
        missing.append(MissingWeight(
            name="dlib-resnet-v1", needed_for=["faces (CSFD)"],
            instead="faces use facenet-vggface2" if options.face_embedder == "auto" and facenet_available(options) else None,
            file=f"{DLIB_FACE_MODEL} and {DLIB_SHAPE_MODEL} (in the face-recognition-models package)",
            put_in="the Python environment", how="pip install dlib-bin face-recognition-models"))
    if options.face_embedder != "off" and importlib.util.find_spec("facenet_pytorch") is None:
        missing.append(MissingWeight(name="mtcnn", needed_for=["faces (CSFD)"],
                                     file="facenet-pytorch (MTCNN's weights ship in the wheel)",
                                     put_in="the Python environment", how="pip install --no-deps facenet-pytorch"))
    if options.clip_model and not clip_available(options):
        missing.append(_clip_missing(options))
    return missing


def turned_off(options: MetricOptions) -> dict[str, str]:
    """The metrics these options switch off, and the setting that does it."""
    off = {}
    if options.face_embedder == "off":
        off["csfd"] = "turned off (metrics.face_embedder is 'off')"
    if not options.clip_model:
        off["clip_score"] = "turned off (metrics.clip_model is empty; style uses Gram statistics)"
    return off


def describe_missing(missing: list[MissingWeight]) -> str:
    """One line per missing model, for a person; empty when nothing is missing."""
    return "\n".join(m.message() for m in missing)
