"""Each character's look: what the story says it looks like, wears and carries, completed where it is silent."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ... import beings
from ...contracts.screenplay import Character, LaterLook
from .cast import Cast, Person
from .beats import TIME_SHIFT
from .story import Reading, mask_quotes
from .vocabulary import (
    ARTICLES,
    BODY_WORDS,
    CARRIED_RX,
    COLOURS,
    CREATURES,
    GARMENT_WORDS,
    KINDS,
    LIST_END,
    NOUNS_RX,
    PERSON_NOUNS,
    PROP_WORDS,
    STOPWORDS,
)

# A part of a body named bare says nothing of how it looks.
BARE = set("eyes eye hands hand face arms arm legs leg feet foot head ears ear hair body nose mouth cheeks shoulders "
           "lips chin forehead voice back neck shoulder knees knee".split())
# Parts only an animal has: a sentence about 'he' that gives one is about the animal the story just named.
ANIMAL_PARTS = "shell|fur|feathers|plumage|scales|tail|paws|beak|wings|whiskers|mane|hooves|claws|snout|muzzle|gills|fins|antlers|quills"
GARMENT_RX = "|".join(sorted(GARMENT_WORDS, key=len, reverse=True))
KINDS_RX = "|".join(sorted(KINDS, key=len, reverse=True))


@dataclass
class Look:
    """The story's own words for a character, sorted."""

    appearance: list[str]
    wardrobe: list[str]
    props: list[str]
    was: list[str] = field(default_factory=list)  # how it looked before a change the text tells ('no longer grey')


Span = tuple[tuple[int, int], "tuple[int, int] | None"]  # from (paragraph, sentence), up to another or the end
EVERYTHING: Span = ((0, 0), None)


def describe(person: Person, cast: Cast, reading: Reading, span: Span = EVERYTHING) -> Look:
    """What the story says the character looks like, wears and carries, from the sentences about it: those that
    name it, and those that open on a pronoun pointing to it ('She wore...'); only from the sentences of `span`
    (from (paragraph, sentence), up to another or the end), though a pronoun there may point to anyone named
    before it ('Forty years later we drove the same road. Her hair was white')."""
    look = Look([], [], [])
    recent: list[str] = []
    subject = f"(?:{person.pattern})"
    pronoun = {"m": "he", "f": "she"}.get(person.gender, "he|she|they") + ("|it" if person.kind != "human" else "")
    possessive = {"m": "his", "f": "her"}.get(person.gender, "his|her|their") + ("|its" if person.kind != "human" else "")
    possessive += "|my|our" if cast.is_storyteller(person.id) else ""  # 'my black apron was white with flour'
    start, end = span
    for at, sentence in (((b, i), s) for b, beat in enumerate(reading.beats) for i, s in enumerate(beat)):
        text = mask_quotes(sentence)
        named = cast.mentions(text)
        opener = re.match(r"^\W*(?:(?:[\w']+,?\s+){0,3}?(he|she|it)\b|(?:[\w']+,?\s+){0,3}?(his|her|its)\b)", text,
                          re.I)  # 'Thirty years later, her hair was silver'
        topic = named[:1] or ([cast.resolve(opener.group(1) or opener.group(2), recent)] if opener else [])
        animal = [c for c in reversed(recent) if cast.by_id[c].kind != "human"][:1]
        if not named and opener and animal and re.search(rf"\b(?:{ANIMAL_PARTS})\b", text, re.I):
            topic = animal  # 'He was eighty years old, with a shell like a cracked teapot': the tortoise
        recent += named
        if at < start or end is not None and at >= end:
            continue
        _relation_props(person, text, look)
        for m in re.finditer(rf"\b(he|she)\b[^.;]*?\b(?:in|wearing)\s+(?:a|an|his|her)\s+((?:[\w-]+\s+){{0,2}}?"
                             rf"(?:{GARMENT_RX}))\b", text, re.I):  # '..., where she sat by the window in a green shawl'
            if cast.resolve(m.group(1), recent, exclude=[n for n in named if n != person.id]) == person.id \
                    and person.id not in named[:1]:
                _add(look.wardrobe, m.group(2))
        if person.id not in named and person.id not in topic:
            continue
        _copula(rf"(?:{subject}|\b(?:{pronoun.title()})\b)" if topic == [person.id] else subject, text, look)
        _apposition(subject, text, look)
        enters = re.search(rf"{subject}\s+(?:[a-z]+\s+){{0,2}}?[a-z]+:\s+([^.;]+?){LIST_END}", text)
        if enters:  # a stage direction: 'The Clerk enters: fifties, green robe, a white wig slightly crooked'
            _file_items(enters.group(1), look, default=None)
        _introduced(subject, text, look, person.kind != "human", [n for n in named if n != person.id], cast)
        _changed_into(text, look)
        introduced = re.search(rf"\b(?:a|an)\s+((?:[\w-]+\s+){{0,3}}?(?:{NOUNS_RX}))\s+(?:named|called)\s+{subject}",
                               text)  # 'a red fox named Rufus'
        if introduced:
            _add(look.appearance, introduced.group(1))
        before = re.search(rf"\b(?:a|an|the|his|her|their|my|our)\s+((?:[a-z-]+\s+){{0,3}}?(?:{KINDS_RX}))\s+{subject}",
                           text)  # 'her old grey horse Juniper', 'the maintenance robot K-7'
        if before and person.kind != "human":
            _add(look.appearance, before.group(1))
        is_topic = topic == [person.id]
        _worn_and_had(rf"(?:{subject}|\b(?:{pronoun})\b)" if is_topic else subject, text, cast, look, person.id)
        _belongings(rf"(?:\b(?:{possessive})|{subject}'s)" if is_topic else rf"{subject}'s", text, look)
        for m in re.finditer(r"\b(?:in|wearing)\s+(?:a|an|his|her|their|its|the)\s+((?:(?!(?:in|wearing)\b)[\w-]+\s+){0,2}"
                             r"(?!(?:in|wearing)\b)[a-z-]+)\b", text):  # 'by the window in a green shawl', 'in the front row in a blue hat'
            wearer = _wearer(text, m.start(), cast)
            if not (wearer == person.id or wearer == "pronoun" and is_topic
                    or wearer == "subject" and (named[:1] == [person.id] or not named and is_topic)):
                continue  # 'a greyhound in a yellow vest, with a woman in a green raincoat': each wears their own
            if _garment(m.group(1)):
                rest = text[m.start(1) + len(_garment(m.group(1))):]
                made = re.match(rf"\s+of\s+({MATERIAL})", rest)  # 'in a waistcoat of green baize'
                made = made if made and any(is_colour(w) for w in made.group(1).split()) else None
                _add(look.wardrobe, f"{made.group(1)} {_garment(m.group(1))}" if made else _garment(m.group(1)))
                rest = rest[made.end():] if made else rest
                more = re.match(r"\s+and\s+(?:an?|his|her|their|its)\s+((?:[\w-]+\s+){0,2}[a-z-]+)", rest)
                if more and _garment(more.group(1)):  # 'in a straw hat and a blue shirt'
                    _add(look.wardrobe, _garment(more.group(1)))
                    rest = rest[more.start(1) + len(_garment(more.group(1))):]
                listed = re.match(rf"\s*,?\s*with\s+([^.;]+?){LIST_END}", rest)
                if listed:  # 'in a grey uniform with a torch on his belt'
                    _file_items(listed.group(1), look, default="")
    return look


