"""The animatic: storyboard keyframes and camera-move clips drawn with Pillow, on any machine, with no model.

A keyframe is read from the request's words: the setting picks the place, the environment and caption pick the
weather, light and props, the prompt adds small things (boats, gulls, a distant lighthouse), and the context
C(t-1) leaves traces of the previous scene's weather (clearing clouds, snow on the ground). The time of day
lights everything, the palette tints everything, and each character is drawn from its id and its colour words
alone, so it looks the same in every scene. A clip sets the keyframe in motion with the scene's camera move.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Iterator

import numpy as np
from PIL import Image, ImageDraw

from ..errors import RenderError
from .base import CharacterLook, ClipRequest, ClipResult, KeyframeRequest
from .fonts import font, font_family

KEYFRAME_VERSION = 1  # bump whenever the drawing changes: it is part of every keyframe's key
CLIP_VERSION = 1
RGB = tuple[int, int, int]

# ----------------------------------------------------------------------------------------------------------------
# Colours
# ----------------------------------------------------------------------------------------------------------------

COLOURS: dict[str, RGB] = {
    "yellow": (246, 200, 52), "red": (206, 58, 50), "green": (72, 150, 84), "blue": (56, 104, 186),
    "navy": (34, 48, 96), "white": (242, 240, 232), "black": (42, 38, 44), "grey": (132, 134, 140),
    "gray": (132, 134, 140), "brown": (122, 82, 52), "orange": (238, 130, 44), "purple": (122, 74, 152),
    "pink": (238, 144, 172), "gold": (214, 172, 62), "golden": (222, 178, 72), "silver": (192, 196, 204),
    "brass": (196, 152, 70), "copper": (186, 112, 62), "teal": (42, 140, 140), "turquoise": (64, 190, 188),
    "cream": (242, 230, 204), "beige": (216, 196, 162), "tan": (204, 164, 112), "khaki": (190, 176, 122),
    "crimson": (172, 32, 52), "scarlet": (214, 44, 40), "maroon": (120, 34, 44), "rust": (172, 82, 42),
    "mustard": (216, 172, 44), "ochre": (200, 140, 50), "olive": (120, 122, 56), "violet": (140, 86, 186),
    "lilac": (190, 160, 210), "lavender": (176, 160, 214), "indigo": (64, 56, 140), "denim": (72, 102, 152),
    "leather": (132, 86, 52), "straw": (226, 196, 120), "canvas": (214, 200, 168), "wooden": (150, 104, 62),
    "dark": (62, 50, 46), "light": (222, 214, 200), "sky": (120, 180, 230), "emerald": (40, 150, 100),
}
HAIR_COLOURS: dict[str, RGB] = {
    "red": (198, 82, 40), "ginger": (206, 104, 44), "auburn": (150, 64, 36), "black": (40, 32, 32),
    "white": (240, 238, 232), "grey": (176, 176, 178), "gray": (176, 176, 178), "silver": (206, 208, 214),
    "brown": (112, 72, 42), "chestnut": (132, 70, 38), "blonde": (234, 200, 112), "blond": (234, 200, 112),
    "golden": (226, 182, 82), "fair": (232, 204, 140), "dark": (56, 40, 32), "sandy": (214, 180, 120),
}
SKIN_TONES: tuple[RGB, ...] = (
    (255, 226, 200), (244, 198, 162), (226, 176, 134), (200, 138, 96), (160, 104, 68), (120, 78, 54),
)
INK: RGB = (52, 42, 50)


def hex_rgb(code: str) -> RGB:
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def lighten(c: RGB, t: float) -> RGB:
    return mix(c, (255, 255, 255), t)


def darken(c: RGB, t: float) -> RGB:
    return mix(c, (0, 0, 0), t)


def rgba(c: RGB, alpha: int) -> tuple[int, int, int, int]:
    return (c[0], c[1], c[2], alpha)


def supersample(height: int) -> int:
    """How much larger shapes are drawn before they are reduced: Pillow's polygons are not anti-aliased, and small
    frames are drawn at 360 lines or more so that no shape gets too small to draw."""
    return max(2, math.ceil(360 / max(1, height)))


def box(x: float, y: float, rx: float, ry: float | None = None) -> tuple[float, float, float, float]:
    """The bounding box of an ellipse (or a rectangle) centred on (x, y)."""
    ry = rx if ry is None else ry
    return (x - rx, y - ry, x + rx, y + ry)


def stroke(width: float) -> int:
    """A line width in whole pixels, never zero."""
    return max(1, int(width))


def stable_hash(text: str) -> bytes:
    """A hash that is the same in every process (Python's hash() is salted per run)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


# ----------------------------------------------------------------------------------------------------------------
# Reading the words: which place, weather and things a scene shows
# ----------------------------------------------------------------------------------------------------------------

def _words(*items: str) -> re.Pattern[str]:
    words = [w.replace("_", " ") for item in items for w in item.split()]  # "lamp_room" is two words
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})(?:s|es)?\b", re.IGNORECASE)


KEYWORDS: dict[str, re.Pattern[str]] = {
    "interior": _words("inside interior indoors room workshop kitchen stair staircase stairwell bedroom attic cellar"
                       " hall library study parlour parlor corridor tavern inn classroom lamp_room forge bakery"
                       " cottage_interior living_room"),
    "sea": _words("sea ocean wave harbour harbor boat ship island lighthouse shore beach coast bay pier quay dock"
                  " seaside port"),
    "town": _words("town street market house village city square alley lane shopfront"),
    "market": _words("market stall bazaar fair"),
    "forest": _words("forest wood woodland tree jungle grove orchard"),
    "mountains": _words("mountain peak cliff alp summit"),
    "hills": _words("hill valley meadow field farm garden countryside"),
    "river": _words("river stream brook creek canal"),
    "lighthouse": _words("lighthouse"),
    "island": _words("island islet"),
    "rocks": _words("rock rocky reef crag boulder"),
    "boat": _words("boat ship rowing_boat fishing_boat sailboat dinghy"),
    "gulls": _words("gull seagull bird"),
    "furnace": _words("furnace forge kiln"),
    "fire": _words("fire fireplace hearth flame campfire"),
    "sparks": _words("spark ember"),
    "stairs": _words("stair staircase stairwell steps"),
    "workbench": _words("workshop workbench bench tool glass_maker glassmaker"),
    "shelves": _words("shelf shelves workshop kitchen library shop pantry"),
    "bed": _words("bed bedroom pillow"),
    "table": _words("table kitchen breakfast dinner supper"),
    "lens": _words("lens lamp_room lantern_room"),
    "stone": _words("lighthouse tower castle stone cave dungeon"),
    "storm": _words("storm stormy tempest thunder thunderstorm lightning gale hurricane"),
    "rain": _words("rain raining rainy drizzle downpour shower"),
    "clouds": _words("cloud cloudy overcast grey_sky gray_sky"),
    "dark_clouds": _words("dark_cloud black_cloud storm_cloud thundercloud"),
    "lightning": _words("lightning thunder thunderstorm"),
    "snow": _words("snow snowy snowing snowfall blizzard frost frosty winter"),
    "fog": _words("fog foggy mist misty haze hazy"),
    "beam": _words("beam shine shines shone shining"),
    "lamp_out": re.compile(r"\b(?:lamp|light|lighthouse)\b[^.;]{0,40}\b(?:dark|out|crack\w*|broken|flicker\w*)\b"
                           r"|\b(?:went|goes|gone) (?:dark|out)\b", re.IGNORECASE),
}
# A clause that says weather is ending ("the storm had passed") leaves only traces of it.
_FADING = re.compile(r"\b(?:passed|past|cleared|clearing|(?:is|was|now|had been) over|after|gone|no|without|ended|"
                     r"stopped|lifted|faded|breaking|calm)\b", re.IGNORECASE)
_IN_BOAT = re.compile(r"\b(?:rows?|rowed|rowing|sails?|sailing|sailed|paddl\w*|in (?:a|the|her|his|their|our) "
                      r"(?:\w+ ){0,2}boat)\b", re.IGNORECASE)


@dataclass
class Weather:
    clouds: int = 0  # 0 clear, 1 fair, 2 overcast, 3 storm
    rain: bool = False
    lightning: bool = False
    snow: bool = False  # falling
    snow_ground: bool = False
    fog: float = 0.0  # 0..1


@dataclass
class Scenery:
    """What a keyframe shows, read from the request's words."""

    interior: bool
    places: set[str]
    things: set[str]
    weather: Weather
    in_boat: bool = False
    lamp_lit: bool = True


WEATHER_WORDS = ("storm", "rain", "clouds", "dark_clouds", "lightning", "snow", "fog")


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[.;,!?]|\bbut\b", text) if c.strip()]


def _read_weather(full: str, traces: str) -> Weather:
    w = Weather()

    def apply(clause: str, strong: bool) -> None:
        has = {k: bool(KEYWORDS[k].search(clause)) for k in WEATHER_WORDS}
        if strong:
            if has["storm"]:
                w.clouds, w.rain, w.lightning = 3, True, True
            if has["rain"]:
                w.clouds, w.rain = max(w.clouds, 2), True
            if has["dark_clouds"]:
                w.clouds = 3
            elif has["clouds"]:
                w.clouds = max(w.clouds, 2)
            if has["lightning"]:
                w.lightning, w.clouds = True, 3
            if has["snow"]:
                w.snow, w.snow_ground, w.clouds = True, True, max(w.clouds, 1)
            if has["fog"]:
                w.fog = 1.0
        else:  # traces: the weather is leaving
            if has["storm"] or has["rain"] or has["clouds"] or has["dark_clouds"]:
                w.clouds = max(w.clouds, 1)
            if has["snow"]:
                w.snow_ground = True
            if has["fog"]:
                w.fog = max(w.fog, 0.45)

    for clause in _clauses(full):
        apply(clause, strong=not _FADING.search(clause))
    for clause in _clauses(traces):
        apply(clause, strong=False)
    return w


def read_scenery(request: KeyframeRequest) -> Scenery:
    """The setting picks the place; environment and caption the weather and props; the prompt adds small things."""
    setting, env, caption = request.setting, request.environment, request.caption
    scene_words = " . ".join((setting, env, caption))
    all_words = " . ".join((scene_words, request.prompt))

    def found(key: str, text: str) -> bool:
        return bool(KEYWORDS[key].search(text))

    places = {p for p in ("sea", "town", "forest", "mountains", "hills", "river") if found(p, setting)}
    if not places:  # a setting with no place word ("Mira's home"): let the scene's own words decide
        places = {p for p in ("sea", "town", "forest", "mountains", "river") if found(p, env + " . " + caption)}
    indoors = bool(re.search(r"\b(?:inside|indoors)\b", scene_words, re.IGNORECASE))
    interior = found("interior", setting) or (not places and indoors)
    if found("market", setting) or (("town" in places) and found("market", scene_words)):
        places.add("market")
    if "town" in places and found("sea", setting):
        places.add("sea")

    things: set[str] = set()
    for key in ("furnace", "fire", "sparks", "stairs", "workbench", "shelves", "bed", "table", "lens", "stone"):
        if found(key, setting if key in ("stone", "stairs") else scene_words):
            things.add(key)
    if re.search(r"\b(?:harbou?r|quay|pier|dock|port|jetty)s?\b", setting + " . " + env, re.IGNORECASE):
        things.add("quay")
    for key in ("boat", "gulls", "rocks", "island", "beam"):
        if found(key, all_words):
            things.add(key)
    if found("lighthouse", setting):
        things.add("hero_lighthouse" if not interior else "stone")
    elif found("lighthouse", all_words + " . " + request.context):
        things.add("lighthouse")
    if found("sea", all_words):
        things.add("sea_view")  # what a window looks out on
    if "furnace" in things:
        things.add("sparks")

    in_boat = "sea" in places or "river" in places
    in_boat = in_boat and not interior and (found("boat", setting) or bool(_IN_BOAT.search(env + " . " + caption)))
    return Scenery(
        interior=interior,
        places=places,
        things=things,
        weather=_read_weather(" . ".join((setting, env, caption)), request.context),
        in_boat=in_boat,
        lamp_lit=not KEYWORDS["lamp_out"].search(scene_words),
    )


# ----------------------------------------------------------------------------------------------------------------
# Light: the time of day, darkened by weather
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Light:
    top: RGB
    bottom: RGB
    ambient: RGB  # multiplies every scenery colour
    haze: RGB  # far things fade towards it
    body: str  # "sun", "moon" or ""
    body_at: tuple[float, float]
    body_colour: RGB
    stars: int
    dark: bool  # windows, lamps and lanterns glow


LIGHTS: dict[str, Light] = {
    "dawn": Light((108, 112, 170), (250, 186, 168), (246, 206, 196), (238, 184, 180), "sun", (0.24, 0.50),
                  (255, 214, 168), 8, False),
    "morning": Light((92, 164, 230), (214, 236, 248), (255, 250, 240), (206, 226, 240), "sun", (0.24, 0.20),
                     (255, 246, 214), 0, False),
    "noon": Light((62, 140, 222), (196, 228, 250), (255, 255, 255), (200, 224, 244), "sun", (0.5, 0.12),
                  (255, 250, 224), 0, False),
    "afternoon": Light((82, 150, 214), (246, 226, 186), (255, 242, 222), (236, 222, 200), "sun", (0.76, 0.22),
                       (255, 236, 196), 0, False),
    "dusk": Light((62, 62, 124), (248, 152, 92), (236, 178, 146), (214, 140, 120), "sun", (0.78, 0.48), (255, 170, 90),
                  10, True),
    "evening": Light((32, 38, 86), (124, 92, 142), (150, 142, 186), (104, 92, 140), "moon", (0.80, 0.18),
                     (246, 240, 214), 50, True),
    "night": Light((12, 18, 48), (40, 52, 96), (108, 120, 168), (44, 56, 96), "moon", (0.78, 0.16), (246, 242, 220),
                   130, True),
}


