"""Where and when a scene is: its setting, time of day, weather, light and things, carried from scene to scene."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ... import beings
from .beats import MOVES, Continuity, Sentence
from .story import Reading, split_speech
from .vocabulary import (
    AREAS,
    ARTICLES,
    AWAY_WORDS,
    DETAILS,
    FEATURES,
    LIGHT_ADJECTIVES,
    LIGHT_OF_TIME,
    LIGHT_SOURCES,
    LOCATIVE,
    SEEING_WORDS,
    SPOTS,
    STOPWORDS,
    TIMES,
    VEHICLES,
    WEATHER,
)


@dataclass
class Place:
    """A place word of a scene, as the prose uses it."""

    word: str  # the head noun: 'town'
    phrase: str  # with its modifiers: 'harbour town'
    kind: str  # 'spot', 'area', 'vehicle' or 'detail'
    rank: int  # 0 the scene opens there, 1 in a character's sentence, 2 elsewhere, 3 heading there, 4 an aside
    sentence: int
    preposition: str  # the word before it, when it says where: 'in', 'on', 'by'


def places_in(read: list[Sentence]) -> list[Place]:
    found = []
    for number, sentence in enumerate(read):
        tokens = re.findall(r"[\w'-]+|[,;:]", sentence.narration)
        lower = [t.lower() for t in tokens]
        opens = number == 0 and bool(lower) and lower[0] in LOCATIVE
        names = {part for who in sentence.order + sentence.characters for part in who.split("-")}
        i = 0
        while i < len(tokens):
            if not _place_kind(lower[i]) and not _said_place(lower, i, names) and not _tree(lower, i) or \
                    i + 1 < len(tokens) and beings.is_being(lower[i + 1]):  # 'an old sea turtle' is no sea
                i += 1
                continue
            j = i
            while j + 1 < len(tokens) and (_place_kind(lower[j + 1]) or _said_place(lower, j + 1, names)):
                j += 1  # 'harbour town' is one place
            if _inside_a_name(tokens, j):
                i = j + 1
                continue
            after, at = j + 1, _addressed(tokens, i, j)
            if at is not None:  # 'a secondhand bookshop on Quay Street' is in the bookshop, whose address it is
                tokens[at] = " ".join([tokens[at]] + tokens[at + 1:j + 1])
                if found and found[-1].sentence == number and found[-1].word == lower[at]:
                    found.pop()  # 'the bakery' read a word ago is this one
                i, j = at, at
            modifiers = _modifiers(tokens, i)
            before = [w for w in lower[max(0, i - len(modifiers) - 2):i - len(modifiers)] if w not in ARTICLES][-1:]
            rank = 0 if opens and "," not in lower[:i] and i <= 8 else 1 if sentence.characters else 2
            aside, heading = _aside(lower, i)
            rank = 4 if aside or (heading and not sentence.characters) else 3 if heading else rank
            found.append(Place(lower[j], " ".join(modifiers + tokens[i:j + 1]),
                               _place_kind(lower[j]) or beings.place_kind(lower[j]) or "area", rank, number,
                               before[0] if before and before[0] in LOCATIVE else ""))
            i = after
    return found


# Where a noun after these is where someone is: 'into the lagoon', 'along the corridor', 'The ward was quiet'.
INTO = set(LOCATIVE) | {"into", "down", "along", "through", "across", "onto", "inside", "within", "from", "below", "beneath",
                        "aboard"}


GENERIC = set("way place side end edge middle top bottom front back corner space area spot part home".split())


def _said_place(lower: list[str], i: int, names: set[str] = frozenset()) -> bool:
    """A noun the tables do not know, used as a place ('in the ward', 'down the tunnel', 'The quarry was ...') and a
    place by the dictionary: a room, a building, a vehicle, land or water."""
    if lower[i] in GENERIC or not beings.place_kind(lower[i]) or _modifies(lower, i):
        return False
    before = [w for w in lower[max(0, i - 3):i] if w not in ARTICLES or w in ("the", "a", "an")]
    # 'The ward was quiet', 'Ward Nine of St Jude's was quiet': the sentence is about the place it opens on
    subject = lower[i + 1:i + 8][:next((k for k, w in enumerate(lower[i + 1:i + 8]) if w in (",", ";", ":")), 7)]
    opens = (i == 0 and lower[i] not in names or i <= 2 and lower[0] in ("the", "a", "an")) and \
        bool({"was", "were", "is"} & set(subject))  # 'Sam Treloar was nine' is about Sam
    return opens or len(before) >= 2 and before[-1] in ("the", "a", "an", "his", "her", "their") and before[-2] in INTO \
        or bool(before) and before[-1] in INTO


def _addressed(tokens: list[str], i: int, j: int) -> int | None:
    """The index of the building or business that a street, road or lane (a way, by the dictionary) from i to j is the
    address of ('a bookshop on Quay Street', 'the house on the High Street'), or None."""
    lower, k = [t.lower() for t in tokens], i - 1
    while k > 0 and (tokens[k][:1].isupper() or lower[k] == "the"):
        k -= 1
    if k < 1 or lower[k] not in ("on", "in", "off") or not beings.is_a(lower[j], "way", commonest=True):
        return None
    return k - 1 if beings.place_kind(lower[k - 1]) == "spot" and not beings.is_a(lower[k - 1], "way") else None


def _tree(lower: list[str], i: int) -> bool:
    """A spot at a tree: 'in the top of an old oak', 'under the roots of a beech tree', 'to the top of a palm tree'
    (a part of the tree after a preposition); 'a key under an old oak tree' is only where a thing was."""
    if i + 1 < len(lower) and lower[i + 1] in ("tree", "trees") or not beings.is_a(lower[i], "tree") or \
            beings.is_thing(lower[i]):
        return False  # 'palm tree' is read at 'tree'; 'with two coffees' are drinks
    window = lower[max(0, i - 8):i]
    part = next((k for k, w in enumerate(window) if w in TREE_PARTS and window[k + 1:k + 2] == ["of"]), None)
    return part is not None and any(w in INTO or w in ("to", "up") for w in window[max(0, part - 3):part])


TREE_PARTS = {"top", "roots", "root", "branches", "branch", "foot", "shade", "trunk", "crown", "boughs", "bough"}


def _inside_a_name(tokens: list[str], j: int) -> bool:
    """Whether a capitalised place word is inside a longer name whose head is some other common noun: 'Hollins Lane
    Primary' is a school, not a lane ('Station Nine', 'the River Thames' and 'Quay Street' are places)."""
    after = tokens[j + 1] if j + 1 < len(tokens) else ""
    return j > 0 and tokens[j][:1].isupper() and after[:1].isupper() and beings.is_noun(after.lower()) and \
        not beings.place_kind(after.lower()) and not re.fullmatch(r"one|two|three|four|five|six|seven|eight|nine|ten|"
                                                                   r"eleven|twelve|\d+", after.lower())