def _wearer(text: str, at: int, cast: Cast) -> str | None:
    """Who wears what the text says at `at` ('in a green raincoat'): the being it follows ('a greyhound in a yellow
    vest, with a woman in a green raincoat': each their own), or after a comma the first being of the words before
    it ('the old man beside her, in a green anorak'; 'a girl was sitting beneath the heron, in an orange hoodie'); an
    apposition's ('the night guard, a broad, slow man in a grey uniform'). A character's id, None for a being the
    cast does not hold, 'pronoun' for he/she/it, 'subject' for the sentence's subject."""
    before = text[:at].rstrip()
    spans = [(m.start(), m.end(), p.id) for p in cast.people for m in re.finditer(p.pattern, before)]
    apposed = re.search(r",\s+(?:a|an)\s+(?:[\w-]+,?\s+){0,3}?[\w-]+$", before)
    if apposed:
        earlier = [(s, pid) for s, e, pid in spans if e <= apposed.start()]
        return max(earlier)[1] if earlier else None
    if before.endswith(","):
        chunk = re.search(r"[^,;:]*,$", before)
        words = list(re.finditer(r"[A-Za-z][\w'-]*", before[chunk.start():])) if chunk else []
        return next((who for w in words if (who := _being_at(before, chunk.start() + w.start(), w.group(), spans))
                     != "subject"), "subject")
    last = re.search(r"([A-Za-z][\w'-]*)$", before)
    return _being_at(before, last.start(), last.group(), spans) if last else "subject"


def _being_at(text: str, at: int, word: str, spans: list[tuple[int, int, str]]) -> str | None:
    """The being a word at a place is: a character's id, 'pronoun', None for a being the cast lacks, else 'subject'."""
    who = next((pid for start, end, pid in spans if start <= at < end), None)
    if who:
        return who
    if word.lower() in ("he", "she", "it", "him"):
        return "pronoun"
    return None if word.islower() and beings.is_being(word) else "subject"


def _worn_and_had(about: str, text: str, cast: Cast, look: Look, who: str) -> None:
    """'Mira ... wore a yellow raincoat and green boots', 'Rufus had a bushy tail and wore a green scarf'."""
    verbs = {"wardrobe": r"wore|wears|was wearing|is wearing|was dressed in|dressed in|had on|(?:pulled|pulls|pull|put|puts)"
                         r"\s+on", "": r"(?:had|has)(?!\s+been\b)"}  # 'it had been stretched' has nothing
    for default, verb in verbs.items():  # 'Piet, who was seventy, had ...': an aside may come between
        for m in re.finditer(rf"{about}((?:,?\s+(?!(?:he|she|they)\b)[\w'-]+,?){{0,8}}?)\s+(?:and\s+)?(?:{verb})\s+"
                             rf"([^.;]+?){LIST_END}", text, re.I):
            if re.search(r"\b(?:that|which)\s+$", text[:m.start()]):
                continue  # 'a green cardigan that he wore every day': what is worn is before it, not after
            if not set(cast.mentions(m.group(1))) - {who}:  # 'Mira saw that Tomas wore...' is not Mira's, but 'Grace
                _file_items(m.group(2), look, default=default)  # was the tallest girl ... and wore' is Grace's
    carried = r"[a-z]+\s+with|(?:always\s+|often\s+)?(?:carried|carries|was carrying|is carrying|held|holds)"
    for m in re.finditer(rf"{about}((?:,?\s+(?!(?:he|she|they)\b)[\w'-]+,?){{0,6}}?)\s+(?:and\s+)?(?:{carried})\s+"
                         rf"(?:a|an|his|her|their|its)\s+((?:[\w-]+\s+){{0,2}}?(?:{CARRIED_RX}))\b", text, re.I):
        if not set(cast.mentions(m.group(1))) - {who}:  # 'He walked with a wooden cane', 'always carried a black umbrella'
            _add(look.props, m.group(2))


