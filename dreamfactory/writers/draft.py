"""The offline draft writer: a deterministic screenwriter that reads the story itself (no model, no network).

It answers every phase of the studio from the story text: the brief from the title line and keyword tables, the
cast from the proper names and the sentences that describe them, one scene per beat (paragraph) with setting,
time, environment, dialogue and speakers read from the prose, a rule-based review, and a storyboard built from the
scenes. The same story always gives the same screenplay. Sections, top to bottom:

    vocabulary        the word tables (data, kept apart from the logic)
    reading           title, paragraphs, sentences, speech and its attribution
    cast              who the characters are, what they look like and carry
    brief, design     the CEO's and the Director's answers
    scenes            the Screenwriter's scene plans, and their revision
    review            the Reviewer's rule-based notes
    storyboard        the Filmmaker's Base Description and keyframe prompts
    condense          the extractive shortening of a passage
    DraftWriter       the Writer: dispatch on the requested output type
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from ..agents.phases import (
    Brief,
    Condensed,
    Design,
    Review,
    ReviewNote,
    ScenePlan,
    ScenePlans,
    SceneShots,
    Storyboard,
)
from ..errors import WritingError
from ..screenplay import BaseDescription, Character, DialogueLine, Shot, StyleGuide
from .base import PhaseReply, PhaseRequest, Usage

# Bump whenever what the writer answers changes: it enters every phase's cache key through `identity`.
DRAFT_VERSION = 1

# ================================================================================================ vocabulary

SPEECH_VERBS = (
    "said says say cried cries asked asks whispered whispers shouted shouts replied replies answered answers "
    "called calls yelled yells murmured murmurs laughed laughs added exclaimed muttered sighed told began "
    "continued screamed sang declared insisted explained wondered pleaded promised warned agreed gasped snapped "
    "growled roared breathed whimpered mumbled repeated announced admitted begged boomed chuckled giggled "
    "grumbled hissed howled smiled grinned nodded sobbed stammered"
).split()
_SPEECH = "|".join(SPEECH_VERBS)

# Capitalised words that are never a character's name on their own.
NOT_NAMES = set(
    "I A An The And But Or So Then When While After Before As At In On Of To From With Without By For Into "
    "Inside Outside Far Near All One Two Three Every Each Some Many Much More Most No Not Yes Oh Ah Hello Goodbye "
    "He She It They We You His Her Its Their Our Your My Me Him Them Us This That These Those There Here Where What "
    "Who Why How Which Once Suddenly Soon Later Now Still Just Only Even If Because Until Though Although Yet Also "
    "Above Below Over Under Up Down Out Around Across Through Behind Beyond Between Among Along During Since Like "
    "Let Do Don't Did Does Is Was Were Are Be Been Have Has Had Can Could Will Would Shall Should May Might Must "
    "Please Thank Thanks Maybe Perhaps Well Again Never Always Sometimes Every Everyone Everything Nothing Nobody "
    "Somewhere Someone Something Another Other Both Either Neither Next Last First Finally Meanwhile Together Alone "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March July August September October "
    "November December Christmas Easter Halloween God Heaven Grandfather Grandmother Grandpa Grandma Granny Mother "
    "Father Mum Mom Dad Papa Mama Sir Madam Miss Mister Master Mistress English French German Spanish Italian"
    .split()
)
TITLES = set("Mr Mrs Ms Dr Doctor Captain King Queen Prince Princess Lady Lord Sir Aunt Uncle Professor Old Little "
             "Saint St Brother Sister Father Mother Grandpa Grandma Granny Madame Señor Master".split())
RELATIONS = {
    "grandfather": "m", "grandpa": "m", "father": "m", "dad": "m", "brother": "m", "uncle": "m", "son": "m",
    "husband": "m", "nephew": "m", "grandson": "m", "grandmother": "f", "grandma": "f", "granny": "f",
    "mother": "f", "mum": "f", "mom": "f", "sister": "f", "aunt": "f", "daughter": "f", "wife": "f", "niece": "f",
    "granddaughter": "f", "friend": "", "cousin": "", "neighbour": "", "neighbor": "", "teacher": "",
    "master": "", "apprentice": "", "companion": "", "dog": "", "cat": "", "horse": "", "pet": "",
}
PERSON_NOUNS = {
    "girl": "f", "woman": "f", "lady": "f", "queen": "f", "princess": "f", "witch": "f", "mother": "f",
    "grandmother": "f", "daughter": "f", "sister": "f", "aunt": "f", "wife": "f", "widow": "f", "maid": "f",
    "boy": "m", "man": "m", "king": "m", "prince": "m", "wizard": "m", "father": "m", "grandfather": "m",
    "son": "m", "brother": "m", "uncle": "m", "husband": "m", "gentleman": "m", "monk": "m", "fisherman": "m",
    "child": "", "keeper": "", "traveller": "", "traveler": "", "stranger": "", "knight": "", "sailor": "",
    "farmer": "", "soldier": "", "robot": "", "detective": "", "hero": "", "captain": "", "pilot": "",
    "hunter": "", "shepherd": "", "merchant": "", "doctor": "", "teacher": "", "baker": "", "student": "",
    "explorer": "", "pirate": "", "dragon": "", "fox": "", "bear": "", "wolf": "", "cat": "", "dog": "",
    "mouse": "", "rabbit": "", "owl": "", "giant": "", "elf": "", "orphan": "", "wanderer": "", "pilgrim": "",
    "musician": "", "painter": "", "scientist": "", "astronaut": "", "keeper's": "", "creature": "",
}
BODY_WORDS = set(
    "hair beard moustache mustache eyes eye freckles skin face nose cheeks braids braid plaits curls ponytail bun "
    "scar smile teeth ears tail fur feathers wings horns whiskers spots stripes build shoulders hands arms legs "
    "limp mane paws claws beak complexion wrinkles tattoo tattoos voice forehead chin lips eyebrows".split()
)
GARMENT_WORDS = set(
    "raincoat coat overcoat boots boot shoes sweater jumper apron dress hat cap cloak cape scarf shirt trousers "
    "pants jeans jacket gloves mittens uniform robe robes gown skirt tunic armour armor helmet vest waistcoat "
    "shawl hood hoodie overalls sandals slippers socks stockings belt tie suit glasses spectacles goggles crown "
    "necklace earrings ring bracelet ribbon bonnet veil kimono sari kilt poncho blouse cardigan pyjamas pajamas "
    "nightgown mask headscarf turban bandana collar sneakers trainers clogs beret".split()
)
PROP_WORDS = set(
    "lantern lamp sword staff stick cane book bag backpack satchel basket umbrella map key compass camera flute "
    "guitar violin wand bow spear shield axe hammer pipe notebook pencil brush knife rope net rod torch candle "
    "kite ball doll teddy bucket letter box chest bottle telescope spyglass shell pendant locket medallion phone "
    "radio sketchbook paintbrush fiddle harp drum whistle bell crook lute scroll journal diary".split()
)
CREATURES = set("robot android fox bear wolf cat dog mouse rabbit owl dragon creature horse bird cow pig goat "
                "sheep frog toad hedgehog badger squirrel lion tiger elephant monkey duck goose swan whale fish "
                "unicorn troll".split())
ARTICLES = set("a an the his her their its my our your some one two this that these those".split())

# Where a scene takes place: specific spots, broad areas, vehicles and the parts of a building.
SPOTS = set(
    "lighthouse market marketplace workshop castle palace tower house cottage hut cabin shop bakery inn tavern "
    "library school church temple station museum factory farm barn mill garden field meadow beach shore cave "
    "bridge street square road path dock docks pier quay port classroom hospital laboratory lab office stable "
    "camp clearing ruins graveyard cemetery theatre theater arena courtyard playground park orchard "
    "chapel monastery fortress harbourside wharf lane alley plaza cafe restaurant hotel studio forge smithy "
    "greenhouse zoo circus fairground".split()
)
AREAS = {
    "sea": "on", "ocean": "on", "island": "on", "town": "in", "city": "in", "village": "in", "harbour": "in",
    "harbor": "in", "forest": "in", "woods": "in", "jungle": "in", "mountain": "on",
    "mountains": "in", "hills": "in", "hill": "on", "valley": "in", "desert": "in", "river": "on", "lake": "on",
    "coast": "on", "kingdom": "in", "countryside": "in", "space": "in", "planet": "on",
    "bay": "on", "swamp": "in", "marsh": "in", "plains": "on", "tundra": "on", "glacier": "on",
}
VEHICLES = set("boat ship train car bus cart raft canoe spaceship starship rocket plane balloon carriage wagon "
               "sleigh submarine ferry yacht".split())
DETAILS = {
    "window": "by", "stairs": "on", "staircase": "on", "roof": "on", "balcony": "on", "deck": "on",
    "doorway": "in", "door": "at", "room": "in", "bedroom": "in", "kitchen": "in", "attic": "in", "cellar": "in",
    "hall": "in", "hallway": "in", "corridor": "in", "basement": "in", "porch": "on", "bed": "in",
}
LIGHT_ADJECTIVES = set("dim dark bright gloomy shadowy sunny sunlit lit darkened misty".split())
# A place word after these is where someone goes, not where the scene is.
AWAY_WORDS = set("towards toward to across beyond past about for".split())
SEEING_WORDS = set("saw see sees watched watch spotted noticed remembered remember imagined dreamed dreamt thought "
                   "heard story tale".split())

TIMES = [
    ("dawn", r"dawn|daybreak|sunrise|first light"),
    ("morning", r"morning|breakfast"),
    ("noon", r"noon|midday|lunchtime"),
    ("afternoon", r"afternoon"),
    ("dusk", r"dusk|sunset|twilight|nightfall"),
    ("evening", r"evening|supper"),
    ("night", r"night|midnight|tonight|moonlight|moonlit"),
]
LIGHT_OF_TIME = {
    "dawn": "pale dawn light", "morning": "soft morning light", "noon": "bright midday sun",
    "afternoon": "warm afternoon light", "dusk": "orange dusk glow", "evening": "fading evening light",
    "night": "deep night darkness",
}
WEATHER = [
    ("storm", r"storms?|stormy"), ("thunder", r"thunder\w*"), ("lightning", r"lightning"),
    ("rain", r"rain|rains|raining|rainy|drizzle"), ("snow", r"snow|snowing|snowy|snowfall"),
    ("wind", r"wind|winds|windy|gale"), ("fog", r"fog|foggy|mist|misty"), ("clouds", r"clouds?|cloudy"),
    ("sunshine", r"sunshine|sunny|sunlight"),
]
LIGHT_SOURCES = set("lamp lantern furnace fire candle candles beam torch sparks moon stars fireplace hearth lamps "
                    "lights light".split())
FEATURES = set(
    "waves lamp lens furnace sparks fish baskets nets fishermen crowd stalls seagulls gulls birds trees "
    "flowers rocks sand fire fireplace candles books shelves tables glass bubble anvil bench workbench boats "
    "ships sails cliffs snowflakes leaves puddles chimney smoke bells banners clock".split()
)

GENRES = [
    ("fantasy", "dragon magic witch wizard spell fairy enchanted knight princess unicorn troll elf potion sorcerer "
                "curse wand"),
    ("science fiction", "robot space spaceship planet alien galaxy rocket android laser starship orbit asteroid "
                        "cyborg"),
    ("mystery", "detective murder clue mystery suspect thief stolen crime investigate police vanished"),
    ("horror", "ghost haunted monster vampire zombie terror corpse"),
    ("comedy", "silly joke funny prank giggle"),
    ("romance", "love kiss wedding romance sweetheart"),
    ("adventure", "storm sea journey voyage island treasure quest ship explore mountain sail rowed expedition "
                  "jungle wave"),
]
TONES = [
    ("tense", "storm thunder danger afraid fear cracked scream flicker dark trembl"),
    ("hopeful", "hope light new dawn shone shine bright together rescue"),
    ("warm", "smile laugh home hug grandfather grandmother friend warm kind"),
    ("wistful", "remember old memory far away alone lonely"),
    ("eerie", "ghost shadow whisper fog mist silent cold"),
    ("playful", "giggle play dance joke silly"),
    ("sombre", "died death grief tears funeral lost"),
]
LOOKS = {
    "fantasy": "storybook watercolour", "adventure": "storybook watercolour",
    "science fiction": "cinematic digital painting", "mystery": "moody ink and wash illustration",
    "horror": "dark gothic illustration", "comedy": "bright cartoon illustration",
    "romance": "soft pastel illustration", "drama": "painterly cinematic illustration",
}
LENSES = {
    "fantasy": "35mm, eye level, soft depth of field", "adventure": "28mm wide, eye level, deep focus",
    "science fiction": "24mm wide, symmetrical framing, crisp focus", "mystery": "50mm, low angle, deep shadows",
    "horror": "35mm, low angle, heavy vignette", "comedy": "35mm, eye level, even framing",
    "romance": "85mm, eye level, shallow depth of field", "drama": "50mm, eye level, natural framing",
}
PALETTES = {
    "fantasy": ["#3b6e5a", "#d9b45a", "#7f5aa2", "#f3e9d2", "#2c3e50"],
    "adventure": ["#1f4e5f", "#f2c94c", "#c0392b", "#d9c7a7", "#2c3e50"],
    "science fiction": ["#0f1c2e", "#2a9d8f", "#e9c46a", "#b8bcc2", "#6b3fa0"],
    "mystery": ["#1c1c1e", "#36454f", "#8a8d91", "#c28e3a", "#6e2c2c"],
    "horror": ["#121212", "#4a0e0e", "#5b6b5a", "#b8b2a7", "#2b2d42"],
    "comedy": ["#f2c94c", "#e07b39", "#40b5ad", "#e8a0b4", "#f6f1e1"],
    "romance": ["#e8a0b4", "#f6f1e1", "#d77a8f", "#9ab8c8", "#c9a66b"],
    "drama": ["#3b4a5a", "#c9a66b", "#8a5a44", "#e6dccb", "#5b6b5a"],
}
MONOCHROME = ["#1c1c1e", "#4a4a4a", "#8a8d91", "#c8c8c8", "#f4f4f0"]
COLOURS = {
    "red": "#b33a3a", "crimson": "#9e1b32", "scarlet": "#c21807", "orange": "#e07b39", "amber": "#e8a33d",
    "gold": "#d4a017", "golden": "#d4a017", "yellow": "#f2c94c", "green": "#4f7f4f", "emerald": "#2e8b57",
    "teal": "#2a7f7f", "turquoise": "#40b5ad", "blue": "#3b6ea5", "navy": "#1f2f57", "indigo": "#3f3d8f",
    "violet": "#7f5aa2", "purple": "#6b3fa0", "pink": "#e8a0b4", "rose": "#d77a8f", "brown": "#7a5230",
    "sepia": "#704214", "ochre": "#c28e3a", "beige": "#d9c7a7", "cream": "#f3e9d2", "ivory": "#f6f1e1",
    "white": "#f4f4f0", "grey": "#8a8d91", "gray": "#8a8d91", "silver": "#b8bcc2", "black": "#1c1c1e",
    "charcoal": "#36454f",
}
NEGATIVE = "text, watermark, signature, deformed hands, extra limbs, blurry, duplicate characters"

# Camera moves read from the verbs of a beat (first match in this order wins).
CAMERA_VERBS = [
    ("tilt_down", r"\b(?:climbed|climbs|went|ran|fell|dived|dove|looked) down\b|\bdescend\w*|\bfell\b|\bdived\b"),
    ("tilt_up", r"\bclimb\w*|\bascend\w*|\brose\b|\bflew up\b|\blooked up\b"),
    ("zoom_in", r"\bfound\b|\bfinds\b|\bdiscover\w*|\bnoticed\b|\bspotted\b|\bsaw\b|\brevealed\b|\buncovered\b"),
    ("travel", r"\b(?:rowed|rows|walked|ran|rode|sailed|travell?ed|drove|flew|journeyed|crossed|swam|hurried|"
               r"marched|wandered|set off|set out|raced)\b"),
]
RETURNING = r"\b(?:home|back|homeward|returned|returns)\b"

IRREGULAR_PAST = {
    "found": "find", "saw": "see", "went": "go", "came": "come", "ran": "run", "took": "take", "made": "make",
    "gave": "give", "told": "tell", "said": "say", "shook": "shake", "flew": "fly", "swam": "swim", "rode": "ride",
    "drove": "drive", "fell": "fall", "rose": "rise", "woke": "wake", "wrote": "write", "sang": "sing",
    "began": "begin", "brought": "bring", "bought": "buy", "caught": "catch", "thought": "think", "felt": "feel",
    "kept": "keep", "left": "leave", "lost": "lose", "met": "meet", "sat": "sit", "stood": "stand",
    "slept": "sleep", "won": "win", "held": "hold", "led": "lead", "heard": "hear", "knew": "know", "grew": "grow",
    "threw": "throw", "drew": "draw", "hid": "hide", "broke": "break", "spoke": "speak", "stole": "steal",
    "chose": "choose", "froze": "freeze", "got": "get", "set": "set", "put": "put", "cut": "cut", "hit": "hit",
    "let": "let", "shut": "shut", "lit": "light", "was": "be", "were": "be", "had": "have", "did": "do",
    "ate": "eat", "fought": "fight", "sought": "seek", "taught": "teach", "built": "build", "sent": "send",
    "spent": "spend", "lay": "lie", "dug": "dig", "wore": "wear", "tore": "tear", "swept": "sweep",
    "crept": "creep", "wept": "weep", "leapt": "leap", "shone": "shine", "struck": "strike", "hung": "hang",
    "rang": "ring", "sank": "sink", "drank": "drink", "became": "become", "forgot": "forget", "blew": "blow",
    "understood": "understand", "created": "create", "spun": "spin", "swung": "swing", "stuck": "stick",
    "bit": "bite", "sped": "speed", "fed": "feed", "bled": "bleed", "fled": "flee", "slid": "slide",
    "strode": "stride", "awoke": "awake",
}
MODALS = {"could": "can", "would": "will", "should": "should", "might": "may"}
STOPWORDS = set(
    "the a an and or but of to in on at by for with from into onto over under his her their its was were is are "
    "be been had has have he she they it them him i we you that this there then when as so not no all one".split()
)

_NOUNS = "|".join(list(PERSON_NOUNS) + list(RELATIONS))
COMMON_NOUNS = (set(PERSON_NOUNS) | set(RELATIONS) | BODY_WORDS | GARMENT_WORDS | PROP_WORDS | SPOTS | set(AREAS)
                | VEHICLES | set(DETAILS) | LIGHT_SOURCES | FEATURES | CREATURES
                | set(re.findall(r"[a-z]+", " ".join(rx for _, rx in WEATHER + TIMES))))
_CARRIED = "|".join(sorted(PROP_WORDS))
_WORN = "|".join(sorted(GARMENT_WORDS | BODY_WORDS))
# Where a list of looks ends: 'a yellow raincoat and green boots| wherever she went', '... tail| and wore ...'.
_LIST_END = (r"(?=[.;]|,\s*(?:and|but)\b|\s+(?:and|but)\s+(?:wore|had|has|was|carried|held|kept|[a-z]+ed)\b|"
             r"\s+(?:who|which|that|wherever|when|while|as|because|to|until)\b|,\s*(?:he|she|they)\b|$)")

# ================================================================================================ reading

_QUOTE = re.compile(r'"([^"\n]*)"')
_END = re.compile(r'[.!?\u2026]+"?(?=\s|$)')
_ATTRIBUTION_FOLLOWS = re.compile(rf"\s+(?:[a-z]|(?:[\w'-]+\s+){{1,3}}(?:{_SPEECH})\b)")
_ABBREVIATIONS = set("mr mrs ms dr st mt prof sr jr capt lt gen col sgt vs etc".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*")


@dataclass(frozen=True)
class Reading:
    """The story as the writer reads it: the title line, then its beats (paragraphs) as sentences."""

    title: str | None
    beats: tuple[tuple[str, ...], ...]

    @property
    def sentences(self) -> list[tuple[int, str]]:
        return [(b, s) for b, beat in enumerate(self.beats) for s in beat]


def normalise(text: str) -> str:
    """Straight quotes and apostrophes, Unix newlines: the rest of the reading assumes them."""
    table = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2018": "'", "\u2019": "'", "\r": ""}
    return "".join(table.get(ch, ch) for ch in text)


def is_title_line(line: str) -> bool:
    return 0 < len(line.split()) <= 10 and "\n" not in line and not re.search(r'[.!?,;:"]$', line)


def paragraphs(story: str) -> list[str]:
    """Blank-line paragraphs; inside one, a line break is a paragraph break only when every line ends a sentence."""
    out = []
    for block in re.split(r"\n\s*\n", normalise(story).strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not out and len(lines) > 1 and is_title_line(lines[0]):
            out.append(lines.pop(0))
        if len(lines) > 1 and all(re.search(r'[.!?]["\')]?$', line) for line in lines[:-1]):
            out.extend(lines)
        elif lines:
            out.append(" ".join(lines))
    return out


def sentences(paragraph: str) -> list[str]:
    """Split on sentence ends outside quotes; a quote followed by its attribution ('... ," she said') stays whole."""
    quotes = [m.span() for m in _QUOTE.finditer(paragraph)]
    pieces, start = [], 0
    for m in _END.finditer(paragraph):
        inside = [(a, b) for a, b in quotes if a < m.start() < b]
        if inside and m.end() != inside[0][1]:
            continue  # an end of sentence inside the quote: the quote goes on
        if inside and _ATTRIBUTION_FOLLOWS.match(paragraph[m.end():]):
            continue  # '"Help!" Mira cried.' is one sentence
        before = re.search(r"(\w+)$", paragraph[:m.start()])
        if m.group() == "." and before and (before.group(1).lower() in _ABBREVIATIONS or len(before.group(1)) == 1
                                             and before.group(1).isupper()):
            continue
        pieces.append(paragraph[start:m.end()].strip())
        start = m.end()
    if paragraph[start:].strip():
        pieces.append(paragraph[start:].strip())
    return [p for p in pieces if p]


@lru_cache(maxsize=16)
def read_story(story: str) -> Reading:
    parts = paragraphs(story)
    title = parts[0] if parts and is_title_line(parts[0]) and len(parts) > 1 else None
    beats = tuple(tuple(split) for split in map(sentences, parts[1:] if title else parts) if split)
    return Reading(title=title, beats=beats or ((story.strip() or "Nothing happens.",),))


def mask_quotes(sentence: str) -> str:
    """The sentence with its quoted speech blanked out, positions kept."""
    return _QUOTE.sub(lambda m: " " * len(m.group()), sentence)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass(frozen=True)
class Speech:
    """One quoted line and the words of its sentence that say who speaks it ('Mira cried', 'he said'), if any."""

    text: str
    attribution: str | None
    start: int  # where the quote opens in the sentence


def split_speech(sentence: str) -> tuple[str, list[Speech]]:
    """A sentence's narration (speech and attributions removed) and its quoted lines."""
    found = list(_QUOTE.finditer(sentence))
    speech, cuts = [], []
    for i, m in enumerate(found):
        after_end = found[i + 1].start() if i + 1 < len(found) else len(sentence)
        before_start = found[i - 1].end() if i else 0
        attribution, span = _attribution(sentence, m, before_start, after_end)
        speech.append(Speech(text=m.group(1).strip(), attribution=attribution, start=m.start()))
        cuts += [m.span()] + ([span] if span else [])
    kept, position = [], 0
    for a, b in sorted(cuts):
        kept.append(sentence[position:a])
        position = max(position, b)
    kept.append(sentence[position:])
    return clean_narration(" ".join(kept)), [s for s in speech if s.text]


