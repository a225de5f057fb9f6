"""The Filmmaker's storyboard: the Base Description that fixes the cast, and one shot per scene."""

from __future__ import annotations

import re
from typing import Any

from ...agents.phases import Design, ScenePlan, SceneShots, Storyboard
from ...screenplay import BaseDescription, Character, Shot
from .inputs import as_model
from .tense import present_tense


def write_storyboard(inputs: dict[str, Any]) -> Storyboard:
    design = as_model(Design, inputs["design"])
    plans = [as_model(ScenePlan, {k: v for k, v in s.items() if k != "context_previous"})
             for s in inputs["scenes_with_context"]]
    people = {c.id: c for c in design.characters}
    first = plans[0] if plans else None
    return Storyboard(
        base_description=BaseDescription(text=base_description(design, first)),
        scenes=[SceneShots(scene_id=p.id, shots=[Shot(id="a", description=caption(p, people),
                                                      keyframe_prompt=keyframe_prompt(p, people), camera=p.camera)])
                for p in plans],
    )


def base_description(design: Design, first: ScenePlan | None) -> str:
    style = design.style
    cast = " ".join(
        f"{c.name}: {c.appearance}" + (f"; wears {c.wardrobe}" if c.wardrobe else "")
        + (f"; carries {', '.join(c.props)}" if c.props else "") + "."
        for c in design.characters
    )
    world = f" World: {first.setting}, {first.environment}." if first else ""
    return (f"{style.look[:1].upper() + style.look[1:]}, palette {', '.join(style.palette)}, {style.lens}. "
            f"Characters, the same in every scene: {cast}{world}")


def caption(plan: ScenePlan, people: dict[str, Character]) -> str:
    """The storyboard caption: the scene's key sentence, its subject first, in the present tense, short."""
    sentences = re.split(r"(?<=[.!?])\s+", plan.action.strip())
    names = [people[c].name for c in plan.characters if c in people]
    led = [s for s in sentences if _subject_start(s, names) is not None]
    acting = [s for s in led if not re.search(r"^\W*\S+(?:\s+and\s+\S+)?\s+(?:was|were|is|had)\b",
                                              s[_subject_start(s, names):])]  # who someone is is not an event
    key = (acting or led or sentences)[0]
    start = _subject_start(key, names)
    text = present_tense(key[start:] if start is not None else key, names)
    cut = text.rstrip(".!?").split()
    if len(cut) > 12:
        commas = [i + 1 for i, w in enumerate(cut[:12]) if i >= 3 and w.endswith((",", ";"))]
        links = [i for i, w in enumerate(cut[:13]) if i >= 4 and w.lower() in (
            "with", "at", "and", "as", "until", "while", "before", "after", "wherever", "when", "in", "on", "to")]
        cut = cut[:(commas or links or [12])[0]]
    text = " ".join(cut).rstrip(",;:")
    return text[:1].upper() + text[1:]


def _subject_start(sentence: str, names: list[str]) -> int | None:
    """Where the sentence's subject starts when it is a character ('At dawn Mira rowed...' -> 'Mira')."""
    for name in names:
        m = re.search(rf"\b{re.escape(name)}\b", sentence)
        before = sentence[:m.start()] if m else ""
        if m and len(before.split()) <= 4 and not re.search(r"\b(?:with|of|to|by)\s*$", before):
            return m.start()
    return None


def _worn(character: Character) -> str:
    """What identifies a character in a frame: its clothes and props, or its look when it wears nothing."""
    return ", ".join([character.wardrobe or character.appearance] + character.props)


def keyframe_prompt(plan: ScenePlan, people: dict[str, Character]) -> str:
    """What to draw: the action, who is in frame with what they wear, where, when, and the light."""
    subjects = ", ".join(f"{people[c].name} ({_worn(people[c])})" for c in plan.characters if c in people)
    parts = [caption(plan, people), subjects, f"{plan.setting}, {plan.time_of_day}", plan.environment]
    return ". ".join(p[:1].upper() + p[1:] for p in parts if p) + "."
