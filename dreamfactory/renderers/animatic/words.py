"""Reading the words: which place, weather and things a scene shows, and what the look's style words ask for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...contracts import KeyframeRequest
from .place_designs import PlaceDesign, choose_place


def _words(*items: str) -> re.Pattern[str]:
    words = [w.replace("_", " ") for item in items for w in item.split()]  # "lamp_room" is two words
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})(?:s|es)?\b", re.IGNORECASE)


KEYWORDS: dict[str, re.Pattern[str]] = {
    "ice": _words("fjord frozen ice icy glacier arctic antarctic iceberg polar tundra floe"),
    "lake": _words("lake loch reservoir lagoon"),
    "pond": _words("pond duck_pond millpond lily_pond"),
    "farm": _words("farm farmyard barn field paddock pasture crops wheat cornfield orchard ranch"),
    "tower": _words("tower turret spire belfry"),
    "castle": _words("castle palace fortress citadel keep ramparts throne"),
    "cabin": _words("cabin hut cottage lodge chalet shack"),
    "rooftop": _words("rooftop roof rooftops"),
    "square": _words("square plaza fountain piazza"),
    "beach": _words("beach sand sandy dune dunes seashore"),
    "school": _words("school classroom schoolroom schoolyard playground lesson"),
    "sea": _words("sea ocean wave harbour harbor boat ship island lighthouse shore beach coast bay pier quay dock"
                  " seaside port"),
    "town": _words("town street market village city square plaza alley lane shopfront road avenue"),
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
    "stone": _words("lighthouse tower castle stone cave dungeon palace"),
    "storm": _words("storm stormy tempest thunder thunderstorm lightning gale hurricane"),
    "rain": _words("rain raining rainy drizzle downpour shower"),
    "clouds": _words("cloud cloudy overcast grey_sky gray_sky"),
    "dark_clouds": _words("dark_cloud black_cloud storm_cloud thundercloud"),
    "lightning": _words("lightning thunder thunderstorm"),
    "snow": _words("snow snowy snowing snowfall blizzard frost frosty winter"),
    "winter": _words("snow snowy winter frost frosty frozen ice icy glacier arctic antarctic fjord iceberg polar"
                     " tundra"),
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
    room: str = "room"  # which room painter draws an interior (place_designs.DESIGNS names them)
    place: PlaceDesign | None = None  # the design chosen for the setting
    place_words: tuple[str, ...] = ()  # the words it was chosen by


# What the outdoor painters draw; an outdoor design's setting may add more of them ("a harbour market": sea and town).
OUTDOOR_PLACES = ("sea", "town", "forest", "mountains", "hills", "river", "ice", "lake", "pond", "farm", "tower",
                  "castle", "cabin", "rooftop", "square", "beach", "school")
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


_LIGHT = re.compile(r"\b(?:light|lights|darkness|dark|sunshine|sunlight|moonlight|dusk|dawn|glow)$", re.IGNORECASE)


def _without_light(environment: str) -> str:
    """The environment's things without its light ('soft morning light', 'deep night darkness'): the light says
    when, not where, and read for meaning it would make every unclear place a lamp room."""
    return ", ".join(item for item in environment.split(",") if not _LIGHT.search(item.strip()))


def read_scenery(request: KeyframeRequest) -> Scenery:
    """The setting picks the place; environment and caption the weather and props; the prompt adds small things."""
    setting, env, caption = request.setting, request.environment, request.caption
    scene_words = " . ".join((setting, env, caption))
    all_words = " . ".join((scene_words, request.prompt))

    def found(key: str, text: str) -> bool:
        return bool(KEYWORDS[key].search(text))

    place = choose_place(setting, f"{_without_light(env)} . {caption}")
    design = place.design
    kinds = OUTDOOR_PLACES if design.cls == "outdoors" else ()
    places = {p for p in kinds if found(p, setting)} or {p for p in kinds if found(p, env + " . " + caption)}
    places |= design.places
    interior = design.indoors
    room = design.room
    if design.cls == "outdoors":  # what else the setting shows round its place
        if "ice" in places:
            places.add("mountains")
        if "beach" in places:
            places.add("sea")
        if found("market", setting) or (("town" in places) and found("market", scene_words)):
            places.add("market")
        if "town" in places and found("sea", setting):
            places.add("sea")
        if re.search(r"\b(?:harbou?r|port)s?\b", setting, re.IGNORECASE):
            places |= {"sea", "town"}  # a harbour is the town's front on the water
        if "square" in places:
            places.add("town")

    things: set[str] = set(design.things)
    for key in ("furnace", "fire", "sparks", "stairs", "workbench", "shelves", "bed", "table", "lens", "stone"):
        if found(key, setting if key in ("stone", "stairs") else scene_words):
            things.add(key)
    if re.search(r"\b(?:harbou?r|quay|pier|dock|port|jetty)s?\b", setting + " . " + env, re.IGNORECASE):
        things.add("quay")
    for key in ("boat", "gulls", "rocks", "island", "beam"):
        if found(key, all_words):
            things.add(key)
    if found("lighthouse", setting):
        things.add("hero_lighthouse" if design.cls == "outdoors" else "stone")
    elif found("lighthouse", all_words + " . " + request.context):
        things.add("lighthouse")
    if found("sea", all_words):
        things.add("sea_view")  # what a window looks out on
    if "furnace" in things:
        things.add("sparks")
    if re.search(r"\bhill(?:s|top|side)?\b", setting, re.IGNORECASE):
        things.add("hill")  # one big hill to climb, not just rolling country
    if re.search(r"\b(?:frozen|ice|icy|iced|glacier|floe)\b", setting + " . " + env, re.IGNORECASE):
        things.add("frozen")
    if re.search(r"\bmoon\b[^.;]{0,40}\b(?:gone|vanish\w*|hid\w*|went out|goes out|disappear\w*|missing)\b"
                 r"|\bno moon\b|\bmoonless\b", scene_words, re.IGNORECASE):
        things.add("no_moon")
    if re.search(r"\b(?:northern lights|aurora\w*)\b", scene_words, re.IGNORECASE) or re.search(
            r"\bgreen lights?\b[^.;]{0,30}\b(?:sky|dancing|dance)\b", scene_words, re.IGNORECASE):
        things.add("aurora")

    in_boat = "sea" in places or "river" in places
    in_boat = in_boat and not interior and "space" not in places and (
        found("boat", setting) or bool(_IN_BOAT.search(env + " . " + caption)))
    weather = _read_weather(" . ".join((setting, env, caption)), request.context)
    if found("winter", setting + " . " + env):
        weather.snow_ground = True
    return Scenery(
        interior=interior,
        room=room if interior else "",
        place=design,
        place_words=place.words,
        places=places,
        things=things,
        weather=weather,
        in_boat=in_boat,
        lamp_lit=not KEYWORDS["lamp_out"].search(scene_words),
    )


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