def lighting(time_of_day: str, weather: Weather) -> Light:
    light = LIGHTS.get(time_of_day, LIGHTS["afternoon"])
    if weather.clouds >= 2:
        grey = (70, 76, 92) if weather.clouds == 3 else (150, 156, 166)
        amount = 0.62 if weather.clouds == 3 else 0.45
        if light.dark:
            grey, amount = darken(grey, 0.55), amount * 0.6
        light = Light(
            mix(light.top, grey, amount), mix(light.bottom, grey, amount), mix(light.ambient, darken(grey, 0.1),
                    amount * 0.6),
            mix(light.haze, grey, amount), "" if weather.clouds == 3 or light.body == "sun" else light.body,
            light.body_at, light.body_colour, 0, light.dark or weather.clouds == 3,
        )
    return light


# ----------------------------------------------------------------------------------------------------------------
# The look: style words that change line weight, grain and colour grading
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Look:
    line: float
    grain: float
    vignette: float
    desaturate: float
    sepia: bool


def read_look(look: str) -> Look:
    def has(pattern: str) -> bool:
        return bool(re.search(pattern, look, re.IGNORECASE))

    line = 1.0
    if has(r"\b(ink|comic|line|cartoon|graphic|bold|cel)"):
        line = 1.6
    elif has(r"watercol|pastel|soft|dream"):
        line = 0.75
    grain = 0.035 if has(r"watercol|paper|storybook|gouache|crayon|pencil|pastel|paint") else 0.015
    mono = has(r"noir|monochrome|black.and.white|greyscale|grayscale")
    sepia = has(r"sepia|vintage|old photo")
    return Look(line=line, grain=grain, vignette=0.38 if mono else 0.2,
                desaturate=0.92 if mono else 0.6 if sepia else 0.0, sepia=sepia)


# ----------------------------------------------------------------------------------------------------------------
# Characters: a design from the id and the colour words, the same in every scene
# ----------------------------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class Sprite:
    image: Image.Image  # RGBA
    foot: tuple[int, int]  # where the feet touch the ground, in the sprite
    head_top: int  # y of the top of the head (or hat)
    glow: tuple[float, float] | None  # a lit lantern's centre, in the sprite


def _capsule(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], width: float, fill: RGB,
             line: float) -> None:
    """A rounded stroke with an ink outline: limbs, sleeves, braids."""
    for colour, w in ((INK, width + 2 * line), (fill, width)):
        draw.line([a, b], fill=colour, width=stroke(round(w)))
        for x, y in (a, b):
            r = w / 2
            draw.ellipse(box(x, y, r), fill=colour)


def _fringe(cx: float, hy: float, r: float, style: str, elder: bool) -> list[tuple[float, float]]:
    """The hair over the forehead: the crown's arc, then a scalloped edge (a side sweep, a centre part or curls)."""
    crown = [(cx + 1.05 * r * math.cos(a), hy - 0.05 * r + 1.02 * r * math.sin(a)) for a in np.linspace(math.pi * 0.98,
            math.pi * 2.02, 24)]
    bumps = {"curly": 5, "long": 2, "braids": 2, "bun": 1, "ponytail": 1}.get(style, 3)
    line = -0.42 if elder else -0.3  # the hairline; an old man's is higher
    edge = []
    for t in np.linspace(1.0, -1.0, 25):
        swoop = 0.22 * abs(math.sin(math.pi * bumps * (t + 1) / 2))
        tilt = 0.12 * t if bumps == 3 else 0.0  # a side sweep
        edge.append((cx + t * 1.02 * r, hy + (line + swoop + tilt + 0.3 * t * t) * r))
    return crown + edge