def _modifies(lower: list[str], i: int) -> bool:
    """Whether the word is an adjective of the noun after it, not a place: 'in a dark blue tunic', 'on the green
    shade of the lamp' (the dictionary has a dark and a green, but here they colour a tunic and a shade). A noun
    before a noun is still the place: 'at the quarry gate', 'on the shelter roof'."""
    after = lower[i + 1] if i + 1 < len(lower) else ""
    return beings.is_adjective(lower[i]) and bool(re.fullmatch(r"[a-z][a-z-]+", after)) and \
        after not in STOPWORDS | ARTICLES | set(INTO) and beings.is_noun(after) and not beings.place_kind(after)


def _place_kind(word: str) -> str:
    if word in VEHICLES:
        return "vehicle"
    if word in SPOTS:
        return "spot"
    if word in AREAS:
        return "area"
    if word in DETAILS:
        return "detail"
    return ""


def _modifiers(tokens: list[str], i: int) -> list[str]:
    """The adjectives and nouns right before a noun: 'little red rowing' boat."""
    mods = []
    for t in reversed(tokens[max(0, i - 3):i]):
        if t.lower() in ARTICLES | STOPWORDS | AWAY_WORDS or not re.match(r"^[a-z][\w'-]*$", t):
            break
        mods.insert(0, t)
    return [m for m in mods if m.lower() not in LIGHT_ADJECTIVES]


def _aside(lower: list[str], i: int) -> tuple[bool, bool]:
    """Whether a place is only mentioned (in a relative clause, or seen, remembered, a simile's, one left behind) or
    only headed for."""
    relative = any(w in ("who", "whom", "which", "where") for w in lower[:i])
    seen = any(w in SEEING_WORDS for w in lower[max(0, i - 6):i])
    likened = "like" in lower[max(0, i - 4):i]  # 'wheeling behind him like a slow grey river'
    left = " ".join(lower[max(0, i - 4):i]).find("out from") >= 0 or "away from" in " ".join(lower[max(0, i - 4):i])
    heading = any(w in AWAY_WORDS for w in lower[max(0, i - 3):i])
    return relative or seen or likened or left, heading


