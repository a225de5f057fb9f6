"""The CEO's brief and the Director's design: title, logline, genre, tone, style and cast."""

from __future__ import annotations

import re
from typing import Any

from ...contracts.screenplay import Brief, Design, ReviewNote
from ...contracts.screenplay import StyleGuide
from .beats import chunks, story_beats
from .cast import Cast, find_people
from .inputs import as_model
from .looks import character_over_time
from .scenes import plan_scenes
from .story import Reading, count_words, read_story, split_speech, words
from .vocabulary import COLOURS, GENRES, LENSES, LOOKS, MONOCHROME, NEGATIVE, PALETTES, TONES


def keyword_hits(text: str, keywords: str) -> int:
    tokens = re.findall(r"[a-z]+", text.lower())
    hits = 0
    for key in keywords.split():
        hits += sum(1 for t in tokens if t == key or (len(key) >= 4 and t.startswith(key) and len(t) - len(key) <= 3))
    return hits


def genre_of(story: str) -> str:
    scores = [(keyword_hits(story, keys), -i, name) for i, (name, keys) in enumerate(GENRES)]
    ranked = sorted(scores, reverse=True)
    (top, _, first), (second, _, other) = ranked[0], ranked[1]
    if top == 0:
        return "drama"
    if second >= 2 and second * 2 >= top:
        pair = sorted([first, other], key=lambda g: [n for n, _ in GENRES].index(g))
        return f"{pair[0]} {pair[1]}"
    return first


def tone_of(story: str) -> str:
    scores = sorted(((keyword_hits(story, keys), -i, name) for i, (name, keys) in enumerate(TONES)), reverse=True)
    chosen = [name for hits, _, name in scores[:2] if hits >= 2]
    return ", ".join(chosen) or "gentle, curious"


def title_of(reading: Reading) -> str:
    if reading.title:
        return reading.title[:120]
    narration = split_speech(reading.beats[0][0])[0] or reading.beats[0][0]
    first = words(narration)
    text = " ".join(first[:5]) + ("\u2026" if len(first) > 5 else "")
    return (text[:1].upper() + text[1:])[:120] or "Untitled"


def logline_of(reading: Reading) -> str:
    """The first sentence where something happens (not who someone is or where they live), else the first."""
    told = [n for n in (split_speech(s)[0] for _, s in reading.sentences) if count_words(n) >= 4]
    happening = [n for n in told if not re.search(r"\b(?:was|were|is|are|lived|lives|had|has)\b", n)
                 and not re.match(r"(?:he|she|it|they|his|her|its|their)\b", n, re.I)]
    chosen = (happening or told or [reading.beats[0][0]])[0].split()
    return " ".join(chosen[:35]) + ("\u2026" if len(chosen) > 35 else "")


def write_brief(inputs: dict[str, Any]) -> Brief:
    story = inputs["story"]
    reading = read_story(story)
    asked = int(inputs.get("scenes") or 0) or _count_from_notes(inputs.get("notes"))
    scene_count = max(1, min(200, asked or len(story_beats(reading))))
    told = " ".join([reading.title or ""] + [s for _, s in reading.sentences])  # what was left out counts for nothing
    plans = plan_scenes(reading, Cast(find_people(reading)), scene_count)
    return Brief(
        title=title_of(reading), logline=logline_of(reading), genre=genre_of(told), tone=tone_of(told),
        target_seconds=sum(p.duration for p in plans), scene_count=scene_count,
    )


def _count_from_notes(notes) -> int:
    for note in notes or []:
        m = re.search(r"exactly (\d+) scenes", note.point if isinstance(note, ReviewNote) else str(note))
        if m:
            return int(m.group(1))
    return 0


def write_design(inputs: dict[str, Any]) -> Design:
    story = inputs["story"]
    reading = read_story(story)
    brief = as_model(Brief, inputs["brief"])
    people = find_people(reading)
    cast = Cast(people)
    groups = chunks(reading, brief.scene_count)  # the scenes the plans will cut, for where a later look begins
    def scene_of(b: int, i: int) -> str:
        sentence = reading.beats[b][i]
        return next((f"s{n + 1:02d}" for n, group in enumerate(groups) if (b, sentence) in group), "s01")
    characters = [character_over_time(person, cast, reading, scene_of) for person in people]
    return Design(style=style_guide(inputs.get("style") or "", brief.genre), characters=characters, narrator=None)


def style_guide(style: str, genre: str) -> StyleGuide:
    family = next((name for name, _ in GENRES if name in genre), "drama")
    look = style.strip() or LOOKS[family]
    named = [COLOURS[w] for w in re.findall(r"[a-z]+", look.lower()) if w in COLOURS]
    monochrome = re.search(r"black and white|monochrome|noir|greyscale|grayscale|charcoal|pencil", look.lower())
    fill = MONOCHROME if monochrome else PALETTES[family]
    palette = list(dict.fromkeys(named + fill))[:5]
    painted = re.search(r"watercolou?r|storybook|illustration|cartoon|painting|ink|pastel|anime|sketch", look.lower())
    negative = NEGATIVE + (", photorealistic, 3d render" if painted else "")
    return StyleGuide(look=look, palette=palette, lens=LENSES[family], negative=negative)