@lru_cache(maxsize=16)  # a 720p sprite is about 2 MB; a film has a few characters at a few sizes
def figure_sprite(design: Design, height: int, line_scale: float) -> Sprite:
    """Draw a standing character `height` pixels tall (feet to crown) on a transparent sprite."""
    d = design
    u = height / 100
    line = max(1.5, 0.85 * u) * line_scale
    w_px, h_px = int(height * 0.95), int(height * 1.2)
    img = Image.new("RGBA", (w_px, h_px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    cx = w_px / 2
    foot_y = h_px - 2 * u
    top_y = foot_y - 100 * u
    r = (14.0 if d.child else 11.0) * u  # head radius: children have bigger heads
    hy = top_y + r + 1.5 * u  # head centre
    neck_y = hy + r * 0.92
    shoulder_y = neck_y + 2.5 * u
    sw = (15.5 if d.child else 14.5) * u * d.width  # half shoulder width
    hip_y = top_y + (66 if d.child else 60) * u
    hem_y = top_y + (80 if d.child else 79) * u if d.long_top else hip_y + 5 * u
    shoe_top = foot_y - 6.5 * u
    outline = dict(outline=INK, width=stroke(round(line)))

    # 1. hair behind the head, and a raincoat's hood
    if d.hair_style == "long":
        draw.rounded_rectangle((cx - 1.15 * r, hy - 1.12 * r, cx + 1.15 * r, hy + 1.85 * r), radius=r, fill=d.hair,
                               **outline)
    elif d.hair_style == "braids":
        for side in (-1, 1):
            x = cx + side * 0.98 * r
            for k in range(5):
                y = hy + 0.35 * r + k * 0.42 * r
                draw.ellipse(box(x, y, 0.26 * r, 0.24 * r), fill=d.hair, **outline)
            y_end = hy + 0.35 * r + 5 * 0.42 * r
            draw.ellipse((x - 0.16 * r, y_end - 0.2 * r, x + 0.16 * r, y_end + 0.05 * r), fill=COLOURS["red"],
                         **outline)
    elif d.hair_style == "ponytail":
        draw.ellipse((cx + 0.55 * r, hy - 0.5 * r, cx + 1.55 * r, hy + 1.3 * r), fill=d.hair, **outline)
    if d.top_kind in {"raincoat", "parka", "anorak", "oilskin", "hoodie", "cloak", "cape", "poncho"}:
        draw.ellipse((cx - 1.05 * r, neck_y - 0.75 * r, cx + 1.05 * r, neck_y + 0.5 * r), fill=darken(d.top, 0.12),
                     **outline)

    # 2. legs and shoes (a skirt or long coat covers the top of the legs)
    for side in (-1, 1):
        lx = cx + side * 5.2 * u * d.width
        _capsule(draw, (lx, hip_y), (lx, shoe_top), 7.5 * u, d.skin if d.skirt else d.bottom, line)
        draw.rounded_rectangle((lx - 4.6 * u + side * 1.2 * u, shoe_top - 1 * u, lx + 4.6 * u + side * 1.2 * u, foot_y),
                               radius=2.5 * u, fill=d.shoes, **outline)

    # 3. arms, then the body over the shoulders
    hand_y = hip_y + (1 if d.child else 3) * u
    hands = []
    for side in (-1, 1):
        shoulder = (cx + side * (sw - 3.2 * u), shoulder_y + 3.5 * u)
        hand = (cx + side * (sw + 3.2 * u), hand_y)
        _capsule(draw, shoulder, hand, 7.2 * u, d.top, line)
        hands.append(hand)
    draw.rectangle((cx - 3 * u, neck_y - 2 * u, cx + 3 * u, shoulder_y + 1 * u), fill=d.skin, **outline)
    flare = 1.28 if d.long_top else 1.04
    body = [(cx - 4.5 * u, neck_y + 0.5 * u), (cx - sw, shoulder_y + 2 * u), (cx - sw - 0.5 * u, shoulder_y + 6 * u),
            (cx - sw * flare, hem_y), (cx + sw * flare, hem_y), (cx + sw + 0.5 * u, shoulder_y + 6 * u),
            (cx + sw, shoulder_y + 2 * u), (cx + 4.5 * u, neck_y + 0.5 * u)]
    if d.skirt and not d.long_top:
        skirt = [(cx - sw * 0.95, hip_y - 1 * u), (cx - sw * 1.35, hip_y + 15 * u), (cx + sw * 1.35, hip_y + 15 * u),
                 (cx + sw * 0.95, hip_y - 1 * u)]
        draw.polygon(skirt, fill=d.bottom, **outline)
    draw.polygon(body, fill=d.top, **outline)
    if d.inner is not None:  # a glimpse of what is worn under the coat
        draw.polygon([(cx - 4.5 * u, neck_y + 0.5 * u), (cx, shoulder_y + 9 * u), (cx + 4.5 * u, neck_y + 0.5 * u)],
                     fill=d.inner, **outline)
    if d.top_kind in {"sweater", "jumper", "pullover", "cardigan"}:  # a knitted band across the chest
        zig_y = shoulder_y + 10 * u
        points = [(cx - sw + 1.5 * u + k * 3 * u,
                   zig_y + (2 * u if k % 2 else 0)) for k in range(int((2 * sw - 3 * u) / (3 * u)) + 1)]
        draw.line(points, fill=lighten(d.top, 0.45), width=stroke(1.6 * u))
        draw.rectangle((cx - sw * flare + 0.8 * u, hem_y - 3 * u, cx + sw * flare - 0.8 * u, hem_y - 1.2 * u),
                       fill=darken(d.top, 0.18))
    elif d.long_top:  # buttons down the front
        for k in range(4):
            y = shoulder_y + (7 + k * 8) * u
            if y < hem_y - 3 * u:
                draw.ellipse(box(cx, y, 1.2 * u), fill=darken(d.top, 0.45))
        draw.line([(cx, shoulder_y + 4 * u), (cx, hem_y)], fill=darken(d.top, 0.3), width=stroke(0.7 * u))
    if d.apron is not None:
        draw.line([(cx - 4 * u, shoulder_y + 6 * u), (cx - 3 * u, neck_y)], fill=d.apron, width=stroke(1.5 * u))
        draw.line([(cx + 4 * u, shoulder_y + 6 * u), (cx + 3 * u, neck_y)], fill=d.apron, width=stroke(1.5 * u))
        draw.rounded_rectangle((cx - sw * 0.72, shoulder_y + 6 * u, cx + sw * 0.72, max(hem_y, hip_y + 14 * u)),
                               radius=2 * u, fill=d.apron, **outline)
        draw.rounded_rectangle(box(cx, hip_y, 4 * u, 3 * u), radius=u, fill=darken(d.apron, 0.15), **outline)
    if d.scarf is not None:
        draw.rounded_rectangle((cx - 7 * u, neck_y - 0.5 * u, cx + 7 * u, neck_y + 4.5 * u), radius=2 * u,
                               fill=d.scarf, **outline)
        draw.rounded_rectangle((cx + 2 * u, neck_y + 2 * u, cx + 6 * u, neck_y + 15 * u), radius=1.5 * u, fill=d.scarf,
                               **outline)
    for hand in hands:
        hx, hy_ = hand
        draw.ellipse(box(hx, hy_, 3.4 * u), fill=d.skin, **outline)

    # 4. the head: face, hair, eyes, beard, hat
    if d.hair_style in {"short", "curly", "bun", "ponytail", "braids"}:
        draw.ellipse((cx - 1.1 * r, hy - 1.14 * r, cx + 1.1 * r, hy + 0.45 * r), fill=d.hair, **outline)
    if d.hair_style == "curly":
        for k in range(9):
            a = math.pi * (0.95 + k * 1.1 / 8)
            x, y = cx + 1.0 * r * math.cos(a), hy - 0.15 * r + 1.0 * r * math.sin(a)
            draw.ellipse(box(x, y, 0.32 * r), fill=d.hair, **outline)
    if d.hair_style == "bun":
        draw.ellipse((cx - 0.45 * r, hy - 1.55 * r, cx + 0.45 * r, hy - 0.7 * r), fill=d.hair, **outline)
    for side in (-1, 1):  # ears
        ex = cx + side * 0.98 * r
        draw.ellipse((ex - 0.2 * r, hy - 0.05 * r, ex + 0.2 * r, hy + 0.38 * r), fill=d.skin, **outline)
    draw.ellipse((cx - r, hy - r, cx + r, hy + r * 1.02), fill=d.skin, **outline)
    if d.hair_style == "bald":
        if d.elder:
            for side in (-1, 1):
                ex = cx + side * 0.92 * r
                draw.ellipse((ex - 0.22 * r, hy - 0.45 * r, ex + 0.22 * r, hy + 0.15 * r), fill=d.hair, **outline)
    else:
        draw.polygon(_fringe(cx, hy, r, d.hair_style, d.elder), fill=d.hair, **outline)
    eye_y = hy + 0.18 * r
    for side in (-1, 1):
        ex = cx + side * 0.38 * r
        draw.ellipse(box(ex, eye_y, 0.12 * r, 0.16 * r), fill=(34, 28, 36))
        draw.ellipse((ex - 0.01 * r, eye_y - 0.11 * r, ex + 0.07 * r, eye_y - 0.03 * r), fill=(255, 255, 255))
        brow = d.hair if d.elder else darken(d.hair, 0.2)
        draw.line([(ex - 0.17 * r, eye_y - 0.32 * r), (ex + 0.17 * r, eye_y - 0.35 * r + side * 0.02 * r)], fill=brow,
                  width=stroke(0.09 * r * (1.3 if d.elder else 1)))
        draw.ellipse((ex + side * 0.14 * r - 0.17 * r, eye_y + 0.22 * r, ex + side * 0.14 * r + 0.17 * r,
                      eye_y + 0.38 * r), fill=mix(d.skin, (236, 112, 118), 0.45))
    if d.freckles:
        for side in (-1, 1):
            for fx, fy in ((0.32, 0.42), (0.45, 0.36), (0.5, 0.48), (0.22, 0.5)):
                x, y = cx + side * fx * r, hy + fy * r
                draw.ellipse(box(x, y, 0.035 * r), fill=darken(d.skin, 0.35))
    draw.arc((cx - 0.08 * r, hy + 0.28 * r, cx + 0.08 * r, hy + 0.42 * r), 20, 160, fill=darken(d.skin, 0.3),
             width=stroke(0.06 * r))
    if d.beard is not None:
        kind, colour = d.beard
        if kind == "beard":
            beard = [(cx - 0.92 * r, hy + 0.2 * r), (cx - 0.8 * r, hy + 0.95 * r), (cx - 0.3 * r, hy + 1.55 * r),
                     (cx, hy + 1.7 * r),
                     (cx + 0.3 * r, hy + 1.55 * r), (cx + 0.8 * r, hy + 0.95 * r), (cx + 0.92 * r, hy + 0.2 * r),
                     (cx + 0.5 * r, hy + 0.5 * r), (cx, hy + 0.42 * r), (cx - 0.5 * r, hy + 0.5 * r)]
            draw.polygon(beard, fill=colour, **outline)
        for side in (-1, 1):
            draw.ellipse((cx + side * 0.3 * r - 0.3 * r, hy + 0.38 * r, cx + side * 0.3 * r + 0.3 * r, hy + 0.62 * r),
                         fill=lighten(colour, 0.1), **outline)
        draw.arc((cx - 0.16 * r, hy + 0.62 * r, cx + 0.16 * r, hy + 0.86 * r), 20, 160, fill=INK,
                 width=stroke(0.07 * r))
    else:
        draw.arc((cx - 0.22 * r, hy + 0.42 * r, cx + 0.22 * r, hy + 0.72 * r), 25, 155, fill=(120, 50, 56),
                 width=stroke(0.08 * r))
    if d.glasses:
        for side in (-1, 1):
            ex = cx + side * 0.38 * r
            draw.ellipse(box(ex, eye_y, 0.25 * r, 0.24 * r), outline=INK, width=stroke(0.07 * r))
        draw.line([(cx - 0.13 * r, eye_y), (cx + 0.13 * r, eye_y)], fill=INK, width=stroke(0.07 * r))
    head_top = hy - 1.14 * r
    if d.hat is not None:
        kind, colour = d.hat
        if kind in {"hat", "bonnet", "helmet", "sou'wester", "souwester"}:
            draw.rounded_rectangle((cx - 0.85 * r, hy - 1.75 * r, cx + 0.85 * r, hy - 0.55 * r), radius=0.3 * r,
                                   fill=colour, **outline)
            draw.ellipse((cx - 1.5 * r, hy - 0.9 * r, cx + 1.5 * r, hy - 0.45 * r), fill=colour, **outline)
            head_top = hy - 1.75 * r
        else:
            draw.chord((cx - 1.1 * r, hy - 1.3 * r, cx + 1.1 * r, hy + 0.1 * r), 180, 360, fill=colour, **outline)
            if kind == "cap":
                draw.chord((cx - 0.2 * r, hy - 0.75 * r, cx + 1.5 * r, hy - 0.35 * r), 180, 360,
                           fill=darken(colour, 0.15), **outline)
            head_top = hy - 1.3 * r

    # 5. what the hands carry
    glow = None
    for (kind, colour), (hx, hand_yy), side in zip(d.props, (hands[1], hands[0]), (1, -1)):
        if kind == "lantern":
            top = hand_yy + 2 * u
            draw.arc((hx - 3 * u, hand_yy - 2 * u, hx + 3 * u, top + 2 * u), 180, 360, fill=INK, width=stroke(0.8 * u))
            draw.rounded_rectangle((hx - 4.5 * u, top, hx + 4.5 * u, top + 2.2 * u), radius=u, fill=colour, **outline)
            draw.rectangle((hx - 3.6 * u, top + 2.2 * u, hx + 3.6 * u, top + 10.5 * u), fill=(255, 222, 120), **outline)
            draw.line([(hx, top + 2.2 * u), (hx, top + 10.5 * u)], fill=colour, width=stroke(0.9 * u))
            draw.rounded_rectangle((hx - 4.5 * u, top + 10.5 * u, hx + 4.5 * u, top + 12.5 * u), radius=u, fill=colour,
                                   **outline)
            glow = (hx, top + 6.3 * u)
        elif kind == "umbrella":
            draw.line([(hx, hand_yy - 3 * u), (hx + side * 2 * u, foot_y)], fill=INK, width=stroke(1.2 * u))
            draw.polygon([(hx, hand_yy + 2 * u), (hx - 3.5 * u, hand_yy + 8 * u),
                          (hx + side * 1.8 * u, foot_y - 6 * u), (hx + 3.5 * u,
                                                                  hand_yy + 8 * u)], fill=colour, **outline)
        elif kind == "basket":
            draw.arc((hx - 6 * u, hand_yy - 2 * u, hx + 6 * u, hand_yy + 10 * u), 180, 360, fill=darken(colour, 0.3),
                     width=stroke(1.2 * u))
            draw.polygon([(hx - 7 * u, hand_yy + 4 * u), (hx + 7 * u, hand_yy + 4 * u),
                          (hx + 5.5 * u, hand_yy + 13 * u), (hx - 5.5 * u, hand_yy + 13 * u)], fill=colour, **outline)
            draw.line([(hx - 6.5 * u, hand_yy + 8 * u), (hx + 6.5 * u, hand_yy + 8 * u)], fill=darken(colour, 0.25),
                      width=stroke(0.7 * u))
        elif kind == "book":
            draw.rectangle((hx - 4 * u, hand_yy - 1 * u, hx + 4 * u, hand_yy + 10 * u), fill=colour, **outline)
            draw.line([(hx - 2.5 * u, hand_yy - u), (hx - 2.5 * u, hand_yy + 10 * u)], fill=lighten(colour, 0.4),
                      width=stroke(0.8 * u))
        elif kind == "stick":
            draw.line([(hx + side * 1.5 * u, hand_yy - 16 * u), (hx - side * 1.0 * u, foot_y)], fill=colour,
                      width=stroke(2 * u))
        elif kind == "bag":
            draw.line([(cx - side * sw * 0.7, shoulder_y + 2 * u), (hx - side * 3 * u, hand_yy - 2 * u)],
                      fill=darken(colour, 0.2), width=stroke(1.5 * u))
            draw.rounded_rectangle((hx - side * 9 * u - 5 * u, hand_yy - 4 * u, hx - side * 9 * u + 5 * u,
                                    hand_yy + 5 * u), radius=u, fill=colour, **outline)
        elif kind == "lens":
            draw.ellipse((hx - 6 * u, hand_yy - 5 * u, hx + 6 * u, hand_yy + 7 * u), fill=lighten(colour, 0.35),
                         **outline)
            draw.arc((hx - 4 * u, hand_yy - 3 * u, hx + 3 * u, hand_yy + 4 * u), 200, 260, fill=(255, 255, 255),
                     width=stroke(u))
        elif kind == "flower":
            draw.line([(hx, hand_yy), (hx, hand_yy - 9 * u)], fill=COLOURS["green"], width=stroke(0.9 * u))
            draw.ellipse((hx - 2.5 * u, hand_yy - 13 * u, hx + 2.5 * u, hand_yy - 8 * u), fill=colour, **outline)
        elif kind == "spyglass":
            draw.line([(hx, hand_yy - 1 * u), (hx + side * 5 * u, hand_yy + 8 * u)], fill=INK, width=stroke(3.6 * u))
            draw.line([(hx, hand_yy - 1 * u), (hx + side * 5 * u, hand_yy + 8 * u)], fill=colour, width=stroke(2.2 * u))
        draw.ellipse(box(hx, hand_yy, 3.4 * u), fill=d.skin, **outline)
    return Sprite(image=img, foot=(int(round(cx)), int(round(foot_y))), head_top=int(head_top), glow=glow)


# ----------------------------------------------------------------------------------------------------------------
# The stage: a supersampled canvas with the scene's light, palette and seeded randomness
# ----------------------------------------------------------------------------------------------------------------

def _rng(seed: int, stream: int) -> np.random.Generator:
    """A generator per purpose, so the cast's places do not move when the scenery draws one more cloud."""
    return np.random.default_rng([seed % 2**64, stream])


@dataclass
class Stage:
    img: Image.Image
    light: Light
    palette: list[RGB]
    rng: np.random.Generator
    line: float
    scale: int  # drawn this many times larger than the keyframe
    side: int  # which side the scene's big thing stands on (-1 left, 1 right); the cast leans the other way
    draw: ImageDraw.ImageDraw = field(init=False)

    def __post_init__(self) -> None:
        self.draw = ImageDraw.Draw(self.img, "RGBA")  # RGBA fills blend into the RGB picture

    @property
    def W(self) -> int:
        return self.img.width

    @property
    def H(self) -> int:
        return self.img.height

    @property
    def u(self) -> float:
        return self.img.height / 100

    def shade(self, colour: RGB, depth: float = 0.0) -> RGB:
        """A scenery colour under this light, faded towards the haze with distance (0 near, 1 far)."""
        lit = tuple(int(c * a / 255) for c, a in zip(colour, self.light.ambient))
        return mix(lit, self.light.haze, min(1.0, depth) * 0.7)  # type: ignore[arg-type]

    def pal(self, i: int) -> RGB:
        return self.palette[i % len(self.palette)]

    def ink(self, width: float = 1.0) -> dict[str, Any]:
        return {"outline": self.shade(INK), "width": stroke(round(self.line * width))}


@lru_cache(maxsize=1)
def _glow_mask() -> Image.Image:
    y, x = np.mgrid[-1:1:256j, -1:1:256j]
    falloff = np.clip(1 - (x * x + y * y), 0, 1) ** 2.2
    return Image.fromarray((falloff * 255).astype(np.uint8), "L")


def glow(img: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, strength: float,
         squash: float = 1.0) -> None:
    """A soft light (lanterns, lit windows, the furnace, the sun), or a soft bank of fog when squashed."""
    w, h = int(2 * radius), int(2 * radius * squash)
    if w < 2 or h < 2:
        return
    mask = _glow_mask().resize((w, h), Image.BILINEAR)
    if strength < 1:
        mask = mask.point([int(v * strength) for v in range(256)])
    img.paste(colour, (int(centre[0] - w / 2), int(centre[1] - h / 2)), mask)


def gradient(size: tuple[int, int], top: RGB, bottom: RGB, power: float = 1.0) -> Image.Image:
    w, h = size
    t = (np.linspace(0.0, 1.0, max(1, h)) ** power)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return Image.fromarray(column.astype(np.uint8), "RGB").resize((max(1, w), max(1, h)), Image.NEAREST)


def _cloud(draw: ImageDraw.ImageDraw, x: float, y: float, s: float, colour: RGB, alpha: int = 255) -> None:
    shadow = rgba(darken(colour, 0.14), alpha)
    for dy, c in ((0.18 * s, shadow), (0.0, rgba(colour, alpha))):
        draw.rounded_rectangle((x - 2.1 * s, y - 0.45 * s + dy, x + 2.1 * s, y + 0.45 * s + dy), radius=0.45 * s,
                               fill=c)
        for px, py, pr in ((-1.1, -0.35, 0.8), (0.1, -0.75, 1.1), (1.2, -0.35, 0.75)):
            cx, cy, r = x + px * s, y + py * s + dy, pr * s
            draw.ellipse(box(cx, cy, r), fill=c)


def sky_image(size: tuple[int, int], light: Light, weather: Weather, rng: np.random.Generator, u: float,
              sea_at: float | None = None, sea: RGB = (40, 104, 160)) -> Image.Image:
    """The sky by time of day and weather (and, through a window, a strip of sea)."""
    w, h = size
    img = gradient(size, light.top, light.bottom, 0.9)
    draw = ImageDraw.Draw(img, "RGBA")
    area = (w * h) / (2560 * 1440)
    for _ in range(int(light.stars * area * (0.3 if weather.clouds >= 2 else 1))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.62) ** 1.0, rng.uniform(0.1, 0.32) * u
        draw.ellipse(box(x, y, r), fill=(255, 250, 228, int(rng.uniform(120, 255))))
    if light.body:
        bx, by = light.body_at[0] * w, light.body_at[1] * h
        big = light.body_at[1] > 0.4
        r = (7.5 if big else 5.0) * u if light.body == "sun" else 4.2 * u
        glow(img, (bx, by), r * (5 if light.body == "sun" else 3.5), light.body_colour, 0.55)
        draw.ellipse(box(bx, by, r), fill=light.body_colour)
        if light.body == "moon":
            for cx, cy, cr in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.16), (0.35, -0.35, 0.1)):
                draw.ellipse(box(bx + cx * r, by + cy * r, cr * r), fill=darken(light.body_colour, 0.08))
    base = mix((255, 255, 255), light.haze, 0.35)
    base = tuple(int(c * a / 255) for c, a in zip(base, light.ambient))  # type: ignore[assignment]
    if weather.clouds == 1:
        for _ in range(3 + int(rng.integers(0, 3))):
            _cloud(draw, rng.uniform(0.05, 0.95) * w, rng.uniform(0.1, 0.42) * h, rng.uniform(2.5, 4.5) * u, base, 235)
    elif weather.clouds >= 2:
        storm = weather.clouds == 3
        tone = mix(light.top, (104, 110, 126) if storm else (176, 180, 190), 0.55)
        tone = darken(tone, 0.45 if light.dark else 0.1 if storm else 0.0)
        if storm:  # a low ceiling of cloud
            img.paste(tone, (0, 0), gradient((w, int(0.35 * h)), (255, 255, 255), (0, 0, 0), 1.6).convert("L"))
        for row in range(3):
            count = max(2, int(w / (26 * u)) + 2)
            for k in range(count):
                x = (k + rng.uniform(-0.3, 0.3)) * w / (count - 1)
                s = rng.uniform(6, 9) * u * (1.25 - 0.2 * row)
                _cloud(draw, x, (0.05 + row * 0.1 + rng.uniform(0, 0.05)) * h, s, lighten(tone, 0.07 * row),
                       255 if storm else 230)
    if weather.lightning:
        x = rng.uniform(0.3, 0.7) * w
        points, y = [(x, 0.0)], 0.0
        while y < h * 0.55:
            y += rng.uniform(3, 6) * u
            x += rng.uniform(-3, 3) * u
            points.append((x, y))
        draw.rectangle((0, 0, w, h), fill=(220, 226, 255, 34))
        draw.line(points, fill=(210, 220, 255, 120), width=stroke(2.4 * u))
        draw.line(points, fill=(255, 255, 240, 255), width=stroke(0.8 * u))
    if sea_at is not None:
        top = int(sea_at * h)
        img.paste(gradient((w, h - top), mix(sea, light.haze, 0.45), darken(sea, 0.35)), (0, top))
        for _ in range(int(w / (3 * u))):
            x, y = rng.uniform(0, w), rng.uniform(top + 0.5 * u, h)
            draw.line([(x, y), (x + 2.5 * u, y)], fill=rgba(lighten(sea, 0.3), 140), width=stroke(0.4 * u))
    return img