def first_place(reading: Reading) -> str:
    """The first spot or area the story names, for scenes before any place is named."""
    told = [Sentence(beat=b, narration=split_speech(s)[0], characters=[], speech=[], order=[])
            for b, s in reading.sentences]
    places = [p for p in places_in(told) if p.kind != "detail" and p.rank < 3 and (
        p.kind != "vehicle" or p.preposition in ("in", "inside", "on", "within"))]  # not 'the bus came round'
    return places[0].phrase if places else "a quiet place"


def setting_of(read: list[Sentence], state: Continuity) -> tuple[str, str]:
    """Where the scene is: a spot (with its area) or an area; else where the last scene was heading, or was; plus
    a part of the place ('by the window')."""
    places = sorted(places_in(read), key=lambda p: (p.rank, p.sentence))
    usable = [p for p in places if p.rank < 3] or ([] if state.base else places)
    spot = next((p for p in usable if p.kind in ("spot", "vehicle")), None)
    area = next((p for p in usable if p.kind == "area"), None)
    detail = next((p for p in usable if p.kind == "detail"), None)
    goals = [m.group(1).lower() for m in [MOVES.search(read[0].narration)] if m] if read else []  # it opens on a journey
    arrived = next((p for p in places if p.kind in ("spot", "area") and (  # 'back to the farmhouse kitchen'
        p.word in goals or set(goals) & set(p.phrase.lower().split()))), None)
    if arrived and spot and spot.kind == "vehicle" and spot.sentence == arrived.sentence:
        spot = None  # 'carries it to the market in a wooden cart': the scene is where the cart goes
    if spot and area and area.rank < spot.rank:
        spot = None  # 'reached a river' outranks 'the ferryman's boat'
    if spot:
        base = _remembered(spot, state)
        if area and (spot.kind == "vehicle" or area.sentence == spot.sentence or area.rank == 0):
            preposition = area.preposition if area.preposition in ("in", "on", "by", "near", "beside") else \
                AREAS.get(area.word, "by")
            base += f" {preposition} the {_remembered(area, state)}"
    elif area:
        base = _remembered(area, state)
        if area.preposition == "under" and beings.is_a(area.word, "body of water"):
            base = "underwater" if area.word == "water" else f"under the {base}"  # 'Under the water, ...'

    elif arrived and not area:  # 'He ran to the harbour': a beat that starts with a journey is where it ends
        base = _remembered(arrived, state)
    else:
        home = state.homes.get(detail.word) if detail else None  # the stairs are in the lighthouse
        base = home or (state.base if detail else state.heading or state.base) or state.world
    inside = state.base and beings.place_kind(state.base.split()[-1]) == "vehicle" and base != state.base and \
        " " not in base and (beings.is_a(base, "room") or beings.is_a(base, "compartment") or base in DETAILS)
    if inside:  # 'the colony ship' ... 'bay four': a room of the vehicle the story is in, not a bay of the sea
        base = f"{state.base}, in the {base}"
    elif " " not in base and beings.place_kind(base) != "area" and not any(p.kind == "vehicle" for p in places):
        # 'the cabin' of a story told aboard a narrowboat is the narrowboat's; 'the aisle' (a passage) of one that
        # opens on a plane is the plane's, while a tunnel in a story with a rowing boat somewhere in it is no boat's
        craft = _craft(state.story) if beings.is_a(base, "compartment") else \
            _craft(state.story[:OPENING]) if beings.is_a(base, "passage", commonest=True) else ""
        base = f"{craft}, in the {base}" if craft else base
    body = _standing_on(state.story) if " " not in base and beings.is_a(base, "geological formation") else ""
    if body:  # 'the crater' of a story told on the Moon is a crater on the Moon, not on Earth
        base = f"{base} on the {body}"
    headed = [p for p in places if p.rank == 3]
    state.heading = _remembered(headed[-1], state) if headed else ""
    for place in places:
        _remembered(place, state)
    if detail and spot:
        state.homes.setdefault(detail.word, base)
    detail_text = f"{DETAILS[detail.word]} the {detail.phrase}" if detail and detail.phrase != base else ""
    return base, detail_text


