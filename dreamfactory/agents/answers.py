"""What a model may answer in each phase: the phase's model narrowed by what the studio has already decided.

A chat model is sent the JSON schema of these models; with grammar-constrained decoding (vLLM, llama.cpp, OpenAI
strict mode) it cannot answer anything else. So every rule of the studio's validators that JSON Schema can say is
said here: the client's scene count; the cast's ids as the only characters and speakers; one storyboard entry per
scene, keyed by its id; each scene's own cast for who is in frame and its own number of lines for the lines a shot
claims; the scenes' ids in reviews; durations a short film can play. What a schema cannot say (ids unique, a line
claimed once, speech heard in order) or need not (text on one line) `settle` makes true the same way every time,
so that any answer the schema allows becomes a valid phase answer. The phase models' validators stay the second line.

Voices are not asked for: casting gives them (the model cannot know which engines this machine has).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from ..contracts.screenplay import (Brief, Character, Contract, Design, DialogueLine, Review, ReviewNote, ScenePlan, ScenePlans,
                          SceneShots, Shot, Storyboard)

NARRATOR = "narrator"
MAX_SHOTS = 5  # the Filmmaker cuts a scene into 2-5 shots (1 when the scene is a single moment)
SHOT_SECONDS = (1.0, 20.0)  # a shot shorter than a second is a flash; the shot is stretched to fit its lines anyway
SCENE_SECONDS = (2.0, 60.0)  # one beat of a short film
ID_LENGTH = 48  # the screenplay's id pattern allows 48 characters


class Answer(Contract):
    """A model's answer in its narrowed form; `settle()` gives the phase's own model."""

    output_type: ClassVar[type[BaseModel]]

    def settle(self) -> BaseModel:
        return self.output_type.model_validate(_one_line(self.shaped()))

    def shaped(self) -> dict[str, Any]:
        """The answer in the phase model's shape, with what the schema could not say made true."""
        return self.model_dump(mode="json")


class BriefAnswer(Answer):
    output_type = Brief


class ReviewAnswer(Answer):
    output_type = Review


class DesignAnswer(Answer):
    output_type = Design

    def shaped(self) -> dict[str, Any]:
        taken: set[str] = {NARRATOR}  # 'narrator' speaks the narration: no character may take that id
        cast = [{**c.model_dump(mode="json"), "id": _fresh(c.id, taken)} for c in self.characters]
        return {"style": self.style.model_dump(mode="json"), "characters": cast}


class PlansAnswer(Answer):
    output_type = ScenePlans

    def shaped(self) -> dict[str, Any]:
        taken: set[str] = set()
        scenes = []
        for plan in self.scenes:
            scene = plan.model_dump(mode="json")
            scene["id"] = _fresh(plan.id, taken)
            # A speaker is on screen: a shot can then frame whoever speaks.
            speakers = [line["speaker"] for line in scene["dialogue"] if line["speaker"] != NARRATOR]
            scene["characters"] = list(dict.fromkeys(scene["characters"] + speakers))
            scenes.append(scene)
        return {"scenes": scenes}


class StoryboardAnswer(Answer):
    output_type = Storyboard

    def shaped(self) -> dict[str, Any]:
        cuts = []
        for name, field in type(self.scenes).model_fields.items():
            cut = getattr(self.scenes, name)
            taken: set[str] = set()
            last, shots = -1, []
            for shot in cut.shots:
                data = shot.model_dump(mode="json")
                data["id"] = _fresh(shot.id, taken)
                data["characters"] = list(dict.fromkeys(shot.characters))
                # Speech is heard in order: a shot keeps only lines after those of the shots before it. A line
                # nobody keeps is placed by Scene.shot_lines(), which keeps the order too.
                data["lines"] = [i for i in sorted(set(shot.lines)) if i > last]
                last = max(data["lines"], default=last)
                shots.append(data)
            cuts.append({"scene_id": field.alias, "shots": shots, "transition": cut.transition})
        return {"base_description": self.base_description.model_dump(mode="json"), "scenes": cuts}


# -- the narrowed models, per phase -----------------------------------------------------------------------------
def answer_model(output_type: type[BaseModel], inputs: dict[str, Any]) -> type[Answer] | None:
    """The model a chat model fills for `output_type` given the phase's inputs; None when nothing narrows it."""
    if output_type is Brief:
        return brief_answer(int(inputs.get("scenes") or 0))
    if output_type is Design:
        return design_answer()
    if output_type is ScenePlans:
        design = Design.model_validate(inputs["design"])
        return plans_answer(Brief.model_validate(inputs["brief"]).scene_count, [c.id for c in design.characters])
    if output_type is Storyboard:
        return storyboard_answer(inputs["scenes_with_context"])
    if output_type is Review:
        return review_answer(_draft_scene_ids(inputs.get("draft")))
    return None


def brief_answer(scenes: int = 0) -> type[Answer]:
    """The brief; when the client asked for a number of scenes, that number and no other."""
    narrowed = {"scene_count": _like(Brief.model_fields["scene_count"], int, ge=scenes, le=scenes)} if scenes else {}
    return _model(Brief, BriefAnswer, **narrowed)


def design_answer() -> type[Answer]:
    """The look and the cast, without voices (casting gives them)."""
    member = _model(Character, Contract, drop=("voice",))
    return _model(Design, DesignAnswer, drop=("narrator",),
                  characters=_like(Design.model_fields["characters"], list[member]))