# ----------------------------------------------------------------------------------------------------------------
# Scenery: exteriors (sky, far layers, water, town, trees, ground) and interiors (walls, window, floor, things)
# ----------------------------------------------------------------------------------------------------------------

GRASS, ROCK, SAND, WOOD, STONE, SEA = (108, 160, 84), (110, 104, 104), (222, 200, 150), (150, 104, 66), (170, 160,
        148), (44, 110, 168)


def _ridge(stage: Stage, base_y: float, height: float, bumps: int, colour: RGB,
           smooth: bool) -> list[tuple[float, float]]:
    """A skyline from left to right: rolling hills (smooth) or mountain peaks."""
    W, rng = stage.W, stage.rng
    if smooth:
        phases, freqs = rng.uniform(0, 2 * math.pi, 3), (1.0, 2.3, 4.1)
        points = [(x, base_y - height * (0.55 + 0.3 * math.sin(freqs[0] * x / W * math.pi * bumps / 2 + phases[0])
                                        + 0.15 * math.sin(freqs[1] * x / W * math.pi * bumps + phases[1])))
                  for x in np.linspace(0, W, 48)]
    else:
        xs = np.sort(rng.uniform(0, W, bumps * 2 + 1))
        points = [(0.0, base_y - height * 0.3)]
        for i, x in enumerate(xs):
            points.append((float(x),
                           base_y - height * (rng.uniform(0.7, 1.0) if i % 2 == 0 else rng.uniform(0.25, 0.5))))
        points.append((float(W), base_y - height * 0.35))
    stage.draw.polygon(points + [(W, stage.H), (0, stage.H)], fill=colour)
    return points


def _trees(stage: Stage, y: float, size: float, count: int, depth: float, snow: bool,
           x_range: tuple[float, float] = (0, 1)) -> None:
    draw, rng, u = stage.draw, stage.rng, stage.u
    for x in np.sort(rng.uniform(x_range[0], x_range[1], count)) * stage.W:
        s = size * rng.uniform(0.8, 1.2) * u
        base = y + rng.uniform(-0.5, 0.5) * u * size / 4
        green = stage.shade(mix((52, 118, 72), stage.pal(2), 0.15), depth)
        trunk = stage.shade((110, 74, 48), depth)
        draw.rectangle((x - 0.12 * s, base - 0.5 * s, x + 0.12 * s, base), fill=trunk)
        if rng.uniform() < 0.55:  # a pine
            for k in range(3):
                top, wide = base - s * (1.6 - 0.4 * k) - 0.4 * s, s * (0.45 + 0.18 * k)
                tier = [(x, top), (x - wide, base - 0.45 * s - k * 0.25 * s),
                        (x + wide, base - 0.45 * s - k * 0.25 * s)]
                draw.polygon(tier, fill=lighten(green, 0.05 * k), **(stage.ink(0.6) if depth < 0.3 else {}))
                if snow:
                    draw.polygon([(x, top), (x - wide * 0.35, top + 0.35 * s), (x + wide * 0.35, top + 0.35 * s)],
                                 fill=stage.shade((240, 244, 250), depth))
        else:
            for dx, dy, r in ((-0.32, -0.8, 0.5), (0.32, -0.8, 0.5), (0.0, -1.15, 0.6)):
                draw.ellipse(box(x + dx * s, base + dy * s, r * s), fill=green,
                             **(stage.ink(0.6) if depth < 0.3 else {}))
            if snow:
                draw.chord((x - 0.6 * s, base - 1.75 * s, x + 0.6 * s, base - 0.9 * s), 180, 360,
                           fill=stage.shade((240, 244, 250), depth))


def _sea(stage: Stage, horizon: float, scenery: Scenery) -> None:
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    storm = scenery.weather.clouds == 3
    water = mix(SEA, (46, 64, 80), 0.55) if storm else mix(SEA, stage.pal(0), 0.12)
    far, near = stage.shade(water, 0.55), stage.shade(darken(water, 0.25), 0.0)
    stage.img.paste(gradient((W, H - int(horizon)), far, near, 0.7), (0, int(horizon)))
    crest = lighten(stage.shade(water, 0.2), 0.35 if not storm else 0.55)
    for row in range(22):
        t = (row + 1) / 22
        y = horizon + (H - horizon) * t ** 1.6
        for _ in range(int(4 + 10 * (1 - t)) + (6 if storm else 0)):
            x, length = rng.uniform(-0.05, 1.05) * W, (1.5 + 7 * t) * u * rng.uniform(0.6, 1.3)
            height = (0.4 + 1.6 * t) * u * (2.2 if storm else 1)
            draw.arc((x, y - height, x + length, y + height), 200, 340, fill=rgba(crest, 170),
                     width=stroke((0.25 + 0.5 * t) * u))
    if stage.light.body and stage.light.body_at[1] < 0.9:  # the sun's or moon's road on the water
        bx = stage.light.body_at[0] * W
        for k in range(26):
            t = k / 26
            y = horizon + (H - horizon) * t ** 1.5 * 0.8 + u
            x = bx + rng.uniform(-1, 1) * (2 + 14 * t) * u
            draw.line([(x - (1 + 3 * t) * u, y), (x + (1 + 3 * t) * u, y)], fill=rgba(stage.light.body_colour, 120),
                      width=stroke((0.2 + 0.3 * t) * u))


def _lighthouse(stage: Stage, x: float, base: float, height: float, scenery: Scenery, depth: float) -> tuple[float,
        float]:
    """A striped tower with a lamp room; returns the lamp's centre."""
    draw = stage.draw
    half_base, half_top = height * 0.13, height * 0.085
    top = base - height * 0.78
    white, red = stage.shade((240, 236, 226), depth), stage.shade(mix((200, 56, 48), stage.pal(1), 0.2), depth)
    draw.polygon([(x - half_base, base), (x - half_top, top), (x + half_top, top), (x + half_base, base)], fill=white,
                 **stage.ink(0.8))
    for k in range(4):  # red bands
        y0, y1 = base - (k * 2 + 1) * (base - top) / 8, base - (k * 2 + 2) * (base - top) / 8
        w0 = half_base + (half_top - half_base) * (base - y0) / (base - top)
        w1 = half_base + (half_top - half_base) * (base - y1) / (base - top)
        draw.polygon([(x - w0, y0), (x - w1, y1), (x + w1, y1), (x + w0, y0)], fill=red)
    draw.polygon([(x - half_base, base), (x - half_top, top), (x + half_top, top), (x + half_base, base)],
                 outline=stage.shade(INK), width=stroke(stage.line))
    door_w = half_base * 0.35
    draw.rounded_rectangle((x - door_w, base - height * 0.1, x + door_w, base), radius=door_w,
                           fill=stage.shade((90, 60, 44), depth), **stage.ink(0.6))
    gallery = top - height * 0.02
    draw.rectangle((x - half_top * 1.5, gallery, x + half_top * 1.5, top + height * 0.01),
                   fill=stage.shade((60, 56, 60), depth), **stage.ink(0.6))
    lit = scenery.lamp_lit and stage.light.dark
    glass = (255, 232, 140) if lit else stage.shade((150, 176, 190), depth)
    room_top = gallery - height * 0.1
    draw.rectangle((x - half_top * 0.9, room_top, x + half_top * 0.9, gallery), fill=glass, **stage.ink(0.6))
    for k in (-0.3, 0.3):
        draw.line([(x + k * half_top * 1.8, room_top), (x + k * half_top * 1.8, gallery)], fill=stage.shade(INK),
                  width=stroke(stage.line * 0.5))
    draw.pieslice(box(x, room_top, half_top * 1.1, height * 0.08), 180, 360, fill=red, **stage.ink(0.6))
    lamp = (x, (room_top + gallery) / 2)
    if lit:
        glow(stage.img, lamp, height * 0.35, (255, 236, 160), 0.7)
        if "beam" in scenery.things or stage.light.dark:
            for side in (-1, 1):
                far_x = x + side * stage.W * 1.1
                draw.polygon([lamp, (far_x, lamp[1] - height * 0.16), (far_x, lamp[1] + height * 0.1)],
                             fill=(255, 240, 180, 52))
    return lamp


def _boat(stage: Stage, x: float, waterline: float, size: float, depth: float, sail: bool) -> None:
    draw = stage.draw
    hull = stage.shade(mix((190, 60, 50), stage.pal(1), 0.4), depth)
    draw.polygon([(x - size, waterline - 0.35 * size), (x + size, waterline - 0.35 * size),
                  (x + 0.7 * size, waterline), (x - 0.7 * size, waterline)],
                 fill=hull, **(stage.ink(0.5) if depth < 0.5 else {}))
    if sail:
        draw.line([(x, waterline - 0.35 * size), (x, waterline - 1.9 * size)], fill=stage.shade((90, 70, 50), depth),
                  width=stroke(size * 0.06))
        draw.polygon([(x + 0.05 * size, waterline - 1.85 * size), (x + 0.05 * size, waterline - 0.5 * size),
                      (x + 0.9 * size, waterline - 0.5 * size)],
                     fill=stage.shade((244, 236, 214), depth))
    else:
        draw.rectangle((x - 0.4 * size, waterline - 0.85 * size, x + 0.1 * size, waterline - 0.35 * size),
                       fill=stage.shade((236, 230, 214), depth))
    if stage.light.dark:
        glow(stage.img, (x - 0.15 * size, waterline - 0.7 * size), size * 0.9, (255, 220, 120), 0.8)


def _gulls(stage: Stage, count: int) -> None:
    """Gulls as a child draws them: two arcs, an 'm' in the sky."""
    rng = stage.rng
    colour = (240, 240, 236) if sum(stage.light.top) < 300 else (60, 60, 70)
    for _ in range(count):
        x, y = rng.uniform(0.1, 0.9) * stage.W, rng.uniform(0.12, 0.38) * stage.H
        s = rng.uniform(1.5, 2.6) * stage.u
        for wing in (x - s, x):
            stage.draw.arc((wing, y - 0.45 * s, wing + s, y + 0.55 * s), 200, 340, fill=colour, width=stroke(0.3 * s))