def _belongings(owner: str, text: str, look: Look) -> None:
    """'his brass lantern' is a prop; 'her cloak was grey' is a grey cloak."""
    for m in re.finditer(rf"{owner}\s+((?:[\w-]+\s+){{0,3}}?(?:{CARRIED_RX}))\b", text):
        _add(look.props, m.group(1))
    for m in re.finditer(rf"{owner}\s+(?=((?:[\w-]+,?\s+){{0,2}}[\w-]+))", text, re.I):  # 'her red swimsuit bright'
        said = re.split(r"\s+(?:was|were|is|are|had|has|and|with)\b", m.group(1))[0].split()  # 'her cloak| was grey'
        last = max((i for i, w in enumerate(said) if _is_worn(w.lower())), default=None)
        if last is None:
            continue
        phrase = " ".join(said[:last + 1])
        after = text[m.start(1) + len(phrase):]
        gone = re.match(r"\s+(?:had\s+|has\s+)?(?:(?:long|since|now|all|quite)\s+)*(?:peeled|faded|gone|worn|fallen|"
                        r"vanished|rusted)\b(?:\s+(?:away|off))?(?:\s+(?:to|into)\s+([^,.;]+))?", after)
        if gone:  # 'its red paint had peeled away' is no longer how it looks; 'his orange paint has long since worn
            _file_items(gone.group(1) or "", look, default=None)  # away to bare silver metal': the metal is
            continue
        state = re.match(r"\s+(?:was|were|is|are|had\s+turned|turned|had\s+gone|went)\s+(?:the\s+colou?r\s+of\s+)?"
                         r"(?:[a-z]+\s+(?=[a-z]+\b(?!\s+[a-z])))?([a-z]+)", after)  # 'her hair had turned (snow) white'
        coated = state and re.match(r"\s+with\b", after[state.end():])  # 'my black apron was white with flour'
        state = state or re.match(r"\s+(?:[a-z]+\s+(?:and\s+)?)?([a-z]+)\b", after)  # 'her feathers speckled brown'
        state = state if state and (state.group().split()[0] in ("was", "were", "is", "are", "had", "turned", "went")
                                    or is_colour(state.group(1))) else None
        also = state and re.match(r"\s+and\s+([a-z]+)", after[state.end():])  # 'His fur was sleek and brown'
        state = state.group(1) if state and state.group(1) not in STOPWORDS | {"with"} else ""
        state += f" {also.group(1)}" if state and also and is_colour(also.group(1)) else ""
        if is_colour(state) and any(is_colour(w.lower()) for w in said[:last]):
            phrase = phrase if coated else " ".join(w for w in said[:last + 1] if not is_colour(w.lower()))
            state = "" if coated else state  # 'her red hair had turned white': white hair
        _file_items(f"{state} {phrase}".strip(), look, default=None)


def _is_worn(word: str) -> bool:
    """A garment or an outer part of a body by its commonest sense ('swimsuit', 'mittens', 'belly'), not one inside it
    ('heart') nor a thing that is a part only in another sense ('her chamber', 'her little golden plate')."""
    return is_garment(word) or is_part(word, commonest=True) and not beings.is_a(word, "internal organ")


def _copula(subject: str, text: str, look: Look) -> None:
    """'Bolt was a small robot with a dented head'; 'Cask is our maintenance android' and 'It was a large white goose'
    only when what it is is a being (not 'our only hope', 'it was a long night')."""
    m = re.search(rf"(?P<who>{subject})\s+(?:was|is)\s+(?:(?P<a>a|an)|our|my|their|his|her)\s+(?P<what>[^,.;]+?)"
                  rf"(?=\s+with\b|\s+who\b|\s+and\b|[,.;]|$)", text)
    if m and (m.group("a") and m.group("who").lower() != "it" or _being_head(m.group("what"))):
        _add(look.appearance, m.group("what"))
        _with_list(text[m.end():], look)
        if _being_head(m.group("what")):  # 'It was a ferret, white all over except for a brown mask'
            _said_after(text[m.end():], look)
        return
    m = re.search(rf"{subject}\s+(?:was|is)\s+(?:all\s+)?([a-z-]+(?:\s+and\s+[a-z-]+)?)\b", text)
    if m and all(is_colour(w) for w in m.group(1).split() if w != "and"):  # 'The Crow was black from ...'
        _add(look.appearance, m.group(1))
    # 'Oskar was twelve and tall for his age, with a striped jumper and a kite'
    m = re.search(rf"{subject}(?:,\s+who)?\s+(?:was|is)\s+(?:only\s+|just\s+|nearly\s+|almost\s+)?((?:{AGES}|old|young|tall|short|small|little|tiny|big|"
                  rf"huge|thin|slim|stout|plump)\b[^,.;]*?)(?=,?\s+with\b|[,.;]|$)", text)
    if m and len(m.group(1).split()) <= 6:
        age = re.match(rf"(?:{AGES})\b", m.group(1))
        _add(look.appearance, f"{age.group()} years old" if age else m.group(1).split(" and ")[0])
        _with_list(text[m.end():].lstrip(","), look)


