"""The data that crosses module boundaries: render requests and records, sound, film results, edits.

Plain pydantic models that import nothing of ours but the screenplay's types, so a module can use another's data
without its machinery. The screenplay and the phase answers are in contracts/screenplay.py.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .screenplay import CameraMove, CharacterKind, Framing, Screenplay


# -- render requests and records: renderers/, renders.py ------------------------------------------------------------
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


class ClipResult(BaseModel):
    """What a clip render reports besides the file."""

    frames: int
    seconds: float
    notes: dict[str, Any] = Field(default_factory=dict, description="Anything the render changed on the way (e.g. a lower decode chunk after OOM).")


class Made(BaseModel):
    """A small reference to a stored artifact, passed between tasks instead of pixels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="base_frame, keyframe, clip, film, ...")
    scene_id: str = Field(default="", description="The scene, when the artifact belongs to one.")
    shot_id: str = Field(default="", description="The shot, when the artifact belongs to one.")
    key: str = Field(description="Store key of the object.")
    sha256: str = Field(description="sha256 of the object's bytes.")
    made: bool = Field(description="True when this call rendered it, False when it came from the store.")
    seconds: float = Field(default=0.0, description="Render seconds when made.")

    def stored_keys(self) -> tuple[str, ...]:
        """What must be in the store for this artifact to count as made: the object and its record beside it (the
        rule of layout.record)."""
        return (self.key, self.key.rsplit(".", 1)[0] + ".json")


class RenderRecord(BaseModel):
    """What a render needs to be made again exactly; stored beside the object and gathered in the manifest."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    project: str
    scene_id: str
    shot_id: str = ""
    object_key: str
    render_key: str
    sha256: str
    bytes: int
    renderer: str
    identity: dict[str, Any]
    inputs: dict[str, Any]
    seed: int | None = None
    seconds: float = 0.0
    attempts: int = 1
    notes: dict[str, Any] = Field(default_factory=dict)
    scores: list[dict[str, Any]] = Field(default_factory=list, description="Consistency scores of each attempt, when checked.")


# -- sound: voices/ ---------------------------------------------------------------------------------------------------
class LineAudio(BaseModel):
    """One spoken line in the store, or why it was not spoken."""

    key: str = Field(default="", description="Content key of the line's audio ('' when skipped).")
    store_key: str = Field(default="", description="Where the WAV lives in the store ('' when skipped).")
    seconds: float = Field(default=0.0, description="Length of the spoken audio in seconds.")
    cached: bool = Field(default=False, description="True when the store already held it.")
    skipped: str | None = Field(default=None, description="Why the line was not spoken, when it was not.")


class Cue(BaseModel):
    """A line on screen: when it is heard (seconds from the start of its scene, or of the film)."""

    start: float = Field(description="Start in seconds.")
    end: float = Field(description="End in seconds.")
    speaker: str = Field(description="Character id, or 'narrator'.")
    name: str = Field(default="", description="The speaker's name as shown ('' for the narrator).")
    text: str = Field(description="The words.")
    shot_id: str = Field(default="", description="The shot the line is said in.")


class ShotSpan(BaseModel):
    """Where a shot sits in its scene's speech track: its clip is rendered exactly `duration` long."""

    shot_id: str = Field(description="The shot's stable id.")
    start: float = Field(description="Seconds from the start of the scene (a whole number of frames).")
    duration: float = Field(description="Seconds (a whole number of frames).")


class SkippedLine(BaseModel):
    index: int = Field(description="0-based position of the line in the scene's dialogue.")
    speaker: str = Field(description="Who would have said it.")
    reason: str = Field(description="Why it was not spoken.")


class SceneSound(BaseModel):
    """A scene's speech track in the store, its length and its cues."""

    scene_id: str = Field(description="The scene's stable id.")
    key: str = Field(description="Store key of the scene's speech track WAV, exactly `duration` long.")
    duration: float = Field(description="The scene's voiced duration in seconds: its shots' spans together.")
    shots: list[ShotSpan] = Field(default_factory=list, description="Each shot's span, in order; they add up to duration.")
    cues: list[Cue] = Field(default_factory=list, description="Lines timed to the real audio.")
    line_keys: list[str] = Field(default_factory=list, description="Store keys of the lines' audio, in order.")
    synthesized: int = Field(default=0, description="Lines spoken on this run.")
    cached: int = Field(default=0, description="Lines found in the store.")
    skipped: list[SkippedLine] = Field(default_factory=list, description="Lines not spoken, with reasons.")

    def span(self, shot_id: str) -> ShotSpan:
        if (found := next((span for span in self.shots if span.shot_id == shot_id), None)) is not None:
            return found
        raise KeyError(f"scene {self.scene_id} has no shot {shot_id!r} in its timing")

    def stored_keys(self) -> tuple[str, ...]:
        """What must be in the store for this speech track to count as made."""
        return (self.key,)


class MixInfo(BaseModel):
    """What the mix made."""

    path: str = Field(description="The soundtrack WAV (mono, 24 kHz, 16-bit).")
    duration: float = Field(description="Length of the soundtrack in seconds: the sum of the scene durations.")
    speech_lufs: float | None = Field(description="Integrated loudness of the speech before normalising; None when silent.")
    loudness: float = Field(description="The speech loudness target in LUFS.")
    music: str | None = Field(default=None, description="The music file used, if any.")
    music_seconds: float | None = Field(default=None, description="Length of the music file; shorter than the film means looped.")
    scene_sound: bool = Field(default=False, description="Whether the clips' own sound is laid under the speech.")