def _houses(stage: Stage, x0: float, x1: float, base: float, scenery: Scenery) -> None:
    draw, rng, u = stage.draw, stage.rng, stage.u
    snow = scenery.weather.snow_ground
    far = stage.shade(mix(stage.pal(1), (150, 156, 170), 0.6), 0.75)
    x = x0
    while x < x1:  # far rooftops
        w = rng.uniform(6, 12) * u
        h = rng.uniform(20, 30) * u
        draw.polygon([(x, base), (x, base - h), (x + w / 2, base - h - 4 * u), (x + w, base - h), (x + w, base)],
                     fill=far)
        x += w
    x = x0 - rng.uniform(0, 6) * u
    i = int(rng.integers(0, 6))
    while x < x1:
        w, h = rng.uniform(12, 20) * u, rng.uniform(16, 28) * u
        wall = stage.shade(lighten(stage.pal(i), 0.45 + 0.1 * (i % 2)), 0.15)
        roof = stage.shade(darken(stage.pal(i + 1), 0.25), 0.15)
        draw.rectangle((x, base - h, x + w, base), fill=wall, **stage.ink(0.7))
        peak = base - h - rng.uniform(5, 9) * u
        if rng.uniform() < 0.5:  # a chimney, standing on the roof's slope
            cx = x + w * 0.7
            slope_y = peak + (base - h - peak) * (cx - x - w / 2) / (w / 2 + 1.2 * u)
            draw.rectangle((cx, slope_y - 4 * u, cx + 2.4 * u, slope_y + 2 * u), fill=roof, **stage.ink(0.5))
        draw.polygon([(x - 1.2 * u, base - h), (x + w / 2, peak), (x + w + 1.2 * u, base - h)],
                     fill=(240, 244, 250) if snow else roof, **stage.ink(0.7))
        lit = stage.light.dark
        for row in range(int((h - 8 * u) // (7 * u)) + 1):
            for col in range(2):
                wx, wy = x + w * (0.22 + 0.4 * col), base - h + 3 * u + row * 7 * u
                pane = (255, 214, 120) if lit and rng.uniform() < 0.7 else stage.shade((150, 190, 214), 0.1)
                draw.rectangle((wx, wy, wx + w * 0.2, wy + 4 * u), fill=pane, **stage.ink(0.5))
                if lit and pane[0] == 255:
                    glow(stage.img, (wx + w * 0.1, wy + 2 * u), 5 * u, (255, 210, 120), 0.35)
        dx = x + w * 0.4
        draw.rounded_rectangle((dx, base - 7.5 * u, dx + w * 0.22, base), radius=1.5 * u,
                               fill=stage.shade(darken(stage.pal(i + 2), 0.3)), **stage.ink(0.5))
        x += w + rng.uniform(0, 1.5) * u
        i += 1


def _market(stage: Stage, base: float, xs: list[float]) -> None:
    draw, u, rng = stage.draw, stage.u, stage.rng
    for k, x in enumerate(xs):
        w = 24 * u
        stripe_a, stripe_b = stage.shade(stage.pal(k)), stage.shade((244, 236, 220))
        post = stage.shade((120, 84, 56))
        for px in (x - w / 2 + u, x + w / 2 - u):
            draw.rectangle((px - 0.6 * u, base - 26 * u, px + 0.6 * u, base), fill=post)
        for s in range(6):
            sx = x - w / 2 + s * w / 6
            draw.polygon([(sx, base - 30 * u), (sx + w / 6, base - 30 * u), (sx + w / 6 + 0.6 * u, base - 24 * u),
                          (sx - 0.6 * u, base - 24 * u)],
                         fill=stripe_a if s % 2 == 0 else stripe_b)
            draw.pieslice((sx - 0.6 * u, base - 26.5 * u, sx + w / 6 + 0.6 * u, base - 21.5 * u), 0, 180,
                          fill=stripe_a if s % 2 == 0 else stripe_b)
        draw.rectangle((x - w / 2, base - 30 * u, x + w / 2, base - 24 * u), outline=stage.shade(INK),
                       width=stroke(stage.line * 0.6))
        draw.rectangle((x - w / 2, base - 10 * u, x + w / 2, base), fill=stage.shade(WOOD), **stage.ink(0.7))
        for b in range(3):  # baskets of fish and fruit
            bx = x - w / 3 + b * w / 3
            draw.chord((bx - 3.6 * u, base - 14 * u, bx + 3.6 * u, base - 8 * u), 0, 180,
                       fill=stage.shade((200, 160, 100)), **stage.ink(0.5))
            for f in range(4):
                fx, fy = bx + rng.uniform(-2.4, 2.4) * u, base - 11.5 * u + rng.uniform(-0.6, 0.3) * u
                if (b + k) % 2 == 0:
                    draw.ellipse(box(fx, fy, 1.4 * u, 0.5 * u), fill=stage.shade((200, 210, 220)), **stage.ink(0.3))
                else:
                    draw.ellipse(box(fx, fy, 0.9 * u), fill=stage.shade(stage.pal(k + f + 1)), **stage.ink(0.3))


def _bunting(stage: Stage) -> None:
    W, u = stage.W, stage.u
    points = [(x, 9 * u + 5 * u * math.sin(math.pi * x / W)) for x in np.linspace(0, W, 24)]
    stage.draw.line(points, fill=stage.shade((80, 70, 70)), width=stroke(0.4 * u))
    for k, (x, y) in enumerate(points[:-1]):
        stage.draw.polygon([(x, y), (x + 2.6 * u, y + 0.3 * u), (x + 1.3 * u, y + 4 * u)],
                           fill=stage.shade(stage.pal(k)))


def _ground(stage: Stage, top: float, colour: RGB, rough: bool) -> None:
    W, H, u, rng, draw = stage.W, stage.H, stage.u, stage.rng, stage.draw
    if rough:
        points = [(x, top + rng.uniform(-1.5, 1.5) * u) for x in np.linspace(0, W, 30)]
    else:
        points = [(0, top), (W, top)]
    near = stage.shade(colour)
    draw.polygon(points + [(W, H), (0, H)], fill=stage.shade(colour, 0.12))
    stage.img.paste(gradient((W, int(H - top - 2 * u)), stage.shade(colour, 0.12), darken(near, 0.12)),
                    (0, int(top + 2 * u)))


def _rocks(stage: Stage, top: float, x0: float = 0.0, x1: float = 1.0) -> None:
    rng, u, draw = stage.rng, stage.u, stage.draw
    x = x0 * stage.W - 4 * u
    while x < x1 * stage.W:
        r = rng.uniform(4, 9) * u
        y = top + rng.uniform(-1, 2) * u
        c = stage.shade(mix(ROCK, stage.pal(2), 0.1))
        draw.ellipse((x - r * 1.4, y - r * 0.8, x + r * 1.4, y + r), fill=c, **stage.ink(0.6))
        draw.arc((x - r * 1.0, y - r * 0.6, x + r * 0.8, y + r * 0.4), 200, 290, fill=lighten(c, 0.25),
                 width=stroke(0.6 * u))
        x += r * rng.uniform(1.6, 2.4)


def _quay(stage: Stage, top: float, snow: bool) -> None:
    """A harbour's stone quay along the front, boats moored at it, bollards on its edge."""
    W, u, draw, rng = stage.W, stage.u, stage.draw, stage.rng
    for k in range(2):
        _boat(stage, (rng.uniform(0.08, 0.3) if k == 0 else rng.uniform(0.7, 0.92)) * W, top - 0.5 * u, 5 * u, 0.15,
              sail=k == 1)
    stone = stage.shade(mix(STONE, stage.pal(3), 0.15))
    _ground(stage, top + 4 * u, (236, 240, 248) if snow else mix(STONE, SAND, 0.4), rough=False)
    draw.rectangle((0, top, W, top + 4 * u), fill=stone, **stage.ink(0.7))
    for x in np.arange(0, W, 8 * u):
        draw.line([(x, top), (x, top + 4 * u)], fill=darken(stone, 0.2), width=stroke(0.4 * u))
    for x in (0.22 * W, 0.78 * W):
        draw.rounded_rectangle((x - 1.6 * u, top - 3 * u, x + 1.6 * u, top + 1 * u), radius=1.2 * u,
                               fill=stage.shade((60, 60, 66)), **stage.ink(0.6))


def paint_exterior(stage: Stage, scenery: Scenery) -> dict[str, Any]:
    """Sky, far layers, water, town, trees and the foreground ground; returns where the cast stands."""
    W, H, u, rng = stage.W, stage.H, stage.u, stage.rng
    places, things, weather = scenery.places, scenery.things, scenery.weather
    sea = "sea" in places
    horizon = (0.54 if sea else 0.60) * H
    snow = weather.snow_ground
    grass = (236, 240, 248) if snow else mix(GRASS, stage.pal(2), 0.12)
    stage.img.paste(sky_image((W, H), stage.light, weather, rng, u))
    if "gulls" in things and weather.clouds < 3 and not stage.light.dark:
        _gulls(stage, int(rng.integers(3, 6)))
    if "mountains" in places:
        peaks = _ridge(stage, horizon, 0.32 * H, 4, stage.shade((140, 150, 176), 0.75), smooth=False)
        snowcap = stage.shade((244, 246, 252), 0.5)
        for k in range(1, len(peaks) - 1, 2):  # every other point is a peak
            (xa, ya), (xp, yp), (xb, yb) = peaks[k - 1], peaks[k], peaks[k + 1]
            t = min(0.3, 5 * u / max(1.0, min(ya, yb) - yp))
            stage.draw.polygon([(xp, yp), (xp + (xb - xp) * t, yp + (yb - yp) * t),
                                (xp + (xa - xp) * t * 0.5, yp + (ya - yp) * t * 0.8),
                                (xp + (xa - xp) * t, yp + (ya - yp) * t)], fill=snowcap)
        _ridge(stage, horizon, 0.2 * H, 5, stage.shade((112, 128, 150), 0.5), smooth=False)
    elif not sea and "town" not in places:
        _ridge(stage, horizon, 0.12 * H, 3, stage.shade(grass, 0.7), smooth=True)
    stand = 0.755 * H
    side = stage.side
    if sea:
        _sea(stage, horizon, scenery)
        if ("island" in things or "lighthouse" in things or "rocks" in things) and "hero_lighthouse" not in things:
            ix = (0.2 if side > 0 else 0.8) * W
            bumps = [(ix - 12 * u, horizon + 0.4 * u), (ix - 8 * u, horizon - 2.5 * u), (ix - 2 * u, horizon - 4 * u),
                     (ix + 5 * u, horizon - 3 * u), (ix + 11 * u, horizon + 0.4 * u)]
            stage.draw.polygon(bumps, fill=stage.shade(ROCK, 0.55))
            if "lighthouse" in things:
                _lighthouse(stage, ix - 1 * u, horizon - 3 * u, 16 * u, scenery, 0.5)
        if "boat" in things and not scenery.in_boat:
            for k in range(1 + int(rng.integers(0, 2))):
                bx = rng.uniform(0.3, 0.75) * W
                _boat(stage, bx, horizon + rng.uniform(2, 6) * u, rng.uniform(2.5, 3.5) * u, 0.45, sail=k == 0)
    if "river" in places and not sea:
        _ground(stage, horizon, grass, rough=False)
        t = np.linspace(0, W, 40)
        phase = rng.uniform(0, 6)
        upper = [(x, horizon + 4 * u + 1.5 * u * math.sin(x / W * 7 + phase)) for x in t]
        lower = [(x, horizon + 11 * u + 2 * u * math.sin(x / W * 5 + phase)) for x in t]
        water = stage.shade(mix(SEA, stage.pal(0), 0.1), 0.2)
        stage.draw.polygon(upper + lower[::-1], fill=water)
        for x, y in upper[::3]:
            stage.draw.line([(x, y + 3 * u), (x + 4 * u, y + 3 * u)], fill=rgba(lighten(water, 0.4), 150),
                            width=stroke(0.5 * u))
    if "town" in places:
        base = 0.63 * H
        if sea:  # a harbour: houses on one side, the quay across the front
            x0, x1 = (0.42 * W, W * 1.02) if side > 0 else (-0.02 * W, 0.58 * W)
            _houses(stage, x0, x1, base, scenery)
            for k in range(2):
                _boat(stage, (0.1 + 0.18 * k if side > 0 else 0.72 + 0.16 * k) * W, base - 1 * u, 4 * u, 0.2,
                      sail=k == 1)
        else:
            _houses(stage, -0.02 * W, 1.02 * W, base, scenery)
        _ground(stage, base, (238, 242, 248) if snow else (176, 160, 140), rough=False)
        stage.draw.line([(0, base), (W, base)], fill=stage.shade(INK), width=stroke(stage.line))
        for row in range(7):  # cobbles in perspective
            y = base + (H - base) * ((row + 1) / 8) ** 1.4
            for x in np.arange(-(row % 2) * 3 * u, W, (4 + row) * u):
                stage.draw.arc((x, y - 0.8 * u, x + (3.4 + row) * u, y + 0.8 * u), 0, 180,
                               fill=rgba(stage.shade((120, 104, 90)), 120), width=stroke(0.35 * u))
        if "market" in places:
            _bunting(stage)
            _market(stage, 0.70 * H, [0.15 * W, 0.85 * W] if rng.uniform() < 0.5 else [0.12 * W, 0.88 * W])
    elif sea:
        if not scenery.in_boat and "quay" in things:
            _quay(stage, 0.68 * H, snow)
        elif not scenery.in_boat:
            _ground(stage, 0.68 * H, (236, 240, 248) if snow else mix(SAND, ROCK, 0.35 if "rocks" in things else 0.0),
                    rough=True)
            if "rocks" in things or "island" in things or "hero_lighthouse" in things:
                _rocks(stage, 0.68 * H)
    if "hero_lighthouse" in things:
        lx = (0.16 if side < 0 else 0.84) * W
        stage.draw.polygon([(lx - 20 * u, 0.72 * H), (lx - 12 * u, 0.6 * H), (lx + 10 * u, 0.58 * H),
                            (lx + 22 * u, 0.72 * H)], fill=stage.shade(ROCK, 0.2), **stage.ink(0.7))
        _lighthouse(stage, lx, 0.62 * H, 0.62 * H, scenery, 0.1)
        _rocks(stage, 0.7 * H, (lx - 20 * u) / W, (lx + 20 * u) / W)
    if "forest" in places:
        _ground(stage, horizon, grass, rough=True)
        _trees(stage, horizon + 1 * u, 7, 18, 0.65, snow)
        _trees(stage, horizon + 6 * u, 12, 8, 0.35, snow)
        _trees(stage, 0.8 * H, 26, 2, 0.0, snow, (0.0, 0.12))
        _trees(stage, 0.8 * H, 26, 2, 0.0, snow, (0.88, 1.0))
    elif not sea and "town" not in places and "river" not in places:
        _ground(stage, horizon + 2 * u, grass, rough=True)
        _trees(stage, horizon + 3 * u, 8, 4, 0.45, snow)
    return {"stand": stand, "side": side}


def _window(stage: Stage, frame: tuple[float, float, float, float], scenery: Scenery, outside: Light,
            panes: int = 2) -> None:
    x0, y0, x1, y1 = frame
    u, draw = stage.u, stage.draw
    sea_at = 0.55 if "sea_view" in scenery.things else None
    view = sky_image((int(x1 - x0), int(y1 - y0)), outside, scenery.weather, stage.rng, u, sea_at)
    if scenery.weather.rain:
        vd = ImageDraw.Draw(view, "RGBA")
        for _ in range(int((x1 - x0) * (y1 - y0) / (14 * u * u))):
            x, y = stage.rng.uniform(0, x1 - x0), stage.rng.uniform(0, y1 - y0)
            vd.line([(x, y), (x - 0.6 * u, y + 3 * u)], fill=(210, 220, 240, 110), width=stroke(0.3 * u))
    stage.img.paste(view, (int(x0), int(y0)))
    frame = stage.shade(lighten(WOOD, 0.1))
    for k in range(1, panes):
        x = x0 + (x1 - x0) * k / panes
        draw.line([(x, y0), (x, y1)], fill=frame, width=stroke(1.4 * u))
    draw.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], fill=frame, width=stroke(1.2 * u))
    draw.rectangle((x0, y0, x1, y1), outline=frame, width=stroke(1.8 * u))
    draw.rectangle((x0 - 2 * u, y1, x1 + 2 * u, y1 + 2 * u), fill=frame, **stage.ink(0.6))


