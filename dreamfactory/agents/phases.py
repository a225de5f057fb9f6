"""What each writing phase returns: the typed answers the roles exchange before they become a Screenplay."""

from __future__ import annotations

from pydantic import Field, field_validator

from ..screenplay import (
    BaseDescription,
    Brief,
    CameraMove,
    Character,
    Contract,
    DialogueLine,
    Shot,
    StyleGuide,
    TimeOfDay,
    Transition,
    Voice,
    _ID,
)

__all__ = ["Brief", "Design", "ScenePlan", "ScenePlans", "Review", "ReviewNote", "SceneShots", "Storyboard", "Condensed"]


class Design(Contract):
    """The Director's look and cast."""

    style: StyleGuide = Field(description="The look every frame shares.")
    characters: list[Character] = Field(description="Every named character of the story, each with a stable id.")
    narrator: Voice | None = Field(default=None, description="A narrator voice when the film needs narration, else null.")


class ScenePlan(Contract):
    """One scene as the Screenwriter writes it (the Filmmaker adds its shots)."""

    id: str = Field(description="Stable scene id, e.g. 's01'. Keep ids when revising.", pattern=_ID)
    setting: str = Field(description="Where the scene takes place, a short noun phrase.", min_length=1)
    time_of_day: TimeOfDay = Field(description="When the scene takes place.")
    environment: str = Field(description="Weather, light and props of the place; the next scene's context C(t-1).", min_length=1)
    action: str = Field(description="What happens, in one to three sentences, in the story's order.", min_length=1)
    characters: list[str] = Field(default_factory=list, description="Ids of the characters on screen.")
    dialogue: list[DialogueLine] = Field(default_factory=list, description="Spoken lines, taken from the story's speech.")
    camera: CameraMove = Field(default="hold", description="The scene's main camera move.")
    duration: float = Field(description="Seconds; long enough for its dialogue.", gt=0, le=600)


class ScenePlans(Contract):
    """The Screenwriter's scenes, in order."""

    scenes: list[ScenePlan] = Field(min_length=1, description="The scenes in story order.")

    @field_validator("scenes")
    @classmethod
    def _unique(cls, scenes: list[ScenePlan]) -> list[ScenePlan]:
        ids = [s.id for s in scenes]
        if len(ids) != len(set(ids)):
            raise ValueError(f"scene ids must be unique, got {ids}")
        return scenes


class ReviewNote(Contract):
    """One concrete point of a review."""

    scene_id: str | None = Field(default=None, description="The scene the point is about, or null for the whole draft.")
    point: str = Field(description="What is wrong and how to fix it, concretely.", min_length=1)


class Review(Contract):
    """A reviewer's verdict on a draft."""

    approved: bool = Field(description="True when the draft can go on as it is.")
    notes: list[ReviewNote] = Field(default_factory=list, description="Concrete points to fix; empty when approved.")


class SceneShots(Contract):
    """The Filmmaker's cut of one scene: its shots, joined by hard cuts, and how it passes to the next scene."""

    scene_id: str = Field(description="The scene these shots belong to.", pattern=_ID)
    shots: list[Shot] = Field(min_length=1, description="Usually 2 to 5 shots in order; the first one opens the scene.")
    transition: Transition = Field(default="fade", description="How this scene passes to the next: cut, fade or dissolve.")


class Storyboard(Contract):
    """The Filmmaker's Base Description and keyframe prompts."""

    base_description: BaseDescription = Field(description="Style, palette, every character's look, the world: fixed for all keyframes.")
    scenes: list[SceneShots] = Field(description="Shots for every scene, in scene order.")


class Condensed(Contract):
    """A shorter telling of part of a story, for a model whose context is too small for the whole."""

    text: str = Field(description="The passage retold in fewer words, keeping every named character, place, event and spoken line.")


# Re-exported so a prompt or writer finds every phase type in one module.
CameraMove, TimeOfDay, Transition, DialogueLine, Shot  # noqa: B018
