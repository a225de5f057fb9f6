"""The screenplay: the typed contract that flows between the studio's phases, the store and the renderers.

One definition serves as the JSON in the store, the LLM's response schema and the Prefect UI's form.
Bump SCREENPLAY_VERSION when a field changes meaning; `upgrade_screenplay` refuses versions it cannot read.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCREENPLAY_VERSION = 2  # 2: shots with framing, cast in frame, duration and lines; character kinds; transitions
READABLE_VERSIONS = (1, 2)  # version 1 documents are upgraded on load (`upgrade_screenplay`)

CameraMove = Literal["hold", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out", "push_in",
                     "pull_back"]
TimeOfDay = Literal["dawn", "morning", "noon", "afternoon", "dusk", "evening", "night"]
# What a character is, in one lowercase word or two: 'human', a species ('dog' for a spaniel, 'goose', 'ferret'),
# 'robot', 'dragon'; dreamfactory.beings.body_plan says how a renderer draws it.
CharacterKind = Annotated[str, Field(pattern=r"^[a-z][a-z -]{0,39}$")]
Framing = Literal["wide", "medium", "close_up", "over_the_shoulder", "insert", "reaction"]
Transition = Literal["cut", "fade", "dissolve"]
HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"

_ID = r"^[a-z0-9][a-z0-9_-]{0,47}$"


def unique_ids(items: list, rule: str) -> list:
    """The items, when no two share an id; else a validation error saying the rule and the ids."""
    ids = [item.id for item in items]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{rule}, got {ids}")
    return items


class Contract(BaseModel):
    """Base of every model the studio exchanges: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Brief(Contract):
    """The CEO's and Director's agreement on what film this is."""

    title: str = Field(description="Working title of the film, a few words.", min_length=1, max_length=120)
    logline: str = Field(description="One sentence: who wants what, and what stands in the way.", min_length=1)
    genre: str = Field(description="Genre in one or two words, e.g. 'fantasy adventure'.", min_length=1)
    tone: str = Field(description="The emotional tone in a few words, e.g. 'warm, wistful'.", min_length=1)
    target_seconds: float = Field(description="Target running time of the whole film in seconds.", gt=0, le=120000)  # 200 scenes x 600 s
    scene_count: int = Field(description="How many scenes the film has.", ge=1, le=200)


class StyleGuide(Contract):
    """The look every frame of the film shares."""

    look: str = Field(description="The visual style in a phrase, e.g. 'storybook watercolour'.", min_length=1)
    palette: list[Annotated[str, Field(pattern=HEX_COLOUR)]] = Field(
        description="Three to six colours as #rrggbb hex codes, dominant first.", min_length=3, max_length=6)
    lens: str = Field(description="Lens and framing habit, e.g. '35mm, eye level, shallow depth of field'.")
    negative: str = Field(default="", description="What must never appear in a frame (a negative prompt).")

    @field_validator("palette")
    @classmethod
    def _hex_colours(cls, palette: list[str]) -> list[str]:
        return [c.lower() for c in palette]  # each is #rrggbb already (HEX_COLOUR)


class Voice(Contract):
    """How a character (or the narrator) sounds; the same in every scene."""

    engine: str = Field(description="Speech engine, e.g. 'hibari', 'piper', 'espeak', 'openai'.")
    voice_id: str = Field(description="The engine's voice name.")
    rate: float = Field(default=1.0, description="Speaking rate, 1.0 is the voice's natural speed.", gt=0.3, le=3)
    pitch: float = Field(default=0.0, description="Pitch shift in semitones.", ge=-12, le=12)


class LaterLook(Contract):
    """A character's look from a scene on, after the story changes it (a time skip, a disguise, a new coat)."""

    from_scene: str = Field(description="Id of the first scene with this look.", pattern=_ID)
    appearance: str = Field(description="Face, hair, build, age from that scene on.", min_length=1)
    wardrobe: str = Field(description="Clothing, with colours, from that scene on.")


class Character(Contract):
    """A person (or creature) of the film; its look is fixed once and reused in every scene."""

    id: str = Field(description="Stable id, lowercase letters, digits, '-' or '_'; never changes.", pattern=_ID)
    name: str = Field(description="The name used in dialogue and captions.", min_length=1)
    kind: CharacterKind = Field(default="human", description="What the character is: 'human', a species of animal "
                                "('dog', 'goose', 'ferret'; a breed as its species), 'robot', 'dragon', or 'creature' for any other being.")
    appearance: str = Field(description="Face, hair, build, age: what stays the same in every shot.", min_length=1)
    wardrobe: str = Field(description="Clothing, with colours; worn the same in every scene unless the story changes it.")
    props: list[str] = Field(default_factory=list, description="Objects the character carries in every scene.")
    voice: Voice | None = Field(default=None, description="The character's voice; set by casting.")
    later_looks: list[LaterLook] = Field(
        default_factory=list, description="Looks the story changes over time ('forty years later her hair was white'): "
        "each replaces appearance and wardrobe from its scene on; empty when the look never changes.")

    def look_in(self, scene_id: str, scene_ids: list[str]) -> Character:
        """The character as drawn in a scene: the latest of its looks whose period has begun by that scene."""
        position = scene_ids.index(scene_id)
        begun = [look for look in self.later_looks
                 if look.from_scene in scene_ids and scene_ids.index(look.from_scene) <= position]
        if not begun:
            return self
        latest = max(begun, key=lambda look: scene_ids.index(look.from_scene))
        return self.model_copy(update={"appearance": latest.appearance, "wardrobe": latest.wardrobe,
                                       "later_looks": []})


