"""Character designs: read from a character's id and colour words alone, so it looks the same in every scene."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from ... import beings
from ...palette import colour_name
from ...contracts import CharacterLook
from .paint import COLOURS, HAIR_COLOURS, RGB, SKIN_TONES, darken, lighten, mix
from .props import read_prop


TOPS = {"coat", "raincoat", "jacket", "sweater", "jumper", "shirt", "tunic", "cloak", "dress", "robe", "gown",
        "cardigan", "blouse", "hoodie", "vest", "waistcoat", "overalls", "smock", "uniform", "parka", "anorak",
        "poncho", "cape", "pullover", "top", "tshirt", "oilskin", "mac", "jerkin", "blazer", "suit", "kimono", "sari",
        "armour", "armor", "habit", "scrubs", "gown", "frock", "kaftan", "tabard", "doublet", "jersey", "fleece",
        "swimsuit", "wetsuit", "bikini", "leotard", "overcoat", "trenchcoat", "mackintosh", "duffel"}
LONG_TOPS = {"coat", "raincoat", "cloak", "dress", "robe", "gown", "parka", "anorak", "poncho", "cape", "smock",
             "oilskin", "mac", "kimono", "sari", "habit", "frock", "kaftan"}
BOTTOMS = {"trousers", "pants", "jeans", "skirt", "shorts", "leggings", "breeches", "dungarees"}
SHOES = {"boots", "boot", "shoes", "shoe", "sandals", "slippers", "clogs", "wellingtons", "wellies"}
HATS = {"hat", "cap", "beret", "bonnet", "beanie", "helmet", "sou'wester", "souwester", "turban", "crown", "hood",
        "headscarf", "bowler", "fedora", "stetson"}
HAIR_NOUNS = {"hair", "braids", "braid", "plaits", "plait", "ponytail", "bun", "curls", "locks", "pigtails", "bob",
              "crop", "afro", "dreadlocks", "dreads", "mop", "quiff", "topknot", "fringe", "mohawk"}
PROP_KINDS = {
    "lantern": "lantern", "lamp": "lantern", "torch": "lantern", "umbrella": "umbrella", "basket": "basket",
    "book": "book", "stick": "stick", "staff": "stick", "cane": "stick", "bag": "bag", "satchel": "bag",
    "lens": "lens", "flower": "flower", "flowers": "flower", "rod": "stick", "spyglass": "spyglass",
    "telescope": "spyglass", "map": "book", "letter": "book", "sword": "stick", "wand": "stick",
}


def stable_hash(text: str) -> bytes:
    """A hash that is the same in every process (Python's hash() is salted per run)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def _tokens(text: str) -> list[str]:
    text = re.sub(r"#[0-9a-fA-F]{6}\b", lambda m: colour_name(m.group(0)), text)  # 'a #1f4e5f coat': a deep teal one
    return re.findall(r"[a-z']+|[,;.]", text.lower().replace("-", " ").replace("t shirt", "tshirt"))


def _colour_before(tokens: list[str], i: int, table: dict[str, RGB]) -> RGB | None:
    """The colour word nearest before tokens[i] ('yellow raincoat', 'blue wool sweater'), within its phrase."""
    material = None
    for j in range(i - 1, max(-1, i - 4), -1):
        word = tokens[j]
        if word in {",", ";", ".", "and", "with", "a", "an", "the", "her", "his", "their"}:
            break
        if word in table and word not in {"leather", "straw", "canvas", "wooden"}:
            return table[word]
        if word in COLOURS and material is None:
            material = COLOURS[word]
    return material


@dataclass(frozen=True)
class Design:
    skin: RGB
    hair: RGB
    hair_style: str  # short, long, braids, ponytail, bun, curly, bald
    beard: tuple[str, RGB] | None  # ("beard" or "moustache", colour)
    glasses: bool
    freckles: bool
    child: bool
    elder: bool
    height: float  # relative to an adult
    width: float
    top: RGB
    top_kind: str
    long_top: bool
    inner: RGB | None
    bottom: RGB
    skirt: bool
    shoes: RGB
    hat: tuple[str, RGB] | None
    scarf: RGB | None
    apron: RGB | None
    props: tuple[tuple[str, RGB], ...]
    eyes: RGB | None = None  # an iris colour the story gives ('green eyes'); else plain dark eyes
    colours: tuple[tuple[str, RGB, str], ...] = ()  # (part, colour drawn, the story's words for it): the record


@lru_cache(maxsize=256)
def _design(character_id: str, appearance: str, wardrobe: str, props: tuple[str, ...]) -> Design:
    h = stable_hash(character_id)
    look = appearance.lower()
    child = bool(re.search(r"\b(girl|boy|child|kid|toddler|little one|young)\b", look)) or any(
        int(n) < 14 for n in re.findall(r"\b(\d{1,2})(?:[- ]years?|\b)", look))
    child = child or bool(re.search(r"\b(?:of|aged) (?:five|six|seven|eight|nine|ten|eleven|twelve)\b", look))
    elder = bool(re.search(r"\b(old|elderly|grand(?:father|mother|pa|ma)|granny|aged|wrinkled)\b", look)) and not child
    feminine = bool(re.search(r"\b(girl|woman|lady|she|her|grandmother|grandma|granny|mother|queen|princess)\b", look))

    tokens = _tokens(appearance)
    hair_colour: RGB | None = None
    style = None
    beard = None
    for i, word in enumerate(tokens):
        if word in HAIR_NOUNS:
            hair_colour = hair_colour or _colour_before(tokens, i, HAIR_COLOURS)
            if word in {"braids", "braid", "plaits", "plait", "pigtails"}:
                style = "braids"
            elif word in {"ponytail", "bun"}:
                style = word
            elif word == "curls":
                style = "curly"
            elif word == "hair":
                before = tokens[max(0, i - 3):i]
                style = style or ("curly" if "curly" in before else "long" if "long" in before else
                                  "short" if "short" in before else None)
        elif word in {"beard", "bearded", "moustache", "mustache"}:
            colour = _colour_before(tokens, i,
                                    HAIR_COLOURS) or hair_colour or (HAIR_COLOURS["white"] if elder else None)
            colour = colour or HAIR_COLOURS["brown"]
            if word.startswith(("beard", "bearded")) or beard is None:
                beard = ("beard" if word.startswith("beard") else "moustache", colour)
    if "bald" in tokens:
        style = "bald"
    hair_colour = hair_colour or (HAIR_COLOURS["white"] if elder else tuple(HAIR_COLOURS.values())[h[1] % 9 + 7])
    if style is None:
        styles = ("long", "braids", "ponytail", "bun", "curly") if feminine else ("short", "curly", "short",
                "bald" if elder else "short")
        style = styles[h[2] % len(styles)]

    skin_i = h[0] % len(SKIN_TONES)
    if re.search(r"\b(pale|fair.skinned|freckle)", look):
        skin_i = min(skin_i, 1)
    if re.search(r"\b(olive|tan(?:ned)?)\b", look):
        skin_i = 2
    if re.search(r"\b(brown|dark)(?:.| )skin", look):
        skin_i = 4
    skin, skin_words = SKIN_TONES[skin_i], ""
    said = re.search(r"\b([a-z]+)[- ]skin", look)
    if said and said.group(1) in COLOURS and said.group(1) not in {"dark", "light", "brown"}:
        skin, skin_words = COLOURS[said.group(1)], said.group(0)  # an orc's green skin, a ghost's white
    elif said or re.search(r"\b(pale|fair.skinned|olive|tan(?:ned)?)\b", look):
        skin_words = said.group(0) if said else re.search(r"\b(pale|fair.skinned|olive|tan(?:ned)?)\b", look).group(0)
    eyes = _eyes(tokens)

    wear = _tokens(wardrobe)
    worn: list[tuple[str, RGB, str]] = []  # each garment the story colours, by its own word
    tops: list[tuple[str, RGB | None]] = []
    bottom, shoes, hat, scarf, apron = None, None, None, None, None
    skirt = False
    for i, word in enumerate(wear):
        colour = _colour_before(wear, i, COLOURS)
        kind = garment(word)
        if colour is not None and kind:
            worn.append((word, colour, _phrase(wear, i)))
        if kind == "top":
            tops.append((word, colour))
        elif kind in ("bottom", "skirt"):
            bottom, skirt = colour, kind == "skirt"
        elif kind == "shoes":
            shoes = colour
        elif kind == "hat":
            hat = (word, colour or COLOURS["brown"])
        elif word == "hooded" and hat is None:
            hat = ("hood", None)
        elif kind == "scarf":
            scarf = colour or COLOURS["red"]
        elif kind == "apron":
            apron = colour or COLOURS["cream"]
    fallback = tuple(COLOURS.values())[h[3] % 20]
    outer = next((t for t in tops if t[0] in LONG_TOPS), tops[0] if tops else ("tunic", None))
    if hat is not None and hat[0] == "hood":  # a hood is the colour of the coat it belongs to
        hat = ("hood", outer[1] or fallback)
    inner = next((c for t, c in tops if (t, c) != outer and c is not None), None)

    carried = _carried(props)
    build = 1.0
    if re.search(r"\b(tall|lanky)\b", look):
        build = 1.08
    elif re.search(r"\b(short|small|little|tiny)\b(?! hair)", look):
        build = 0.93
    width = 1.14 if re.search(r"\b(stout|broad|plump|round|burly|big)\b",
                              look) else 0.9 if re.search(r"\b(thin|slender|skinny|slim|wiry)\b", look) else 1.0
    hair_words = next((_phrase(tokens, i) for i, w in enumerate(tokens) if w in HAIR_NOUNS), "")
    eye_words = next((_phrase(tokens, i) for i, w in enumerate(tokens) if w in {"eyes", "eyed"}), "")
    beard_words = next((_phrase(tokens, i) for i, w in enumerate(tokens) if w in {"beard", "moustache", "mustache"}), "")
    colours = (("skin", skin, skin_words), ("hair", hair_colour, hair_words if style != "bald" else "bald"),
               *(((beard[0], beard[1], beard_words),) if beard else ()),
               *((("eyes", eyes, eye_words),) if eyes else ()), *worn)
    return Design(
        skin=skin, hair=hair_colour, hair_style=style, beard=beard,
        glasses=bool(re.search(r"\b(glasses|spectacles)\b", look + " " + wardrobe.lower())),
        freckles="freckle" in look, child=child, elder=elder,
        height=(0.74 if child else 0.97 if elder else 1.0) * build, width=width,
        top=outer[1] or fallback, top_kind=outer[0], long_top=outer[0] in LONG_TOPS, inner=inner,
        bottom=bottom or darken(tuple(COLOURS.values())[h[4] % 12], 0.35), skirt=skirt,
        shoes=shoes or darken(COLOURS["brown"], 0.3), hat=hat, scarf=scarf, apron=apron, props=carried,
        eyes=eyes, colours=colours,
    )


# What the dictionary calls a garment, as the part of a figure it is drawn as (nearest first): a word the lists above
# do not know ('sunhat', 'sarong', 'moccasins', 'balaclava') is still worn in its colour.
GARMENTS = (("handwear", ""), ("hosiery", ""), ("belt", ""), ("headdress", "hat"), ("footwear", "shoes"),
            ("skirt", "skirt"), ("trousers", "bottom"), ("neckwear", "scarf"), ("garment", "top"), ("clothing", "top"))


@lru_cache(maxsize=1024)
def garment(word: str) -> str:
    """Which part of a figure a word of its wardrobe is: 'top', 'bottom', 'skirt', 'shoes', 'hat', 'scarf', 'apron',
    or '' for a word that is no garment the figure draws."""
    listed = "top" if word in TOPS else "skirt" if word == "skirt" else "bottom" if word in BOTTOMS else \
        "shoes" if word in SHOES else "hat" if word in HATS else "scarf" if word in {"scarf", "shawl"} else \
        "apron" if word == "apron" else ""
    if listed or len(word) < 3 or word in COLOURS:
        return listed
    known = next((part for name, part in GARMENTS if beings.is_a(word, name)), "")
    if known or beings.is_noun(word):
        return known
    # a compound the dictionary lacks is the garment it ends in: a drysuit is a suit, a boilersuit a suit
    return next((part for k in range(2, len(word) - 2) for part in [garment(word[k:])] if part), "")


def _phrase(tokens: list[str], i: int) -> str:
    """The words that describe tokens[i], from the colour words before it: 'dark green wool coat'."""
    j = i
    while j > 0 and tokens[j - 1] not in {",", ";", ".", "and", "with", "a", "an", "the", "her", "his", "their", "its"}:
        j -= 1
    return " ".join(tokens[max(j, i - 4):i + 1])


EYE_COLOURS: dict[str, RGB] = {**COLOURS, "hazel": (150, 110, 50), "amber": (230, 160, 40), "brown": (110, 70, 40)}


def _eyes(tokens: list[str]) -> RGB | None:
    """The colour the story gives the eyes: 'green eyes', 'eyes of blue', 'blue-eyed'."""
    for i, word in enumerate(tokens):
        if word in {"eyes", "eye", "eyed"}:
            before = next((EYE_COLOURS[t] for t in reversed(tokens[max(0, i - 3):i]) if t in EYE_COLOURS), None)
            after = EYE_COLOURS.get(tokens[i + 2]) if i + 2 < len(tokens) and tokens[i + 1] == "of" else None
            if before or after:
                return before or after
    return None


@dataclass(frozen=True)
class CreatureDesign:
    """An animal, a robot, a dragon or another being: its kind's silhouette in colours read from its words."""

    kind: str
    body: RGB  # fur, feathers, scales or metal
    belly: RGB  # muzzle, chest and belly; a robot's panels
    accent: RGB  # ear tips, mane, spines, wings, fins, tail tip; a robot's antenna
    eyes: RGB
    marks: str  # "", "stripes" or "spots"
    height: float  # relative to an adult human
    collar: RGB | None  # a collar or scarf round the neck
    top: RGB | None  # a waistcoat, jacket or coat it wears
    hat: tuple[str, RGB] | None
    dented: bool
    props: tuple[tuple[str, RGB], ...]  # what it carries, in its own words, and the colour those words give
    body_plan: str = ""  # human, quadruped, bird, fish, reptile, serpent, amphibian, insect, dragon or robot
    colours: tuple[tuple[str, RGB, str], ...] = ()  # (part, colour drawn, the story's words for it): the record


FUR_COLOURS: dict[str, RGB] = {**HAIR_COLOURS, **COLOURS, "ginger": HAIR_COLOURS["ginger"], "red": (190, 66, 36),
                               "tawny": (178, 122, 62), "bay": (120, 62, 34), "snowy": (246, 246, 250),
                               "sandy": HAIR_COLOURS["sandy"], "chestnut": HAIR_COLOURS["chestnut"],
                               "rusty": COLOURS["rust"], "silvery": COLOURS["silver"], "dark": (58, 50, 50),
                               "tabby": (150, 110, 70), "tortoiseshell": (120, 80, 50), "piebald": (240, 236, 228),
                               "amber": (230, 160, 40), "hazel": (150, 110, 50)}
_BREAKS = {"and", "with", "for", "of", "on", "in", "at", "to", "from", "by", "like", "as", "or", "but", "a", "an",
           "the", "one", "its", "his", "her", "their", "that", "which", "who"}  # words that end a run of modifiers
_SHADES = {"dark": 0.35, "deep": 0.25, "light": -0.35, "pale": -0.45, "bright": -0.1}
PARTS = {"metal": "body", "skin": "body", "plating": "body", "casing": "body", "paws": "belly", "paw": "belly", "chest": "belly", "belly": "belly", "face": "belly", "muzzle": "belly",
         "socks": "accent", "tip": "accent", "tail": "accent", "mane": "accent", "wings": "accent", "wing": "accent",
         "spines": "body", "quills": "body", "prickles": "body", "fins": "accent", "fin": "accent", "ears": "accent",
         "blaze": "belly", "breast": "belly", "patch": "belly", "patches": "belly", "spots": "spots",
         "stripes": "stripes", "markings": "stripes", "eyes": "eyes", "eye": "eyes", "lights": "eyes",
         "antenna": "accent", "scales": "body", "fur": "body", "feathers": "body", "plumage": "body", "coat": "body"}
BODY_WORDS = {"fur", "coat", "feathers", "plumage", "scales", "shell", "body", "skin", "hide", "metal", "plating",
              "paint", "casing", "pelt", "wool", "mane", "tabby", "kitten", "puppy", "pup", "cub", "foal", "chick",
              "robin", "blackbird", "raven", "crow", "sparrow", "pony", "stallion", "mare", "hound", "tomcat",
              "vixen", "bunny", "hare", "goldfish", "trout", "carp", "machine", "android", "droid", "monster",
              "beast", "bird", "animal"}
KIND_LOOKS: dict[str, tuple[tuple[RGB, ...], float]] = {  # colours to choose from by id when the words name none
    "cat": (((226, 132, 58), (128, 128, 134), (44, 40, 46), (150, 110, 70), (236, 226, 210)), 0.42),
    "dog": (((170, 112, 60), (222, 180, 100), (60, 48, 44), (236, 228, 214)), 0.55),
    "fox": (((222, 110, 44),), 0.48),
    "wolf": (((132, 134, 142), (96, 96, 104)), 0.62),
    "owl": (((150, 104, 62), (176, 170, 162)), 0.46),
    "bird": (((70, 120, 200), (206, 70, 52), (246, 200, 52), (90, 84, 80)), 0.34),
    "rabbit": (((170, 140, 110), (236, 232, 226), (130, 122, 120)), 0.44),
    "hedgehog": (((122, 86, 56),), 0.32),
    "mouse": (((150, 146, 146), (160, 120, 90)), 0.3),
    "horse": (((140, 80, 44), (60, 44, 40), (226, 222, 214), (196, 150, 90)), 1.12),
    "fish": (((246, 140, 40), (70, 140, 210), (230, 80, 80)), 0.34),
    "bear": (((122, 82, 52), (60, 48, 44)), 0.86),
    "dragon": (((64, 150, 90), (190, 58, 50), (112, 74, 160)), 1.1),
    "robot": (((190, 196, 206), (160, 164, 174)), 0.78),
    "creature": (((128, 92, 170), (60, 160, 150), (220, 120, 60)), 0.66),
    "quadruped": (((150, 110, 70), (200, 190, 170), (90, 80, 76)), 0.6),
    "reptile": (((90, 150, 70), (130, 120, 70)), 0.3),
    "serpent": (((90, 130, 60), (160, 120, 60), (60, 60, 70)), 0.36),
    "amphibian": (((90, 170, 80), (150, 130, 70)), 0.26),
    "insect": (((60, 50, 50), (240, 190, 40), (200, 60, 50)), 0.22),
}
NOUN_LOOKS: dict[str, tuple[RGB, RGB | None]] = {  # the colours a species' name brings: (body, belly)
    "raven": ((40, 38, 46), None), "crow": ((40, 38, 46), None), "blackbird": ((40, 38, 46), None),
    "magpie": ((40, 38, 46), (246, 246, 246)), "robin": ((130, 96, 66), (222, 96, 52)),
    "sparrow": ((150, 110, 70), (220, 200, 170)), "duck": ((246, 246, 240), None),
    "duckling": ((250, 214, 70), None), "swan": ((248, 248, 248), None), "chick": ((250, 214, 70), None),
    "canary": ((250, 214, 70), None), "parrot": ((60, 170, 80), (230, 70, 50)), "bluebird": ((70, 120, 210), None),
    "goldfish": ((246, 140, 40), None), "shark": ((120, 130, 146), (236, 236, 236)),
    "polar": ((246, 246, 246), None), "panda": ((246, 246, 246), (40, 38, 46)), "grizzly": ((120, 84, 52), None),
    "arctic": ((246, 246, 246), None), "tabby": ((150, 110, 70), None), "dalmatian": ((246, 246, 246), None),
    "pony": ((170, 120, 80), None), "unicorn": ((248, 248, 250), None), "zebra": ((246, 246, 246), None),
}
COLLARS = {"collar", "scarf", "ribbon", "bow", "bandana", "neckerchief", "shawl"}
# What a body plan's body is made of, by default, and the story's other words for the same part.
MATERIALS = {"quadruped": "fur", "bird": "feathers", "fish": "scales", "reptile": "scales", "serpent": "scales",
             "dragon": "scales", "amphibian": "skin", "insect": "body", "robot": "metal"}
SAID_AS = {"plumage": "feathers", "coat": "fur", "pelt": "fur", "hide": "fur", "wool": "fur", "eye": "eyes",
           "lights": "eyes", "wing": "wings", "fin": "fins", "paw": "paws", "plating": "metal", "casing": "metal"}
_EYES = {"cat": (120, 190, 70), "fox": (214, 150, 40), "wolf": (226, 190, 70), "owl": (250, 170, 40),
         "robot": (90, 230, 250), "dragon": (250, 210, 60), "creature": (250, 250, 250)}


def _being_word(word: str, known: set[str]) -> bool:
    return word in known or bool(len(word) > 2 and beings.species(word))


def _colour_words(tokens: list[str], i: int) -> RGB | None:
    """The colour a run of words ending at tokens[i] names: 'rust red' mixes, 'dark grey' darkens."""
    colours: list[RGB] = []
    j = i
    while j >= 0 and tokens[j] in FUR_COLOURS and tokens[j] not in _SHADES:
        colours.append(FUR_COLOURS[tokens[j]])
        j -= 1
    if not colours:
        return FUR_COLOURS.get(tokens[i])
    colour = colours[-1]
    for other in colours[-2::-1]:
        colour = mix(colour, other, 0.5)
    shade = _SHADES.get(tokens[j], 0.0) if j >= 0 else 0.0
    return darken(colour, shade) if shade > 0 else lighten(colour, -shade) if shade < 0 else colour


@lru_cache(maxsize=256)
def _creature(character_id: str, kind: str, appearance: str, wardrobe: str, props: tuple[str, ...],
              plan: str = "", species: str = "") -> CreatureDesign:
    h = stable_hash(character_id)
    choices, height = KIND_LOOKS.get(kind, KIND_LOOKS["creature"])
    body: RGB | None = None
    parts: dict[str, RGB] = {}
    said: dict[str, tuple[str, str]] = {}  # the story's word for a part -> (what it colours, its words)
    material = MATERIALS.get(plan, "body")
    marks = ""
    worn = [p for p in props if BODY_WORDS & set(_tokens(p))]  # 'a dented copper shell' describes, not carries
    tokens = _tokens(" , ".join([appearance, *worn]))
    for i, word in enumerate(tokens):
        if word in {"tabby", "striped", "stripy", "stripes"}:
            marks = "stripes"
        elif word in {"spotted", "spots", "dappled", "speckled"}:
            marks = "spots"
        if word not in FUR_COLOURS or (i + 1 < len(tokens) and tokens[i + 1] in FUR_COLOURS):
            continue  # only the last word of a colour run names it
        colour = _colour_words(tokens, i)
        following = next((t for t in tokens[i + 1:i + 3] if t in PARTS), None)
        part = PARTS.get(following or "", "body")
        noun = next((t for t in tokens[i + 1:i + 3] if t not in FUR_COLOURS and t not in {"and", "with"}), "")
        known = BODY_WORDS | NOUN_LOOKS.keys() | {kind, species, "", ",", ".", ";"}
        if part == "body" and not _being_word(noun, known):
            # 'a large white farmyard goose': the run of modifiers after the colour ends at the being's noun
            run = itertools.takewhile(lambda t: t.isalpha() and t not in _BREAKS, tokens[i + 1:i + 5])
            noun = next((t for t in run if _being_word(t, known)), None)
            if noun is None:
                continue  # 'a blue lamp for an eye' colours the lamp, not the robot; 'a black spaniel' the dog
        if colour is not None:  # the record: which part the story coloured, in its words
            word = SAID_AS.get(following or "", following) if following else material
            named = following or (noun if noun not in {",", ".", ";"} else "")
            end = tokens.index(named, i + 1) + 1 if named else i + 1
            start = i
            while start > 0 and (tokens[start - 1] in FUR_COLOURS or tokens[start - 1] in _SHADES):
                start -= 1
            said.setdefault(word, (part, " ".join(tokens[start:end])))
        if part == "body" and body is None and colour is not None:
            body = colour
        elif part in {"belly", "accent", "eyes"} and colour is not None:
            parts.setdefault(part, colour)
        elif part in {"spots", "stripes"} and colour is not None:
            marks = part
            parts.setdefault("accent", colour)
    if kind == "robot" and body is None:
        body = next((COLOURS[w] for w in tokens if w in {"silver", "brass", "copper", "gold", "rust"}), None)
    named = next((NOUN_LOOKS[w] for w in tokens if w in NOUN_LOOKS), None)  # 'a raven', 'a polar bear'
    if named is not None:
        body = body or named[0]
        if named[1] is not None:
            parts.setdefault("belly", named[1])
    body = body or choices[h[5] % len(choices)]
    belly = parts.get("belly") or {
        "fox": (246, 242, 232), "owl": lighten(body, 0.45), "robot": darken(body, 0.18), "hedgehog": (214, 180, 140),
        "bear": lighten(body, 0.35), "dragon": mix(body, (240, 214, 120), 0.6), "fish": lighten(body, 0.4),
    }.get(kind, lighten(body, 0.5))
    accent = parts.get("accent") or {
        "fox": (48, 36, 34), "hedgehog": darken(body, 0.35), "horse": darken(body, 0.55), "fish": lighten(body, 0.25),
        "dragon": darken(body, 0.3), "robot": (222, 64, 56), "mouse": (236, 160, 170), "rabbit": (236, 170, 176),
        "cat": (236, 160, 170), "bird": mix(body, (30, 30, 40), 0.35), "owl": darken(body, 0.25),
    }.get(kind, darken(body, 0.3))
    eyes = parts.get("eyes") or _EYES.get(kind, (40, 32, 36))
    size = height
    if re.search(r"\b(tiny|little|small|baby|young|kitten|puppy|cub|foal|chick)\b", appearance.lower()):
        size *= 0.85
    elif re.search(r"\b(huge|giant|enormous|great|big|large|massive)\b", appearance.lower()):
        size *= 1.15
    wear = _tokens(wardrobe + " , " + appearance)
    collar, hat, top = None, None, None
    worn_as = [("collar" if word in COLLARS or garment(word) == "scarf" else garment(word)) if i > 0 else ""
               for i, word in enumerate(wear)]  # the first word is what it is ('coat' of a dog is its fur)
    for i, word in enumerate(wear):
        if worn_as[i] == "top" and top is None:
            top = _colour_before(wear, i, COLOURS) or tuple(COLOURS.values())[h[7] % 12]
        if worn_as[i] == "collar" and collar is None:
            collar = _colour_before(wear, i, COLOURS) or tuple(COLOURS.values())[h[6] % 12]  # no colour given: its own
        elif worn_as[i] == "hat" and hat is None:
            hat = (word, _colour_before(wear, i, COLOURS) or COLOURS["brown"])
    drawn = {"body": body, "belly": belly, "accent": accent, "eyes": eyes, "spots": accent, "stripes": accent}
    colours = {material: (body, ""), "eyes": (eyes, "")}
    colours.update({word: (drawn[part], words) for word, (part, words) in said.items()})
    for i, word in enumerate(wear):  # what it wears, in the story's words and the colours drawn
        colour = {"collar": collar, "top": top, "hat": hat[1] if hat else None}.get(worn_as[i])
        if colour is not None and i > 0:
            colours[word] = (colour, _phrase(wear, i))
    return CreatureDesign(
        kind=kind, body=body, belly=belly, accent=accent, eyes=eyes, marks=marks, height=size, collar=collar, top=top,
        hat=hat,
        dented=bool(re.search(r"\b(dent|dented|battered|scratched|rusty|rusted)\b", " ".join(tokens))),
        props=tuple((prop, colour) for prop in props if prop not in worn
                    for _, colour, unknown in [read_prop(prop)] if not unknown)[:2],
        body_plan=plan, colours=tuple((part, colour, words) for part, (colour, words) in colours.items()),
    )


def _carried(props: tuple[str, ...]) -> tuple[tuple[str, RGB], ...]:
    carried = []
    for prop in props:
        ptok = _tokens(prop)
        for i, word in enumerate(ptok):
            if word in PROP_KINDS:
                default = {"lantern": COLOURS["brass"], "umbrella": COLOURS["black"], "basket": COLOURS["tan"],
                           "book": COLOURS["red"], "stick": COLOURS["wooden"], "bag": COLOURS["leather"],
                           "lens": COLOURS["sky"], "flower": COLOURS["pink"], "spyglass": COLOURS["brass"]}
                carried.append((PROP_KINDS[word], _colour_before(ptok, i, COLOURS) or default[PROP_KINDS[word]]))
                break
    return tuple(carried[:2])


def design_of(character: CharacterLook) -> Design | CreatureDesign:
    """The character's fixed design: from its id (a stable hash), its kind and its colour words; never the scene.
    A being is drawn with its family's body plan: its kind's own drawing where there is one (a cat, an owl), else
    its plan's (a goose as a bird, a ferret as a four-legged animal); a being shaped like a person as a person."""
    species, plan = body_of(character)
    if plan == "human":
        return _design(character.id, character.appearance, character.wardrobe, tuple(character.props))
    drawing = character.kind if character.kind in DRAWINGS else plan
    return _creature(character.id, drawing, character.appearance, character.wardrobe, tuple(character.props), plan,
                     species)


# The kinds and plans with a drawing of their own (creatures.KINDS draws them).
DRAWINGS = {"cat", "dog", "fox", "wolf", "owl", "bird", "rabbit", "hedgehog", "mouse", "horse", "fish", "bear",
            "dragon", "robot", "quadruped", "reptile", "serpent", "amphibian", "insect"}


@lru_cache(maxsize=256)
def _body(kind: str, appearance: str) -> tuple[str, str]:
    if kind == "human":
        return kind, "human"
    if kind != "creature":
        return kind, beings.body_plan(kind)
    for word in _tokens(appearance):  # 'a creature': the species its looks name ('a sleek ferret')
        found = beings.species(word) if len(word) > 2 and word not in FUR_COLOURS.keys() | GENERIC else None
        if found:
            return found, beings.body_plan(found)
    return kind, beings.body_plan(kind)  # a being nothing more is known of: four legs, as beings.py says


GENERIC = {"creature", "beast", "monster", "animal", "thing", "critter"}


def body_of(character: CharacterLook) -> tuple[str, str]:
    """(species, body plan) by `beings.body_plan`: 'human', 'quadruped', 'bird', 'fish', 'reptile', 'serpent',
    'amphibian', 'insect', 'dragon' or 'robot'."""
    return _body(character.kind, character.appearance)