def _attribution(sentence: str, quote: re.Match, before_start: int, after_end: int):
    """The words naming the speaker right after the quote (' Mira cried') or right before it ('Mira said, '),
    with their span in the sentence; (None, None) when the sentence does not say who speaks."""
    after = re.match(r'[^,.;:!?"]*', sentence[quote.end():after_end]).group()
    if len(after.split()) <= 6 and re.search(rf"\b(?:{_SPEECH})\b", after):
        return after.strip(), (quote.end(), quote.end() + len(after))
    before = sentence[before_start:quote.start()].rstrip(" ,:")
    tail = re.split(r"[,.;:!?]", before)[-1]
    if tail.strip() and len(tail.split()) <= 6 and re.search(rf"\b(?:{_SPEECH})\b", tail):
        end = before_start + len(before)
        return tail.strip(), (end - len(tail), quote.start())
    return None, None


def clean_narration(text: str) -> str:
    """What is left of a sentence once its speech is cut out, as a sentence again ('' when nothing is)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"^[\s,;:.!?-]*(?:(?:and|but|then)\s+)?", "", text, flags=re.I)
    text = re.sub(r"[,;:]+$", ".", text).strip()
    if len(words(text)) < 2:
        return ""
    if not re.search(r"[.!?]$", text):
        text += "."
    return text[0].upper() + text[1:]


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48].strip("-")
    return out or "character"


def count_words(text: str) -> int:
    return len(words(text))


# ================================================================================================ cast


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
    speech = " ".join(q for _, s in reading.sentences for q in _QUOTE.findall(s))
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
    first_word = _WORD.search(sentence)
    run: list[re.Match] = []
    for token in list(_WORD.finditer(masked)) + [None]:
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
    acts = _looks_past(next_word) or next_word in MODALS or after.startswith("'s") or \
        next_word in ("and", "had", "was", "is", "could", "would", "did", "felt", "knew")
    company = last in ("with", "and", "told", "asked", "helped", "showed", "gave")
    described = re.match(rf"(?:,|\s+(?:was|is))\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?(?:{_NOUNS})\b", after)
    introduced = re.search(rf"\b(?:{_NOUNS})\s+(?:named|called)\s+$", masked[:start])
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
            described = re.match(rf"\s*(?:,|was|is)\s+(?:a|an|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?({_NOUNS})\b",
                                 text[m.end():])
            introduced = re.search(rf"\b({_NOUNS})\s+(?:named|called)\s+$", text[:m.start()])
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


@dataclass
class Look:
    """The story's own words for a character, sorted."""

    appearance: list[str]
    wardrobe: list[str]
    props: list[str]


