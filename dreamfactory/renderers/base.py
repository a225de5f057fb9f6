"""The renderer interfaces: what draws a keyframe and what turns a keyframe into a clip.

Every backend (the offline animatic, diffusers, Stable Video Diffusion, OpenAI Images) takes the same request
models. A backend declares `reads`, the request fields that decide its output, and `identity()`, what else
does (backend, version, model id and revision or weight hash, pixel-changing settings). A render's key hashes
exactly those two, so a field the backend never reads cannot cause a re-render, and one it reads always does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol

from PIL import Image
from pydantic import BaseModel

# The render contracts, importable from here too.
from ..contracts import ClipRequest, ClipResult, KeyframeRequest
from ..errors import RenderError
from ..store import digest


class OutOfMemory(RenderError):
    """The device ran out of memory; the render can be retried with lower settings (retryable)."""


class KeyframeRenderer(Protocol):
    name: ClassVar[str]
    reads: ClassVar[frozenset[str]]

    def identity(self) -> dict[str, Any]: ...

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None, attempt: int = 1) -> Image.Image:
        """Draw the keyframe; `base_frame` is None when drawing the Base frame itself. `attempt` counts tries (1 first),
        for an out-of-memory back-off. A backend may expose `last_notes` (what each text encoder read, what it lowered
        on a retry), read into the record right after the render, in the same thread."""
        ...


class ClipRenderer(Protocol):
    name: ClassVar[str]
    reads: ClassVar[frozenset[str]]

    def identity(self) -> dict[str, Any]: ...

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        """Write the clip as an H.264 MP4 at out_path, exactly request.duration long at request.fps; `end_image`: the
        image to end on, when the backend reads `end_keyframe_sha`. `attempt` counts tries (1 first): a backend may
        lower memory use on a retry and must then say what it changed in ClipResult.notes."""
        ...


def render_key(renderer: KeyframeRenderer | ClipRenderer, request: BaseModel) -> str:
    """The content address of a render: the backend's identity and the request fields it reads."""
    unknown = set(renderer.reads) - set(type(request).model_fields)
    if unknown:
        raise ValueError(f"{renderer.name} declares reads of unknown fields {sorted(unknown)}")
    return digest({"renderer": renderer.identity(), "inputs": request.model_dump(mode="json", include=set(renderer.reads))})


def cover_fit(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale to cover width x height and crop the centre: no bars, no distortion (a square frame fills a 16:9 one)."""
    image = image.convert("RGB")
    if image.size == (width, height):
        return image
    scale = max(width / image.width, height / image.height)
    w, h = max(width, round(image.width * scale)), max(height, round(image.height * scale))
    left, top = (w - width) // 2, (h - height) // 2
    return image.resize((w, h), Image.Resampling.LANCZOS).crop((left, top, left + width, top + height))
