"""The places the animatic can draw, each with its broad class, and the one a setting means (by the sentence embedder).

A setting is compared by meaning with every design's description ("the galley of the trawler" is nearest a ship's
cabin, "Nurse Adebayo's ward" a hospital), a design whose own words the setting uses gets a head start, and the words
that say which side of a wall we are on decide first: a setting that says it is inside (or names a room) is never
drawn as an outdoor place, one that says it is outside never as a room. Without the embedder, the words alone decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ... import beings, embedder

CLASSES = ("outdoors", "indoors", "vehicle", "underground", "underwater", "space")


@dataclass(frozen=True)
class PlaceDesign:
    name: str
    cls: str  # one of CLASSES
    description: str  # what the embedder compares a setting with
    words: str = ""  # the design's own words (a setting using one is this place, unless the meaning says otherwise)
    places: frozenset[str] = frozenset()  # what the outdoor painters draw (exterior.paint_exterior)
    room: str = ""  # which room painter draws it (interior.paint_interior)
    things: frozenset[str] = frozenset()  # what it always has

    @property
    def indoors(self) -> bool:
        """Walled in, lit by lamps or windows: rooms, vehicles' insides and places underground."""
        return self.cls in ("indoors", "vehicle", "underground")


def _outside(name: str, places: str, words: str, description: str, things: str = "") -> PlaceDesign:
    return PlaceDesign(name, "outdoors", description, words, frozenset(places.split()), "", frozenset(things.split()))


def _inside(name: str, cls: str, room: str, words: str, description: str, things: str = "") -> PlaceDesign:
    return PlaceDesign(name, cls, description, words, frozenset(), room, frozenset(things.split()))