def describe(person: Person, cast: Cast, reading: Reading) -> Look:
    """What the story says the character looks like, wears and carries, from the sentences about it: those that
    name it, and those that open on a pronoun pointing to it ('She wore...')."""
    look = Look([], [], [])
    recent: list[str] = []
    subject = f"(?:{person.pattern})"
    pronoun = {"m": "he", "f": "she"}.get(person.gender, "he|she|they")
    possessive = {"m": "his", "f": "her"}.get(person.gender, "his|her|their")
    for _, sentence in reading.sentences:
        text = mask_quotes(sentence)
        named = cast.mentions(text)
        opener = re.match(r"^\W*(?:(?:[\w']+\s+){0,3}?(he|she)\b|(his|her)\b)", text, re.I)
        topic = named[:1] or ([cast.resolve(opener.group(1) or opener.group(2), recent)] if opener else [])
        recent += named
        _relation_props(person, text, look)
        if person.id not in named and person.id not in topic:
            continue
        _copula(subject, text, look)
        _apposition(subject, text, look)
        introduced = re.search(rf"\b(?:a|an)\s+((?:[\w-]+\s+){{0,3}}?(?:{_NOUNS}))\s+(?:named|called)\s+{subject}",
                               text)  # 'a red fox named Rufus'
        if introduced:
            _add(look.appearance, introduced.group(1))
        is_topic = topic == [person.id]
        _worn_and_had(rf"(?:{subject}|\b(?:{pronoun})\b)" if is_topic else subject, text, cast, look)
        _belongings(rf"(?:\b(?:{possessive})|{subject}'s)" if is_topic else rf"{subject}'s", text, look)
    return look


