"""A scene's sentences as the screenwriter reads them: who each is about, who speaks, what carries on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cast import Cast
from .story import Reading, Speech, count_words, mask_quotes, split_speech


def chunks(reading: Reading, count: int) -> list[list[tuple[int, str]]]:
    """The story's sentences in `count` groups on its beats: neighbours merged, long beats split, reused if short."""
    beats = [[(b, s) for s in beat] for b, beat in enumerate(reading.beats)]
    if len(beats) >= count:
        return [sum(group, []) for group in _partition(beats, count, lambda beat: sum(count_words(s) for _, s in beat))]
    sentences_total = sum(len(b) for b in beats)
    if sentences_total < count:
        flat = [[item] for beat in beats for item in beat]
        return [flat[i * len(flat) // count] for i in range(count)]
    shares = [1] * len(beats)
    for _ in range(count - len(beats)):
        open_beats = [i for i, beat in enumerate(beats) if shares[i] < len(beat)]
        widest = max(open_beats, key=lambda i: (sum(count_words(s) for _, s in beats[i]) / shares[i], -i))
        shares[widest] += 1
    out = []
    for beat, share in zip(beats, shares):
        out += [[item for part in group for item in part]
                for group in _partition([[item] for item in beat], share, lambda part: count_words(part[0][1]))]
    return out


def _partition(items: list, count: int, size) -> list[list]:
    """Split items into `count` contiguous non-empty groups of about equal size."""
    total = sum(size(i) for i in items) or 1
    groups, current, done = [], [], 0.0
    for position, item in enumerate(items):
        current.append(item)
        done += size(item)
        left_items, left_groups = len(items) - position - 1, count - len(groups) - 1
        if left_groups and (done >= total * (len(groups) + 1) / count or left_items == left_groups):
            groups.append(current)
            current = []
    groups.append(current)
    return [g for g in groups if g]


@dataclass
class Sentence:
    """One sentence of a scene as the screenwriter reads it."""

    beat: int
    narration: str  # speech and attributions removed, leading pronoun replaced by the name
    characters: list[str]  # named or pointed to by a leading pronoun
    speech: list[tuple[str, str]]  # (speaker id or 'narrator', words)
    order: list[str]  # everyone in the sentence, speakers included, in the order the text brings them in


@dataclass
class Continuity:
    """What a scene carries to the next: where and when it was, the weather, who led it."""

    world: str  # the story's first place: where a scene is when nothing says where
    base: str = ""  # where the last scene was, without the part of it ('lighthouse', not '..., by the window')
    time: str = ""
    weather: list[str] = field(default_factory=list)
    principal: str | None = None  # the last scene's first character
    heading: str = ""  # where the last scene was going ('to the village'): the next one is there
    homes: dict[str, str] = field(default_factory=dict)  # a part of a place ('stairs') -> its place ('lighthouse')
    places: dict[str, str] = field(default_factory=dict)  # a place's head noun -> its fullest name so far
    recent: list[str] = field(default_factory=list)  # characters in order of mention, for pronouns


def read_sentences(group: list[tuple[int, str]], cast: Cast, state: Continuity) -> list[Sentence]:
    """Narration, characters and speakers of each sentence, following who 'he' and 'she' are through the story."""
    out: list[Sentence] = []
    for beat, raw in group:
        narration, speech = split_speech(raw)
        named = cast.mentions(narration)
        opener = re.match(r"^\W*((?:[\w']+\s+){0,3}?)(he|she)\b", narration, re.I)
        pointed = cast.resolve(opener.group(2), state.recent) if opener and not cast.mentions(opener.group(1)) else None
        if pointed:  # 'She lived...' -> 'Mira lived...': the action must read without its paragraph
            narration = narration[:opener.start(2)] + cast.by_id[pointed].name + narration[opener.end(2):]
            narration = narration[:1].upper() + narration[1:]
            named = [pointed] + [n for n in named if n != pointed]
        spoken, placed = [], cast.positions(mask_quotes(raw)) + ([(-1, pointed)] if pointed else [])
        for line in speech:
            who = _speaker(line, named, out, beat, cast, state)
            spoken.append((who, line.text))
            placed.append((line.start, who))
            if who != "narrator":
                state.recent.append(who)
        state.recent.extend(named)
        order = list(dict.fromkeys(c for _, c in sorted(placed) if c != "narrator"))
        out.append(Sentence(beat=beat, narration=narration, characters=named, speech=spoken, order=order))
    return out


def _speaker(line: Speech, named: list[str], earlier: list[Sentence], beat: int, cast: Cast, state: Continuity) -> str:
    """Who speaks a line: its attribution, else the sentence's character, the action beat before, the last
    speaker of the paragraph, the scene's first character."""
    if line.attribution:
        mentioned = cast.mentions(line.attribution)
        if mentioned:
            return mentioned[0]
        pronoun = re.search(r"\b(he|she|i)\b", line.attribution, re.I)
        if pronoun:
            return cast.resolve(pronoun.group(1), state.recent) or _last_speaker(earlier, beat) or "narrator"
        return "narrator"
    if named:
        return named[0]
    same_beat = [s for s in earlier if s.beat == beat]
    if same_beat and not same_beat[-1].speech and same_beat[-1].characters:
        return same_beat[-1].characters[0]
    return _last_speaker(earlier, beat) or next((c for s in earlier for c in s.characters), None) \
        or state.principal or "narrator"


def _last_speaker(earlier: list[Sentence], beat: int) -> str | None:
    for sentence in reversed(earlier):
        if sentence.beat != beat:
            return None
        voiced = [who for who, _ in sentence.speech if who != "narrator"]
        if voiced:
            return voiced[-1]
    return None