def _furnace(stage: Stage, cx: float, floor: float) -> None:
    W, H, u, draw = stage.W, stage.H, stage.u, stage.draw
    w, top = 0.26 * W, 0.3 * H
    brick = stage.shade(mix((166, 84, 62), stage.pal(1), 0.15))
    draw.rectangle((cx - 0.03 * W, 0, cx + 0.03 * W, top), fill=darken(brick, 0.15), **stage.ink(0.7))
    radius = w * 0.3
    draw.rounded_rectangle((cx - w / 2, top, cx + w / 2, floor + 3 * u), radius=radius, fill=brick, **stage.ink())
    for row in range(int((floor - top) / (3 * u))):
        y = top + 3 * u + row * 3 * u
        into = max(0.0, radius - (y - top)) if y - top < radius else max(0.0, y - (floor + 3 * u - radius))
        inset = radius - math.sqrt(max(0.0, radius ** 2 - into ** 2)) + 1.5 * u
        draw.line([(cx - w / 2 + inset, y), (cx + w / 2 - inset, y)], fill=darken(brick, 0.2), width=stroke(0.35 * u))
        for x in np.arange(cx - w / 2 + inset + (row % 2) * 3 * u, cx + w / 2 - inset - u, 6 * u):
            draw.line([(x, y), (x, y + 3 * u)], fill=darken(brick, 0.2), width=stroke(0.35 * u))
    mouth = (cx - 0.065 * W, floor - 0.17 * H, cx + 0.065 * W, floor - 0.01 * H)
    draw.rounded_rectangle(mouth, radius=0.06 * W, fill=(255, 120, 40), **stage.ink())
    for k, colour in enumerate(((255, 168, 60), (255, 214, 110), (255, 246, 200))):
        shrink = (k + 1) * 1.8 * u
        draw.rounded_rectangle((mouth[0] + shrink, mouth[1] + shrink * 1.3, mouth[2] - shrink,
                                mouth[3] - shrink * 0.3), radius=0.05 * W, fill=colour)
    glow(stage.img, (cx, (mouth[1] + mouth[3]) / 2), 0.55 * H, (255, 150, 60), 0.45)


def _sparks(stage: Stage, cx: float, cy: float, spread: float) -> None:
    for _ in range(40):
        x, y = cx + stage.rng.normal(0, spread), cy - abs(stage.rng.normal(0, spread * 1.2))
        r = stage.rng.uniform(0.2, 0.6) * stage.u
        stage.draw.ellipse(box(x, y, r), fill=(255, int(stage.rng.uniform(170, 240)), 90, 230))


def _fireplace(stage: Stage, cx: float, floor: float) -> None:
    u, draw = stage.u, stage.draw
    stone = stage.shade(STONE)
    draw.rectangle((cx - 16 * u, floor - 24 * u, cx + 16 * u, floor + 2 * u), fill=stone, **stage.ink())
    draw.rectangle((cx - 19 * u, floor - 27 * u, cx + 19 * u, floor - 24 * u), fill=stage.shade(WOOD), **stage.ink())
    draw.rounded_rectangle((cx - 10 * u, floor - 16 * u, cx + 10 * u, floor + 1 * u), radius=5 * u, fill=(40, 26, 24),
                           **stage.ink())
    for k, colour in enumerate(((240, 100, 40), (255, 170, 60), (255, 230, 140))):
        s = 1 - 0.28 * k
        draw.polygon([(cx - 7 * u * s, floor), (cx - 3 * u * s, floor - 11 * u * s), (cx, floor - 7 * u * s),
                      (cx + 3 * u * s, floor - 13 * u * s), (cx + 7 * u * s, floor)], fill=colour)
    glow(stage.img, (cx, floor - 6 * u), 45 * u, (255, 160, 70), 0.4)


def _stairs(stage: Stage, cx: float, floor: float, side: int) -> None:
    """A flight of stone steps climbing the wall from the floor into the shadows above, with a wooden banister."""
    u, draw, W = stage.u, stage.draw, stage.W
    stone = stage.shade(mix(STONE, stage.pal(3), 0.15))
    steps, top = 11, 0.06 * stage.H
    rise, run = (floor - top) / steps, 0.036 * W * side
    x0 = cx - side * 0.14 * W  # the first step, nearest the middle of the room
    profile = [(x0, floor)]
    for k in range(steps):
        x, y = x0 + k * run, floor - k * rise
        profile += [(x, y - rise), (x + run, y - rise)]
    end_x = x0 + steps * run
    profile += [(end_x, top - rise * 2), (end_x + side * 0.2 * W, top - rise * 2), (end_x + side * 0.2 * W, floor),
                (x0, floor)]
    draw.polygon(profile, fill=stone, **stage.ink())
    draw.polygon([(x0, floor), (end_x, top - rise), (end_x, top + 3 * rise), (x0 + 3 * run, floor)],
                 fill=darken(stone, 0.15))
    for k in range(steps):
        x, y = x0 + k * run, floor - (k + 1) * rise
        draw.line([(x, y), (x + run, y)], fill=lighten(stone, 0.3), width=stroke(0.9 * u))
        draw.line([(x + run * 0.5, y), (x + run * 0.5, y - 10 * u)], fill=stage.shade(WOOD), width=stroke(0.7 * u))
    rail = [(x0 + run * 0.5, floor - rise - 10 * u), (end_x - run * 0.5, top - 10 * u)]
    draw.line(rail, fill=stage.shade(darken(WOOD, 0.1)), width=stroke(1.6 * u))


def _workbench(stage: Stage, cx: float, floor: float, glass: bool) -> None:
    """A bench with glass vessels (a workshop) or a table with a pot and mugs (a kitchen)."""
    u, draw, rng = stage.u, stage.draw, stage.rng
    wood = stage.shade(WOOD)
    top = floor - 14 * u
    draw.rectangle((cx - 18 * u, top, cx + 18 * u, top + 2.4 * u), fill=wood, **stage.ink())
    for lx in (cx - 16 * u, cx + 14 * u):
        draw.rectangle((lx, top + 2.4 * u, lx + 2 * u, floor + 4 * u), fill=darken(wood, 0.15), **stage.ink(0.6))
    if not glass:
        pot = stage.shade((70, 70, 78))
        draw.chord((cx - 8 * u, top - 11 * u, cx + 4 * u, top + 1 * u), 0, 180, fill=pot, **stage.ink(0.7))
        draw.rectangle((cx - 8.5 * u, top - 6 * u, cx + 4.5 * u, top - 4.8 * u), fill=lighten(pot, 0.2),
                       **stage.ink(0.5))
        for k, mx in enumerate((cx + 8 * u, cx + 13 * u)):
            colour = stage.shade(lighten(stage.pal(k), 0.2))
            draw.rounded_rectangle((mx - 1.8 * u, top - 4.5 * u, mx + 1.8 * u, top), radius=0.6 * u, fill=colour,
                                   **stage.ink(0.5))
            draw.arc((mx + 1 * u, top - 3.6 * u, mx + 3.6 * u, top - 1 * u), 270, 90, fill=stage.shade(INK),
                     width=stroke(0.5 * u))
        for k in range(3):  # steam
            sx = cx - 2 * u + (k - 1) * 2.5 * u
            draw.arc((sx - 1.2 * u, top - 17 * u, sx + 1.2 * u, top - 12 * u), 90, 270, fill=(255, 255, 255, 110),
                     width=stroke(0.5 * u))
        return
    x = cx - 14 * u
    for k in range(5):  # glass vessels
        colour = stage.shade(lighten(stage.pal(k), 0.35))
        h, w = rng.uniform(4, 8) * u, rng.uniform(2, 3.2) * u
        draw.rounded_rectangle((x, top - h, x + w, top), radius=w * 0.45, fill=rgba(colour, 210), **stage.ink(0.5))
        draw.rectangle((x + w * 0.3, top - h - 1.6 * u, x + w * 0.7, top - h + 0.5 * u), fill=rgba(colour, 210),
                       **stage.ink(0.4))
        draw.line([(x + w * 0.25, top - h * 0.8), (x + w * 0.25, top - h * 0.3)], fill=(255, 255, 255, 160),
                  width=stroke(0.5 * u))
        x += w + rng.uniform(1.5, 3) * u


def _shelves(stage: Stage, x0: float, x1: float, ys: tuple[float, ...]) -> None:
    u, draw, rng = stage.u, stage.draw, stage.rng
    wood = stage.shade(WOOD)
    for y in ys:
        draw.rectangle((x0, y, x1, y + 1.4 * u), fill=wood, **stage.ink(0.6))
        x = x0 + 1.5 * u
        while x < x1 - 4 * u:
            h, w = rng.uniform(3, 6.5) * u, rng.uniform(1.6, 3.2) * u
            colour = stage.shade(stage.pal(int(rng.integers(0, 6))))
            if rng.uniform() < 0.5:
                draw.rectangle((x, y - h, x + w, y), fill=colour, **stage.ink(0.4))
            else:
                draw.rounded_rectangle((x, y - h, x + w * 1.3, y), radius=w * 0.5, fill=lighten(colour, 0.2),
                                       **stage.ink(0.4))
            x += w * 1.4 + rng.uniform(0.3, 1.5) * u


def _bed(stage: Stage, cx: float, floor: float) -> None:
    u, draw = stage.u, stage.draw
    wood, sheet = stage.shade(WOOD), stage.shade(lighten(stage.pal(1), 0.2))
    draw.rounded_rectangle((cx - 20 * u, floor - 22 * u, cx - 17 * u, floor + 4 * u), radius=u, fill=wood,
                           **stage.ink())
    draw.rectangle((cx - 18 * u, floor - 8 * u, cx + 20 * u, floor + 3 * u), fill=wood, **stage.ink())
    draw.rounded_rectangle((cx - 16 * u, floor - 15 * u, cx - 6 * u, floor - 8 * u), radius=2 * u,
                           fill=stage.shade((246, 244, 236)), **stage.ink(0.6))
    draw.rounded_rectangle((cx - 8 * u, floor - 12 * u, cx + 20 * u, floor - 4 * u), radius=2 * u, fill=sheet,
                           **stage.ink(0.7))


def _lens(stage: Stage, cx: float, cy: float, scenery: Scenery) -> None:
    u, draw = stage.u, stage.draw
    lit = scenery.lamp_lit and stage.light.dark
    brass = stage.shade(COLOURS["brass"])
    draw.rectangle((cx - 4 * u, cy + 16 * u, cx + 4 * u, cy + 34 * u), fill=brass, **stage.ink())
    if lit:
        glow(stage.img, (cx, cy), 40 * u, (255, 236, 160), 0.7)
        for s in (-1, 1):  # the beam, out through the glass
            draw.polygon([(cx, cy - 4 * u), (cx + s * 0.6 * stage.W, cy - 16 * u),
                          (cx + s * 0.6 * stage.W, cy + 6 * u)], fill=(255, 244, 190, 60))
    glass = (255, 238, 170) if lit else stage.shade((176, 214, 226))
    draw.ellipse(box(cx, cy, 12 * u, 18 * u), fill=glass, outline=brass, width=stroke(1.6 * u))
    for k in range(1, 4):
        draw.ellipse(box(cx, cy, 12 * u * k / 4, 18 * u * k / 4), outline=darken(glass, 0.2), width=stroke(0.5 * u))