def _worn_and_had(about: str, text: str, cast: Cast, look: Look) -> None:
    """'Mira ... wore a yellow raincoat and green boots', 'Rufus had a bushy tail and wore a green scarf'."""
    verbs = {"wardrobe": r"wore|wears|was wearing|is wearing|was dressed in|dressed in|had on", "": r"had|has"}
    for default, verb in verbs.items():
        for m in re.finditer(rf"{about}((?:\s+(?!(?:he|she|they)\b)[\w'-]+){{0,8}}?)\s+(?:and\s+)?(?:{verb})\s+"
                             rf"([^.;]+?){_LIST_END}", text, re.I):
            if not cast.mentions(m.group(1)):  # 'Mira saw that Tomas wore...' is not Mira's
                _file_items(m.group(2), look, default=default)


def _belongings(owner: str, text: str, look: Look) -> None:
    """'his brass lantern' is a prop; 'her cloak was grey' is a grey cloak."""
    for m in re.finditer(rf"{owner}\s+((?:[\w-]+\s+){{0,3}}?(?:{_CARRIED}))\b", text):
        _add(look.props, m.group(1))
    for m in re.finditer(rf"{owner}\s+((?:[\w-]+\s+){{0,2}}?(?:{_WORN}))\b(?:\s+(?:was|were)\s+([a-z]+))?", text, re.I):
        state = m.group(2) if m.group(2) and m.group(2) not in STOPWORDS | {"with"} else ""
        _file_items(f"{state} {m.group(1)}".strip(), look, default=None)