OPENING = 3  # the sentences a story opens with: a craft named there is where the story is told


def _craft(story: list[str]) -> str:
    """The first boat, ship, aircraft or spacecraft the story names ('narrowboat', 'barge'), or ''."""
    words = (w for sentence in story for w in re.findall(r"[a-z][a-z-]+", sentence.lower()))
    return next((w for w in words if beings.place_kind(w) == "vehicle" and beings.is_a(w, "craft")), "")


def _standing_on(story: list[str]) -> str:
    """The moon, planet or asteroid (a celestial body, by the dictionary) the story says someone is on ('I live on
    the Moon', 'landed on a red planet'), or ''; 'the moon on the water' is none."""
    for sentence in story:
        for m in re.finditer(r"\bon (?:the |a |an )?((?:[a-z]+ ){0,2}[a-z]+)\b(?![-'’])", sentence.lower()):
            words = m.group(1).split()
            body = next((w for i, w in enumerate(words) if (i + 1 == len(words) or words[i + 1] in STOPWORDS or not beings.is_noun(words[i + 1]))
                         and beings.is_a(w, "celestial body")), "")
            if body:
                return body
    return ""


def _remembered(place: Place, state: Continuity) -> str:
    """A place named bare ('the workshop') takes the fuller name the story gave it before ("glass-maker's")."""
    if place.phrase == place.word and place.word in state.places:
        return state.places[place.word]
    if place.phrase != place.word and place.word not in state.places:
        state.places[place.word] = place.phrase
    return place.phrase


def time_of(read: list[Sentence], state: Continuity, changed: bool) -> str:
    """The first time word of the narration ('That night'), else the last scene's time, moved on a little when the
    place changed."""
    text = " ".join(s.narration for s in read).lower()
    hits = [(m.start(), name) for name, rx in TIMES for m in re.finditer(rf"\b(?:{rx})\b", text)]
    if hits:
        return min(hits)[1]
    if not state.time:
        return "morning"
    # dawn and dusk are brief: a new place later that day is morning or evening
    return {"dawn": "morning", "dusk": "evening"}.get(state.time, state.time) if changed else state.time


def environment_of(read: list[Sentence], time: str, state: Continuity, carry: bool, setting: str) -> str:
    """Weather, light and the things of the place: the next scene's context C(t-1)."""
    lower = " ".join(s.narration for s in read).lower()
    weather = []
    for name, rx in WEATHER:
        m = re.search(rf"\b(?:{rx})\b", lower)
        if m:
            cleared = re.match(r"(?:\s+\w+){0,2}\s+(?:passed|cleared|ended|stopped|was over|died down)",
                               lower[m.end():])  # 'the storm had passed'
            mod = re.findall(r"(\w+)\s+$", lower[:m.start()])
            weather.append(f"calm after the {name}" if cleared else
                           f"{mod[0]} {name}" if name == "clouds" and mod and mod[0] not in STOPWORDS else name)
    if not weather and carry:
        weather = list(state.weather)  # the storm is still there in the same place, or later the same hour
    state.weather = weather
    light, things = [LIGHT_OF_TIME[time]], []
    for sentence in read:
        for phrase, is_light in _things(sentence.narration):
            (light if is_light else things).append(phrase)
    things += [p.phrase for p in places_in(read) if p.rank < 3 and p.phrase not in setting and p.kind != "detail"]
    shown = {w for t in things + light for w in t.split()}
    named = [o for s in read for o in s.objects if o not in setting and o.split()[-1] not in shown]
    return ", ".join(list(dict.fromkeys(weather + light + things))[:8] + list(dict.fromkeys(named))[:6])


def _things(narration: str) -> list[tuple[str, bool]]:
    """The light sources and scene dressing a sentence names, with their adjectives ('roaring furnace')."""
    tokens = re.findall(r"[\w'-]+|[,;:]", narration)
    found = []
    for i, token in enumerate(tokens):
        word = token.lower()
        if word not in LIGHT_SOURCES and word not in FEATURES:
            continue
        phrase = " ".join(_modifiers(tokens, i) + [word])
        is_light = word in LIGHT_SOURCES
        if is_light and re.search(r"\b(?:went dark|went out|died|flickered)\b", " ".join(tokens[i:i + 12]).lower()):
            phrase += " gone dark"
        found.append((phrase, is_light))
    return found