def plans_answer(count: int, cast: list[str]) -> type[Answer]:
    """Exactly `count` scenes whose characters are the cast's ids and whose speakers are those or the narrator."""
    line = _model(DialogueLine, Contract, speaker=_like(DialogueLine.model_fields["speaker"], _one_of([*cast, NARRATOR])))
    f = ScenePlan.model_fields
    plan = _model(ScenePlan, Contract, characters=_ids(f["characters"], cast), dialogue=_like(f["dialogue"], list[line]),
                  duration=_like(f["duration"], float, ge=SCENE_SECONDS[0], le=SCENE_SECONDS[1]))
    scenes = _like(ScenePlans.model_fields["scenes"], list[plan], min_length=count, max_length=count)
    return _model(ScenePlans, PlansAnswer, scenes=scenes)


def storyboard_answer(scenes: list[dict[str, Any]]) -> type[Answer]:
    """The Base Description and one cut per scene, keyed by the scene's id: each shot frames that scene's cast and
    claims that scene's lines."""
    f, cuts, first = Shot.model_fields, {}, scenes[0]["id"] if scenes else ""
    for position, scene in enumerate(scenes):
        plan = ScenePlan.model_validate({k: v for k, v in scene.items() if k != "context_previous"})
        count = len(plan.dialogue)
        lines = list[Annotated[int, Field(ge=0, le=count - 1)]] if count else list[int]
        shot = _model(  # the fields are described once, in the first scene's shots: the schema stays small
            Shot, Contract, name=f"Shot_{plan.id}", terse=position > 0,
            doc=f"A shot of scene {plan.id}; its fields mean what they mean in the shots of scene {first}." if position else None,
            characters=_ids(f["characters"], plan.characters),
            lines=_like(f["lines"], lines, **({} if count else {"max_length": 0})),
            duration=_like(f["duration"], float, ge=SHOT_SECONDS[0], le=SHOT_SECONDS[1]))
        g = SceneShots.model_fields
        cut = _model(SceneShots, Contract, name=f"SceneShots_{plan.id}", drop=("scene_id",),
                     shots=_like(g["shots"], list[shot], min_length=1, max_length=MAX_SHOTS))
        cuts[f"scene_{position}"] = (cut, Field(alias=plan.id, description=f"The shots of scene {plan.id} ({plan.setting})."))
    keyed = create_model("ScenesShots", __base__=Contract, __doc__="Every scene's shots, keyed by scene id.", **cuts)
    return _model(Storyboard, StoryboardAnswer,
                  scenes=(keyed, Field(description="Shots and transition for every scene, keyed by scene id.")))


def review_answer(scene_ids: list[str]) -> type[Answer]:
    """A review whose notes name one of the draft's scenes or none; with no scenes to name, notes have no scene."""
    if scene_ids:
        note = _model(ReviewNote, Contract, scene_id=_like(ReviewNote.model_fields["scene_id"], _one_of(scene_ids) | None))
    else:
        note = _model(ReviewNote, Contract, drop=("scene_id",))
    return _model(Review, ReviewAnswer, notes=_like(Review.model_fields["notes"], list[note]))


# -- helpers ------------------------------------------------------------------------------------------------
def _model(source: type[BaseModel], base: type[BaseModel], *, name: str | None = None, drop: tuple[str, ...] = (),
           doc: str | None = None, terse: bool = False, **narrowed: tuple[Any, FieldInfo]) -> type[Any]:
    """`source`'s fields (less `drop`) on `base`, with some fields narrowed; the same name and description. A terse
    model leaves its fields' descriptions out (a copy of a model the schema has already described)."""
    fields = {n: narrowed.get(n, (info.annotation, info)) for n, info in source.model_fields.items() if n not in drop}
    if terse:
        fields = {n: (annotation, FieldInfo.merge_field_infos(info, description=None))
                  for n, (annotation, info) in fields.items()}
    return create_model(name or source.__name__, __base__=base, __doc__=doc or source.__doc__, __module__=__name__,
                        **fields)


def _like(info: FieldInfo, annotation: Any, **constraints: Any) -> tuple[Any, FieldInfo]:
    """A field like `info` (description, default) with another type and constraints."""
    keep: dict[str, Any] = {"description": info.description, **constraints}
    if info.default_factory is not None:
        keep["default_factory"] = info.default_factory
    elif not info.is_required():
        keep["default"] = info.default
    return annotation, Field(**keep)


def _one_of(values: list[str]) -> Any:
    return Literal[tuple(dict.fromkeys(values))]


def _ids(info: FieldInfo, ids: list[str]) -> tuple[Any, FieldInfo]:
    """A list of ids taken from `ids` (an empty list when there are none)."""
    return _like(info, list[_one_of(ids)]) if ids else _like(info, list[str], max_length=0)


def _one_line(value: Any) -> Any:
    """Every string with its line breaks, tabs and other control characters as spaces: a name, a setting or a line
    of dialogue is drawn and subtitled on one line (never longer, never empty: lengths hold)."""
    if isinstance(value, str):
        return _BREAKS.sub(" ", value)
    if isinstance(value, dict):
        return {k: _one_line(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    return value


_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def _fresh(value: str, taken: set[str]) -> str:
    """`value`, or value-2, value-3... when taken; within the id pattern's length."""
    candidate, n = value, 1
    while candidate in taken:
        n += 1
        candidate = value[:ID_LENGTH - len(f"-{n}")] + f"-{n}"
    taken.add(candidate)
    return candidate


def _draft_scene_ids(draft: Any) -> list[str]:
    if isinstance(draft, ScenePlans):
        return [s.id for s in draft.scenes]
    if isinstance(draft, Storyboard):
        return [s.scene_id for s in draft.scenes]
    return []