def _copula(subject: str, text: str, look: Look) -> None:
    m = re.search(rf"{subject}\s+(?:was|is)\s+(?:a|an)\s+([^,.;]+?)(?=\s+with\b|\s+who\b|\s+and\b|[,.;]|$)", text)
    if m:
        _add(look.appearance, m.group(1))
        _with_list(text[m.end():], look)


def _apposition(subject: str, text: str, look: Look) -> None:
    m = re.search(rf"{subject},\s+(?:a|an|the)\s+([^,.;]+?)(?:\s+with\s+([^.;]+?))?,", text)
    if m and len(m.group(1).split()) <= 5:
        _add(look.appearance, m.group(1))
        if m.group(2):
            _file_items(m.group(2), look, default=None)


def _with_list(rest: str, look: Look) -> None:
    m = re.match(rf"\s+with\s+([^.;]+?){_LIST_END}", rest)
    if m:
        _file_items(m.group(1), look, default=None)


def _relation_props(person: Person, text: str, look: Look) -> None:
    """'her grandfather's brass lantern' is the grandfather's lantern."""
    for relation in person.relations:
        for m in re.finditer(rf"\b{relation}'s\s+((?:[\w-]+\s+){{0,3}}?(?:{_CARRIED}))\b", text):
            _add(look.props, m.group(1))