DESIGNS: tuple[PlaceDesign, ...] = (
    _outside("coast", "sea", "sea ocean wave harbour harbor shore coast bay pier quay dock seaside port jetty",
             "the seashore: the open sea and its waves, a harbour, a pier, boats on the water"),
    _outside("lighthouse", "sea", "lighthouse headland", "a lighthouse on a rocky headland above the sea",
             "hero_lighthouse stone"),
    _outside("beach", "beach sea", "beach sand sandy dune dunes", "a sandy beach by the sea, dunes"),
    _outside("island", "sea", "island islet", "a small island in the sea", "island rocks"),
    _outside("town", "town", "town street village city alley lane road avenue shopfront car_park parking_lot",
             "a town street outdoors: houses, shop fronts, a lane, a road"),
    _outside("market", "town market", "market stall bazaar fair", "an open-air market: stalls, awnings, a bazaar"),
    _outside("square", "square town", "square plaza fountain piazza", "a town square with a fountain, a plaza"),
    _outside("forest", "forest", "forest wood woods woodland tree trees jungle grove",
             "a forest: woods, trees, a jungle, a woodland path"),
    _outside("mountains", "mountains", "mountain peak cliff alp summit pass quarry crag gorge canyon",
             "mountains: high peaks, cliffs, a summit, a rocky pass"),
    _outside("meadow", "hills", "hill hilltop hillside valley meadow field garden countryside park lawn common green heath moor",
             "open countryside: a meadow, green hills, fields, a garden, a park"),
    _outside("river", "river", "river stream brook creek canal", "a river: a stream, a brook, a canal, its banks"),
    _outside("lake", "lake", "lake loch reservoir lagoon", "a lake: a loch, a lagoon, still water with a far shore"),
    _outside("pond", "pond", "pond millpond", "a pond with reeds and lily pads"),
    _outside("farm", "farm", "farm farmyard barn paddock pasture crops wheat cornfield orchard ranch stables",
             "a farm: a farmyard, a barn, a paddock, pasture, crops"),
    _outside("ice", "ice mountains", "fjord frozen ice icy glacier arctic antarctic iceberg polar tundra floe",
             "a frozen land: ice, a glacier, a fjord, arctic snow, tundra"),
    _outside("castle", "castle", "castle palace fortress citadel ramparts",
             "a castle seen from outside: a palace, a fortress, ramparts"),
    _outside("tower", "tower", "tower turret spire belfry", "a tall tower or turret seen from outside"),
    _outside("cabin", "cabin", "cabin hut cottage lodge chalet shack", "a log cabin, hut or cottage seen from outside"),
    _outside("schoolyard", "school", "schoolyard playground", "a school's yard and playground, the school behind"),
    _outside("rooftop", "rooftop", "rooftop roof rooftops", "on the roof of a building, among tiles and chimneys"),
    _inside("living_room", "indoors", "home", "house home flat apartment living_room sitting_room lounge parlour parlor bathroom",
            "a room in a house: a living room, a sitting room, a lounge, an apartment"),
    _inside("bedroom", "indoors", "home", "bedroom bed dormitory nursery", "a bedroom with a bed and pillows", "bed"),
    _inside("kitchen", "indoors", "kitchen", "kitchen scullery pantry", "a kitchen: a stove, cupboards, cooking"),
    _inside("workshop", "indoors", "room", "workshop workbench forge studio", "a workshop: a workbench, tools",
            "workbench"),
    _inside("library", "indoors", "library", "library study bookshop bookstore",
            "a library or a study: shelves of books, a reading desk"),
    _inside("classroom", "indoors", "school", "classroom schoolroom school lesson",
            "a school classroom: desks, a blackboard, pupils and a teacher"),
    _inside("hall", "indoors", "hall", "hall throne_room great_hall ballroom banquet",
            "a great hall in a castle or palace: a throne room, banners, a ballroom"),
    _inside("greenhouse", "indoors", "greenhouse", "greenhouse glasshouse conservatory hothouse",
            "a greenhouse: glass walls, potted plants"),
    _inside("garage", "indoors", "garage", "garage carport", "a garage: a car workshop, tools on the wall"),
    _inside("cabin_inside", "indoors", "cabin", "", "inside a log cabin: a hearth, log walls, a cosy hut"),
    _inside("lamp_room", "indoors", "room", "lamp_room lantern_room lighthouse_gallery", "the lamp room at the top of a lighthouse: "
            "the great lens", "lens stone"),
    _inside("tower_inside", "indoors", "room", "stair staircase stairwell steps",
            "inside a stone tower or lighthouse: spiral stairs, stone walls", "stone stairs"),
    _inside("tavern", "indoors", "home", "tavern inn pub bar cafe café restaurant diner",
            "a pub, an inn, a tavern, a cafe or a restaurant: tables, a bar, a fireplace", "table fire"),
    _inside("shop", "indoors", "shop", "shop store bakery pharmacy chemist supermarket grocer boutique",
            "a shop: a counter, shelves of goods, a bakery, a pharmacy, a supermarket"),
    _inside("museum", "indoors", "museum", "museum gallery exhibition exhibit",
            "a museum or an art gallery: paintings on the walls, exhibits on plinths"),
    _inside("hospital", "indoors", "hospital", "hospital ward clinic infirmary surgery icu",
            "a hospital: a ward, a hospital bed, doctors and nurses, a clinic"),
    _inside("office", "indoors", "office", "office desk cubicle boardroom bank",
            "an office: desks, computers, a meeting room, filing cabinets"),
    _inside("church", "indoors", "church", "church chapel cathedral temple abbey",
            "a church: pews, an altar, stained glass, a chapel"),
    _inside("car", "vehicle", "car", "car taxi cab van truck lorry jeep",
            "inside a car: the front seats, the dashboard, the steering wheel"),
    _inside("train", "vehicle", "train", "train carriage railway compartment bus coach tram dining_car sleeping_car "
            "buffet_car restaurant_car sleeper",
            "inside a train carriage or a bus: rows of seats, windows onto the passing land"),
    _inside("plane", "vehicle", "plane", "plane aeroplane airplane airliner jet cockpit flight",
            "inside an aeroplane cabin: rows of seats, small round windows onto the clouds"),
    _inside("ship", "vehicle", "ship", "ship vessel liner trawler barge ferry freighter submarine galley hold porthole "
            "bunk below_deck",
            "below deck in a ship: a cabin with portholes, a galley, a bunk, a ferry, a submarine"),
    _inside("spaceship", "vehicle", "spaceship", "spaceship spacecraft starship space_station airlock "
            "observation_deck docking_bay", "inside a spaceship: the bridge, control consoles, a viewport onto the "
            "stars"),
    _inside("cave", "underground", "cave", "cave cavern grotto tunnel mine den burrow",
            "a cave: a cavern, a grotto, a tunnel, a mine underground"),
    _inside("station", "underground", "cellar", "subway metro tube_station underground_station",
            "an underground railway station: a tube or subway platform, escalators, tiled tunnel walls", "stone"),
    _inside("cellar", "underground", "cellar", "cellar basement dungeon crypt vault catacomb",
            "a cellar: a basement, a dungeon, a crypt, a vault underground", "stone"),
    PlaceDesign("seabed", "underwater", "under the sea: the seabed, a coral reef, underwater among the fish",
                "underwater seabed reef coral undersea", frozenset({"underwater"})),
    PlaceDesign("space", "space", "outer space: stars, planets, the moon, in orbit",
                "space orbit planet asteroid galaxy", frozenset({"space"})),
)
BY_NAME = {d.name: d for d in DESIGNS}
FALLBACK = {"outdoors": "meadow", "indoors": "living_room"}

