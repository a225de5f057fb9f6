"""Finding the characters: the proper names that act or speak, their gender and relations, their mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ... import beings
from ...contracts.screenplay import Design
from . import nlp
from .story import QUOTE, WORD, Reading, mask_quotes, slug, split_speech, words
from .tense import base_form, looks_past
from .vocabulary import (
    ACTOR_NOUNS,
    ANIMATE_VERBS,
    AREAS,
    BODY_WORDS,
    IRREGULAR_PAST,
    KIN_NAMES,
    KINDS,
    COMMON_NOUNS,
    MODALS,
    NOT_NAMES,
    NOUNS_RX,
    PERSON_NOUNS,
    RELATIONS,
    SPEECH_RX,
    SPEECH_VERBS,
    SPOTS,
    STOPWORDS,
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
    kind: str = "human"  # screenplay Character.kind: 'fox', 'robot', ... from the noun the story uses for it
    plural: bool = False  # a group the story calls 'they'


# The storyteller of a first-person story is a character. Its id is 'storyteller', never 'narrator': 'narrator' is
# the reserved speaker id of the voice-over, which is nobody on screen.
STORYTELLER = "storyteller"
FIRST_PERSON = r"\b(?:I|me|my|myself|[Ww]e|us|[Oo]ur)\b"
SECOND_PERSON = r"\b(?:[Yy]ou|[Yy]our|[Yy]ourself)\b"


_BEFORE_VOCATIVE = re.compile(r"(?:^|[,;:!?.]\s*)(?:(?:[Oo]h?|dear|[Mm]y|[Gg]ood|[Oo]ld|[Ll]ittle|[Yy]oung)\s+)*"
                              r"(?:(?!Dear\b)[A-Z][\w-]*\.?\s+)?$")
_AFTER_VOCATIVE = re.compile(r"^[\w'-]*\s*(?:[,;!?.]|$)")


class Cast:
    """The characters of a story, and the lookups the scenes need: mentions, genders, pronouns."""

    def __init__(self, people: list[Person]):
        self.people = people
        self.by_id = {p.id: p for p in people}
        self._patterns = [(re.compile(p.pattern), p.id) for p in people]
        # a role called without its article: 'Whatever thou wilt have, dear frog', 'Come here, girl!'
        self._roles = [(re.compile(rf"\b{re.escape(p.descriptor)}\b", re.I), p.id) for p in people if p.descriptor]

    def mentions(self, text: str) -> list[str]:
        """Ids of the characters named in the text, in order of first mention."""
        return list(dict.fromkeys(pid for _, pid in self.positions(text)))

    def positions(self, text: str) -> list[tuple[int, str]]:
        return sorted((m.start(), pid) for rx, pid in self._patterns for m in rx.finditer(text))

    def addressed(self, line: str) -> set[str]:
        """The characters a spoken line calls by name, between commas or at an end of it ('Stefan, let her
        breathe', 'Good-day, Mistress Crow', 'Push, Frank!'): whoever it is, the line is not theirs."""
        return {pid for rx, pid in self._patterns + self._roles for m in rx.finditer(line)  # (not 'Dear Mr Lowe,')
                if _BEFORE_VOCATIVE.search(line[:m.start()]) and _AFTER_VOCATIVE.match(line[m.end():])}

    def resolve(self, pronoun: str, recent: list[str], exclude: tuple[str, ...] | list[str] = ()) -> str | None:
        """The character a pronoun points to (rule-based coreference): the most recent mention (the scenes put a
        sentence's subject last, so subjects are preferred) that agrees in gender, animacy and number, never one
        named in the pronoun's own clause ('He found Bolt' is not Bolt); 'I'/'we' is the storyteller."""
        word = pronoun.lower()
        if word in ("i", "me", "my", "myself", "we", "us", "our"):
            return next((p.id for p in self.people if p.id == STORYTELLER or FIRST_PERSON in p.pattern), None)
        window = [pid for pid in dict.fromkeys(reversed(recent[-40:])) if pid in self.by_id and pid not in exclude
                  and not self.is_storyteller(pid)]  # the 'I' (or 'you') of a story is never its 'she' or 'he'
        people = [self.by_id[pid] for pid in window]
        if word in ("they", "them", "their", "themselves"):
            fits = [p for p in people if p.plural] + [p for p in people if not p.plural and not p.gender]
            return fits[0].id if fits else None
        people = [p for p in people if not p.plural]
        if word in ("it", "its", "itself"):
            fits = [p for p in people if p.kind != "human" and not p.gender] or \
                [p for p in people if p.kind != "human"]
            return fits[0].id if fits else None
        wanted = "m" if word in ("he", "him", "his", "himself") else "f"
        exact = [p for p in people if p.gender == wanted]
        loose = [p for p in people if p.gender == "" and p.kind == "human"] or [p for p in people if p.gender == ""]
        fits = exact or loose
        return fits[0].id if fits else None

    def is_storyteller(self, pid: str) -> bool:
        return pid in self.by_id and (FIRST_PERSON in self.by_id[pid].pattern or self.by_id[pid].pattern == SECOND_PERSON)


def find_people(reading: Reading) -> tuple[Person, ...]:
    """The story's cast, in order of first appearance: the named characters, the storyteller of a first-person
    story, and the unnamed ones who act or speak ('the old postwoman', 'a fox'); else one protagonist."""
    return _find_people(reading, nlp.reader_key())


@lru_cache(maxsize=16)
def _find_people(reading: Reading, reader: str) -> tuple[Person, ...]:
    parsed = nlp.parse_sentences(tuple(s for _, s in reading.sentences), reader)
    named = _named_people(reading, parsed)
    storyteller = _storyteller(reading, named)
    unnamed = _unnamed_people(reading, parsed, named)
    named, unnamed = _revealed(reading, named, unnamed)
    if storyteller and storyteller.id in {p.id for p in named}:  # 'My name is Ada': Ada is the 'I'
        named = tuple(storyteller if p.id == storyteller.id else p for p in named)
        storyteller = None
    people = list(named) + ([storyteller] if storyteller else []) + unnamed
    if not people:
        return (_protagonist(reading),)
    narration = " ".join(mask_quotes(s) for _, s in reading.sentences)
    def first(person: Person) -> int:
        m = re.search(person.pattern, narration)
        return m.start() if m else len(narration)
    return tuple(sorted(people, key=first))


def _named_people(reading: Reading, parsed: dict) -> tuple[Person, ...]:
    """Every named character: proper names that act, speak, or are named mid-sentence (spaCy's PERSON entities
    count as speaking for them, its places against them)."""
    lowercase_words = {w for _, s in reading.sentences for w in words(mask_quotes(s)) if w.islower()}
    seen: dict[str, dict[str, int]] = {}
    for _, sentence in reading.sentences:
        found = nlp.parsed(sentence, parsed)
        for name, evidence in _name_candidates(sentence):
            tally = seen.setdefault(name, {"count": 0, "mid": 0, "person": 0, "place": 0, "strong": 0})
            tally["count"] += 1
            if name.split()[-1] in found.located:  # 'boarded the sleeper at Euston': a place here, whatever else
                evidence = {**evidence, "person": 0, "strong": 0, "place": max(1, evidence["place"])}
            for key, value in evidence.items():
                tally[key] += value
            if name.split()[-1] in found.located or evidence["place"] >= 4:
                pass  # a place, or a thing the sentence says it is ('her narrowboat, the Kingfisher')
            elif any(name in entity.split() or name == entity for entity in found.persons):
                tally["strong"] += 1
            elif any(name in entity for entity in found.places) and name.split()[-1] not in found.subjects and \
                    f"{name}'s " not in sentence:  # 'Nadia checked her ticket', 'Nadia's hand': no place, whatever label
                tally["place"] += 1
            if name.split()[-1] in found.subjects:
                tally["person"] += 1  # the subject of a verb in spaCy's parse
    for name, tally in seen.items():  # named in the title line too: 'Bolt and Nina'
        tally["count"] += bool(reading.title and re.search(rf"\b{re.escape(name)}\b", reading.title))
    for name, tally in seen.items():  # 'Captain Ife Oyelaran ... Ife floated': one character met twice
        tally["count"] += sum(t["count"] for other, t in seen.items()
                              if other != name and (name in other.split() or other in name.split()))
    speech = " ".join(q for _, s in reading.sentences for q in QUOTE.findall(s))
    for name, tally in seen.items():  # a name called out in speech ('Unit-7, seal the hatch!') is used again
        tally["count"] += len(re.findall(rf"\b{re.escape(name)}\b", speech))
    names = [
        name for name, t in seen.items()
        if t["person"] + 2 * t["strong"] > t["place"]
        and (t["mid"] or t["count"] >= 2 or t["strong"] or t["person"])
        and (t["mid"] or t["strong"] or not _common_noun(name, lowercase_words))
        and (t["mid"] or t["strong"] or t["count"] >= 2 or not _dictionary_word(name))
    ]
    if not names:
        return ()
    nicknames = _nicknames(reading, names)
    people, used = [], set()
    for name, forms in _merge_aliases([n for n in names if n not in nicknames]):
        forms |= {alias for alias, owner in nicknames.items() if owner in forms}
        pid = slug(name)
        if pid in used or pid in ("narrator", STORYTELLER):
            pid = f"{pid}-{len(used) + 1}"
        used.add(pid)
        pattern = r"\b(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b"
        people.append(Person(id=pid, name=name, pattern=pattern))
    profiled = [_named_kind(_profile(p, reading), reading) for p in people]
    return tuple(_with_descriptor(p, profiled) for p in profiled)


def _named_kind(person: Person, reading: Reading) -> Person:
    """A fable's 'the Fox', 'Brer Rabbit': a name that is an animal the story also calls by its noun is that animal
    (never after a title of a person: 'Mrs Pike' is no fish)."""
    parts = person.name.split()
    word = parts[-1].lower()
    if person.kind != "human" or person.descriptor or parts[0] in ("Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Lady", "Lord") \
            or not _animal(word) or beings.is_person(word):
        return person
    narration = " ".join(mask_quotes(s) for _, s in reading.sentences)
    if not re.search(rf"\b(?:[Tt]he\s+{re.escape(parts[-1])}|{re.escape(word)})\b", narration):
        return person
    return replace(person, kind=noun_kind(word), descriptor=word)


def _revealed(reading: Reading, named: tuple[Person, ...], unnamed: list[Person]):
    """A role later named is one character: 'A stranger ... she was Dr Elspeth Crane', 'A boy ... "I'm Kit."', 'The
    scrapyard robot ... Its name was Bramble'. The name takes the role's mentions, kind and look; a name first met
    there, never before."""
    texts = [s for _, s in reading.sentences]
    named, unnamed = list(named), list(unnamed)
    for i, sentence in enumerate(texts):
        masked = mask_quotes(sentence)
        for n in list(named):
            told = rf"(?:[A-Z][\w.]*\s+)*?(?:{n.pattern})"
            apposed = [u for u in unnamed if re.search(
                rf"(?:{u.pattern})\s*,\s+(?:a|an)\s+[^,.;\"]*?\b(?:named|called)\s+(?:{n.pattern})", masked)]
            if apposed:  # 'said the first mate, a thin man called Oskar'
                u = apposed[0]
                unnamed.remove(u)
                named[named.index(n)] = replace(n, pattern=f"{n.pattern}|{u.pattern}", descriptor=u.descriptor or n.descriptor)
                continue
            shown = re.search(rf'"(?:[^"]*[.!?]\s+)?(?:[Tt]his is|(?:[Hh]is|[Hh]er|[Ii]ts) name is)\s+(?:{n.pattern})\b',
                              sentence)  # '"This is Nibs," said Mrs Penhallow': the one she shows, never she
            if not (re.search(rf"\b(?:[Ss]he|[Hh]e|[Ii]t|[Tt]hey|[Tt]hat)\s+(?:was|is)\s+{told}", masked)
                    or re.search(rf"\b(?:[Hh]er|[Hh]is|[Ii]ts|[Tt]heir)\s+name\b[^.;]*?\b(?:was|is)\s+{told}", masked)
                    or re.search(rf"\b(?:[Hh]er|[Hh]is|[Ii]ts|[Tt]heir)\s+(?:name\s*)?(?:badge|tag|label|plate)\s+(?:said|says|"
                                 rf"read|reads)\s+(?i:{told})", masked)  # 'Her badge said SIOBHAN
                    or re.search(rf"\b(?:I'm|I am|[Mm]y name is|[Cc]all me)\s+{told}\b", sentence) or shown):
                continue
            if any(re.search(n.pattern, mask_quotes(t)) for t in texts[:i]):
                continue  # known before: not a reveal
            window = " ".join(mask_quotes(t) for t in texts[max(0, i - (1 if shown else 2)):i + 1])
            role = [u for u in unnamed if re.search(u.pattern, window) and not (shown and re.search(u.pattern, masked))]
            if not role and not shown:  # '"You may call me Miss Lowe."': the role last met in the sentences before
                role = [u for t in texts[max(0, i - 5):i] for u in unnamed
                        if u.kind == "human" and re.search(u.pattern, mask_quotes(t))][-1:]
            if role:
                u = role[-1]
                unnamed.remove(u)
                merged = replace(n, pattern=f"{n.pattern}|{u.pattern}", descriptor=u.descriptor or n.descriptor,
                                 kind=u.kind if u.kind != "human" else n.kind, gender=n.gender or u.gender)
            else:  # 'The scrapyard robot had a tin face. Its name was Bramble.'
                heads = [w for m in re.finditer(r"\b[Tt]he((?:\s+[a-z-]+){1,3})", window)
                         for w in reversed(m.group(1).split()) if being_noun(w) and beings.is_noun(w)]
                if not heads or n.descriptor or shown:  # a name shown in a line needs the one shown
                    continue
                merged = replace(n, pattern=rf"{n.pattern}|(?<=[Tt]he )(?:[a-z-]+ ){{0,2}}?{heads[0]}\b(?!-)",
                                 descriptor=heads[0], kind=noun_kind(heads[0]))
            named[named.index(n)] = merged
    named, unnamed = _called_by_name(named, unnamed, texts)
    named, unnamed = _says_who_they_are(named, unnamed, texts)
    named, unnamed = _role_then_title(named, unnamed, texts)
    return tuple(_first_names(named, texts)), unnamed


def _says_who_they_are(named: list[Person], unnamed: list[Person], texts: list[str]):
    """'"I am a Fox," said Master Reynard': a name whose line says what being it is, when the story has one such
    being, is that being's name (one character: its mentions joined, its kind and the name's gender)."""
    for sentence in texts:
        for line in split_speech(sentence)[1]:
            said = re.search(r"\bI(?:'m| am)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?([A-Za-z]+)\b", line.text)
            speaker = next((n for n in named if line.attribution and re.search(n.pattern, line.attribution)), None)
            if not said or speaker is None:
                continue
            noun = said.group(1).lower()
            beings_ = [p for p in named + unnamed if p is not speaker and (p.descriptor == noun or p.name.lower() in
                                                                          (noun, f"the {noun}"))]
            if len(beings_) != 1:
                continue
            being = beings_[0]
            merged = replace(being, pattern=f"{being.pattern}|{speaker.pattern}", gender=being.gender or speaker.gender)
            for group in (named, unnamed):
                if being in group:
                    group[group.index(being)] = merged
            named.remove(speaker)
    return named, unnamed


def _role_then_title(named: list[Person], unnamed: list[Person], texts: list[str]):
    """'The conductor is a tall woman ... "You're in seat forty-two," says Mrs Okoro': a title and surname met
    unintroduced, right after the one person of that gender the story had only by a role, and never beside that
    role, is the role's name."""
    narration = [mask_quotes(t) for t in texts]
    for x in list(named):
        parts = x.name.split()
        gender = HONORIFICS.get(parts[0].lower(), "")
        if len(parts) != 2 or not gender or x.descriptor or x.relations:
            continue
        at = next((i for i, t in enumerate(narration) if re.search(x.pattern, t)), None)
        if at is None:
            continue
        before = narration[max(0, at - 3):at]
        def met(p: Person) -> int:
            return next(i for i, t in enumerate(narration) if re.search(p.pattern, t))
        nearby = [p for p in unnamed + named if p is not x and p.kind == "human" and p.gender == gender
                  and any(re.search(p.pattern, t) for t in before)]
        newest = [p for p in nearby if met(p) == max(map(met, nearby))]  # the one the story brought in last
        if len(newest) != 1 or newest[0] not in unnamed or any(
                re.search(newest[0].pattern, t) and re.search(x.pattern, t) for t in narration):
            continue
        u = newest[0]
        unnamed.remove(u)
        named[named.index(x)] = replace(x, pattern=f"{x.pattern}|{u.pattern}", descriptor=u.descriptor)
    return named, unnamed


def _called_by_name(named: list[Person], unnamed: list[Person], texts: list[str]):
    """'The baker ... "Stefan, let the child breathe," she said ... Stefan grunted': a role whose name is first heard
    called out to it, by someone else, while it is there, is that named character."""
    def first(p: Person) -> int:
        return next((i for i, t in enumerate(texts) if re.search(p.pattern, mask_quotes(t))), len(texts))
    for x in list(named):
        if x.relations or x.descriptor or x.kind != "human":
            continue
        word = re.escape(x.name.split()[-1])
        called = next((i for i, t in enumerate(texts) if re.search(
            rf'"(?:{word},|[^"]*,\s*{word}[.!?,])', t)), None)  # '"Stefan, ..."' or '"..., Marta."'
        if called is None or called > first(x):
            continue
        pronoun = re.search(rf"\b(he|she)\s+(?:{SPEECH_RX})\b", mask_quotes(texts[called]))
        speaker = {"he": "m", "she": "f"}[pronoun.group(1)] if pronoun else next(  # 'Grumble laughed. "In you get, Lucy."'
            (p.gender for p in named if p is not x and p.gender and re.search(p.pattern, mask_quotes(
                " ".join(texts[max(0, called - 1):called + 1])))), "")
        def last(u: Person) -> int:
            return max((i for i, t in enumerate(texts[:called]) if re.search(u.pattern, mask_quotes(t))), default=-1)
        roles = [u for u in unnamed if u.kind == "human" and u.gender and speaker and u.gender != speaker
                 and last(u) >= 0 and not any(re.search(u.pattern, mask_quotes(t)) and re.search(x.pattern, mask_quotes(t))
                                              for t in texts)]
        if roles:  # the one last seen before the call, never in one sentence with the name
            u = max(roles, key=last)
            unnamed.remove(u)
            named[named.index(x)] = replace(x, pattern=f"{x.pattern}|{u.pattern}", descriptor=u.descriptor,
                                            gender=x.gender or u.gender)
    return named, unnamed


def _first_names(named: list[Person], texts: list[str]) -> list[Person]:
    """'Nurse Adebayo ... Funmi laughed': a first name met after the one titled person of its gender the story calls
    by surname alone was first called so, never beside them, is that person's first name; and 'in Jo Carmichael's
    handwriting' makes Jo Ms Carmichael, whatever else. A person given two such first names keeps neither."""
    narration = [mask_quotes(t) for t in texts]
    story = " ".join(texts)
    def first(pattern: str) -> int:
        return next((i for i, t in enumerate(narration) if re.search(pattern, t)), len(texts))
    titled = [y for y in named if y.kind == "human" and len(y.name.split()) == 2 and (
        y.name.split()[0] in TITLES | {"Nurse", "Dr", "Detective", "Officer", "Sergeant", "Constable"}
        or y.descriptor and y.name.split()[0].lower() == y.descriptor)]
    merges: dict[str, list[Person]] = {}
    for x in named:
        if len(x.name.split()) != 1 or x.relations or x.descriptor or x.kind != "human":
            continue
        at = first(x.pattern)
        said = re.search(r"\b(she|he)\b", " ".join(narration[at:at + 2]), re.I)
        gender = x.gender or ({"she": "f", "he": "m"}.get(said.group(1).lower()) if said else "")
        owners = [y for y in titled if re.search(rf"\b{re.escape(x.name)}\s+{re.escape(y.name.split()[-1])}\b", story)]
        if not owners and gender:
            owners = [y for y in titled if y.gender == gender and first(rf"\b{re.escape(y.name)}\b") < at
                      and not any(re.search(y.pattern, t) and re.search(x.pattern, t) for t in narration)]
        if len(owners) == 1:
            merges.setdefault(owners[0].id, []).append(x)
    out = list(named)
    for owner, (x, *others) in merges.items():
        if others:
            continue
        y = next(p for p in out if p.id == owner)
        out[out.index(y)] = replace(y, pattern=f"{y.pattern}|{x.pattern}")
        out.remove(x)
    return out


def _storyteller(reading: Reading, named: tuple[Person, ...]) -> Person | None:
    """The 'I' of a first-person story (twice or more outside quotes), named when the story says its name ('My
    name is Ada', 'I, Ada,') and given its kind when it says one ('I am an old cat')."""
    narration = " ".join(mask_quotes(s) for _, s in reading.sentences)
    if len(re.findall(r"\b(?:I|me|my|myself)\b", narration)) + len(re.findall(r"\b(?:[Ww]e|us|[Oo]ur)\b", narration)) < 2:
        acts = [m for m in re.finditer(r"(?:^|[.!?]\s+)You\s+([a-z]+)\b", narration)
                if m.group(1) not in ("can", "could", "would", "might", "may", "must", "should", "will", "know", "see")]
        if len(acts) < 2:  # 'You board the sleeper at Euston. ... You turn.': a story told in the second person
            return None
        return Person(id=STORYTELLER, name="the storyteller", pattern=SECOND_PERSON)
    called = re.search(r"\b(?:[Mm]y name is|[Ii] am called|[Ee]veryone calls me|I,)\s+([A-Z][\w'-]+)", narration) or \
        re.search(r"(?:^|[.!?]\s+)(?:[A-Z][\w'-]+\s+)?([A-Z][\w'-]+)\s+(?:recording|reporting|signing off|out)\s*[.!]",
                  narration)  # a log's sign-off: 'Ruth Adair recording.', 'Adair out.'
    own = next((p for p in named if called and called.group(1) in p.name.split()), None)
    kind = re.search(rf"\b(?:I am|I'm|I was)\s+(?:a|an)\s+(?:[a-z-]+\s+){{0,2}}?({'|'.join(KINDS)})\b", narration)
    gender = _pronoun_gender(" ".join(re.findall(r"\b(?:[Mm]y|[Oo]ur)\s+(?:\w+\s+){0,2}?(?:he|she)\b", narration)))
    return Person(id=STORYTELLER if own is None else own.id, name=own.name if own else "the storyteller",
                  pattern=FIRST_PERSON + (f"|{own.pattern}" if own else ""), gender=gender,
                  kind=noun_kind(kind.group(1)) if kind else "human", descriptor=kind.group(1) if kind else "")


_ARTICLE = r"\b(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat)\s+"


def _unnamed_people(reading: Reading, parsed: dict, named: tuple[Person, ...]) -> list[Person]:
    """The characters the story does not name but shows acting or speaking: a noun phrase that is the subject of a
    verb ('the old postwoman waved', 'a fox ran', spaCy's parse, or the keyword tables) or speaks a line
    ('shouted the harbour guard'); singular, and not another name for a named character ('the captain')."""
    taken = {w.lower() for p in named for w in p.name.split()} | {p.descriptor for p in named if p.descriptor}
    acted = "|".join(w for w in IRREGULAR_PAST if w not in ("had", "was", "were", "did"))  # not 'his mother had'
    found: dict[str, tuple[str, str]] = {}  # noun -> (head 'harbour guard', first phrase 'old harbour guard')
    for _, sentence in reading.sentences:
        # 'said the King': a title after 'the' is the role it names, capitalised or not
        text = re.sub(r"(?<=\b[Tt]he )[A-Z][a-z]+\b", lambda m: m.group().lower() if m.group() in TITLES else m.group(),
                      mask_quotes(sentence))
        phrases = []
        for phrase, noun, plural, verb in nlp.parsed(sentence, parsed).actors:
            acts = (verb in ANIMATE_VERBS or verb in SPEECH_VERBS) and noun not in COMMON_NOUNS
            if not plural and (noun in ACTOR_NOUNS or acts and _can_act(noun) or _person_noun(noun)):
                phrases.append(phrase)
        rx = rf"{_ARTICLE}((?:(?!(?:his|her|their|my|our|its|your|a|an|the)\b)[a-z][\w-]*\s+){{0,2}}?)([a-z]+)" \
             rf"(?:\s+(?:in|with|from)\s+(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){{0,2}}?[\w-]+)?" \
             rf"(?:\s+(?:was|is|could|would)(?:\s+not)?)?\s+" \
             rf"({acted}|{SPEECH_RX}|[a-z]{{3,}}ed|[a-z]{{2,}}[^su\W]s|(?:(?<=was )|(?<=were )|(?<=is ))[a-z]{{3,}}ing)\b"  # 'the queen was gone' does not act
        for m in re.finditer(rx, text):
            after = re.match(r"\s+([a-z]+)", text[m.end():])
            if m.group(3).endswith("ed") and after and after.group(1) not in PREPOSITIONS | STOPWORDS and \
                    beings.is_being(after.group(1)):
                continue  # 'a great crested newt': what it is, not what it did
            verb = base_form(m.group(3)) or m.group(3)
            agent = AGENT.search(m.group(2)) and m.group(2) not in COMMON_NOUNS and (
                verb in ANIMATE_VERBS or m.group(3) in SPEECH_VERBS)  # 'the old lamplighter walked', '... said'
            if m.group(2) in ACTOR_NOUNS or agent and _can_act(m.group(2)) or _person_noun(m.group(2)):
                phrases.append(m.group(1) + m.group(2))
        for m in re.finditer(rf"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur)\s+({'|'.join(RELATIONS)})\s+"
                             rf"(?:(?:was|were|is)\s+[a-z]+ing|{acted}|{SPEECH_RX}|[a-z]{{3,}}ed)\b", text):
            if RELATIONS[m.group(1)] or m.group(1) in ("friend", "teacher", "neighbour", "neighbor", "cousin"):
                phrases.append(m.group(1))  # 'her mother was waiting on the steps' (not 'his mother had knitted')
        for m in re.finditer(rf"\b(?:{SPEECH_RX})\s+(?:the|a|an|[A-Z][\w-]*'s)\s+((?:[a-z][\w-]*\s+){{0,2}}?[a-z]+)\b"
                             rf"(?=\s*[,.;!?]|\s*$|\s+(?:through|from|behind|inside|outside|across|over|at|in|on|by|near|beside)\b)", text):
            # '"Halt!" shouted the harbour guard.', '"Dinner's ready!" called Ivo's mother through the wood.'
            said = m.group(1).split()
            if len(said) > 1 and not beings.is_noun(said[-1]) and beings.is_noun(said[-2]):
                said.pop()  # 'shouted the cousins together': how they said it
            if _can_act(said[-1]):  # 'replied the ship' is the ship's voice, nobody to draw
                phrases.append(" ".join(said))
        for phrase in phrases:
            words_ = phrase.lower().split()
            head = " ".join(w for w in words_[-2:] if w in ACTOR_NOUNS or w == words_[-1] or _compound(w))
            if words_[-1] in taken or words_[-1].endswith("s") and words_[-1][:-1] in ACTOR_NOUNS or \
                    beings.plural(words_[-1]) or \
                    words_[-1] in STOPWORDS_NOT_ACTORS:
                continue
            found.setdefault(words_[-1], (head, phrase.lower()))
    narration = " ".join(mask_quotes(s) for _, s in reading.sentences)
    for noun in [n for n in found if n in GENERIC_PEOPLE]:
        gender = PERSON_NOUNS.get(noun, "")
        introduced = re.search(rf"\b[Aa]n?\s+(?:[\w-]+\s+){{0,2}}?{noun}\b", narration)
        first = re.search(rf"\b{noun}\b", narration)
        speaks = re.search(rf"\b(?:{SPEECH_RX})\s+the\s+(?:[\w-]+\s+){{0,2}}?{noun}\b", narration)
        if (not introduced or (first and introduced.end() > first.end())) and not speaks:
            # 'the old man' first met as 'the': another name for someone the story already brought in (unless a
            # line is his alone: 'said the old man')
            if named or any(o != noun and o not in GENERIC_PEOPLE for o in found):
                del found[noun]
    people, used = [], {p.id for p in named}
    for noun, (head, phrase) in found.items():
        pid = slug(head)
        if pid in used or pid in ("narrator", STORYTELLER):
            continue
        used.add(pid)
        article = _ARTICLE if noun not in RELATIONS else \
            r"\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur|[A-Z][\w-]*'s)\s+"  # 'Ivo's mother'
        title = noun.capitalize() in TITLES  # 'the King' as well as 'the king'
        pattern = rf"{article}(?:[a-z][\w-]*\s+){{0,2}}?{'(?i:' if title else '(?:'}{re.escape(noun)})\b(?!-)"
        # 'the guard' is the harbour guard
        gender = PERSON_NOUNS.get(noun) or ("f" if noun.endswith("woman") else "m" if noun.endswith("man") else "")
        kind = next((k for k in map(noun_kind, head.split()) if k != "human"), "human")  # 'a fox cub' is a fox
        person = Person(id=pid, name=f"the {phrase}", pattern=pattern, gender=gender, descriptor=noun, kind=kind)
        same = [p for p in people if kind != "human" and p.kind == kind and p.descriptor != kind] if noun == kind else \
            [p for p in people if noun in p.name.split()[1:-1]]
        if len(same) == 1:  # 'the hound ... the dog bit his leg': its species; 'the mother duck ... the mother'
            people[people.index(same[0])] = replace(same[0], pattern=f"{same[0].pattern}|{pattern}")
            continue
        said_first = [p for p in people if p.descriptor in phrase.split()[:-1] or _apposed(p.descriptor, noun, narration)]
        if len(said_first) == 1:  # 'said the mother ... said the mother duck', 'the woman ..., a nun': the fuller says who
            people[people.index(said_first[0])] = _profile(replace(
                person, id=said_first[0].id, pattern=f"{said_first[0].pattern}|{pattern}"), reading)
            continue
        people.append(_profile(person, reading))
    return people + _groups(reading, {p.id for p in people} | used)


# A group's tag: 'said the twins', 'answered the reapers when...', 'says one of the twins', 'the children cried'.
_GROUP_TAG = re.compile(
    rf"\b(?:{SPEECH_RX})\s+(?:(?:one|some|all|two|three|each)\s+of\s+)?[Tt]he\s+((?:[a-z-]+\s+)?([a-z]+))\b"
    rf"(?=\s*[,.;:!?]|\s*$|\s+(?:when|as|to|from|in|at|on|with|and|together)\b)"
    rf"|\b[Tt]he\s+((?:[a-z-]+\s+)?([a-z]+))\s+(?:{SPEECH_RX})\b")


def _groups(reading: Reading, used: set[str]) -> list[Person]:
    """A group that speaks or laughs as one ('said the twins', 'The lads laughed'): one character, 'they'; a group
    of things only with a line ('answered the reapers'), never 'The wipers squeaked'."""
    out: list[Person] = []
    for sentence in (s for _, s in reading.sentences):
        for m in _GROUP_TAG.finditer(mask_quotes(sentence)):
            phrase, noun = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
            single = noun[:-1] if noun.endswith("s") else noun
            if not (beings.plural(noun) or noun.endswith("s") and beings.is_noun(single)) or slug(noun) in used:
                continue
            if not (beings.is_person(noun) or beings.is_person(single)) and not (
                    QUOTE.search(sentence) and (beings.is_being(noun) or beings.is_being(single))):
                continue
            used.add(slug(noun))
            pattern = rf"\b(?:[Tt]he|[Oo]ne of the)\s+(?:[a-z][\w-]*\s+){{0,2}}?{re.escape(noun)}\b(?!-)"
            out.append(_profile(Person(id=slug(noun), name=f"the {phrase}", pattern=pattern, descriptor=noun,
                                       plural=True), reading))
    return out


def _apposed(first: str | None, then: str, narration: str) -> bool:
    """'the woman at the window, a nun in a grey habit': the second noun, in apposition, says who the first one is
    (not 'a fat merchant, a curate with a cold', a list of others)."""
    return bool(first) and re.search(rf"\b[Tt]he\s+(?:[\w-]+\s+){{0,2}}?{re.escape(first)}(?:\s+(?:at|in|on|by|"
                                     rf"near|from|with|beside)\s+(?:the|a|an|his|her|their)\s+(?:[\w-]+\s+)?[\w-]+)?,\s+"
                                     rf"(?:a|an)\s+(?:[\w-]+\s+){{0,2}}?{re.escape(then)}\b", narration) is not None


def _person_noun(noun: str) -> bool:
    """'The preacher took off his hat': a noun the dictionary knows first as a person acts whatever the verb."""
    return beings.is_person(noun) and not (noun.endswith("s") and beings.is_noun(noun[:-1]))  # 'the wipers'


def _can_act(noun: str) -> bool:
    """'the alarm woke her' is no character: a noun the dictionary knows must name a being to be cast."""
    return not beings.is_noun(noun) or beings.is_being(noun)


def _compound(word: str) -> bool:
    """'harbour' in 'harbour guard' is part of who it is; 'old' in 'old postwoman' is how it looks."""
    return word in SPOTS or word in AREAS or word in COMMON_NOUNS


HONORIFICS = {"mr": "m", "sir": "m", "lord": "m", "master": "m", "mrs": "f", "ms": "f", "miss": "f", "madam": "f",
              "madame": "f", "mistress": "f", "lady": "f"}
AGENT = re.compile(r"(?:[^aeiou]er|or|ist|man|woman|ess|ian)$")  # lamplighter, sailor, florist, ferryman, librarian
GENERIC_PEOPLE = {"man", "woman", "boy", "girl", "lady", "gentleman", "child", "kid", "person", "figure", "stranger"}
STOPWORDS_NOT_ACTORS = {"one", "other", "others", "rest", "same", "first", "last", "next", "voice", "door", "wind"}


def _dictionary_word(name: str) -> bool:
    """'Water dripped', 'Frost covered the walls', 'Forty years later': a single word met once, as a sentence's first,
    with nothing that uses it as a name, is the dictionary's word (a name is a name by how the story uses it)."""
    return len(name.split()) == 1 and beings.is_noun(name.lower()) and not beings.is_being(name.lower())


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
        capital = word[:1].isupper() and (word not in NOT_NAMES or word in TITLES or _kin_name(masked, token)
                                          or _used_as_name(masked, token, first_word))
        joined = token is not None and run and masked[run[-1].end():token.start()] in (" ", ". ")
        if capital and (not run or joined):
            run.append(token)
            continue
        if run:
            yield from _judge_run(masked, run, first_word)
        run = [token] if capital else []


# Words capitalised mid-sentence whatever they are used as: elsewhere a capital mid-sentence makes a word a name.
MID_CAPITALS = set("I God Heaven Earth Mars Moon Sun Venus Jupiter Saturn Christmas Easter Halloween English French "
                   "German Spanish Italian Sir Madam Miss Mister Master Monday Tuesday Wednesday Thursday Friday "
                   "Saturday Sunday".split())
MONTHS = set("January February March April May June July August September October November December".split())
TIME_WORDS = set("in on of since until till by last next every early late mid this that during before after "
                 "through from".split())


def _used_as_name(masked: str, token: re.Match, first_word: re.Match | None) -> bool:
    """'Grace and May lived ...': a word capitalised mid-sentence for no other reason is a name, whatever else it
    can be (a month after 'in' or before a date is still a month)."""
    word = token.group().removesuffix("'s")
    after = re.match(r"\s+([a-z]+)\b", masked[token.end():])
    if word.lower() in ("will", "may", "can", "shall", "must", "might") and after and looks_past(after.group(1)) \
            and after.group(1) not in ("been", "had"):
        return True  # 'Will picked him up': a modal is never followed by a past tense, a name is
    if (word in MONTHS or word.lower() in ("will", "may", "can")) and re.match(r"\s+[A-Z][a-z]+,", masked[token.end():]):
        return True  # 'May Pennock, who worked in the library': a first name before a surname
    if word in MID_CAPITALS or (first_word is not None and token.start() == first_word.start()) or not (
            word in MONTHS or beings.is_noun(word.lower())):  # 'Dear Tom, The goats ...' is no name
        return False
    before = re.findall(r"[\w']+", masked[:token.start()].lower())[-1:]
    if word in MONTHS and (before and before[0] in TIME_WORDS or re.match(r"\s+\d", masked[token.end():])):
        return False
    return bool(before) and not masked[:token.start()].rstrip().endswith((".", "!", "?", ":"))


def _kin_name(masked: str, token: re.Match) -> bool:
    """'Papa cut a hole' names Papa; 'my papa', 'Grandfather, the light is out' and 'Mother Superior' do not."""
    word = token.group().removesuffix("'s")
    if word not in KIN_NAMES:
        return False
    before = re.findall(r"[\w']+", masked[:token.start()].lower())[-1:]
    after = re.match(r"\s+([\w']+)", masked[token.end():])
    return not (before and before[0] in ("my", "his", "her", "their", "our", "your", "the", "a")) and bool(
        after and (looks_past(after.group(1)) or after.group(1) in SPEECH_VERBS or after.group(1) in
                   ("says", "is", "has", "was", "had", "could", "would", "will")))


def _judge_run(masked: str, run: list[re.Match], first_word: re.Match | None):
    """A name and its evidence: it acts or keeps company like a person, it speaks or is introduced as one
    (strong), it follows 'in'/'at' like a place, it is named mid-sentence (not just capitalised as a first word)."""
    if len(run) == 1 and run[0].group().lower() in SPEECH_VERBS:
        return  # 'Quoth the Fox, "..."', 'Said the Hen': a tag that opens its sentence
    if re.search(r"\b[A-Z][\w-]*\s+of\s+(?:the\s+)?$", masked[:run[0].start()]):
        return  # 'the Hall of Birds', 'the Queen of Birds': the end of a longer name, no one's own
    if len(run) > 1 and first_word is not None and run[0].start() == first_word.start() and \
            run[0].group().lower() in MODIFIERS:
        run = run[1:]  # 'Old Mr Hale came in': capitalised as the sentence's first word, it describes him
    parts = [t.group().removesuffix("'s") for t in run]
    kin = len(parts) == 1 and parts[0] in KIN_NAMES  # 'Papa' alone, already judged a name by _kin_name
    while parts and parts[-1] in TITLES and not kin:
        parts.pop()
    used = {t.group().removesuffix("'s") for t in run if _used_as_name(masked, t, first_word)}  # 'and May lived'
    if not parts or not kin and all(p in TITLES or p in NOT_NAMES and p not in used for p in parts):
        return
    start, end = run[0].start(), run[len(parts) - 1].end()
    before = re.findall(r"[\w']+", masked[:start].lower())
    last = before[-1] if before else ""
    after = masked[end:]
    next_word = (re.findall(r"^\s*([\w']+)", after) or [""])[0].lower()
    present = re.fullmatch(r"[a-z]{2,}[^su\W]s|[a-z]+(?:ches|shes|sses)", next_word) is not None  # 'Ravi plants'
    owns_place = run[len(parts) - 1].group().endswith("'s") and next_word in SPOTS  # 'at Kowalski's bakery'
    acts = looks_past(next_word) or present or next_word in MODALS or after.startswith("'s") and not owns_place or \
        next_word in ("and", "had", "was", "is", "could", "would", "did", "felt", "knew")
    listed = re.search(r"\b(?:in|at|from|of|near|into|through|towards)\s+(?:the\s+)?[A-Z][\w-]*,?\s+(?:and|or)\s+$",
                       masked[:start])  # 'the islands of Mazanderan and Socotra': another place
    company = not listed and last in ("with", "and", "told", "asked", "helped", "showed", "gave") or (
        run[len(parts) - 1].group().endswith("'s") and next_word in BODY_WORDS)  # 'into Priya's hand'
    # Who or what the name is said to be: 'Tomas, an old keeper', 'a spaniel called Pepper' (a being), 'Crowhurst
    # Hall, a grand grey house', 'a diesel called the Kestrel', 'the colony ship Perseverance' (a thing).
    apposed = re.match(r"(?:,|\s+(?:was|is))\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){0,3}?([a-z]+)"
                       r"(?=\s+(?:who|which|that|with|in|from|of|and|on|at|named|called)\b|\s*[,.;:!?]|\s*$)", after)
    nicknamed = re.search(r"\b(?:whom|who)\s+(?:[\w'-]+\s+){0,6}?(?:called|call|calls|nicknamed)\s+$|\bknown\s+as\s+$"
                          r"|\b(?:called|call|calls|nicknamed)\s+(?:him|her)\s+$",
                          masked[:start])  # 'Thomas Bell, whom everyone at the station called Tiny'
    called = None if nicknamed else re.search(r"\b([a-z]+)\s+(?:named|called)\s+(?:the\s+)?$", masked[:start])
    preceded = re.search(r"\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur|[Mm]y)\s+(?:[\w-]+\s+){0,2}?([a-z]+),?\s+$",
                         masked[:start])  # 'The driver, Old Abe Tull, spat': a name in apposition to a role
    # 'her narrowboat, the Kingfisher,': a name in apposition to what it names
    renamed = re.search(r"\b(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur|[Mm]y)\s+(?:[\w-]+\s+){0,2}?([a-z]+),\s+the\s+$",
                        masked[:start])
    nouns = [m.group(1) for m in (apposed, called, preceded, renamed)
             if m and m.group(1) not in MODIFIERS | STOPWORDS | PREPOSITIONS]
    titled = parts[0].lower() in HONORIFICS or parts[0] in ("Dr", "Doctor")  # 'the cleaner, Mrs Pilar Ruiz,'
    described = any(being_noun(n) for n in nouns[:2]) or titled and bool(preceded)
    thing = not titled and any(not being_noun(n) and beings.is_noun(n) for n in nouns) or \
        last == "the" and not kin and not _animal(parts[-1].lower())  # 'the Marigold' (not a fable's 'the Otter')
    revealed = re.search(r"\b(?:[Ss]he|[Hh]e|[Ii]t|[Tt]hat|name)\s+(?:was|is)\s+(?:[A-Z][\w.]*\s+)*$", masked[:start])
    tag = last in SPEECH_VERBS or last == "the" and len(before) > 1 and before[-2] in SPEECH_VERBS or \
        re.match(rf",\s+who\s+(?:[a-z]+\s+){{0,2}}?(?:{SPEECH_RX})\b", after)  # 'quoth the Hare', 'Snail, who replied'
    strong = next_word in SPEECH_VERBS or tag or last in RELATIONS or described or revealed or nicknamed
    owner = run[len(parts) - 1].group().endswith("'s") and next_word.isalpha() and not owns_place  # 'into Priya's hand'
    place = (last in ("in", "at", "from", "towards", "toward", "near", "into", "through", "of") and not company
             and not owner or bool(listed)) + \
        3 * (parts[-1].lower() in SPOTS or parts[-1].lower() in AREAS) + 4 * thing + bool(owns_place)  # 'Harrow House'
    mid = first_word is None or start != first_word.start()
    yield " ".join(parts), {"mid": int(mid), "person": int(acts) + int(company), "place": int(place),
                            "strong": int(bool(strong))}


PREPOSITIONS = set("about above across after against along among around at before behind below beneath beside besides "
                   "between beyond by down during except for from in inside into near of off on onto out outside over "
                   "past since through throughout to toward towards under until up upon with within without".split())
# Words between an article and a name that describe rather than name what it is ('the old Tomas').
MODIFIERS = {"old", "young", "little", "new", "poor", "dear", "late", "great", "same", "other", "very", "own"}


def noun_kind(noun: str) -> str:
    """What a being called by this noun is (screenplay Character.kind): the word table's species ('kitten' is a cat),
    else the dictionary's ('spaniel' is a dog, 'goose' a goose, 'ferret' a ferret), else human."""
    table = KINDS.get(noun, "")
    if table and table not in ("bird", "fish", "creature"):
        return table
    return beings.species(noun) or table or "human"


def _animal(word: str) -> bool:
    """A being by some sense of the word, not only its commonest: 'otter' is first a fur, yet 'the Otter came' is one."""
    return beings.is_being(word) or beings.species(word) is not None


def being_noun(word: str) -> bool:
    """A noun for someone who can be cast: a person, an animal, a robot ('keeper', 'spaniel', 'sergeant')."""
    return word in ACTOR_NOUNS or word in RELATIONS or beings.is_being(word)


def _nicknames(reading: Reading, names: list[str]) -> dict[str, str]:
    """Nickname -> name: 'Thomas Bell, whom everyone at the station called Tiny', 'Robert Hale, known as Bobby',
    'a man named Angus Reid, though the children called him Grumble'."""
    out = {}
    for _, sentence in reading.sentences:
        masked = mask_quotes(sentence)
        for owner in names:
            m = re.search(rf"\b{re.escape(owner)},?\s+(?:(?:whom|who)\s+(?:[\w'-]+\s+){{0,6}}?(?:called|call|calls|nicknamed)"
                          rf"|(?:also\s+)?known\s+as|[^.;]*?\b(?:called|call|calls|nicknamed)\s+(?:him|her))\s+([A-Z][\w'-]*)",
                          masked)
            if m and m.group(1) in names and m.group(1) != owner and m.group(1) not in owner.split():
                out[m.group(1)] = owner
    for short in names:  # 'Desmond Achterberg ... Des sat down': a name cut short is the same person's
        owners = [n for n in names if len(n.split()) > 1 and len(short) >= 3 and n.split()[0] != short
                  and " " not in short and n.split()[0].startswith(short)]
        if len(owners) == 1 and short not in out:
            out[short] = owners[0]
    return out


def _merge_aliases(names: list[str]) -> list[tuple[str, set[str]]]:
    """'Captain Hook' and 'Hook' are one character; a lone word that belongs to a longer name joins it, and so does a
    shorter name all of whose words are in it ('Captain Duarte', 'Captain Inês Duarte') whatever their case
    ('GLORIA' on a badge is Gloria)."""
    full = sorted(names, key=lambda n: (-len(n.split()), n.isupper(), names.index(n)))
    merged: dict[str, set[str]] = {}
    for name in full:
        owner = next((m for m in merged if name in m.split() or set(name.lower().split()) <= set(m.lower().split())),
                     None)
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
            if before and before[0] in KINDS and not person.descriptor:  # 'the maintenance robot K-7'
                descriptors.append(before[0])
            elif before and being_noun(before[0]) and before[0] not in RELATIONS and re.search(
                    r"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Tt]he|[Aa]n?|[Mm]y|[Oo]ur)\s+(?:[a-z-]+\s+){0,2}?[a-z]+,?\s*$",
                    text[:m.start()]):
                descriptors.append(before[0])  # 'Her sergeant, Thomas Bell': 'the sergeant' is Bell
            acts = re.match(r"\s+([a-z]+)", text[m.end():])
            if acts and (looks_past(acts.group(1)) or acts.group(1) in ("was", "is", "had", "has")):
                # 'the Crow sat on her branch and cawed': the possessives of the clause it is the subject of are its
                # own ('Des sat down beside her' is someone else)
                clause = re.split(r"[;A-Z]|,?\s+\b(?:and|but|while|when|as|until)\s+(?:the|a|an)\b", text[m.end():])[0]
                votes["m"] += 2 * len(re.findall(r"\b(?:his|himself)\b", clause))
                votes["f"] += 2 * len(re.findall(rf"\bherself\b|\bher\s+(?!(?:{'|'.join(PREPOSITIONS)}|and|or|back|"
                                                 rf"again|away)\b)[a-z]", clause))
            if before and before[0] in RELATIONS:
                relations.append(before[0])
                votes[RELATIONS[before[0]]] += 3
            described = re.match(rf"\s*(?:,|was|is)\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?({NOUNS_RX})\b",
                                 text[m.end():])
            introduced = re.search(rf"\b({NOUNS_RX})\s+(?:named|called)\s+$", text[:m.start()]) or re.search(
                r"\b([a-z]+)\s+(?:named|called)\s+$", text[:m.start()])  # 'a dachshund called Fritz'
            if introduced and not being_noun(introduced.group(1)):
                introduced = None
            for found in (described, introduced):
                if found:
                    word = found.group(1)
                    votes[PERSON_NOUNS.get(word, RELATIONS.get(word, ""))] += 3
                    (relations if word in RELATIONS else descriptors).append(word)
        others = {w for w in re.findall(r"\b[A-Z][\w-]+\b", text[1:]) if w not in NOT_NAMES}
        alone = bool(re.search(person.pattern, text)) and len(others) <= len(person.name.split())
        opener = re.match(r"^\W*(?:[\w']+\s+){0,3}?(he|she|his|her)\b", text, re.I)
        if alone:
            # 'His neighbour Mei ... came with him': a possessive before a relation, or an object pronoun, is
            # someone else's
            relation = "|".join(RELATIONS)
            votes["m"] += len(re.findall(rf"\b(?:he|himself|his(?!\s+(?:[a-z]+\s+){{0,2}}(?:{relation})\b))\b", text, re.I))
            votes["f"] += len(re.findall(rf"\b(?:she|hers|herself|her(?!\s+(?:[a-z]+\s+){{0,2}}(?:{relation})\b))\b", text,
                                         re.I))  # 'her old teacher' is someone else's
        elif alone_before and opener and not others:
            votes["m" if opener.group(1).lower() in ("he", "his") else "f"] += 1
        alone_before = alone
    gender = "m" if votes["m"] > votes["f"] else "f" if votes["f"] > votes["m"] else ""
    # 'Mr Hale', 'Queen Mab', 'Aunt Lotte': a title that says a gender says it whatever the pronouns nearby
    said = [HONORIFICS.get(w.lower()) or PERSON_NOUNS.get(w.lower()) or RELATIONS.get(w.lower())
            for w in person.name.split()[:-1]]
    gender = next((g for g in said if g), gender)
    # 'Nurse Adebayo', 'Detective Inspector Ines Varga': a role worn as a title is what 'the nurse' calls them
    titled = [w.lower() for w in person.name.split()[:-1] if w.lower() in ACTOR_NOUNS or beings.is_being(w.lower())]
    descriptor = descriptors[0] if descriptors else person.descriptor or (titled[0] if titled else "")
    kind = noun_kind(descriptor) if descriptor and person.kind == "human" else person.kind
    return replace(person, gender=person.gender or gender, relations=tuple(dict.fromkeys(relations)),
                   descriptor=descriptor, kind=kind)


def _with_descriptor(person: Person, cast: list[Person]) -> Person:
    """'the robot' names Unit-7 when the story called only Unit-7 a robot."""
    if not person.descriptor or sum(p.descriptor == person.descriptor for p in cast) > 1:
        return person
    pattern = rf"{person.pattern}|(?<=[Tt]he )(?:[a-z-]+ ){{0,2}}?{re.escape(person.descriptor)}\b(?!-)"
    return replace(person, pattern=pattern)


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