AGES = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|" \
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|[1-9][0-9]?"


def _garment(phrase: str) -> str:
    """The words of a phrase up to its last garment ('green shawl' of 'green shawl by'), or ''."""
    worn = phrase.split()
    last = max((i for i, w in enumerate(worn) if is_garment(w)), default=None)
    return " ".join(worn[:last + 1]) if last is not None else ""


def is_garment(word: str) -> bool:
    """A thing worn: the word table's, or the dictionary's clothing ('anorak', 'oilskin', 'swimsuit')."""
    return word in GARMENT_WORDS or beings.is_a(word, "clothing") and not is_colour(word)  # not 'grey' (a uniform)


def _apposition(subject: str, text: str, look: Look) -> None:
    with_list = re.search(rf"{subject},\s+with\s+([^.;]+?){LIST_END}", text)  # 'a dragon called Umber, with bronze scales'
    if with_list:
        _file_items(with_list.group(1), look, default=None)
    m = re.search(rf"{subject},\s+(?:a|an|the)\s+((?:[a-z-]+,\s+){{1,2}}[^,.;]+?)(?:\s+(?:with|in)\s+([^.;]+?))?(?:,|\.|$)",
                  text)  # 'the night guard, a broad, slow man in a grey uniform' (adjectives before a being)
    if not m or not beings.is_being(m.group(1).split()[-1].lower()):
        m = re.search(rf"{subject},\s+(?:a|an|the)\s+([^,.;]+?)(?:\s+(?:with|in)\s+([^.;]+?))?(?:,|\.|$)", text)
    if m and len(m.group(1).split()) <= 5:
        _add(look.appearance, re.sub(r"\s+(?:named|called)\s+.*$", "", m.group(1)))  # 'a thin man called Oskar'
        if m.group(2):
            _file_items(m.group(2), look, default=None)


# A change of form the text tells ('no longer a grey bird, but a swan'; not 'no longer afraid'): from it on, the being
# looks as the sentence says.
CHANGE = re.compile(r"\bno\s+longer\s+(?:a|an)\b|\b(?:was|were|is)\s+no\s+[\w-]+,?\s+but\b|\b(?:turned|changed)\s+into\b"
                    r"|\b(?:been|was|were|got)\s+[a-z]+ed\s+into\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?(?P<part>[a-z]+)"
                    r"(?=\s*[,.;:!?]|\s+(?:with|and)\b|$)", re.I)


def _changes(text: str) -> bool:
    """Whether a sentence tells a change of form: 'turned into', 'no longer a ...', or a part of a body made into
    another ('It had been stretched into a really truly trunk'; not 'he was pushed into a pond')."""
    return any(not m.group("part") or is_part(m.group("part").lower()) for m in CHANGE.finditer(text))


def _changed_into(text: str, look: Look) -> None:
    """'no longer a dark grey bird, ugly and disagreeable, but a graceful swan, with white feathers': the new look
    (and, in `was`, the old one); 'he was no frog, but a king's son with kind and beautiful eyes'."""
    if not _changes(text):
        return
    m = re.search(rf"\b(?:but|into)\s+(?:a|an)\s+([^,.;]+?)(?:,?\s+with\s+([^.;]+?))?{LIST_END}", text)
    if m:
        _add(look.appearance, re.split(r"\s+with\b", m.group(1))[0])
        if m.group(2):
            _file_items(m.group(2), look, default="")
    old = re.search(r"\bno\s+longer\s+(?:a|an)\s+([^;.]+?),?\s+but\b", text)
    for item in old.group(1).split(", ") if old else ():
        _add(look.was, item)


def _being_head(phrase: str) -> bool:
    """Whether a phrase's last word is a being that is not a person ('large white farmyard goose', 'android')."""
    return beings.species(phrase.split()[-1].lower()) is not None


