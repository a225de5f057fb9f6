"""Character designs: read from a character's id and colour words alone, so it looks the same in every scene."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from ..base import CharacterLook
from .paint import COLOURS, HAIR_COLOURS, RGB, SKIN_TONES, darken


TOPS = {"coat", "raincoat", "jacket", "sweater", "jumper", "shirt", "tunic", "cloak", "dress", "robe", "gown",
        "cardigan", "blouse", "hoodie", "vest", "waistcoat", "overalls", "smock", "uniform", "parka", "anorak",
        "poncho", "cape", "pullover", "top", "tshirt", "oilskin", "mac"}
LONG_TOPS = {"coat", "raincoat", "cloak", "dress", "robe", "gown", "parka", "anorak", "poncho", "cape", "smock",
             "oilskin", "mac"}
BOTTOMS = {"trousers", "pants", "jeans", "skirt", "shorts", "leggings", "breeches", "dungarees"}
SHOES = {"boots", "boot", "shoes", "shoe", "sandals", "slippers", "clogs", "wellingtons", "wellies"}
HATS = {"hat", "cap", "beret", "bonnet", "beanie", "helmet", "sou'wester", "souwester"}
HAIR_NOUNS = {"hair", "braids", "braid", "plaits", "plait", "ponytail", "bun", "curls", "locks", "pigtails"}
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

    wear = _tokens(wardrobe)
    tops: list[tuple[str, RGB | None]] = []
    bottom, shoes, hat, scarf, apron = None, None, None, None, None
    skirt = False
    for i, word in enumerate(wear):
        colour = _colour_before(wear, i, COLOURS)
        if word in TOPS:
            tops.append((word, colour))
        elif word in BOTTOMS:
            bottom, skirt = colour, word == "skirt"
        elif word in SHOES:
            shoes = colour
        elif word in HATS or (word == "hood" and "up" in wear[i:i + 2]):
            hat = (word, colour or COLOURS["brown"])
        elif word in {"scarf", "shawl"}:
            scarf = colour or COLOURS["red"]
        elif word == "apron":
            apron = colour or COLOURS["cream"]
    fallback = tuple(COLOURS.values())[h[3] % 20]
    outer = next((t for t in tops if t[0] in LONG_TOPS), tops[0] if tops else ("tunic", None))
    inner = next((c for t, c in tops if (t, c) != outer and c is not None), None)

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
    build = 1.0
    if re.search(r"\b(tall|lanky)\b", look):
        build = 1.08
    elif re.search(r"\b(short|small|little|tiny)\b(?! hair)", look):
        build = 0.93
    width = 1.14 if re.search(r"\b(stout|broad|plump|round|burly|big)\b",
                              look) else 0.9 if re.search(r"\b(thin|slender|skinny|slim|wiry)\b", look) else 1.0
    return Design(
        skin=SKIN_TONES[skin_i], hair=hair_colour, hair_style=style, beard=beard,
        glasses=bool(re.search(r"\b(glasses|spectacles)\b", look + " " + wardrobe.lower())),
        freckles="freckle" in look, child=child, elder=elder,
        height=(0.74 if child else 0.97 if elder else 1.0) * build, width=width,
        top=outer[1] or fallback, top_kind=outer[0], long_top=outer[0] in LONG_TOPS, inner=inner,
        bottom=bottom or darken(tuple(COLOURS.values())[h[4] % 12], 0.35), skirt=skirt,
        shoes=shoes or darken(COLOURS["brown"], 0.3), hat=hat, scarf=scarf, apron=apron, props=tuple(carried[:2]),
    )


def design_of(character: CharacterLook) -> Design:
    """The character's fixed design: from its id (a stable hash) and its colour words; never from the scene."""
    return _design(character.id, character.appearance, character.wardrobe, tuple(character.props))