class MuxInfo(BaseModel):
    path: str = Field(description="The film MP4: video copied, one AAC track, optional mov_text subtitles.")
    duration: float = Field(description="The video's duration in seconds; the audio track is cut or padded to it.")
    subtitles: bool = Field(description="Whether a subtitle track was written.")


class Casting(BaseModel):
    """The screenplay with every speaking voice set, and what casting decided (for the manifest)."""

    screenplay: Screenplay = Field(description="The screenplay with voices filled in.")
    notes: list[str] = Field(default_factory=list, description="One line per decision worth knowing.")


# -- film results: film.py --------------------------------------------------------------------------------------------
class FilmVersion(BaseModel):
    """One entry of a project's film history."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="Store key of the MP4.")
    manifest: str = Field(description="Store key of the manifest.")
    screenplay_sha: str = Field(description="sha256 of the screenplay it was made from.")
    scenes: int
    duration: float
    created: str = Field(description="UTC time it was first assembled.")


class Counts(BaseModel):
    rendered: int = 0
    cached: int = 0


class FilmResult(BaseModel):
    """What a film run made: the CLI's --json object."""

    project: str
    film: str = Field(description="Where the MP4 is: a local path or a store URL.")
    film_key: str
    store: str
    scenes: int
    shots: int = Field(default=0, description="Shots in the film (a keyframe and a clip each).")
    duration: float
    screenplay_sha: str
    edited_screenplay: bool = False
    base_frame: Counts
    keyframes: Counts
    clips: Counts
    film_rendered: bool
    llm_calls: int = Field(description="Model calls made by this run.")
    llm_tokens: int = Field(description="Tokens spent by this run.")
    writer_answers: Counts = Field(description="Phase answers written now vs taken from the store.")
    tokens_by_phase: dict[str, int] = Field(default_factory=dict, description="Tokens per 'phase/role' (what each answer cost when made).")
    voice_lines: Counts = Field(default_factory=Counts)
    backends: str = ""


# -- edits: editing.py, approval.py -----------------------------------------------------------------------------------
EDITABLE = ("setting", "time_of_day", "environment", "action", "characters", "dialogue", "camera", "duration",
            "transition")
SHOT_FIELDS = ("description", "keyframe_prompt")  # of the scene's first shot, without --shot (as before shots)
SHOT_EDITABLE = ("description", "keyframe_prompt", "camera", "framing", "characters", "prop", "duration", "lines")


class SceneEdit(BaseModel):
    """One change a person makes at the approval gate."""

    model_config = ConfigDict(extra="forbid")

    scene: str = Field(description="Scene number (1-based) or scene id.")
    shot: str | None = Field(default=None, description="Shot id (or 1-based position) to edit; empty: the scene.")
    field: str = Field(description=f"Scene: {', '.join(EDITABLE + SHOT_FIELDS)}; shot: {', '.join(SHOT_EDITABLE)}.")
    value: str = Field(description="The new value (characters: comma-separated ids; dialogue: JSON).")


class ScreenplayApproval(BaseModel):
    """The human gate's form: read the screenplay artifact, change fields, approve before any render starts."""

    model_config = ConfigDict(extra="forbid")

    approved: bool = Field(default=True, description="Untick to stop the run before anything is rendered.")
    edits: list[SceneEdit] = Field(default_factory=list, description="Changes to apply before rendering.")


class ShotChange(BaseModel):
    """One field of one shot to change before it is drawn again."""

    model_config = ConfigDict(extra="forbid")

    shot: str = Field(description="The shot, as scene/shot: 's03/b'.", pattern=r"^[^/\s]+/[^/\s]+$")
    field: str = Field(description=f"A shot field: {', '.join(SHOT_EDITABLE)}.")
    value: str = Field(description="The new value, as `dreamfactory edit --set FIELD=VALUE` takes it.")


class StoryboardApproval(BaseModel):
    """The storyboard gate's form: approve every keyframe, or name the shots to draw again or change first."""

    model_config = ConfigDict(extra="forbid")

    approved: bool = Field(default=True, description="Untick, with nothing to redraw or change, to stop the run: "
                           "no clip is rendered.")
    redraw: list[str] = Field(default_factory=list, description="Shots to draw again with a new seed, as 's03/b'.")
    edits: list[ShotChange] = Field(default_factory=list, description="Shot fields to change; those shots are drawn again.")

    @property
    def changes(self) -> bool:
        return bool(self.redraw or self.edits)


class Waiting(BaseModel):
    """What a paused run waits for (the head `waiting.json`)."""

    model_config = ConfigDict(extra="forbid")

    flow_run_id: str
    api_url: str | None = Field(description="The Prefect API the run reports to; None: the process's own.")
    gate: str = "storyboard"
    shots: list[str] = Field(description="The shots on the storyboard, as scene/shot.")
    to_render: str = Field(description="What approving will render, with its estimated time.")
    since: str