class DialogueLine(Contract):
    """One spoken line."""

    speaker: str = Field(description="Character id of the speaker, or 'narrator'.", pattern=_ID)
    text: str = Field(description="The words spoken, without quotation marks.", min_length=1, max_length=2000)


class Shot(Contract):
    """A shot of a scene: one framing, one keyframe, one clip; shots within a scene are joined by hard cuts."""

    id: str = Field(description="Stable id of the shot within its scene, e.g. 'a'; never renumbered.", pattern=_ID)
    description: str = Field(description="What the audience sees, in one sentence (the storyboard caption).", min_length=1)
    keyframe_prompt: str = Field(description="The visual prompt for this shot's keyframe, without style or cast.", min_length=1)
    camera: CameraMove = Field(default="hold", description="Camera move over the shot.")
    framing: Framing = Field(default="wide", description="wide (establishing), medium, close_up (one character's face "
                             "and shoulders), over_the_shoulder (past one character at another), insert (a prop fills the frame) "
                             "or reaction (a listener's face).")
    characters: list[str] = Field(
        default_factory=list, description="Ids of the characters in frame; the first is the subject of a close-up or reaction.")
    prop: str = Field(default="", description="The object an insert shot shows; empty for other framings.", max_length=200)
    duration: float = Field(
        default=3.0, description="Planned seconds; the shot is stretched to fit the lines spoken in it.", gt=0, le=120)
    lines: list[Annotated[int, Field(ge=0)]] = Field(
        default_factory=list, description="0-based positions in the scene's dialogue of the lines spoken in this shot.")
    take: int = Field(
        default=0, ge=0, exclude_if=lambda take: take == 0,  # absent until a redraw: screenplays keep their sha
        description="Set by a person at the storyboard gate, never by a writer: each redraw of the keyframe is a new "
        "take with a new seed (0: the first).")


class Scene(Contract):
    """A scene: one place, one time, one beat of the story."""

    id: str = Field(description="Stable id; seeds and render keys derive from it, not from the position.", pattern=_ID)
    index: int = Field(description="1-based position in the film.", ge=1)
    setting: str = Field(description="Where the scene takes place, a short noun phrase.", min_length=1)
    time_of_day: TimeOfDay = Field(description="When the scene takes place.")
    environment: str = Field(
        description="Weather, light and props of the place; the next scene receives it as its context C(t-1).", min_length=1)
    action: str = Field(description="What happens, in one to three sentences.", min_length=1)
    characters: list[str] = Field(default_factory=list, description="Ids of the characters on screen.")
    dialogue: list[DialogueLine] = Field(default_factory=list, description="Spoken lines in order.")
    camera: CameraMove = Field(default="hold", description="The scene's main camera directive.")
    duration: float = Field(description="Length of the scene in seconds.", gt=0, le=600)
    shots: list[Shot] = Field(min_length=1, description="The shots in order, joined by hard cuts; the first opens the scene.")
    transition: Transition = Field(default="fade", description="How this scene passes to the next one.")

    @field_validator("shots")
    @classmethod
    def _unique_shots(cls, shots: list[Shot]) -> list[Shot]:
        return unique_ids(shots, "shot ids must be unique within a scene")

    @model_validator(mode="after")
    def _lines_in_shots(self) -> Scene:
        claimed: list[int] = [i for shot in self.shots for i in shot.lines]
        out_of_range = sorted({i for i in claimed if i >= len(self.dialogue)})
        if out_of_range:
            raise ValueError(f"scene {self.id}: shots name dialogue lines {out_of_range}, but it has {len(self.dialogue)}")
        twice = sorted({i for i in claimed if claimed.count(i) > 1})
        if twice:
            raise ValueError(f"scene {self.id}: dialogue lines {twice} are claimed by more than one shot")
        heard = [i for shot in self.shots for i in sorted(shot.lines)]
        if heard != sorted(heard):
            raise ValueError(f"scene {self.id}: shots claim lines {heard} out of speech order (shots play in order)")
        return self

    def shot(self, shot_id: str) -> Shot:
        if found := next((shot for shot in self.shots if shot.id == shot_id), None):
            return found
        raise KeyError(f"scene {self.id} has no shot {shot_id!r}; shots are {[s.id for s in self.shots]}")

    def shot_lines(self) -> dict[str, list[int]]:
        """Shot id -> the dialogue lines spoken in it, in dialogue order: the one rule for where a line sits.

        A line no shot claims goes to the first shot that has its speaker in frame, else to the shot before the
        next claimed line (so the order of speech is kept), else the first shot.
        """
        placed = {shot.id: list(shot.lines) for shot in self.shots}
        owner = {i: shot.id for shot in self.shots for i in shot.lines}
        order = [shot.id for shot in self.shots]
        for index, line in enumerate(self.dialogue):
            if index in owner:
                continue
            later = [owner[j] for j in range(index + 1, len(self.dialogue)) if j in owner]
            earlier = [owner[j] for j in range(index) if j in owner]
            floor = order.index(earlier[-1]) if earlier else 0
            ceiling = order.index(later[0]) if later else len(order) - 1
            window = order[floor:ceiling + 1] or order
            speaking = [sid for sid in window if line.speaker in self.shot(sid).characters]
            owner[index] = (speaking or window)[0]
            placed[owner[index]].append(index)
        return {sid: sorted(lines) for sid, lines in placed.items()}