def _file_items(phrase: str, look: Look, default: str | None) -> None:
    """Sort 'a white beard and a blue wool sweater' into appearance and wardrobe by each item's last word; an item
    of no known kind goes to `default`: 'wardrobe', None (appearance), or '' (dropped: 'had three daughters')."""
    for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", phrase):
        item = " ".join(w for w in item.split() if w.lower() not in ARTICLES)
        head = item.split()[-1].lower() if item else ""
        if not head:
            continue
        if head in GARMENT_WORDS:
            _add(look.wardrobe, item)
        elif head in PROP_WORDS:
            _add(look.props, item)
        elif head in BODY_WORDS or default is None:
            _add(look.appearance, item)
        elif default == "wardrobe":
            _add(look.wardrobe, item)


def _add(items: list[str], phrase: str) -> None:
    """Add a short phrase once, without its leading article ('a white beard' -> 'white beard')."""
    kept = phrase.strip(" ,.").split()
    while kept and kept[0].lower() in ARTICLES:
        kept.pop(0)
    phrase = " ".join(kept)
    if phrase and phrase.lower() not in (i.lower() for i in items) and len(kept) <= 6:
        items.append(phrase)


def character_of(person: Person, cast: Cast, reading: Reading) -> Character:
    """The character sheet: the story's own words for its look, completed from a hash of the id where the story
    is silent, so that every keyframe draws the same person."""
    look = describe(person, cast, reading)
    said = " ".join(look.appearance).lower()
    creature = any(re.search(rf"\b{c}\b", said) for c in CREATURES) or person.descriptor in CREATURES
    old = bool(re.search(r"\b(?:old|elderly)\b", f"{said} {person.name.lower()}"))
    appearance, wardrobe = fallback_look(person, old=old)
    if look.appearance and (creature or any(w in BODY_WORDS for w in re.findall(r"[a-z]+", said))):
        appearance = ", ".join(look.appearance)
    elif look.appearance:  # 'baker' alone does not fix a face: add hair that stays the same
        appearance = ", ".join(look.appearance + appearance.split(", ")[1:])
    if look.wardrobe or creature:
        wardrobe = ", ".join(look.wardrobe)  # a fox or a robot wears nothing the story did not give it
    return Character(id=person.id, name=person.name, appearance=appearance, wardrobe=wardrobe, props=look.props)


def fallback_look(person: Person, old: bool = False) -> tuple[str, str]:
    """A plausible fixed look for a character the story does not describe, derived from a hash of its id."""
    h = hashlib.sha256(person.id.encode()).digest()
    elderly = old or any(r.startswith("grand") for r in person.relations)
    age = "elderly" if elderly else ["young", "middle-aged", "young", "elderly"][h[0] % 4]
    noun = person.descriptor if PERSON_NOUNS.get(person.descriptor) else \
        {"m": "man", "f": "woman"}.get(person.gender, person.descriptor or "person")
    hair = ["grey", "white", "silver"][h[1] % 3] if age == "elderly" else \
        ["black", "brown", "auburn", "fair", "chestnut", "dark"][h[1] % 6]
    style = ["short", "curly", "long", "wavy", "cropped", "tied-back"][h[2] % 6]
    colours = ["navy", "rust-red", "mustard", "forest-green", "slate-blue", "plum", "ochre", "charcoal"]
    top = ["coat", "jacket", "sweater", "cloak", "tunic", "waistcoat"][h[3] % 6]
    low = ["trousers", "skirt", "boots", "scarf"][h[4] % 4]
    return (f"{age} {noun}, {style} {hair} hair",
            f"{colours[h[5] % 8]} {top}, {colours[(h[5] + 3 + h[6] % 4) % 8]} {low}")


