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
from pydantic import BaseModel, ConfigDict, Field

from ..screenplay import CameraMove, CharacterKind, Framing
from ..errors import RenderError
from ..store import digest


class CharacterLook(BaseModel):
    """A character as a renderer needs it: the fixed look from the screenplay."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable character id; the animatic derives its design from it.")
    name: str = Field(description="Name, for labels.")
    kind: CharacterKind = Field(default="human", description="human, an animal kind, robot, dragon or creature.")
    appearance: str = Field(description="Face, hair, build.")
    wardrobe: str = Field(description="Clothing with colours.")
    props: list[str] = Field(default_factory=list, description="Objects carried.")


class KeyframeRequest(BaseModel):
    """One keyframe to draw: the Base frame (scene_id 'base') or one shot's keyframe."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scene_id: str = Field(description="'base' for the Base frame, else the scene id.")
    shot_id: str = Field(default="", description="The shot within the scene ('' for the Base frame).")
    framing: Framing = Field(default="wide", description="How the shot frames its subject (close_up, insert, ...).")
    prop: str = Field(default="", description="The object an insert shot shows.")
    prompt: str = Field(description="The exact prompt: Base Description + context C(t-1) + the shot.")
    negative_prompt: str = Field(default="", description="What must not appear.")
    caption: str = Field(default="", description="The storyboard caption of the shot.")
    setting: str = Field(description="Where the scene takes place.")
    time_of_day: str = Field(description="dawn, morning, noon, afternoon, dusk, evening or night.")
    environment: str = Field(default="", description="This scene's weather, light and props.")
    context: str = Field(default="", description="C(t-1): the previous scene's environment.")
    look: str = Field(description="The style guide's look.")
    palette: tuple[str, ...] = Field(description="#rrggbb colours, dominant first.")
    characters: tuple[CharacterLook, ...] = Field(default=(), description="Characters on screen.")
    base_frame_sha: str | None = Field(default=None, description="sha256 of the Base frame this keyframe is tied to.")
    seed: int = Field(description="Seed of this render.")
    width: int = Field(description="Width in pixels.")
    height: int = Field(description="Height in pixels.")
    tie_strength: float | None = Field(default=None, description="How closely to follow the Base frame (0..1); None: the backend's setting.")


class ClipRequest(BaseModel):
    """One shot's clip: its keyframe set in motion for the shot's duration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scene_id: str = Field(description="The scene id.")
    shot_id: str = Field(default="", description="The shot within the scene.")
    framing: Framing = Field(default="wide", description="The shot's framing.")
    keyframe_sha: str = Field(description="sha256 of the keyframe image the clip starts from.")
    end_keyframe_sha: str | None = Field(
        default=None, description="sha256 of the image the clip should end on (first-last-frame models); None: free end."
    )
    prompt: str = Field(default="", description="What moves in the shot, for text-conditioned video models.")
    negative_prompt: str = Field(default="", description="What must not appear, for video models that take one.")
    camera: CameraMove = Field(description="Camera move over the clip.")
    action: str = Field(default="", description="What happens (sets the amount of motion for generative backends).")
    duration: float = Field(gt=0, description="Seconds.")
    fps: int = Field(ge=1, description="Frames per second.")
    width: int = Field(description="Width in pixels.")
    height: int = Field(description="Height in pixels.")
    seed: int = Field(description="Seed of this render.")


class OutOfMemory(RenderError):
    """The device ran out of memory; the render can be retried with lower settings (retryable)."""


class ClipResult(BaseModel):
    """What a clip render reports besides the file."""

    frames: int
    seconds: float
    notes: dict[str, Any] = Field(default_factory=dict, description="Anything the render changed on the way (e.g. a lower decode chunk after OOM).")


class KeyframeRenderer(Protocol):
    name: ClassVar[str]
    reads: ClassVar[frozenset[str]]

    def identity(self) -> dict[str, Any]: ...

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None, attempt: int = 1) -> Image.Image:
        """Draw the keyframe; `base_frame` is the Base frame image (None when drawing the Base frame itself).

        `attempt` counts tries of this render (1 first), for an out-of-memory back-off. A backend may expose
        `last_notes` (a dict: what each text encoder read, `prompt_read`; the windows of long-prompt embeddings,
        `prompt_chunks`; what it lowered on a retry), read right after render in the same thread into the record.
        """
        ...


class ClipRenderer(Protocol):
    name: ClassVar[str]
    reads: ClassVar[frozenset[str]]

    def identity(self) -> dict[str, Any]: ...

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1,
               end_image: Image.Image | None = None) -> ClipResult:
        """Write the clip as an H.264 MP4 at out_path, exactly request.duration long at request.fps.

        `end_image`: the image the clip should end on (first-last-frame models), given when the backend reads
        `end_keyframe_sha` and the request names one.

        `attempt` counts tries of this render (1 first): a backend may lower memory use on a retry (e.g. after a
        CUDA out-of-memory error) and must then say what it changed in ClipResult.notes.
        """
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
