"""The pipeline once: a film's steps in order, each step's request and content key, and its record in the store.

    screenplay · base frame · a keyframe per shot · a speech track per scene · a clip per shot (ending on the next shot's keyframe
    where the clip model can end on one; carrying its fade where a scene fades) · the film

The flow maps its tasks over these steps, the tasks' cache policy reads their keys, and `dreamfactory plan` looks
their records up in the store. Pure: no Prefect here, and nothing is written or rendered. A step's key is known once
the steps it reads are made (a clip's key hashes its keyframe's pixels), so a plan walks them in order; the first,
the screenplay, is keyed by everything that decides what the writers write.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import layout, renders
from .agents import prompts
from .agents.studio import ANSWERS, STUDIO_VERSION
from .errors import StoreError
from .contracts import ClipRequest
from .renders import wants_end_keyframe
from .contracts import Made
from .contracts.screenplay import SCREENPLAY_VERSION, Screenplay
from .settings import ROLES, FilmOptions
from .store import Store, digest
from .voices import available_voices
from .contracts import SceneSound
from .voices.timing import scene_inputs_key
from .writers.base import Writer

Kind = Literal["screenplay", "base_frame", "keyframe", "speech", "clip", "film"]
RUN_NAMES = {"screenplay": "screenplay", "base_frame": "base-frame", "keyframe": "keyframe", "speech": "voice",
             "clip": "clip", "film": "film"}


class Step(BaseModel):
    """One thing a film run makes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    scene_id: str = ""
    shot_id: str = ""
    end_shot_id: str | None = Field(default=None, description="A clip's next shot in its scene, whose keyframe the clip "
                                    "ends on (clip models that render first-last-frame).")
    edge: dict = Field(default_factory=dict, description="A clip's fade at a scene boundary ({'fade_in': s} ...).")

    @property
    def name(self) -> str:
        """The task run's name in the UI: keyframe-s02-b."""
        return "-".join(p for p in (RUN_NAMES[self.kind], self.scene_id, self.shot_id) if p)


SCREENPLAY = Step(kind="screenplay")


class ScreenplayRecord(BaseModel):
    """The screenplay step's record: the version the writers made of these inputs (voices cast), and what it cost."""

    key: str = Field(description="The screenplay version's store key.")
    usage: list[tuple[str, dict]] = Field(description="('phase/role', usage) in the order the studio asked.")
    answers: int = Field(description="How many answers the studio took or made.")
    casting_notes: list[str] = Field(default_factory=list)

    def stored_keys(self) -> list[str]:
        return [self.key]


class FilmSteps(BaseModel):
    """Every step of a film, in the flow's order."""

    base: Step
    keyframes: list[Step]
    speeches: list[Step]
    clips: list[Step]
    film: Step


def film_steps(screenplay: Screenplay, options: FilmOptions) -> FilmSteps:
    from .film import fade_edge

    ends = wants_end_keyframe(options)
    keyframes, clips = [], []
    for scene in screenplay.scenes:
        ids = [shot.id for shot in scene.shots]
        for i, shot_id in enumerate(ids):
            keyframes.append(Step(kind="keyframe", scene_id=scene.id, shot_id=shot_id))
            clips.append(Step(kind="clip", scene_id=scene.id, shot_id=shot_id, edge=fade_edge(screenplay, scene.id, shot_id),
                              end_shot_id=ids[i + 1] if ends and i + 1 < len(ids) else None))
    return FilmSteps(base=Step(kind="base_frame"), keyframes=keyframes, clips=clips, film=Step(kind="film"),
                     speeches=[Step(kind="speech", scene_id=scene.id) for scene in screenplay.scenes])