def _introduced(subject: str, text: str, look: Look, creature: bool, others: list[str], cast: Cast) -> None:
    """How a being the story brings in looks, said after its noun: 'a carp as long as Pearl's arm, with scales like
    old gold coins', 'a great crested newt, black as a wet boot, with an orange belly', 'a greyhound in a yellow vest,
    long and grey as a shadow', 'one Rhinoceros with a horn on his nose', 'A heron stood on the bank, grey as a rain
    cloud'; and the words before a creature's noun ('great crested newt'), never a name's ('a red fox named Rufus').
    Not an apposition to someone `others` names ('The ward sister came round, a small quick woman in a dark blue
    tunic'), nor what another is ('The conductor is a tall woman with silver hair')."""
    for m in re.finditer(subject, text):
        own = re.match(r"(?:[Aa]n?|[Oo]ne)\s+(.+)$", m.group())  # a pattern with its article: 'a great crested newt'
        before = re.search(r"\b[Oo]ne\s+$", text[:m.start()]) or m.group()[:1].islower() and re.search(
            r"\b[Aa]n?\s+((?:(?!(?:a|an|and|or|the|of|with|in|as|named|called)\b)[a-z-]+\s+){0,3}?)$", text[:m.start()])
        if not own and not before:
            if re.search(r"\b(?:called|named)\s+$", text[:m.start()]):
                _said_after(text[m.end():], look)  # 'a big shire mare called Duchess, black with white feathers'
            continue  # 'the carp' again: not where it is brought in
        opening = m.start() if own else before.start()
        if re.search(r"(?:,|\b(?:is|was))\s*$", text[:opening]) and set(cast.mentions(text[:opening])) & set(others):
            continue  # 'The ward sister came round, a small quick woman in a blue tunic', 'The conductor is a tall
            # woman with silver hair': the sister's, the conductor's
        if re.search(r"\bno(?:\s+longer)?\s*$", text[:opening]):
            continue  # 'no longer a slimy green frog': how it looked before (see _changed_into)
        words = own.group(1) if own else f"{before.group(1) if before.groups() else ''}{m.group()}"
        if creature and len(words.split()) > 1:
            _add(look.appearance, words)
        rest = text[m.end():]
        acts = re.match(r"(?:\s+[\w']+){1,6}?(?=,\s*(?:[a-z-]+\s+(?:and\s+[a-z-]+\s+)?as\b|with\b))", rest)
        if acts and not cast.mentions(acts.group()) and not any(beings.is_being(w) for w in acts.group().split()):
            rest = rest[acts.end():]  # 'A heron stood on the bank, grey as a rain cloud, with a black streak'
        _said_after(rest, look)


def _said_after(rest: str, look: Look) -> None:
    """What the words after a being's noun say of its look: similes ('black as a wet boot': the colour, not the boot),
    colours ('white all over'), a garment ('in a yellow vest'), then a list ('with ...', 'except for ...')."""
    for _ in range(3):
        simile = re.match(r"\s*,?\s*(?:as\s+)?((?:[a-z-]+\s+and\s+)?[a-z-]+)\s+as\s+[^,.;]*?(?=[,.;]|\s+with\b|$)", rest)
        colour = re.match(r"\s*,\s*([a-z-]+(?:\s+and\s+[a-z-]+)?)(?:\s+all\s+over)?(?=\s*[,.;]|\s+except\b|\s+with\b|$)",
                          rest)
        colour = colour if colour and all(is_colour(w) for w in colour.group(1).split() if w != "and") else None
        worn = re.match(r"\s*,?\s*(?:in|wearing)\s+(?:an?|the)\s+((?:[\w-]+\s+){0,2}[a-z-]+)\b", rest)
        garment = worn and _garment(worn.group(1))
        if simile or colour:
            _add(look.appearance, " ".join(w for w in (simile or colour).group(1).split() if w != "and"))
        elif garment:
            _add(look.wardrobe, garment)
        else:
            break
        rest = rest[(simile or colour or worn).end():]
    listed = re.match(rf"\s*,?\s*(?:with|except\s+for)\s+([^.;]+?){LIST_END}", rest)
    if listed:
        _file_items(listed.group(1), look, default="")


def _with_list(rest: str, look: Look) -> None:
    m = re.match(rf"\s+with\s+([^.;]+?){LIST_END}", rest)
    if m:
        _file_items(m.group(1), look, default=None)


def _relation_props(person: Person, text: str, look: Look) -> None:
    """'her grandfather's brass lantern' is the grandfather's lantern."""
    for relation in person.relations:
        for m in re.finditer(rf"\b{relation}'s\s+((?:[\w-]+\s+){{0,3}}?(?:{CARRIED_RX}))\b", text):
            _add(look.props, m.group(1))


def _file_items(phrase: str, look: Look, default: str | None) -> None:
    """Sort 'a white beard and a blue wool sweater' into appearance and wardrobe by each item's last word; an item
    of no known kind goes to `default`: 'wardrobe', None (appearance), or '' (dropped: 'had three daughters')."""
    for item in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+with\s+", phrase):
        item = re.split(r"\s+(?:he|she|they|that|which|who|from|made)\b", item)[0]  # 'a kite he had built himself'
        item = re.sub(r"^.*\b(?:carried|carries|held|holds|had|has|wore|wears)\s+", "", item)  # '... always carried a'
        item = " ".join(w for w in item.split() if w.lower() not in ARTICLES)
        item = _as_part(_of_material(item))
        said = item.split()
        ends = [i for i, w in enumerate(said) if " like " not in item and _is_look_word(w.lower())]
        if ends and any(beings.is_being(w.lower()) and said[i + 1].lower() in ("in", "wearing", "with")
                        for i, w in enumerate(said[:ends[0]])):
            continue  # 'with a man in a brown suit': someone else, in their own clothes (not 'a camel coat')
        if ends:  # 'brown curls sold me a bicycle': the item ends with its first run of look words
            run = ends[0]
            while run + 1 in ends:
                run += 1
            item = " ".join(said[:run + 1])
        head = item.split(" like ")[0].split()[-1].lower() if item else ""
        if not head or item.lower() in BARE:
            continue  # 'wiped his eyes' says nothing of how they look
        if is_garment(head) and not is_part(head, commonest=True):  # 'fur' is a coat of hair before a fur coat
            _add(look.wardrobe, item)
        elif head in PROP_WORDS:
            _add(look.props, item)
        elif is_part(head) or default is None:
            _add(look.appearance, item)
        elif default == "wardrobe":
            _add(look.wardrobe, item)
        elif default == "props":
            _add(look.props, item)