def paint_interior(stage: Stage, scenery: Scenery, outside: Light) -> dict[str, Any]:
    """Walls, a window onto the time of day, the floor, and the room's things."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    things, side = scenery.things, stage.side
    floor = 0.64 * H
    stone = "stone" in things
    wall = stage.shade(mix(STONE, lighten(stage.pal(3), 0.3), 0.35) if stone else mix(lighten(stage.pal(0), 0.55),
            (230, 214, 188), 0.5))
    stage.img.paste(gradient((W, int(floor)), darken(wall, 0.18), wall), (0, 0))
    if stone:
        for row in range(int(floor / (6 * u)) + 1):
            y = row * 6 * u
            draw.line([(0, y), (W, y)], fill=darken(wall, 0.16), width=stroke(0.4 * u))
            for x in np.arange((row % 2) * 6 * u, W, 12 * u):
                draw.line([(x, y), (x, y + 6 * u)], fill=darken(wall, 0.16), width=stroke(0.4 * u))
    else:
        for x in np.arange(0, W, 6 * u):
            draw.line([(x, 0), (x, floor)], fill=rgba(lighten(wall, 0.3), 40), width=stroke(1.4 * u))
        draw.rectangle((0, floor - 16 * u, W, floor), fill=stage.shade(mix(WOOD, stage.pal(1), 0.2)))
        draw.line([(0, floor - 16 * u), (W, floor - 16 * u)], fill=stage.shade(INK), width=stroke(stage.line))
    big = next((t for t in ("furnace", "fire", "stairs", "bed") if t in things), None)
    big_x = (0.2 if side < 0 else 0.8) * W
    other_x = (0.8 if side < 0 else 0.2) * W
    if "lens" in things:
        _window(stage, (0.04 * W, 0.08 * H, 0.96 * W, 0.46 * H), scenery, outside, panes=5)
    else:
        wx = other_x if big else 0.5 * W + side * 0.18 * W
        _window(stage, (wx - 0.09 * W, 0.1 * H, wx + 0.09 * W, 0.4 * H), scenery, outside)
        curtain = stage.shade(stage.pal(1))
        for s in (-1, 1):
            edge = wx + s * 0.1 * W
            draw.polygon([(edge, 0.07 * H), (edge - s * 0.04 * W, 0.07 * H), (edge - s * 0.01 * W, 0.46 * H),
                          (edge + s * 0.015 * W, 0.46 * H)], fill=curtain, **stage.ink(0.6))
        draw.rectangle((wx - 0.13 * W, 0.06 * H, wx + 0.13 * W, 0.075 * H), fill=stage.shade(WOOD), **stage.ink(0.5))
    floor_colour = stage.shade(mix(STONE, WOOD, 0.2) if stone else WOOD)
    stage.img.paste(gradient((W, int(H - floor)), lighten(floor_colour, 0.05), darken(floor_colour, 0.3)),
                    (0, int(floor)))
    for row in range(8):
        y = floor + (H - floor) * ((row + 1) / 9) ** 1.3
        draw.line([(0, y), (W, y)], fill=darken(floor_colour, 0.25), width=stroke(0.4 * u))
        for x in rng.uniform(0, W, 3):
            draw.line([(x, y), (x, y + (H - floor) / 9)], fill=darken(floor_colour, 0.25), width=stroke(0.4 * u))
    draw.line([(0, floor), (W, floor)], fill=stage.shade(INK), width=stroke(stage.line))
    if "workbench" in things or "table" in things:
        _workbench(stage, other_x if big else 0.5 * W - side * 0.3 * W, floor + 4 * u, glass="workbench" in things)
    elif "shelves" in things:
        _shelves(stage, other_x - 15 * u, other_x + 15 * u, (0.48 * H,))
    if "lens" in things:
        _lens(stage, 0.5 * W, 0.3 * H, scenery)
    if big == "furnace":
        _furnace(stage, big_x, floor)
    elif big == "fire":
        _fireplace(stage, big_x, floor)
    elif big == "stairs":
        _stairs(stage, big_x, floor + 4 * u, side)
    elif big == "bed":
        _bed(stage, big_x, floor + 8 * u)
    if outside.dark and big not in ("furnace",
                                    "fire") and "lens" not in things:  # a hanging oil lamp lights the room at night
        lx = 0.5 * W - side * 0.06 * W
        draw.line([(lx, 0), (lx, 0.1 * H)], fill=stage.shade(INK), width=stroke(0.4 * u))
        draw.rounded_rectangle((lx - 1.8 * u, 0.1 * H, lx + 1.8 * u, 0.1 * H + 4.5 * u), radius=1.5 * u,
                               fill=(255, 226, 140), **stage.ink(0.5))
        glow(stage.img, (lx, 0.1 * H + 2 * u), 0.5 * H, (255, 214, 140), 0.35)
    return {"stand": 0.76 * H, "side": side,
            "sparks": (big_x, floor - 0.09 * H) if "sparks" in things and big == "furnace" else None}


# ----------------------------------------------------------------------------------------------------------------
# The cast on stage
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    character: CharacterLook
    x: float  # centre, in final pixels
    feet: float  # in final pixels
    height: float  # figure height, in final pixels


def cast_layout(request: KeyframeRequest) -> list[Placement]:
    """Where each character stands: spread in the foreground, leaning away from the scene's big thing."""
    W, H, n = request.width, request.height, len(request.characters)
    if n == 0:
        return []
    base = request.scene_id == "base"
    rng = _rng(request.seed, 2)
    side = _side(request.seed)
    tallest = 0.42 * H if base else 0.46 * H
    spacing_needed = 0.62 if base else 0.5  # figure widths per height between centres
    room = (0.8 if base else 0.7) * W
    height = min(tallest, room / max(1, n) / spacing_needed) if n > 1 else tallest
    spacing = min(height * (0.9 if base else 0.62), room / max(1, n - 1)) if n > 1 else 0.0
    centre = 0.5 * W if base else (0.5 - side * 0.08 + rng.uniform(-0.05, 0.05)) * W
    feet = (0.72 if base else 0.755) * H  # the model sheet writes names under the feet
    placements = []
    for i, character in enumerate(request.characters):
        x = centre + (i - (n - 1) / 2) * spacing + (0 if base else rng.uniform(-0.015, 0.015) * W)
        d = design_of(character)
        placements.append(Placement(character, x, feet + (0 if base else (i % 2) * 0.01 * H), height * d.height))
    return placements


def _side(seed: int) -> int:
    return 1 if _rng(seed, 3).uniform() < 0.5 else -1


def figure_boxes(request: KeyframeRequest) -> dict[str, tuple[int, int, int, int]]:
    """Each character's bounding box (x0, y0, x1, y1) in the keyframe: for tests and face-consistency crops."""
    boxes, scale = {}, supersample(request.height)
    for p in cast_layout(request):
        sprite = figure_sprite(design_of(p.character), int(p.height * scale), 1.0)
        fx, fy = sprite.foot
        x0, y0 = p.x - fx / scale, p.feet - fy / scale
        boxes[p.character.id] = (int(x0), int(y0), int(x0 + sprite.image.width / scale),
                                 int(y0 + sprite.image.height / scale))
    return boxes


def paint_cast(stage: Stage, placements: list[Placement], scenery: Scenery,
               line_scale: float) -> list[tuple[Placement, float]]:
    """Shadows, figures and lantern glows; returns each placement with the y of its head's top (final pixels)."""
    heads = []
    for p in sorted(placements, key=lambda p: p.feet):
        sprite = figure_sprite(design_of(p.character), int(p.height * stage.scale), line_scale)
        x, feet = p.x * stage.scale, p.feet * stage.scale
        w = p.height * stage.scale * 0.22
        stage.draw.ellipse(box(x, feet, w, w * 0.16), fill=(20, 16, 30, 70))
        ox, oy = int(round(x - sprite.foot[0])), int(round(feet - sprite.foot[1]))
        stage.img.paste(sprite.image, (ox, oy), sprite.image)
        if sprite.glow and (stage.light.dark or scenery.interior and stage.light.dark):
            glow(stage.img, (ox + sprite.glow[0], oy + sprite.glow[1]), p.height * stage.scale * 0.3, (255, 220, 130),
                 0.55)
        heads.append((p, (oy + sprite.head_top) / stage.scale))
    if scenery.in_boat and placements:
        _rowing_boat(stage, placements, scenery)
    return heads


def _rowing_boat(stage: Stage, placements: list[Placement], scenery: Scenery) -> None:
    """The hull drawn over the cast from the waist down, seen from the side, with oars in the water."""
    u, draw = stage.u, stage.draw
    xs = [p.x * stage.scale for p in placements]
    top = min(p.feet - p.height * 0.42 for p in placements) * stage.scale
    depth = max(p.feet for p in placements) * stage.scale - top + 3 * u  # deep enough to hide the legs
    x0, x1 = min(xs) - 24 * u, max(xs) + 24 * u
    hull = stage.shade(mix((196, 62, 48), stage.pal(2), 0.3))
    wood = stage.shade(WOOD)
    for s, x in ((-1, min(xs) - 6 * u), (1, max(xs) + 6 * u)):  # oars from the oarlocks out into the water
        tip = (x + s * 30 * u, top + depth * 0.75)
        draw.line([(x, top - 2 * u), tip], fill=wood, width=stroke(1.3 * u))
        draw.ellipse((tip[0] - 3.5 * u, tip[1] - 1.2 * u, tip[0] + 3.5 * u, tip[1] + 1.2 * u), fill=wood,
                     **stage.ink(0.5))
    gunwale = [(x0 - 4 * u, top - 4 * u), (x0 + 8 * u, top), (x1 - 8 * u, top), (x1 + 5 * u, top - 5 * u)]
    keel = [(x1 + 5 * u - (x1 - x0 + 9 * u) * t,
             top + depth * math.sin(math.pi * t) ** 0.45 - (5 * u if t < 0.02 else 0))
            for t in np.linspace(0.02, 0.98, 24)]
    draw.polygon(gunwale + keel, fill=hull, **stage.ink())
    draw.line(gunwale, fill=lighten(hull, 0.45), width=stroke(1.4 * u))
    draw.line([(x0 + 2 * u, top + depth * 0.35), (x1 - 2 * u, top + depth * 0.35)], fill=darken(hull, 0.15),
              width=stroke(0.6 * u))
    water = stage.shade(mix(SEA, (46, 64, 80), 0.5 if scenery.weather.clouds == 3 else 0.0))
    for k in range(4):
        y = top + depth * 0.8 + k * 1.6 * u
        draw.line([(x0 - 8 * u + k * 5 * u, y), (x1 + 8 * u - k * 5 * u, y)],
                  fill=rgba(lighten(water, 0.45), 150 - 30 * k), width=stroke(0.6 * u))


def paint_weather(stage: Stage, weather: Weather) -> None:
    """Rain and snow fall in front of everything; fog was laid behind the cast."""
    W, H, u, draw, rng = stage.W, stage.H, stage.u, stage.draw, stage.rng
    if weather.rain:
        for _ in range(420 if weather.clouds == 3 else 260):
            x, y, length = rng.uniform(-0.1, 1.05) * W, rng.uniform(0, 1) * H, rng.uniform(2.5, 5) * u
            draw.line([(x, y), (x - 0.3 * length, y + length)], fill=(214, 222, 240, 90), width=stroke(0.25 * u))
    if weather.snow:
        for _ in range(220):
            x, y, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0.2, 0.7) * u
            draw.ellipse(box(x, y, r), fill=(255, 255, 255, 210))


def paint_fog(stage: Stage, weather: Weather) -> None:
    if weather.fog <= 0:
        return
    W, H = stage.W, stage.H
    haze = lighten(stage.light.haze, 0.35)
    stage.draw.rectangle((0, 0, W, H), fill=rgba(haze, int(50 * weather.fog)))
    for _ in range(7):
        x, y = stage.rng.uniform(0.1, 0.9) * W, stage.rng.uniform(0.45, 0.75) * H
        glow(stage.img, (x, y), stage.rng.uniform(0.35, 0.6) * W, haze, 0.8 * weather.fog, squash=0.09)


# ----------------------------------------------------------------------------------------------------------------
# The finish: palette wash, grain, vignette; then the words (scene tag, name labels, caption)
# ----------------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _texture(width: int, height: int, grain: float, vignette: float) -> np.ndarray:
    """Paper grain and a soft vignette as one multiplier per pixel (fixed, so a character looks the same everywhere)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    d2 = ((x / width - 0.5) * 2) ** 2 + ((y / height - 0.5) * 2) ** 2
    field_ = 1 - vignette * np.clip(d2 / 2, 0, 1) ** 1.4
    noise = np.random.default_rng(20240821).normal(0, 1, (max(1, height // 2), max(1, width // 2))).astype(np.float32)
    noise = np.asarray(Image.fromarray(noise, "F").resize((width, height), Image.BILINEAR))
    return (field_ * (1 + grain * noise)).astype(np.float32)


def grade(img: Image.Image, palette: tuple[str, ...], look: Look) -> Image.Image:
    """One wash of the palette over everything, so every frame of the film shares a colour."""
    colours = np.asarray([hex_rgb(c) for c in palette] or [(255, 255, 255)], np.float32)
    weights = np.linspace(2.0, 1.0, len(colours))[:, None]
    tint = (colours * weights).sum(0) / weights.sum()
    wash = 1 + 0.14 * (tint / max(1.0, float(tint.mean())) - 1)  # shifts the hue, keeps the brightness
    a = np.asarray(img, np.float32) * wash
    if look.desaturate:
        lum = a @ np.asarray([0.299, 0.587, 0.114], np.float32)
        a = a * (1 - look.desaturate) + lum[..., None] * look.desaturate
        if look.sepia:
            a *= np.asarray([1.08, 0.96, 0.8], np.float32)
    a *= _texture(img.width, img.height, look.grain, look.vignette)[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


def _wrap(text: str, face: Any, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        while face.getlength(word) > max_width and len(word) > 1:  # a word wider than the band: break it
            cut = max(1, int(len(word) * max_width / face.getlength(word)) - 1)
            if lines and face.getlength(lines[-1] + " " + word[:cut]) <= max_width:
                lines[-1] += " " + word[:cut]
            else:
                lines.append(word[:cut])
            word = word[cut:]
        if lines and face.getlength(lines[-1] + " " + word) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def caption_layout(text: str, width: int, height: int) -> tuple[Any, list[str]]:
    """The caption's font and at most two lines, each no wider than 80% of the frame."""
    max_width = 0.8 * width
    face, lines = None, []
    for share in (0.042, 0.037, 0.032, 0.028):
        size = max(8, round(share * height))
        face = font(size, bold=size < 14)  # thin strokes vanish in small frames
        lines = _wrap(text, face, max_width)
        if len(lines) <= 2:
            return face, lines
    lines = lines[:2]
    while lines[1] and face.getlength(lines[1] + "…") > max_width:
        lines[1] = lines[1][:-1].rstrip()
    lines[1] += "…"
    return face, lines