# Which side of a wall: words that say so outright, whatever else the setting says.
_INSIDE = re.compile(r"\b(?:inside|indoors|interior|within|in(?:to)? the (?:\w+ )?(?:room|hall|corridor|ward|office|"
                     r"shop|kitchen|attic|cellar|cabin|carriage|cockpit))\b", re.IGNORECASE)
_OUTSIDE = re.compile(r"\b(?:outside|outdoors|out of doors|in the open|open air|(?<!observation )deck|out on)\b",
                      re.IGNORECASE)
_SIDE = re.compile(r"\b(?:inside|indoors|interior|within|outside|outdoors|out of doors|in the open|open air)\b",
                   re.IGNORECASE)
_ROOM = re.compile(r"\b(?:room|rooms|attic|cellar|corridor|hallway|landing|ward|lobby|foyer|chamber|study|bedroom|"
                   r"kitchen|parlou?r|library|stair|stairs|staircase|stairwell|spiral stairs)\b",
                   re.IGNORECASE)


def _words(design: PlaceDesign) -> re.Pattern[str] | None:
    words = [w.replace("_", " ") for w in design.words.split()]
    if not words:
        return None
    return re.compile(rf"\b(?:{'|'.join(sorted(words, key=len, reverse=True))})(?:s|es)?\b", re.IGNORECASE)


WORDS = {d.name: _words(d) for d in DESIGNS}
HEAD_START = 0.15  # the design the setting's head word names: enough to win among near neighbours, not against meaning
WEAK = 0.3  # below this, the setting alone says too little: the scene's own words are read with it
CLEAR = 0.4  # a class of place few stories are in (under water or ground, in space) needs a meaning this near
VAGUE = 0.25  # below this, even with them the meaning is near no design: the plain place of its side of the wall


@dataclass(frozen=True)
class Place:
    """The design chosen for a scene, and the words it was chosen by."""

    design: PlaceDesign
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def _design_vectors() -> np.ndarray:
    return embedder.embed_many(tuple(d.description for d in DESIGNS))


_UNDERWATER = re.compile(r"\b(?:under|beneath|below)(?: the)? (?:\w+ )?(?:water|waters|sea|ocean|lake|loch|river|"
                         r"waves|surface|pond|lagoon|bay)\b", re.IGNORECASE)


def _allowed(text: str) -> set[str]:
    """The classes the words allow: inside never outdoors, outside never indoors, under the water only underwater."""
    if _UNDERWATER.search(text):
        return {"underwater"}
    inside = bool(_INSIDE.search(text) or _ROOM.search(text))
    outside = bool(_OUTSIDE.search(text))
    if inside and not outside:
        return {"indoors", "vehicle", "underground"}
    if outside and not inside:
        return {"outdoors", "space"}
    return set(CLASSES)


def _hits(text: str) -> dict[str, list[str]]:
    found = {}
    for d in DESIGNS:
        pattern = WORDS[d.name]
        matched = pattern.findall(text) if pattern else []
        if matched:
            found[d.name] = [m.lower() for m in matched]
    return found