# ================================================================================================ brief, design


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
    scene_count = max(1, min(200, asked or len(reading.beats)))
    plans = plan_scenes(reading, Cast(find_people(reading)), scene_count)
    return Brief(
        title=title_of(reading), logline=logline_of(reading), genre=genre_of(story), tone=tone_of(story),
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
    characters = [character_of(person, cast, reading) for person in people]
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


# ================================================================================================ scenes


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


def plan_scenes(reading: Reading, cast: Cast, count: int) -> list[ScenePlan]:
    """The scenes, in story order, each read with what the scenes before it established."""
    state = Continuity(world=first_place(reading))
    groups = chunks(reading, count)
    return [plan_scene(index, len(groups), group, cast, state) for index, group in enumerate(groups)]


def first_place(reading: Reading) -> str:
    """The first spot or area the story names, for scenes before any place is named."""
    told = [Sentence(beat=b, narration=split_speech(s)[0], characters=[], speech=[], order=[])
            for b, s in reading.sentences]
    places = [p for p in places_in(told) if p.kind != "detail" and p.rank < 3]
    return places[0].phrase if places else "a quiet place"


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


def _line(text: str) -> str:
    text = text.strip()
    return (text[:-1] + "." if text.endswith(",") else text)[:2000]


def _scene_characters(read: list[Sentence], state: Continuity) -> list[str]:
    ids = list(dict.fromkeys(c for s in read for c in s.order))
    if not ids and state.principal and any(re.search(r"\b(?:he|she|they|his|her|their)\b", s.narration, re.I)
                                           for s in read):
        ids = [state.principal]  # a beat told only in pronouns keeps the previous scene's lead
    return ids


@dataclass
class Place:
    """A place word of a scene, as the prose uses it."""

    word: str  # the head noun: 'town'
    phrase: str  # with its modifiers: 'harbour town'
    kind: str  # 'spot', 'area', 'vehicle' or 'detail'
    rank: int  # 0 the scene opens there, 1 in a character's sentence, 2 elsewhere, 3 heading there, 4 an aside
    sentence: int
    preposition: str  # the word before it, when it says where: 'in', 'on', 'by'


LOCATIVE = ("in", "inside", "at", "on", "by", "near", "beside", "outside", "under", "within")


def places_in(read: list[Sentence]) -> list[Place]:
    found = []
    for number, sentence in enumerate(read):
        tokens = re.findall(r"[\w'-]+|[,;:]", sentence.narration)
        lower = [t.lower() for t in tokens]
        opens = number == 0 and bool(lower) and lower[0] in LOCATIVE
        i = 0
        while i < len(tokens):
            if not _place_kind(lower[i]):
                i += 1
                continue
            j = i
            while j + 1 < len(tokens) and _place_kind(lower[j + 1]):
                j += 1  # 'harbour town' is one place
            modifiers = _modifiers(tokens, i)
            before = [w for w in lower[max(0, i - len(modifiers) - 2):i - len(modifiers)] if w not in ARTICLES][-1:]
            rank = 0 if opens and "," not in lower[:i] and i <= 8 else 1 if sentence.characters else 2
            aside, heading = _aside(lower, i)
            rank = 4 if aside or (heading and not sentence.characters) else 3 if heading else rank
            found.append(Place(lower[j], " ".join(modifiers + tokens[i:j + 1]), _place_kind(lower[j]), rank, number,
                               before[0] if before and before[0] in LOCATIVE else ""))
            i = j + 1
    return found


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
    """Whether a place is only mentioned (in a relative clause, or seen, remembered) or only headed for."""
    relative = any(w in ("who", "which", "where") for w in lower[:i])
    seen = any(w in SEEING_WORDS for w in lower[max(0, i - 6):i])
    heading = any(w in AWAY_WORDS for w in lower[max(0, i - 3):i])
    return relative or seen, heading


def setting_of(read: list[Sentence], state: Continuity) -> tuple[str, str]:
    """Where the scene is: a spot (with its area) or an area; else where the last scene was heading, or was; plus
    a part of the place ('by the window')."""
    places = sorted(places_in(read), key=lambda p: (p.rank, p.sentence))
    usable = [p for p in places if p.rank < 3] or ([] if state.base else places)
    spot = next((p for p in usable if p.kind in ("spot", "vehicle")), None)
    area = next((p for p in usable if p.kind == "area"), None)
    detail = next((p for p in usable if p.kind == "detail"), None)
    if spot and area and area.rank < spot.rank:
        spot = None  # 'reached a river' outranks 'the ferryman's boat'
    if spot:
        base = _remembered(spot, state)
        if area and (spot.kind == "vehicle" or area.sentence == spot.sentence or area.rank == 0):
            preposition = area.preposition if area.preposition in ("in", "on", "by", "near", "beside") else \
                AREAS[area.word]
            base += f" {preposition} the {_remembered(area, state)}"
    elif area:
        base = _remembered(area, state)
    else:
        home = state.homes.get(detail.word) if detail else None  # the stairs are in the lighthouse
        base = home or (state.base if detail else state.heading or state.base) or state.world
    headed = [p for p in places if p.rank == 3]
    state.heading = _remembered(headed[-1], state) if headed else ""
    for place in places:
        _remembered(place, state)
    if detail and spot:
        state.homes.setdefault(detail.word, base)
    detail_text = f"{DETAILS[detail.word]} the {detail.phrase}" if detail and detail.phrase != base else ""
    return base, detail_text


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
    return ", ".join(list(dict.fromkeys(weather + light + things))[:8])


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


# ================================================================================================ review


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


# ================================================================================================ storyboard


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


def present_tense(text: str, names: list[str]) -> str:
    """Put the subject's verbs in the present: 'Mira found' -> 'Mira finds', 'Mira and Tomas carried' -> 'Mira and
    Tomas carry', 'Greta looked at the key and gasped' -> '... and gasps'. Other words stay as the story wrote them."""
    name = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or r"(?!)"
    who = rf"(?:{name}|(?:the\s+)?[\w'-]+)"
    subject = re.match(rf"^({who}(?:\s+and\s+{who})?)\s+(could not|did not|was not|had not|[\w'-]+)\b", text, re.I)
    if not subject:
        return text
    plural = " and " in subject.group(1) or (not re.match(name, subject.group(1)) and
                                              re.search(r"[^s]s$", subject.group(1)) is not None)  # 'Sparks flew'
    negative = {"could not": "cannot", "did not": "do not" if plural else "does not",
                "was not": "are not" if plural else "is not", "had not": "have not" if plural else "has not"}
    verb = subject.group(2).lower()
    if verb in negative:
        return text[:subject.start(2)] + negative[verb] + text[subject.end(2):]
    if base_form(verb) is None:
        return text
    out, position = text[:subject.start(2)], subject.start(2)
    for m in re.finditer(rf"(?:^|\band\s+({name}\s+)?)([a-z]+)\b", text[subject.start(2):]):
        start, end = subject.start(2) + m.start(2), subject.start(2) + m.end(2)
        base = base_form(m.group(2))
        if base is None or (start != subject.start(2) and not _looks_past(m.group(2))):
            continue
        out += text[position:start] + (base if plural and not m.group(1) else third_person(base))
        position = end
    return out + text[position:]


def _looks_past(word: str) -> bool:
    return word in IRREGULAR_PAST or (word.endswith("ed") and len(word) > 4)


def base_form(verb: str) -> str | None:
    """The base form of a past-tense verb ('found' -> 'find', 'smiled' -> 'smile'), or None if it is not one."""
    if verb in IRREGULAR_PAST:
        return IRREGULAR_PAST[verb]
    if verb in MODALS:
        return MODALS[verb]
    if not verb.endswith("ed") or len(verb) < 4:
        return None
    if verb.endswith("ied"):
        return verb[:-3] + "y"  # carried -> carry
    if verb.endswith("eed"):
        return verb[:-1]  # agreed -> agree
    stem = verb[:-2]
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "lsz" and _syllables(stem) == 1:
        return stem[:-1]  # stopped -> stop
    return stem + "e" if _dropped_e(stem) else stem


def _dropped_e(stem: str) -> bool:
    """Whether the stem lost a silent e before -ed: 'smil' (smiled), 'danc', 'clos', 'explor', 'decid', 'giggl'."""
    if re.search(r"(?:ss|sh|ch|x|zz|ll|[aeiou]{2}[^aeiou]|[wy]|er)$", stem):
        return False  # tossed, pushed, rained, rowed, played, wandered
    if re.search(r"(?:[cvzu]|dg|[^aeiou]g|[aeiou]s|[^aeiou][aeiou]r|[^aeiou]at|[^aeiou][aeiou]d|[bcdfgkpstz]l)$", stem):
        return True
    return _syllables(stem) == 1 and bool(re.search(r"[^aeiou][aeiou][^aeiouwxy]$", stem))  # hoped, smiled


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouy]+", word))


