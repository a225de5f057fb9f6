"""The Reviewer's rule-based notes on a brief, a design, scene plans or a storyboard."""

from __future__ import annotations

import math
import re
from typing import Any

from ...contracts.screenplay import Brief, Design, Review, ReviewNote, ScenePlans, Storyboard
from .cast import find_people
from .inputs import as_model
from .scenes import dialogue_seconds, order_problems
from .story import read_story, slug
from .vocabulary import CREATURES, GARMENT_WORDS


def review_draft(phase: str, inputs: dict[str, Any]) -> Review:
    draft = inputs["draft"]
    if isinstance(draft, ScenePlans) or phase == "screenplay":
        notes = review_plans(as_model(ScenePlans, draft), inputs)
    elif isinstance(draft, Brief) or phase == "brief":
        notes = review_brief(as_model(Brief, draft), inputs)
    elif isinstance(draft, Design) or phase == "design":
        notes = review_design(as_model(Design, draft), inputs)
    elif isinstance(draft, Storyboard) or phase == "storyboard":
        notes = review_storyboard(as_model(Storyboard, draft), inputs)
    else:
        notes = []
    return Review(approved=not notes, notes=notes)


def review_plans(plans: ScenePlans, inputs: dict[str, Any]) -> list[ReviewNote]:
    brief, design = as_model(Brief, inputs["brief"]), as_model(Design, inputs["design"])
    notes = []
    if len(plans.scenes) != brief.scene_count:
        notes.append(ReviewNote(point=f"the brief asks for {brief.scene_count} scenes, the draft has "
                                      f"{len(plans.scenes)}: split the story into exactly {brief.scene_count}"))
    known = {c.id for c in design.characters}
    for plan in plans.scenes:
        unknown = sorted({c for c in plan.characters if c not in known} |
                         {d.speaker for d in plan.dialogue if d.speaker != "narrator" and d.speaker not in known})
        if unknown:
            notes.append(ReviewNote(scene_id=plan.id, point=f"scene {plan.id} names unknown characters {unknown}; "
                                                            f"use the cast ids {sorted(known)} or 'narrator'"))
        if not plan.action.strip():
            notes.append(ReviewNote(scene_id=plan.id, point=f"scene {plan.id} has no action: say what happens"))
        needed = dialogue_seconds(plan.dialogue)
        if plan.duration < needed:
            notes.append(ReviewNote(scene_id=plan.id, point=f"scene {plan.id} lasts {plan.duration:g} s but its "
                                                            f"lines need {math.ceil(needed * 2) / 2:g} s"))
    return notes + order_problems(plans, read_story(inputs["story"]))


def review_brief(brief: Brief, inputs: dict[str, Any]) -> list[ReviewNote]:
    notes = []
    asked = int(inputs.get("scenes") or 0)
    if asked and brief.scene_count != asked:
        notes.append(ReviewNote(point=f"the client asked for exactly {asked} scenes, "
                                      f"the brief has {brief.scene_count}"))
    if brief.target_seconds < 2 * brief.scene_count:
        notes.append(ReviewNote(point=f"{brief.target_seconds:g} s is too short for {brief.scene_count} scenes"))
    return notes


def review_design(design: Design, inputs: dict[str, Any]) -> list[ReviewNote]:
    notes = []
    reading = read_story(inputs["story"])
    have = {c.id for c in design.characters} | {slug(c.name) for c in design.characters}
    for person in find_people(reading):
        if person.name[:1].isupper() and person.id not in have and slug(person.name) not in have:
            notes.append(ReviewNote(point=f"the story's character {person.name} is missing from the cast"))
    for c in design.characters:
        if not c.wardrobe.strip() and not any(re.search(rf"\b{w}\b", c.appearance.lower()) for w in CREATURES):
            notes.append(ReviewNote(point=f"{c.name} has no wardrobe: give clothes with colours, worn in every scene"))
    style = (inputs.get("style") or "").strip()
    if style and style.lower() not in design.style.look.lower():
        notes.append(ReviewNote(point=f"the client asked for the look '{style}', the design has '{design.style.look}'"))
    return notes


def review_storyboard(board: Storyboard, inputs: dict[str, Any]) -> list[ReviewNote]:
    design = as_model(Design, inputs["design"])
    scenes = inputs.get("scenes_with_context") or []
    notes = []
    want = [s["id"] for s in scenes]
    have = [s.scene_id for s in board.scenes]
    if have != want:
        notes.append(ReviewNote(point=f"give shots for exactly the scenes {want} in that order (got {have})"))
    text = board.base_description.text
    for c in design.characters:
        if c.name.lower() not in text.lower():
            notes.append(ReviewNote(point=f"the Base Description must fix {c.name}'s look"))
    for shots in board.scenes:
        for shot in shots.shots:
            if not shot.keyframe_prompt.strip():
                notes.append(ReviewNote(scene_id=shots.scene_id, point=f"shot {shot.id} has no keyframe prompt"))
            notes += _wardrobe_drift(shots.scene_id, shot.keyframe_prompt, design)
    return notes


def _wardrobe_drift(scene_id: str, prompt: str, design: Design) -> list[ReviewNote]:
    """A garment named right after a character that is not in that character's wardrobe."""
    notes = []
    for c in design.characters:
        worn = f"{c.wardrobe} {' '.join(c.props)} {c.appearance}".lower()
        for m in re.finditer(rf"\b{re.escape(c.name)}\b", prompt):
            near = re.findall(r"[a-z]+", prompt[m.end():m.end() + 60].lower())[:8]
            others = [n for n in design.characters if n.id != c.id and n.name.lower() in near]
            stop = min((near.index(n.name.lower()) for n in others), default=len(near))
            drift = [w for w in near[:stop] if w in GARMENT_WORDS and w not in worn]
            if drift:
                notes.append(ReviewNote(scene_id=scene_id, point=f"{c.name} wears {', '.join(drift)} in scene "
                                                                  f"{scene_id}, not the fixed '{c.wardrobe}'"))
    return notes