class BaseDescription(Contract):
    """The Base Description (BD): the fixed text of style, cast and world that every keyframe receives."""

    text: str = Field(description="One paragraph fixing style, palette, every character's look and the world.")


class Screenplay(Contract):
    """The whole film on paper."""

    version: int = Field(default=SCREENPLAY_VERSION, description="Schema version of this document.")
    brief: Brief = Field(description="What film this is.")
    style: StyleGuide = Field(description="The shared look.")
    characters: list[Character] = Field(description="The cast, each with a stable id.")
    narrator: Voice | None = Field(default=None, description="The narrator's voice, when the film has narration.")
    base_description: BaseDescription = Field(description="The Base Description every keyframe receives.")
    scenes: list[Scene] = Field(min_length=1, description="The scenes in order.")

    @model_validator(mode="after")
    def _consistent(self) -> Screenplay:
        if self.version != SCREENPLAY_VERSION:
            raise ValueError(f"screenplay version {self.version} is not supported (this build writes {SCREENPLAY_VERSION}; "
                             f"load older documents with upgrade_screenplay)")
        char_ids = [c.id for c in unique_ids(self.characters, "character ids must be unique")]
        if "narrator" in char_ids:
            raise ValueError("'narrator' is the speaker id of voice-over narration; give the character another id")
        unique_ids(self.scenes, "scene ids must be unique")
        known = set(char_ids)
        for scene in self.scenes:
            unknown = [c for c in scene.characters if c not in known]
            unknown += [l.speaker for l in scene.dialogue if l.speaker != "narrator" and l.speaker not in known]
            unknown += [c for shot in scene.shots for c in shot.characters if c not in known]
            if unknown:
                raise ValueError(f"scene {scene.id} names unknown characters {sorted(set(unknown))}")
        return self

    def scene(self, scene_id: str) -> Scene:
        if found := next((scene for scene in self.scenes if scene.id == scene_id), None):
            return found
        raise KeyError(f"no scene {scene_id!r}; scenes are {[s.id for s in self.scenes]}")

    def character(self, character_id: str) -> Character:
        if found := next((c for c in self.characters if c.id == character_id), None):
            return found
        raise KeyError(f"no character {character_id!r}")

    def previous_environment(self, scene_id: str) -> str:
        """C(t-1): the environment of the scene before this one ('' for the first scene)."""
        position = [s.id for s in self.scenes].index(scene_id)
        return self.scenes[position - 1].environment if position > 0 else ""

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.scenes)


def upgrade_screenplay(data: dict) -> dict:
    """A stored screenplay document in this build's version: version 1 had one shot per scene and no kinds, framings
    or transitions; its shots become wide shots of the scene's cast, lasting the scene, with every line."""
    version = data.get("version", 1)
    if version not in READABLE_VERSIONS:
        raise ValueError(f"screenplay version {version} is not supported (this build reads {READABLE_VERSIONS})")
    if version == 1:
        data = {**data, "version": 2, "scenes": [
            {**scene, "shots": [
                {**shot, "characters": list(scene.get("characters", [])),
                 "duration": round(float(scene["duration"]) / len(scene["shots"]), 3),
                 "lines": list(range(len(scene.get("dialogue", [])))) if i == 0 else []}
                for i, shot in enumerate(scene["shots"])]}
            for scene in data["scenes"]]}
    return data


# -- what each writing phase returns: the typed answers the roles exchange before they become a Screenplay ----------
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
        return unique_ids(scenes, "scene ids must be unique")


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