def _content_words(text: str) -> tuple[str, ...]:
    stop = {"the", "a", "an", "of", "in", "on", "at", "by", "to", "and", "with", "into", "from", "behind", "near",
            "somewhere", "someplace", "place", "there", "here"}
    words = (w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[a-z][a-z'’-]+", text.lower()))
    return tuple(w for w in words if w not in stop)


@lru_cache(maxsize=512)
def choose_place(setting: str, scene_words: str = "") -> Place:
    """The design a setting means. The setting's own place words decide when they agree (the head of "the kitchen
    of the farmhouse" is the kitchen); the embedder decides when they disagree or there are none, with the scene's
    words (its environment and caption) read too when the setting alone says little ("Mira's home", "Station Nine")."""
    text = setting if setting.strip() else scene_words
    allowed = _allowed(text)
    if "space" in allowed and on_a_celestial_body(text):  # 'crater on the Moon', 'hills on a far planet'
        return Place(BY_NAME["space"], (on_a_celestial_body(text),))
    hits = {name: found for name, found in _hits(text).items() if BY_NAME[name].cls in allowed}
    near = re.match(r"(.*?)\b(?:by|beside|near|behind)\b", text, re.IGNORECASE)
    first = _content_words(near.group(1)) if near and not re.search(_PHRASE, near.group(1), re.IGNORECASE) else ()
    if hits and first and beings.place_kind(first[-1]) == "spot" and embedder.available() and \
            not any(WORDS[n].search(" ".join(first)) for n in hits):
        hits = {}  # 'the escalator by the Bank' is at an escalator, a place of its own no design names: not a bank
    classes = {BY_NAME[name].cls for name in hits}
    meaning = _SIDE.sub(" ", text)  # the side of the wall is settled: the rest says where
    plain = BY_NAME[FALLBACK["outdoors" if "outdoors" in allowed else "indoors"]]
    head = _head(text, hits) if hits else None
    if not hits:  # what the dictionary says the place is: 'an orangery' is a greenhouse, 'the vestry' a room
        head, inside = _kin(text)
        if inside and "indoors" in allowed:  # a room is a building's, or a vehicle's when it is a compartment
            allowed &= {"indoors", "vehicle"} if inside == "compartment" else {"indoors"}
    vehicle = _vehicle_around(text, scene_words, hits) if allowed & {"vehicle"} else None
    if vehicle is not None:  # 'cabin' in a scene aboard the narrowboat is the boat's cabin, not a log cabin
        design = vehicle
    elif hits and (len(classes) == 1 or not embedder.available() or BY_NAME[head].cls == "vehicle"):
        # a vehicle named first holds the rest ('the colony ship, in the bay' is the ship's bay); in space, a spaceship
        design = BY_NAME["spaceship" if "spaceship" in hits else head]
    elif not _content_words(meaning) and len(allowed) < len(CLASSES):  # 'somewhere inside'
        design = plain
    elif embedder.available():
        # the embedder arbitrates between the places the words name, or, where they name none, chooses among all
        candidates = [i for i, d in enumerate(DESIGNS) if (d.name in hits if hits else d.cls in allowed)]
        design = _nearest(meaning, candidates, head)
        if _similarity(meaning, design) < WEAK and _content_words(scene_words) and text is setting:
            meaning = f"{meaning}. {scene_words}"
            more = {name: found for name, found in _hits(meaning).items() if BY_NAME[name].cls in allowed}
            candidates = [i for i, d in enumerate(DESIGNS) if (d.name in more if more else d.cls in allowed)]
            design = _nearest(meaning, candidates, _head(meaning, more) if more else None)
        rare = ("underwater", "space", "underground")
        if not hits and design.cls in rare and _similarity(meaning, design) < CLEAR:
            # under the sea, in space or under the ground only when the words clearly say so ('the well' is none)
            design = _nearest(meaning, [i for i in candidates if DESIGNS[i].cls not in rare] or candidates, None)
        if not hits and _similarity(meaning, design) < VAGUE:  # 'the well': near nothing we draw; a room is a room
            rooms = [w for w in _content_words(meaning) if any("room" in lemmas for lemmas in beings.ancestry(w))]
            design = BY_NAME[FALLBACK["indoors" if rooms and "indoors" in allowed or "outdoors" not in allowed
                                      else "outdoors"]] if allowed & {"indoors", "outdoors"} else design
    else:
        named = [name for name in _hits(scene_words) if BY_NAME[name].cls in allowed]
        design = BY_NAME[named[0]] if named else plain
    return Place(design, tuple(hits.get(design.name) or _content_words(setting or scene_words)))


_ON = re.compile(r"\b(?:on|across|over the surface of) (?:the |a |an |this |that |some )?((?:[a-z]+ ){0,2}[a-z]+)\b(?![-'’])",
                 re.IGNORECASE)


def on_a_celestial_body(text: str) -> str:
    """The moon, planet or asteroid (by the dictionary: a celestial body) the words stand on ('on the Moon', 'on a
    small cold planet'), or ''; 'over the moon' and 'the moon on the lake' stand on none."""
    for m in _ON.finditer(text.lower()):
        words = m.group(1).split()
        heads = [w for i, w in enumerate(words) if i + 1 == len(words) or words[i + 1] in _GRAMMAR]  # not 'star ferry'
        body = next((w for w in heads if beings.is_a(w, "celestial body")), "")
        if body:
            return body
    return ""


_GRAMMAR = set("and or but with by in on at of over under near beside behind where while when as the a an".split())


def _kin(setting: str) -> tuple[str | None, str]:
    """(the design a near ancestor of the setting's head noun names, 'compartment' or 'room' when that noun is one,
    else '') by the dictionary, for a setting none of the designs' own words name ('the court' is a room, 'the
    wheelhouse' a compartment: a vehicle's)."""
    first = re.split(r",|;|\b(?:of|in|on|at|by|near|outside|with)\b", setting, maxsplit=1, flags=re.IGNORECASE)[0]
    words = _content_words(first)
    lineage = beings.ancestry(words[-1]) if words else ()
    named = next((name for lemmas in lineage[1:4] for lemma in lemmas for name, pattern in WORDS.items()
                  if pattern is not None and pattern.fullmatch(lemma)), None)
    room = next((kind for lemmas in lineage[:6] for kind in ("compartment", "room") if kind in lemmas), "")
    return named, room


def _vehicle_around(setting: str, scene_words: str, hits: dict[str, list[str]]) -> PlaceDesign | None:
    """The vehicle a setting is a compartment of, when the setting names only the compartment ('the cabin', 'the
    galley', 'the wheelhouse': a compartment by the dictionary, not an area like a bay; 'a log cabin' is a house) and
    the setting or its scene names the vehicle ('the narrowboat's cabin', 'old barge'); None otherwise."""
    if any(BY_NAME[name].cls == "vehicle" for name in hits):
        return None
    first = re.split(r",|;|\b(?:of|in|on|at|by|near|outside|with)\b", setting, maxsplit=1, flags=re.IGNORECASE)[0]
    *before, head = _content_words(first) or ("",)
    if not head or beings.place_kind(head) == "area" or not (
            beings.is_a(head, "compartment") or beings.place_kind(head) == "vehicle") or any(
            beings.place_kind(w) != "vehicle" for w in before):  # 'a log cabin' is a house
        return None
    for word in (*before, *_content_words(scene_words)):
        if beings.place_kind(word) != "vehicle":
            continue
        named = [name for name in _hits(word) if BY_NAME[name].cls == "vehicle"]
        if named:
            return BY_NAME[named[0]]
        if embedder.available():
            return _nearest(word, [i for i, d in enumerate(DESIGNS) if d.cls == "vehicle"], None)
    return None


_PHRASE = r",|;|\b(?:of|in|on|at|by|to|from|for|behind|beside|near|under|over|above|below|outside|inside|with)\b"


def _head(text: str, hits: dict[str, list[str]]) -> str:
    """The place the setting is about: the last place word of its first phrase ("the harbour market", "market in the
    harbour town"), else its first place word."""
    first = re.split(r",|;|\b(?:of|in|on|at|by|to|from|for|behind|beside|near|under|over|above|below|outside|inside|with)\b",
                     text, maxsplit=1, flags=re.IGNORECASE)[0]
    where = {name: min(m.start() for m in WORDS[name].finditer(text)) for name in hits}  # type: ignore[union-attr]
    heads = [name for name in hits if WORDS[name].search(first)]  # type: ignore[union-attr]
    if heads:  # the last word; of two ending together, the longer ('dining car' is a train's, not a car)
        return max(heads, key=lambda n: max((m.end(), -m.start()) for m in WORDS[n].finditer(first)))  # type: ignore[union-attr]
    return min(where, key=where.__getitem__)


def _nearest(text: str, candidates: list[int], head: str | None) -> PlaceDesign:
    scores = _design_vectors() @ embedder.embed(text)
    if head is not None:
        scores[DESIGNS.index(BY_NAME[head])] += HEAD_START
    return DESIGNS[max(candidates, key=lambda i: scores[i])]


def _similarity(text: str, design: PlaceDesign) -> float:
    return float(_design_vectors()[DESIGNS.index(design)] @ embedder.embed(text))