def _of_material(text: str) -> str:
    """A garment said with its colour after it, in the words that draw it: 'waistcoat of green baize' -> 'green baize
    waistcoat', 'a cloak of deep purple wool, and ...' -> 'a deep purple wool cloak, and ...'; other text as it is."""
    m = re.match(rf"(.*?)([\w-]+)\s+of\s+({MATERIAL})", text)
    if not m or not is_garment(m.group(2).lower()) or not any(is_colour(w) for w in m.group(3).split()):
        return text
    return f"{m.group(1)}{m.group(3)} {m.group(2)}{text[m.end():]}"


# What a garment is made of, up to the end of its phrase: 'green baize', 'deep purple wool'.
MATERIAL = r"(?:[a-z-]+\s+){0,2}?[a-z-]+(?=\s*[,.;:!?]|\s+(?:and|with|that|which)\b|$)"


def _as_part(item: str) -> str:
    """A part said by likeness, in the words that draw it: 'scales like old gold coins' -> 'gold scales like coins',
    'green lamps for eyes' -> 'green eyes like lamps'; any other item as it is."""
    like = re.match(r"(.+?)\s+like\s+(.+)$", item)
    if like and len(like.group(1).split()) <= 3 and not STOPWORDS & set(like.group(1).lower().split()) \
            and is_part(like.group(1).split()[-1].lower()):  # not 'the ring over its tail like a bracelet'
        said = like.group(2).split()
        colours = [w for w in said[:-1] if is_colour(w.lower())]
        return " ".join(colours + like.group(1).split() + ["like", said[-1]])
    used = re.match(r"(?:(?:one|two|a|an)\s+)?((?:[\w-]+\s+)*?)([\w-]+)\s+for\s+(?:an?\s+)?([a-z]+)$", item)
    if used and is_part(used.group(3)):
        return f"{used.group(1)}{used.group(3)} like {used.group(2)}"
    return item


def _is_look_word(word: str) -> bool:
    return is_garment(word) or word in PROP_WORDS or is_part(word)


@lru_cache(maxsize=4096)
def is_part(word: str, commonest: bool = False) -> bool:
    """A part, a covering or a marking of a body, the word table's or the dictionary's ('antennae', 'crest', 'belly',
    'stripe')."""
    forms = dict.fromkeys((word, word.removesuffix("s")))
    return word in BODY_WORDS or any(beings.is_a(form, ancestor, commonest) for form in forms
                                     for ancestor in ("body part", "body covering", "organ", "marking"))


@lru_cache(maxsize=4096)
def is_colour(word: str) -> bool:
    """A colour or a metal a look is said in: the word table's, or the dictionary's ('gold', 'brass', 'jet')."""
    return word in COLOURS or any(beings.is_a(word, ancestor) for ancestor in ("color", "metal", "alloy"))


def _add(items: list[str], phrase: str) -> None:
    """Add a short phrase once, without its leading article ('a white beard' -> 'white beard')."""
    kept = phrase.strip(" ,.").split()
    while kept and kept[0].lower() in ARTICLES:
        kept.pop(0)
    phrase = " ".join(kept)
    if not phrase or len(kept) > 6 or any(i.lower() == phrase.lower() or i.lower().endswith(" " + phrase.lower())
                                          for i in items):
        return  # 'umbrella' after 'black umbrella' is the same umbrella
    shorter = [i for i in items if phrase.lower().endswith(" " + i.lower())]
    if shorter:
        items[items.index(shorter[0])] = phrase
    else:
        items.append(phrase)


