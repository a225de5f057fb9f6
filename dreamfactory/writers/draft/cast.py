"""Finding the characters: the proper names that act or speak, their gender and relations, their mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...agents.phases import Design
from .story import QUOTE, WORD, Reading, mask_quotes, slug, words
from .tense import looks_past
from .vocabulary import (
    AREAS,
    COMMON_NOUNS,
    MODALS,
    NOT_NAMES,
    NOUNS_RX,
    PERSON_NOUNS,
    RELATIONS,
    SPEECH_VERBS,
    SPOTS,
    TITLES,
)


@dataclass(frozen=True)
class Person:
    """A character as the writer finds it in the story: how the prose names it, its gender if said."""

    id: str
    name: str
    pattern: str  # a regex that matches a mention of the character in narration
    gender: str = ""  # 'f', 'm', or '' when the story does not say
    relations: tuple[str, ...] = ()  # 'grandfather' in 'her grandfather Tomas'
    descriptor: str = ""  # 'keeper' in 'Tomas, an old keeper': 'the keeper' then names Tomas


FIRST_PERSON = r"\b(?:I|me|my)\b"


class Cast:
    """The characters of a story, and the lookups the scenes need: mentions, genders, pronouns."""

    def __init__(self, people: list[Person]):
        self.people = people
        self.by_id = {p.id: p for p in people}
        self._patterns = [(re.compile(p.pattern), p.id) for p in people]

    def mentions(self, text: str) -> list[str]:
        """Ids of the characters named in the text, in order of first mention."""
        return list(dict.fromkeys(pid for _, pid in self.positions(text)))

    def positions(self, text: str) -> list[tuple[int, str]]:
        return sorted((m.start(), pid) for rx, pid in self._patterns for m in rx.finditer(text))

    def resolve(self, pronoun: str, recent: list[str]) -> str | None:
        """The character a pronoun points to: the last one mentioned whose gender fits (one the story gave no
        gender if none fits); 'I' is the storyteller of a first-person story."""
        if pronoun.lower() in ("i", "me", "my"):
            return next((p.id for p in self.people if p.pattern == FIRST_PERSON), None)
        wanted = "m" if pronoun.lower() in ("he", "him", "his") else "f"
        window = [pid for pid in reversed(recent[-40:]) if pid in self.by_id]
        exact = [pid for pid in window if self.by_id[pid].gender == wanted]
        loose = [pid for pid in window if self.by_id[pid].gender == ""]
        return (exact or loose or [None])[0]


@lru_cache(maxsize=16)
def find_people(reading: Reading) -> tuple[Person, ...]:
    """Every named character: proper names that act, speak, or are named mid-sentence; else one protagonist."""
    lowercase_words = {w for _, s in reading.sentences for w in words(mask_quotes(s)) if w.islower()}
    seen: dict[str, dict[str, int]] = {}
    for _, sentence in reading.sentences:
        for name, evidence in _name_candidates(sentence):
            tally = seen.setdefault(name, {"count": 0, "mid": 0, "person": 0, "place": 0, "strong": 0})
            tally["count"] += 1
            for key, value in evidence.items():
                tally[key] += value
    speech = " ".join(q for _, s in reading.sentences for q in QUOTE.findall(s))
    for name, tally in seen.items():  # a name called out in speech ('Unit-7, seal the hatch!') is used again
        tally["count"] += len(re.findall(rf"\b{re.escape(name)}\b", speech))
    names = [
        name for name, t in seen.items()
        if t["person"] + 2 * t["strong"] > t["place"]
        and (t["mid"] or t["count"] >= 2 or t["strong"])
        and (t["mid"] or t["strong"] or not _common_noun(name, lowercase_words))
    ]
    if not names:
        return (_protagonist(reading),)
    people, used = [], set()
    for name, forms in _merge_aliases(names):
        pid = slug(name)
        if pid in used or pid == "narrator":
            pid = f"{pid}-{len(used) + 1}"
        used.add(pid)
        pattern = r"\b(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b"
        people.append(Person(id=pid, name=name, pattern=pattern))
    profiled = [_profile(p, reading) for p in people]
    return tuple(_with_descriptor(p, profiled) for p in profiled)


def _common_noun(word: str, lowercase_words: set[str]) -> bool:
    """'Thunder rolled', 'Sparks flew': a word capitalised only as a sentence's first is a name only if it is not
    a word the story (or the writer's vocabulary) also uses in lower case."""
    lower = word.lower()
    return lower in lowercase_words or lower in COMMON_NOUNS or (lower.endswith("s") and lower[:-1] in COMMON_NOUNS)


def _name_candidates(sentence: str):
    """Runs of capitalised words in the narration of a sentence ('Captain Hook'), each with its evidence."""
    masked = mask_quotes(sentence)
    first_word = WORD.search(sentence)
    run: list[re.Match] = []
    for token in list(WORD.finditer(masked)) + [None]:
        word = token.group().removesuffix("'s") if token else ""
        capital = word[:1].isupper() and (word not in NOT_NAMES or word in TITLES)
        joined = token is not None and run and masked[run[-1].end():token.start()] in (" ", ". ")
        if capital and (not run or joined):
            run.append(token)
            continue
        if run:
            yield from _judge_run(masked, run, first_word)
        run = [token] if capital else []


def _judge_run(masked: str, run: list[re.Match], first_word: re.Match | None):
    """A name and its evidence: it acts or keeps company like a person, it speaks or is introduced as one
    (strong), it follows 'in'/'at' like a place, it is named mid-sentence (not just capitalised as a first word)."""
    parts = [t.group().removesuffix("'s") for t in run]
    while parts and parts[-1] in TITLES:
        parts.pop()
    if not parts or all(p in TITLES or p in NOT_NAMES for p in parts):
        return
    start, end = run[0].start(), run[len(parts) - 1].end()
    before = re.findall(r"[\w']+", masked[:start].lower())
    last = before[-1] if before else ""
    after = masked[end:]
    next_word = (re.findall(r"^\s*([\w']+)", after) or [""])[0].lower()
    acts = looks_past(next_word) or next_word in MODALS or after.startswith("'s") or \
        next_word in ("and", "had", "was", "is", "could", "would", "did", "felt", "knew")
    company = last in ("with", "and", "told", "asked", "helped", "showed", "gave")
    described = re.match(rf"(?:,|\s+(?:was|is))\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?(?:{NOUNS_RX})\b", after)
    introduced = re.search(rf"\b(?:{NOUNS_RX})\s+(?:named|called)\s+$", masked[:start])
    strong = next_word in SPEECH_VERBS or last in SPEECH_VERBS or last in RELATIONS or described or introduced
    place = (last in ("in", "at", "from", "towards", "toward", "near", "into", "through")) + \
        (parts[-1].lower() in SPOTS or parts[-1].lower() in AREAS)
    mid = first_word is None or start != first_word.start()
    yield " ".join(parts), {"mid": int(mid), "person": int(acts) + int(company), "place": int(place),
                            "strong": int(bool(strong))}


def _merge_aliases(names: list[str]) -> list[tuple[str, set[str]]]:
    """'Captain Hook' and 'Hook' are one character; a lone word that belongs to a longer name joins it."""
    full = sorted(names, key=lambda n: (-len(n.split()), names.index(n)))
    merged: dict[str, set[str]] = {}
    for name in full:
        owner = next((m for m in merged if name in m.split()), None)
        if owner:
            merged[owner].add(name)
        else:
            merged[name] = {name} | {p for p in name.split() if p not in TITLES}
    return sorted(merged.items(), key=lambda item: names.index(item[0]))


def _protagonist(reading: Reading) -> Person:
    """A story without names still has someone it follows: the person noun it uses most, else 'the traveller'."""
    narration = " ".join(mask_quotes(s) for _, s in reading.sentences)
    counts: dict[str, int] = {}
    for m in re.finditer(r"\b(?:the|a|an)\s+(?:[a-z]+\s+){0,2}?([a-z]+)\b", narration, re.I):
        noun = m.group(1).lower()
        if noun in PERSON_NOUNS and not noun.endswith("'s"):
            counts[noun] = counts.get(noun, 0) + 1
    if not counts and len(re.findall(r"\bI\b", narration)) >= 2:
        return Person(id="storyteller", name="the storyteller", pattern=FIRST_PERSON,
                      gender=_pronoun_gender(narration))
    noun = max(counts, key=lambda n: (counts[n], -narration.lower().find(n))) if counts else "traveller"
    gender = PERSON_NOUNS.get(noun, "") or _pronoun_gender(narration)
    return Person(id=slug(noun), name=f"the {noun}", pattern=rf"(?i:\b{re.escape(noun)}\b)", gender=gender,
                  descriptor=noun)


def _pronoun_gender(text: str) -> str:
    he = len(re.findall(r"\b(?:he|him|his)\b", text, re.I))
    she = len(re.findall(r"\b(?:she|her|hers)\b", text, re.I))
    return "m" if he > she else "f" if she > he else ""


def _profile(person: Person, reading: Reading) -> Person:
    """Gender and relations from the nouns the story gives the character ('a girl of ten', 'her grandfather
    Tomas'), else from the pronouns of the sentences about it alone and of the sentence after."""
    votes = {"m": 0, "f": 0, "": 0}
    relations, descriptors = [], []
    alone_before = False
    for _, sentence in reading.sentences:
        text = mask_quotes(sentence)
        for m in re.finditer(person.pattern, text):
            before = re.findall(r"[\w']+", text[:m.start()].lower())[-1:]
            if before and before[0] in RELATIONS:
                relations.append(before[0])
                votes[RELATIONS[before[0]]] += 3
            described = re.match(rf"\s*(?:,|was|is)\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?({NOUNS_RX})\b",
                                 text[m.end():])
            introduced = re.search(rf"\b({NOUNS_RX})\s+(?:named|called)\s+$", text[:m.start()])
            for found in (described, introduced):
                if found:
                    word = found.group(1)
                    votes[PERSON_NOUNS.get(word, RELATIONS.get(word, ""))] += 3
                    (relations if word in RELATIONS else descriptors).append(word)
        others = {w for w in re.findall(r"\b[A-Z][\w-]+\b", text[1:]) if w not in NOT_NAMES}
        alone = bool(re.search(person.pattern, text)) and len(others) <= len(person.name.split())
        opener = re.match(r"^\W*(?:[\w']+\s+){0,3}?(he|she)\b", text, re.I)
        if alone:
            votes["m"] += len(re.findall(r"\b(?:he|him|his)\b", text, re.I))
            votes["f"] += len(re.findall(r"\b(?:she|her|hers)\b", text, re.I))
        elif alone_before and opener and not others:
            votes["m" if opener.group(1).lower() == "he" else "f"] += 1
        alone_before = alone
    gender = "m" if votes["m"] > votes["f"] else "f" if votes["f"] > votes["m"] else ""
    return Person(id=person.id, name=person.name, pattern=person.pattern, gender=gender,
                  relations=tuple(dict.fromkeys(relations)), descriptor=descriptors[0] if descriptors else "")


def _with_descriptor(person: Person, cast: list[Person]) -> Person:
    """'the robot' names Unit-7 when the story called only Unit-7 a robot."""
    if not person.descriptor or sum(p.descriptor == person.descriptor for p in cast) > 1:
        return person
    pattern = rf"{person.pattern}|(?<=[Tt]he )(?:[a-z-]+ ){{0,2}}?{re.escape(person.descriptor)}\b(?!-)"
    return Person(id=person.id, name=person.name, pattern=pattern, gender=person.gender,
                  relations=person.relations, descriptor=person.descriptor)


def cast_from_design(design: Design, reading: Reading) -> Cast:
    """The Director's cast as mention patterns; gender and relations from the story where it names them."""
    found = {p.id: p for p in find_people(reading)}
    people = []
    for c in design.characters:
        known = found.get(c.id)
        if known:
            people.append(known)
            continue
        forms = [c.name] + [w for w in c.name.split() if w[:1].isupper() and w not in TITLES and w not in NOT_NAMES]
        if c.name[:1].isupper():
            pattern = r"\b(?:" + "|".join(re.escape(f) for f in dict.fromkeys(forms)) + r")\b"
        else:
            pattern = r"(?i:\b" + re.escape(c.name.split()[-1]) + r"\b)"
        described = f"{c.appearance} {c.wardrobe}".lower()
        gender = next((g for n, g in PERSON_NOUNS.items() if g and re.search(rf"\b{n}\b", described)), "")
        people.append(Person(id=c.id, name=c.name, pattern=pattern, gender=gender))
    return Cast(people)
