"""The Screenwriter's scene plans, one per group of beats, and their revision after a review."""

from __future__ import annotations

import math
import re
from typing import Any

from ...contracts.screenplay import Brief, Design, ReviewNote, ScenePlan, ScenePlans
from ...contracts.screenplay import DialogueLine
from . import nlp
from .beats import Continuity, Sentence, chunks, read_sentences
from .cast import Cast, cast_from_design
from .inputs import as_model
from .places import environment_of, first_place, places_in, setting_of, time_of
from .story import Reading, count_words, read_story, slug, split_speech, words
from .vocabulary import CAMERA_VERBS, IRREGULAR_PAST, RETURNING, STOPWORDS


def plan_scenes(reading: Reading, cast: Cast, count: int) -> list[ScenePlan]:
    """The scenes, in story order, each read with what the scenes before it established."""
    state = Continuity(world=first_place(reading),
                       parsed=nlp.parse_sentences(tuple(s for _, s in reading.sentences), nlp.reader_key()),
                       story=[s for _, s in reading.sentences])
    groups = chunks(reading, count)
    return [plan_scene(index, len(groups), group, cast, state) for index, group in enumerate(groups)]


def plan_scene(index: int, total: int, group: list[tuple[int, str]], cast: Cast, state: Continuity) -> ScenePlan:
    """One scene from its sentences: who, where, when, what happens, what is said, how the camera moves."""
    read = read_sentences(group, cast, state)
    characters = _scene_characters(read, state)
    dialogue = [DialogueLine(speaker=who, text=_line(text)) for s in read for who, text in s.speech]
    narration = [s for s in read if s.narration]
    base, detail = setting_of(read, state)
    time = time_of(read, state, changed=base != state.base)
    carry = base == state.base or time == state.time
    environment = environment_of(read, time, state, carry=carry, setting=base + detail)
    action = action_of(narration, cast, dialogue)
    plan = ScenePlan(
        id=f"s{index + 1:02d}", setting=base + (f", {detail}" if detail else ""), time_of_day=time,
        environment=environment, action=action, characters=characters, dialogue=dialogue,
        camera=camera_of(index, total, narration, dialogue), duration=duration_of(action, dialogue),
    )
    state.base, state.time, state.principal = base, time, characters[0] if characters else state.principal
    return plan


def _line(text: str) -> str:
    text = text.strip()
    return (text[:-1] + "." if text.endswith(",") else text)[:2000]


def _scene_characters(read: list[Sentence], state: Continuity) -> list[str]:
    ids = list(dict.fromkeys(c for s in read for c in s.order))
    if not ids and state.principal and any(re.search(r"\b(?:he|she|they|his|her|their)\b", s.narration, re.I)
                                           for s in read):
        ids = [state.principal]  # a beat told only in pronouns keeps the previous scene's lead
    return ids


def action_of(narration: list[Sentence], cast: Cast, dialogue: list[DialogueLine]) -> str:
    """One to three of the beat's narrative sentences, the ones with people, places and events, in story order."""
    if not narration:
        speakers = list(dict.fromkeys(cast.by_id[d.speaker].name for d in dialogue if d.speaker in cast.by_id))
        if speakers:
            return f"{' and '.join(speakers)} {'talk' if len(speakers) > 1 else 'speaks'}."
        return "The story pauses on a spoken line." if dialogue else "A quiet moment passes."
    if len(narration) <= 3:
        return " ".join(s.narration for s in narration)
    def score(item):
        position, s = item
        value = 2 * bool(s.characters) + (position == 0) + bool(places_in([s]))
        value += bool(re.search(r"\b\w+ed\b|\b(?:%s)\b" % "|".join(IRREGULAR_PAST), s.narration))
        return value - 3 * (count_words(s.narration) < 4)
    ranked = sorted(enumerate(narration), key=lambda item: (-score(item), item[0]))[:3]
    return " ".join(s.narration for _, s in sorted(ranked, key=lambda item: item[0]))