def character_of(person: Person, cast: Cast, reading: Reading, span: Span = EVERYTHING) -> Character:
    """The character sheet: the story's own words for its look, completed from a hash of the id where the story
    is silent, so that every keyframe draws the same person; a being that is not human keeps its kind."""
    look = describe(person, cast, reading, span)
    if person.name.startswith("the ") and len(person.name.split()) > 2 and \
            person.name[4:].lower() not in (a.lower() for a in look.appearance):
        look.appearance.insert(0, person.name[4:])  # 'the old lamplighter', 'a huge brown bear': how it looks
    said = " ".join(look.appearance).lower()
    kind = kind_of(person, look.appearance, " ".join(s for beat in reading.beats for s in beat))
    creature = kind != "human" or any(re.search(rf"\b{c}\b", said) for c in CREATURES) or \
        person.descriptor in CREATURES
    old = bool(re.search(r"\b(?:old|elderly)\b", f"{said} {person.name.lower()}"))
    age = re.search(r"\b(\w+) years old\b", said)
    child = bool(age) and age.group(1) in AGES.split("|")[:12]  # 'only six': a child, not a young woman
    old = old and not age or bool(age) and age.group(1) in ("sixty", "seventy", "eighty", "ninety")
    appearance, wardrobe = fallback_look(person, old=old, child=child)
    if look.appearance and (creature or any(w in BODY_WORDS for w in re.findall(r"[a-z]+", said))):
        appearance = ", ".join(look.appearance)
    elif look.appearance:  # 'baker' alone does not fix a face: add hair that stays the same
        lead = appearance.split(", ")[:1] if child else []  # 'young girl, six years old, ...'
        appearance = ", ".join(lead + look.appearance + appearance.split(", ")[1:])
    elif creature:  # a hedgehog the story does not describe is still a hedgehog, not a person with hair
        appearance = person.name.removeprefix("the ") if person.name.startswith("the ") else person.descriptor or kind
    if look.wardrobe or creature:
        wardrobe = ", ".join(look.wardrobe)  # a fox or a robot wears nothing the story did not give it
    return Character(id=person.id, name=person.name, kind=kind, appearance=appearance, wardrobe=wardrobe,
                     props=look.props)


# A season that comes or passes ('after the winter', 'when spring came', 'when the summer had passed').
SEASON_TURN = re.compile(r"\b(?:after|when|once|until|by\s+the\s+time)\s+(?:the\s+|that\s+)?"
                         r"(?:long\s+|hard\s+|cold\s+)?([a-z]+)"
                         r"\s+(?:came|had\s+come|passed|had\s+passed|was\s+over|had\s+gone|ended|returned)\b"
                         r"|\bafter\s+(?:the|that)\s+(?:long\s+|hard\s+|cold\s+)?([a-z]+)\b", re.I)


def is_skip(sentence: str) -> bool:
    """Whether a sentence jumps far enough in time, or tells a change of form, to change how someone looks."""
    text = mask_quotes(sentence)
    return bool(TIME_SKIP.search(text) or _changes(text)) or any(
        beings.is_a(w.lower(), "season") for m in SEASON_TURN.finditer(text) for w in m.groups() if w)


# A jump in time long enough to change how someone looks: 'Forty years later', 'Decades passed', 'When she was old'.
TIME_SKIP = re.compile(r"\b(?:[\w-]+\s+)?(?:years|decades|generations)\s+(?:later|on|passed|went by|had passed)\b"
                       r"|\blong\s+years\s+after\b|\bwhen\s+(?:she|he|they)\s+(?:was|were)\s+(?:old|grown|grown up|an old)\b"
                       r"|\bby\s+the\s+time\s+(?:she|he|they|[A-Z]\w+)\s+(?:was|were)\s+(?:[a-z]+ty|old|grown)\b"
                       r"|\b(?:grew|had grown)\s+old\b|\bin\s+(?:her|his|their)\s+old\s+age\b", re.I)


def character_over_time(person: Person, cast: Cast, reading: Reading, scene_of) -> Character:
    """The character sheet of each period the story's time skips make: the look the story gives before the first
    skip, and a later look from the scene of each skip after which the story describes the character anew ('Forty
    years later, Nell's hair was white'). `scene_of(paragraph, sentence)` is the id of the scene holding a sentence."""
    skips = {(b, i) for b, beat in enumerate(reading.beats) for i, s in enumerate(beat) if is_skip(s)}
    shifts = {(b, i) for b, beat in enumerate(reading.beats) for i, s in enumerate(beat) if TIME_SHIFT.match(mask_quotes(s))}
    cuts = sorted((skips | shifts) - {(0, 0)})
    if not cuts:
        return character_of(person, cast, reading)
    periods = list(zip([(0, 0)] + cuts, cuts + [None]))
    sheets = [character_of(person, cast, reading, period) for period in periods]
    looks = [describe(person, cast, reading, period) for period in periods]
    seen = next((at for at, text in (((b, i), t) for b, beat in enumerate(reading.beats) for i, t in enumerate(beat))
                 if re.search(person.pattern, mask_quotes(text))), (0, 0))
    begin = max(n for n, (start, _) in enumerate(periods) if start <= seen)  # the period it is first seen in
    first, later = sheets[begin], []
    for n, (cut, sheet, look) in list(enumerate(zip(cuts, sheets[1:], looks[1:]), start=1))[begin:]:
        said_before = [w for earlier in looks[:n] for w in earlier.appearance + earlier.wardrobe]
        if cut not in skips and not _changed(said_before, look.appearance + look.wardrobe):
            continue  # 'By winter its paint had peeled': a shorter jump in time changes a look only when it says so
        if look.was and not any(w in (later[-1] if later else first).appearance for w in look.was):
            # 'no longer a dark grey bird': how it looked until then
            if later:
                later[-1].appearance = ", ".join(look.was + [later[-1].appearance])
            else:
                first = first.model_copy(update={"appearance": ", ".join(look.was + [first.appearance])})
        if look.appearance or look.wardrobe:
            previous = later[-1] if later else first
            appearance = sheet.appearance if look.appearance else previous.appearance
            if cut not in skips and look.appearance:  # a change of one thing keeps the rest of the look
                changed = {item.split()[-1] for item in look.appearance}
                appearance = ", ".join(list(look.appearance) + [item for item in previous.appearance.split(", ")
                                                               if item.split()[-1] not in changed])
            later.append(LaterLook(from_scene=scene_of(*cut), appearance=appearance,
                                   wardrobe=sheet.wardrobe if look.wardrobe else previous.wardrobe))
    if not later:
        return character_of(person, cast, reading)
    props = list(dict.fromkeys(first.props + [p for sheet in sheets[1:] for p in sheet.props]))
    return first.model_copy(update={"props": props, "later_looks": later})


