"""Keyframes by OpenAI Images, as the paper drew them with DALL-E 3.

The prompt carries the Base Description, so every scene is described with the same characters and style. With a
GPT image model, scene keyframes are also tied to the Base frame by sending it as the input image of an edit
(the API's image reference); DALL-E models (retired by OpenAI in 2026) take text only. The API has no seed: the
request's seed is read as a take number, so a new seed asks for a new picture.
"""

from __future__ import annotations

import base64
import io
from typing import Any, ClassVar

import openai
from PIL import Image

from ..contracts import KeyframeRequest
from ..errors import RenderError, SettingsError
from ..settings import RenderSettings

VERSION = 1  # bump when this module changes what it sends to the API
DEFAULT_MODEL = "gpt-image-2"
OPENAI_MODEL_PREFIXES = ("gpt-image", "dall-e", "chatgpt-image")


def openai_image_model(image_model: str) -> str:
    """settings.image_model when it names an OpenAI image model, else the default one."""
    return image_model if image_model.startswith(OPENAI_MODEL_PREFIXES) else DEFAULT_MODEL


def api_size(model: str, width: int, height: int) -> str:
    """The size to ask for: the film's aspect where the model takes any size, else the nearest one it offers."""
    if model.startswith("gpt-image-2"):
        # Any WIDTHxHEIGHT with sides divisible by 16 and an aspect between 1:3 and 3:1; 1536 on the long side.
        aspect = min(3.0, max(1 / 3, width / height))
        w, h = (1536, 1536 / aspect) if aspect >= 1 else (1536 * aspect, 1536)
        return f"{int(w / 16 + 0.5) * 16}x{int(h / 16 + 0.5) * 16}"
    wide, tall = ("1792x1024", "1024x1792") if model.startswith("dall-e") else ("1536x1024", "1024x1536")
    aspect = width / height
    return wide if aspect > 1.2 else tall if aspect < 1 / 1.2 else "1024x1024"


class OpenAIImageKeyframes:
    """Keyframes from OpenAI Images: text to image, and for scenes with a GPT image model, an edit of the Base frame."""

    name: ClassVar[str] = "openai"
    reads: ClassVar[frozenset[str]] = frozenset({"scene_id", "prompt", "negative_prompt", "look", "seed", "width",
                                                 "height", "base_frame_sha"})

    def __init__(self, settings: RenderSettings, api_key: str | None, client: openai.OpenAI | None = None):
        if client is None and not api_key:
            raise SettingsError("the openai keyframe backend needs an API key: set OPENAI_API_KEY")
        self.settings = settings
        self.model = openai_image_model(settings.image_model)
        self.client = client or openai.OpenAI(api_key=api_key, max_retries=4, timeout=300)

    def identity(self) -> dict[str, Any]:
        return {"backend": self.name, "version": VERSION, "model": self.model,
                "negative_prompt": self.settings.negative_prompt}

    def prompt(self, request: KeyframeRequest) -> str:
        """The request's prompt (Base Description + context + shot), the look, and what to avoid."""
        parts = [request.prompt.strip()]
        if request.look.strip() and request.look.lower() not in request.prompt.lower():
            parts.append(f"Style: {request.look.strip()}.")
        avoid = ", ".join(p.strip() for p in (request.negative_prompt, self.settings.negative_prompt) if p.strip())
        if avoid:
            parts.append(f"Avoid: {avoid}.")  # the API has no negative prompt
        return "\n".join(parts)

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None, attempt: int = 1) -> Image.Image:
        call: dict[str, Any] = {"model": self.model, "prompt": self.prompt(request), "n": 1,
                                "size": api_size(self.model, request.width, request.height)}
        if self.model.startswith("dall-e"):
            call["response_format"] = "b64_json"  # GPT image models always answer in base64 and reject this
        tie_to_base = request.scene_id != "base" and base_frame is not None and not self.model.startswith("dall-e")
        try:
            if tie_to_base:
                answer = self.client.images.edit(image=("base_frame.png", _png(base_frame), "image/png"), **call)
            else:
                answer = self.client.images.generate(**call)
        except openai.APIStatusError as exc:
            raise RenderError(f"keyframe {request.scene_id}: OpenAI Images answered {exc.status_code} ({_message(exc)}); "
                              "check the model name and the key's access, or rephrase a refused prompt") from exc
        except openai.APIError as exc:
            raise RenderError(f"keyframe {request.scene_id}: OpenAI Images cannot be reached ({_message(exc)})") from exc
        b64 = answer.data[0].b64_json if answer.data else None
        if not b64:
            raise RenderError(f"keyframe {request.scene_id}: OpenAI Images returned no image data")
        return Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _message(exc: openai.APIError) -> str:
    text = str(getattr(exc, "message", "") or exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