# -- content keys: a step's key from the results of the steps it reads ----------------------------------------------
def screenplay_key(story: str, options: FilmOptions, writer: Writer) -> str:
    """What decides the screenplay: what the writers' answers are keyed by (the story, the prompt files, the answers'
    schemas, the writer's identity per role), what decides which answers are asked for and what is made of them (the
    scenes and style asked for, the review rounds, the model's context, the token budget, the studio's code), and the
    voices casting chooses from when the film has sound."""
    w = options.writing
    return digest({
        "story": story, "style": options.style or "", "scenes": options.scenes or 0, "studio": STUDIO_VERSION,
        "screenplay": SCREENPLAY_VERSION,
        "prompts": prompts.prompt_fingerprint(), "schemas": [t.model_json_schema() for t in ANSWERS],
        "writer": {role: writer.identity(role) for role in ROLES}, "reads_prompts": getattr(writer, "reads_prompts", False),
        "context": getattr(writer, "context_tokens", None), "review_rounds": w.review_rounds, "max_tokens": w.max_tokens,
        "voices": [v.model_dump() for v in available_voices()] if options.sound.enabled else None})


def base_key(screenplay: Screenplay, options: FilmOptions) -> str:
    return renders.base_content_key(screenplay, options)


def keyframe_key(step: Step, screenplay: Screenplay, base: Made, options: FilmOptions) -> str:
    return renders.keyframe_content_key(screenplay, step.scene_id, step.shot_id, base, options)


def speech_key(step: Step, screenplay: Screenplay, options: FilmOptions) -> str:
    return scene_inputs_key(screenplay.scene(step.scene_id), screenplay, options.sound, options.render.fps)


def clip_request(step: Step, screenplay: Screenplay, keyframe: Made, sound: SceneSound, options: FilmOptions,
                 end_keyframe: Made | None = None) -> ClipRequest:
    return renders.plan_clip(screenplay, step.scene_id, step.shot_id, keyframe, sound.span(step.shot_id).duration,
                             options, end_keyframe)


def clip_key(step: Step, screenplay: Screenplay, keyframe: Made, sound: SceneSound, options: FilmOptions,
             end_keyframe: Made | None = None) -> str:
    """The clip's render key; a clip that fades at a scene boundary is keyed with its fade too (the faded piece is
    made by its step, so a fade edited in makes the step run again, and the clip is found in the store)."""
    key = renders.clip_content_key(screenplay, step.scene_id, step.shot_id, keyframe, sound.span(step.shot_id).duration,
                                   options, end_keyframe)
    return digest({"clip": key, "edge": step.edge}) if step.edge else key


def film_key(store: Store, screenplay: Screenplay, clips: list[Made], sounds: list[SceneSound], options: FilmOptions) -> str:
    from .film import film_key_of

    return film_key_of(store, clips, sounds, screenplay, options)


# -- records: what says a step is made ----------------------------------------------------------------------------
def record_key(project: str, step: Step, key: str) -> str:
    return layout.step(project, step.name, key)


Result = Made | SceneSound | ScreenplayRecord


def keep(store: Store, project: str, step: Step, key: str, result: Result) -> Result:
    """Record a step's result at its key (after everything it points to is stored): the next plan finds it there."""
    store.put_json(record_key(project, step, key), result)
    return result


def found(store: Store, project: str, step: Step, key: str) -> Result | None:
    """The step's result as an earlier run recorded it, when that record and everything it points to are in the store
    (an object deleted by hand is made again); counted as taken from the store, not made."""
    record = record_key(project, step, key)
    if not store.exists(record):
        return None
    try:  # a record this version cannot read is as good as none: the step runs and finds what is in the store
        result = taken(store.read_model(record, {"speech": SceneSound, "screenplay": ScreenplayRecord}.get(step.kind, Made)))
    except StoreError:
        return None
    return result if all(store.exists(k) for k in result.stored_keys()) else None


def taken(result: Result) -> Result:
    """A result as a run that takes it from the store counts it: nothing made (a speech track's lines all cached)."""
    if isinstance(result, SceneSound):
        return result.model_copy(update={"cached": result.cached + result.synthesized, "synthesized": 0})
    return result.model_copy(update={"made": False, "seconds": 0.0}) if isinstance(result, Made) else result