def caption_box(text: str, width: int, height: int) -> tuple[int, int, int, int] | None:
    """Where the caption band goes: centred, inside 76%-90% of the height, so camera moves never crop it."""
    if not text.strip():
        return None
    face, lines = caption_layout(text, width, height)
    line_h = face.size * 1.22
    band_w = min(0.84 * width, max(face.getlength(line) for line in lines) + 1.4 * face.size)
    band_h = len(lines) * line_h + 0.55 * face.size
    top = max(0.76 * height, min(0.83 * height - band_h / 2, 0.90 * height - band_h))
    x0 = (width - band_w) / 2
    return int(x0), int(top), int(x0 + band_w), int(top + band_h)


def draw_caption(img: Image.Image, text: str) -> None:
    band = caption_box(text, img.width, img.height)
    if band is None:
        return
    face, lines = caption_layout(text, img.width, img.height)
    draw = ImageDraw.Draw(img, "RGBA")
    draw.rounded_rectangle(band, radius=int(face.size * 0.5), fill=(16, 14, 26, 165))
    line_h = face.size * 1.22
    y = band[1] + 0.275 * face.size
    for line in lines:
        x = (img.width - face.getlength(line)) / 2
        draw.text((x + 1, y + 1), line, font=face, fill=(0, 0, 0, 160))
        draw.text((x, y), line, font=face, fill=(255, 250, 240, 255))
        y += line_h


def _pill(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: Any, anchor_centre: bool,
          fill: tuple[int, ...]) -> None:
    w, pad = face.getlength(text), face.size * 0.45
    x, y = (xy[0] - w / 2, xy[1]) if anchor_centre else xy
    draw.rounded_rectangle((x - pad, y - pad * 0.55, x + w + pad, y + face.size * 1.05 + pad * 0.45),
                           radius=int(face.size * 0.6), fill=fill)
    draw.text((x, y), text, font=face, fill=(255, 252, 244, 255))


def draw_scene_tag(img: Image.Image, request: KeyframeRequest) -> None:
    """'s03 · harbour town · afternoon', small, inside the title-safe corner."""
    face = font(max(7, round(0.026 * img.height)))
    text = f"{request.scene_id} · {request.setting} · {request.time_of_day}"
    while face.getlength(text) > 0.55 * img.width and len(text) > 4:
        text = text[:-2].rstrip() + "…"
        text = text[:-1] if text.endswith("……") else text
    _pill(ImageDraw.Draw(img, "RGBA"), (0.09 * img.width, 0.09 * img.height), text, face, False, (12, 12, 24, 120))


def draw_labels(img: Image.Image, heads: list[tuple[Placement, float]], under_feet: bool = False) -> None:
    """A small name over each head (under the feet on the model sheet, where the palette is above)."""
    face = font(max(7, round(0.024 * img.height)), bold=True)
    draw = ImageDraw.Draw(img, "RGBA")
    for p, head_top in heads:
        y = p.feet + 0.6 * face.size if under_feet else max(0.02 * img.height, head_top - face.size * 1.9)
        x = min(max(p.x, face.getlength(p.character.name) / 2 + 0.03 * img.width),
                img.width - face.getlength(p.character.name) / 2 - 0.03 * img.width)
        _pill(draw, (x, y), p.character.name, face, True, (22, 18, 34, 150))


def draw_model_sheet_header(img: Image.Image, request: KeyframeRequest) -> None:
    """The Base frame's title (the look) and palette swatches."""
    W, H = img.size
    draw = ImageDraw.Draw(img, "RGBA")
    title = request.look.strip() or "Model sheet"
    title = title[0].upper() + title[1:]
    face = font(max(10, round(0.058 * H)), bold=True)
    while face.getlength(title) > 0.8 * W and face.size > 10:
        face = font(face.size - 2, bold=True)
    x = (W - face.getlength(title)) / 2
    draw.text((x + 2, 0.085 * H + 2), title, font=face, fill=(0, 0, 0, 90))
    draw.text((x, 0.085 * H), title, font=face, fill=(40, 32, 48, 255))
    y = 0.085 * H + face.size * 1.3
    if H >= 300:  # a subtitle only where there is room for it
        sub = font(round(0.026 * H))
        subtitle = "model sheet · palette · cast"
        draw.text(((W - sub.getlength(subtitle)) / 2, y), subtitle, font=sub, fill=(60, 52, 70, 230))
        y += sub.size * 1.6
    colours = [hex_rgb(c) for c in request.palette]
    r = 0.024 * H
    gap = r * 2.8
    swatches = Image.new("RGBA", (int(len(colours) * gap * 4) + 8, int(r * 8) + 8), (0, 0, 0, 0))
    sd = ImageDraw.Draw(swatches)
    for k, colour in enumerate(colours):  # drawn at 4x and reduced: round, not jagged
        cx = (k * gap + r) * 4 + 4
        sd.ellipse((cx - r * 4, 4, cx + r * 4, 4 + r * 8), fill=colour, outline=INK, width=stroke(r * 0.5))
    swatches = swatches.reduce(4)
    img.paste(swatches, (int((W - ((len(colours) - 1) * gap + 2 * r)) / 2), int(y)), swatches)


# ----------------------------------------------------------------------------------------------------------------
# The keyframe renderer
# ----------------------------------------------------------------------------------------------------------------

def draw_keyframe(request: KeyframeRequest) -> Image.Image:
    """The whole keyframe: scenery, cast, weather, the palette wash, then the words."""
    if request.width < 16 or request.height < 16:
        raise RenderError(f"a keyframe of {request.width}x{request.height} is too small to draw; "
                          "ask for at least 16x16")
    scenery = read_scenery(request)
    look = read_look(request.look)
    outside = lighting(request.time_of_day, scenery.weather)
    light = outside
    if scenery.interior:  # rooms are lit by lamps at night and by the window by day
        warm = (255, 222, 178) if outside.dark else (255, 248, 236)
        light = Light(outside.top, outside.bottom, mix(outside.ambient, warm, 0.6 if outside.dark else 0.5),
                      mix(outside.haze, (120, 96, 80),
                          0.5), outside.body, outside.body_at, outside.body_colour, 0, outside.dark)
    scale = supersample(request.height)
    size = (request.width * scale, request.height * scale)
    stage = Stage(Image.new("RGB", size), light, [hex_rgb(c) for c in request.palette] or [(200, 180, 150)],
                  _rng(request.seed, 1), line=max(1.5,
                                                  size[1] / 480) * look.line, scale=scale, side=_side(request.seed))
    marks = paint_interior(stage, scenery, outside) if scenery.interior else paint_exterior(stage, scenery)
    paint_fog(stage, scenery.weather)
    base = request.scene_id == "base"
    if base:
        stage.draw.rectangle((0, 0, size[0], size[1]), fill=(250, 246, 238, 150))
    heads = paint_cast(stage, cast_layout(request), scenery, look.line)
    if marks.get("sparks"):
        _sparks(stage, marks["sparks"][0], marks["sparks"][1], 6 * stage.u)
    if not scenery.interior:
        paint_weather(stage, scenery.weather)
    img = grade(stage.img.reduce(scale), request.palette, look)
    if base:
        draw_model_sheet_header(img, request)
    else:
        draw_scene_tag(img, request)
    draw_labels(img, heads, under_feet=base)
    draw_caption(img, request.caption)
    return img


class AnimaticKeyframes:
    """Storyboard keyframes drawn from the request's words: the default renderer, no GPU and no weights."""

    name: ClassVar[str] = "animatic"
    reads: ClassVar[frozenset[str]] = frozenset({
        "scene_id", "prompt", "caption", "setting", "time_of_day", "environment", "context", "look", "palette",
        "characters", "seed", "width", "height",
    })

    def identity(self) -> dict[str, Any]:
        return {"backend": "animatic-keyframes", "version": KEYFRAME_VERSION, "font": font_family()}

    def render(self, request: KeyframeRequest, base_frame: Image.Image | None) -> Image.Image:
        # base_frame is not read: the animatic's designs come from character ids, so every frame already matches it
        return draw_keyframe(request)


# ----------------------------------------------------------------------------------------------------------------
# The clip renderer: a camera move over the keyframe, faded in and out, encoded as H.264
# ----------------------------------------------------------------------------------------------------------------

FADE_SECONDS = 0.25
PAN_WINDOW = 0.92  # a pan or tilt looks through 92% of the frame and slides it across
ZOOM = 1.10
HOLD_DRIFT = 1.02
# Every clip shares these, so the film can be joined with `ffmpeg -f concat -c copy`.
ENCODING: dict[str, Any] = {"codec": "libx264", "pix_fmt": "yuv420p", "preset": "veryfast", "crf": 20}


def frame_count(request: ClipRequest) -> int:
    return max(1, round(request.duration * request.fps))


def cover_fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to cover `size` and crop the middle (a 512x512 keyframe fills a 16:9 clip)."""
    image = image.convert("RGB")
    if image.size == size:
        return image
    scale = max(size[0] / image.width, size[1] / image.height)
    w, h = size[0] / scale, size[1] / scale
    x0, y0 = (image.width - w) / 2, (image.height - h) / 2
    return image.resize(size, Image.LANCZOS, box=(x0, y0, x0 + w, y0 + h))


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def camera_window(camera: str, t: float, width: int, height: int) -> tuple[float, float, float, float]:
    """The part of the keyframe seen at time t (0..1), as a float box: sub-pixel, eased."""
    e = _ease(t)
    if camera in ("pan_left", "pan_right", "tilt_up", "tilt_down"):
        w, h = width * PAN_WINDOW, height * PAN_WINDOW
        cx, cy = width / 2, height / 2
        travel_x, travel_y = (width - w) / 2, (height - h) / 2
        if camera == "pan_right":
            cx += travel_x * (2 * e - 1)
        elif camera == "pan_left":
            cx -= travel_x * (2 * e - 1)
        elif camera == "tilt_down":
            cy += travel_y * (2 * e - 1)
        else:
            cy -= travel_y * (2 * e - 1)
    else:
        zoom = {"zoom_in": 1 + (ZOOM - 1) * e, "push_in": 1 + (ZOOM - 1) * e,
                "zoom_out": ZOOM - (ZOOM - 1) * e, "pull_back": ZOOM - (ZOOM - 1) * e}.get(camera,
                        1 + (HOLD_DRIFT - 1) * e)
        w, h = width / zoom, height / zoom
        cx, cy = width / 2, height / 2
    return box(cx, cy, w / 2, h / 2)


def camera_frames(still: Image.Image, camera: str, count: int, fps: int) -> Iterator[Image.Image]:
    """The clip's frames one at a time: the camera move, with a short fade from and to black."""
    fade = max(1e-6, FADE_SECONDS * fps)
    for i in range(count):
        t = i / (count - 1) if count > 1 else 0.0
        frame = still.resize(still.size, Image.BILINEAR,
                             box=camera_window(camera, t, *still.size))  # <= 1.1x: bilinear is enough
        level = min(1.0, (i + 0.5) / fade, (count - i - 0.5) / fade)
        if level < 1.0:
            frame = frame.point([int(v * level + 0.5) for v in range(256)] * 3)
        yield frame


class AnimaticClips:
    """A keyframe set in motion with the scene's camera move; the default clip renderer."""

    name: ClassVar[str] = "animatic"
    reads: ClassVar[frozenset[str]] = frozenset({"keyframe_sha", "camera", "duration", "fps", "width", "height"})

    def identity(self) -> dict[str, Any]:
        return {"backend": "animatic-clips", "version": CLIP_VERSION, "fade_s": FADE_SECONDS, **ENCODING}

    def render(self, request: ClipRequest, keyframe: Image.Image, out_path: Path, attempt: int = 1) -> ClipResult:
        import imageio_ffmpeg

        if request.width % 2 or request.height % 2:
            raise RenderError(f"H.264 needs an even frame size, got {request.width}x{request.height}; "
                              "choose even numbers")
        count = frame_count(request)
        still = cover_fit(keyframe, (request.width, request.height))
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(out_path.stem + ".partial" + out_path.suffix)
        writer = imageio_ffmpeg.write_frames(
            str(partial), (request.width, request.height), fps=request.fps, codec=ENCODING["codec"], quality=None,
            pix_fmt_out=ENCODING["pix_fmt"], macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-preset", ENCODING["preset"], "-crf", str(ENCODING["crf"]), "-movflags", "+faststart",
                           "-f", "mp4"],
        )
        try:
            writer.send(None)
            for frame in camera_frames(still, request.camera, count, request.fps):
                writer.send(frame.tobytes())
            writer.close()
        except Exception as error:  # ffmpeg died or could not write: say so, leave no half file behind
            writer.close()
            partial.unlink(missing_ok=True)
            raise RenderError(f"encoding the clip of scene {request.scene_id} failed: {error}") from error
        os.replace(partial, out_path)
        return ClipResult(frames=count, seconds=count / request.fps, notes={})