def third_person(base: str) -> str:
    special = {"be": "is", "have": "has", "do": "does", "go": "goes", "can": "can", "will": "will", "may": "may",
               "should": "should"}
    if base in special:
        return special[base]
    if re.search(r"(?:s|sh|ch|x|z|o)$", base):
        return base + "es"
    if re.search(r"[^aeiou]y$", base):
        return base[:-1] + "ies"
    return base + "s"


def _worn(character: Character) -> str:
    """What identifies a character in a frame: its clothes and props, or its look when it wears nothing."""
    return ", ".join([character.wardrobe or character.appearance] + character.props)


def keyframe_prompt(plan: ScenePlan, people: dict[str, Character]) -> str:
    """What to draw: the action, who is in frame with what they wear, where, when, and the light."""
    subjects = ", ".join(f"{people[c].name} ({_worn(people[c])})" for c in plan.characters if c in people)
    parts = [caption(plan, people), subjects, f"{plan.setting}, {plan.time_of_day}", plan.environment]
    return ". ".join(p[:1].upper() + p[1:] for p in parts if p) + "."


# ================================================================================================ condense


def condense(passage: str, budget: int) -> str:
    """Keep the sentences with speech, names and events (each paragraph's best first, so no beat is lost) in the
    story's order, until the word budget is spent."""
    parts = paragraphs(passage)
    title = parts.pop(0) if len(parts) > 1 and is_title_line(parts[0]) else None
    items = [(p, i, s) for p, part in enumerate(parts) for i, s in enumerate(sentences(part))]
    if not items:
        return passage.strip()
    def score(item: tuple[int, int, str]) -> int:
        _, i, sentence = item
        narration = mask_quotes(sentence)
        return 3 * ('"' in sentence) + 2 * bool(re.search(r"\b[A-Z][a-z]+", narration[1:])) + (i == 0) + \
            bool(re.search(r"\b\w+ed\b", narration))
    best: dict[int, tuple[int, int, str]] = {}
    for item in items:
        if item[0] not in best or score(item) > score(best[item[0]]):
            best[item[0]] = item
    leads = sorted(best.values(), key=lambda it: (-score(it), it[0]))
    others = sorted((it for it in items if it not in leads), key=lambda it: (-score(it), it[0], it[1]))
    spent, kept = count_words(title or ""), []
    for item in leads + others:
        if spent + count_words(item[2]) <= budget:
            kept.append(item)
            spent += count_words(item[2])
    if not kept:  # not even one sentence fits: the best one, cut to the budget
        p, i, sentence = leads[0]
        kept = [(p, i, " ".join(sentence.split()[:max(1, budget - spent)]))]
    by_paragraph: dict[int, list[tuple[int, str]]] = {}
    for p, i, sentence in sorted(kept):
        by_paragraph.setdefault(p, []).append((i, sentence))
    text = "\n\n".join(" ".join(s for _, s in lines) for _, lines in sorted(by_paragraph.items()))
    return f"{title}\n\n{text}" if title else text


# ================================================================================================ the writer


def as_model(kind: type[BaseModel], value: Any) -> Any:
    """A phase input as its model: the studio passes models, a caller or a cached answer may pass plain dicts."""
    if isinstance(value, kind):
        return value
    return kind.model_validate(value.model_dump() if isinstance(value, BaseModel) else value)


class DraftWriter:
    """The studio's embedded writer: answers every phase from the story text alone, deterministically."""

    name = "draft"
    context_tokens = None  # reads the whole story, however long: nothing to condense

    def identity(self, role: str) -> dict[str, Any]:
        return {"backend": "draft", "version": DRAFT_VERSION}

    def write(self, request: PhaseRequest) -> PhaseReply:
        kind, inputs = request.output_type, request.inputs
        if kind is Review:
            output = review_draft(request.phase, inputs)
        elif kind is Brief:
            output = write_brief(inputs)
        elif kind is Design:
            output = write_design(inputs)
        elif kind is ScenePlans:
            output = write_plans(inputs)
        elif kind is Storyboard:
            output = write_storyboard(inputs)
        elif kind is Condensed:
            output = Condensed(text=condense(inputs["passage"], int(inputs.get("words") or 200)))
        else:
            raise WritingError(f"the draft writer cannot write a {kind.__name__}", phase=request.phase,
                               role=request.role)
        return PhaseReply(output=output, usage=Usage(calls=0))