def camera_of(index: int, total: int, narration: list[Sentence], dialogue: list[DialogueLine]) -> str:
    if index == 0:
        return "push_in"
    if index == total - 1 and total > 1:
        return "pull_back"
    spoken = sum(count_words(d.text) for d in dialogue)
    told = sum(count_words(s.narration) for s in narration)
    if spoken > told:
        return "hold"
    acted = " ".join(s.narration for s in narration
                     if s.characters or re.search(r"\b(?:he|she|they)\b", s.narration, re.I)).lower()
    for move, rx in CAMERA_VERBS:
        m = re.search(rx, acted)
        if m and move == "travel":
            sentence = next(s.narration.lower() for s in narration if re.search(rx, s.narration.lower()))
            return "pan_left" if re.search(RETURNING, sentence) else "pan_right"
        if m:
            return move
    return "hold"


def dialogue_seconds(dialogue: list[DialogueLine]) -> float:
    spoken = sum(count_words(d.text) for d in dialogue)
    return spoken / 2.6 + 1.5 if spoken else 0.0


def duration_of(action: str, dialogue: list[DialogueLine]) -> float:
    seconds = max(4.0, dialogue_seconds(dialogue), count_words(action) / 8)
    return min(600.0, math.ceil(seconds * 2) / 2)


def write_plans(inputs: dict[str, Any]) -> ScenePlans:
    reading = read_story(inputs["story"])
    brief, design = as_model(Brief, inputs["brief"]), as_model(Design, inputs["design"])
    fresh = ScenePlans(scenes=plan_scenes(reading, cast_from_design(design, reading), brief.scene_count))
    if "notes" not in inputs or "draft" not in inputs:
        return fresh
    return revise_plans(as_model(ScenePlans, inputs["draft"]), fresh, brief, design, reading)


def revise_plans(draft: ScenePlans, fresh: ScenePlans, brief: Brief, design: Design, reading: Reading) -> ScenePlans:
    """Apply what can be applied without judgement: re-split a wrong count or order; map unknown ids;
    lengthen scenes too short for their lines. Everything else of the draft stays, ids included."""
    if len(draft.scenes) != brief.scene_count or order_problems(draft, reading):
        return fresh
    known = {c.id for c in design.characters}
    by_name = {**{slug(w): c.id for c in design.characters for w in c.name.split() if w[:1].isupper()},
               **{slug(c.name): c.id for c in design.characters}, **{slug(c.id): c.id for c in design.characters}}
    def known_id(given: str) -> str | None:  # 'Mira', 'mira_', 'tomas-the-keeper' -> the cast's id
        return given if given in known else by_name.get(slug(given)) or by_name.get(re.split(r"[-_]", slug(given))[0])
    scenes = []
    for plan, story_plan in zip(draft.scenes, fresh.scenes):
        mapped = [known_id(c) for c in plan.characters]
        dialogue = [DialogueLine(speaker="narrator" if d.speaker == "narrator" else known_id(d.speaker) or "narrator",
                                 text=d.text) for d in plan.dialogue]
        action = plan.action if plan.action.strip() else story_plan.action
        duration = max(plan.duration, min(600.0, math.ceil(dialogue_seconds(dialogue) * 2) / 2))
        scenes.append(plan.model_copy(update={
            "characters": list(dict.fromkeys(c for c in mapped if c)), "dialogue": dialogue,
            "action": action, "duration": duration,
        }))
    return ScenePlans(scenes=scenes)


def order_problems(plans: ScenePlans, reading: Reading) -> list[ReviewNote]:
    """Scenes whose action matches an earlier sentence of the story than the scene before them."""
    vocab = [set(_content_words(split_speech(s)[0])) for _, s in reading.sentences]
    notes, last, last_id = [], -1, None
    for plan in plans.scenes:
        mine = set(_content_words(plan.action))
        overlaps = [len(mine & v) for v in vocab]
        best = max(overlaps, default=0)
        if best < 3:
            continue
        position = overlaps.index(best)
        if position < last:
            notes.append(ReviewNote(scene_id=plan.id, point=f"scene {plan.id} tells what comes before scene "
                                                            f"{last_id} in the story: keep the story's order"))
        last, last_id = max(last, position), plan.id
    return notes


def _content_words(text: str) -> list[str]:
    return [w.lower() for w in words(text) if len(w) > 3 and w.lower() not in STOPWORDS]