def _changed(before: list[str], after: list[str]) -> bool:
    """Whether a later description says something else of a thing described before ('rusty red body', 'grey body')."""
    heads = {item.split()[-1].lower(): item.lower() for item in before if item}
    return any(item.split()[-1].lower() in heads and heads[item.split()[-1].lower()] != item.lower()
               for item in after if item)


def kind_of(person: Person, appearance: list[str], reading_says: str = "") -> str:
    """What the character is: the kind its noun gives ('a red fox named Rufus'), else the head noun of the story's
    description of it ('Bolt was a small robot with a dented head'; not the fox of 'girl in a fox-fur hat'), else
    the animal its name is where the story calls it 'the <Name>' (a fable's 'the Badger') or the name ends in one
    ('Jemima Puddle-duck'), else human. A myth's name for a real animal ('a bearded dragon') yields to the animal its
    look names ('a sandy yellow lizard'). `reading_says`: the story's text."""
    if person.kind != "human":
        real = beings.body_plan(person.kind) == "dragon" and next(
            (k for k in map(_kind_of_phrase, appearance) if k and beings.body_plan(k) not in ("dragon", "human")), None)
        return real or person.kind  # 'a bearded dragon ... a sandy yellow lizard': a lizard, not a dragon
    name = person.name.split()
    if name and (person.name.startswith("the ") or "-" in name[-1] or
                 re.search(rf"\bthe\s+(?:[a-z]+\s+)?{re.escape(person.name)}\b", reading_says)):
        named = _kind_of_phrase(name[-1], name=True)  # a fable's 'the Badger', 'the little Swallow', 'the Kolokolo
        if named:  # Bird'; 'Jemima Puddle-duck'
            return named
    return next((k for k in map(_kind_of_phrase, appearance) if k), "human")


def _kind_of_phrase(phrase: str, name: bool = False) -> str | None:
    """The kind a phrase's head noun names, the last part of a compound ('collie-dog' is a dog), only where the
    noun's commonest sense is a being ('a wise head' is none) or the noun is a name (the Swallow); None for a person
    or no being."""
    head = re.split(r"\s+(?:with|of|who|in|from)\b", phrase.lower())[0].split()
    if not head or is_colour(head[-1]):
        return None  # 'grey' is a colour before it is a grey horse
    for word in dict.fromkeys((head[-1], head[-1].split("-")[-1])):
        table = KINDS.get(word, "")
        if table and table not in ("bird", "fish", "creature"):
            return table
        if (name or beings.is_being(word)) and beings.species(word) or table:  # 'Willow, the greyhound': a dog; 'a hen': a chicken
            return beings.species(word) or table
    return None


def fallback_look(person: Person, old: bool = False, child: bool = False) -> tuple[str, str]:
    """A plausible fixed look for a character the story does not describe, derived from a hash of its id."""
    h = hashlib.sha256(person.id.encode()).digest()
    elders = ("grandfather", "grandmother", "grandpa", "grandma", "granny", "gran", "nana")
    child = child or person.descriptor in ("girl", "boy", "child", "kid", "lad", "lass", "toddler", "baby")
    elderly = old or any(r in elders for r in person.relations) or person.name.lower() in elders
    age = "elderly" if elderly else "young" if child else ["young", "middle-aged", "young", "elderly"][h[0] % 4]
    noun = person.descriptor if PERSON_NOUNS.get(person.descriptor) else \
        {"m": "man", "f": "woman"}.get(person.gender, person.descriptor or "person")
    if child or any(r in ("grandson", "granddaughter", "nephew", "niece", "son", "daughter") for r in person.relations) \
            and old is False and not elderly and age == "middle-aged":
        age = "young" if not child else age  # a grandson is no middle-aged man
    if child:
        noun = {"m": "boy", "f": "girl"}.get(person.gender, "child")
    hair = ["grey", "white", "silver"][h[1] % 3] if age == "elderly" else \
        ["black", "brown", "auburn", "fair", "chestnut", "dark"][h[1] % 6]
    style = ["short", "curly", "long", "wavy", "cropped", "tied-back"][h[2] % 6]
    colours = ["navy", "rust-red", "mustard", "forest-green", "slate-blue", "plum", "ochre", "charcoal"]
    top = ["coat", "jacket", "sweater", "cloak", "tunic", "waistcoat"][h[3] % 6]
    low = ["trousers", "skirt" if person.gender != "m" else "trousers", "boots", "scarf"][h[4] % 4]
    return (f"{age} {noun}, {style} {hair} hair",
            f"{colours[h[5] % 8]} {top}, {colours[(h[5] + 3 + h[6] % 4) % 8]} {low}")
