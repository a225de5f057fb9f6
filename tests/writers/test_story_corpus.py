"""The offline studio measured on a corpus of short stories written for it (tests/stories/*.txt), each with the facts
a reader of the story would agree on (tests/stories/*.json): who is in it and what kind of being, how they look,
who says which line, where it happens, which objects it names, what must not become film (text addressed to the
studio, words mistaken for characters), how many scenes a one-paragraph story needs at least, and what the pictures
must draw (each being's body plan and colours, each place's class, a look a time skip changes).

The stories were written to be ordinary stories, not to suit the reader. The test writes each one through the
studio as `dreamfactory make` does with the offline writer, prints recall per kind of fact, and fails when a kind
falls below its floor: the floors are what the reader reached when they were set, less a small margin, so a change
that loses facts fails here. Run it alone to see the table:

    .venv/bin/python -m pytest -q -s tests/writers/test_story_corpus.py
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dreamfactory import beings
from dreamfactory.agents.studio import Studio
from dreamfactory.contracts.screenplay import Screenplay
from dreamfactory.settings import FilmOptions
from dreamfactory.store import open_store
from dreamfactory.writers.draft import DraftWriter, nlp

STORIES = Path(__file__).parents[1] / "stories"
# Stories written by someone else before the reader was tuned for #22: measured like the corpus, never tuned on.
HELD_OUT = STORIES / "heldout"
KINDS = ("cast", "kinds", "looks", "speakers", "places", "props", "beats", "cast_precision", "false_cast_out",
         "injection_out", "body", "colours", "looks_over_time", "place_classes")
# What a reader may call a first-person narrator it casts ("I", "we"): any of these names is them.
NARRATOR_NAMES = ("I", "me", "myself", "narrator", "storyteller")

# Recall each reader must keep, per kind of fact (fraction of the corpus's facts of that kind): spaCy's when it is
# installed (the default), and the keyword reader that reads without it. Set at what the readers reached on
# 2026-12-08 over the 75 stories (the figures in the comments; two held-out sets joined the corpus that day once
# measured, and were tuned on) less about 0.03; text addressed to the studio must be kept out every time and the
# one-paragraph story must be split, so those two have no margin; looks over time (10 facts) are held as reached.
FLOORS = {
    "spacy": {"cast": 0.90, "kinds": 0.83, "looks": 0.67, "speakers": 0.89, "places": 0.85, "props": 0.87,
              "beats": 1.0, "cast_precision": 0.90, "false_cast_out": 0.96, "injection_out": 1.0,
              "body": 0.88, "colours": 0.72, "looks_over_time": 0.4, "place_classes": 0.79},
    # reached: cast 0.93, kinds 0.86, looks 0.70, speakers 0.92, places 0.88, props 0.90, beats 1.00,
    # cast_precision 0.93, false_cast_out 0.99, injection_out 1.00, body 0.91, colours 0.75, looks_over_time 0.40,
    # place_classes 0.82
    "keywords": {"cast": 0.87, "kinds": 0.82, "looks": 0.65, "speakers": 0.86, "places": 0.84, "props": 0.66,
                 "beats": 1.0, "cast_precision": 0.92, "false_cast_out": 0.96, "injection_out": 1.0,
                 "body": 0.84, "colours": 0.69, "looks_over_time": 0.3, "place_classes": 0.79},
    # reached: cast 0.90, kinds 0.85, looks 0.68, speakers 0.89, places 0.87, props 0.69, beats 1.00,
    # cast_precision 0.95, false_cast_out 0.99, injection_out 1.00, body 0.87, colours 0.72, looks_over_time 0.30,
    # place_classes 0.82
}
# The held-out set's floors (the third set, 15 stories written before the third tuning round was measured): its
# measurement less about 0.05, so that it guards against losing more. #22 asks 0.95 of every kind there, which this
# reader does not reach. Measured once after the round (spaCy cast 0.76, kinds 0.48, looks 0.25, speakers 0.64, places
# 0.85, props 0.79, beats 1.00, cast_precision 0.67, false_cast_out 0.94, injection_out 0.57, body 0.68, colours 0.29,
# looks_over_time 0.00, place_classes 0.57); text addressed to the program then reached two of its films (a markdown
# "Notes for the generator" section, an "@renderer:" label), and was fixed after that measurement: since then
# cast_precision 0.70, false_cast_out 0.97, injection_out 1.00, the rest unchanged (keywords cast 0.71, kinds 0.44,
# looks 0.23, speakers 0.62, places 0.85, props 0.43, beats 1.00, cast_precision 0.75, false_cast_out 0.98,
# injection_out 1.00, body 0.64, colours 0.29, looks_over_time 0.00, place_classes 0.52).
HELD_OUT_FLOORS: dict[str, dict[str, float]] = {
    "spacy": {"cast": 0.71, "kinds": 0.43, "looks": 0.20, "speakers": 0.59, "places": 0.80, "props": 0.74, "beats": 1.0,
              "cast_precision": 0.65, "false_cast_out": 0.92, "injection_out": 1.0, "body": 0.63, "colours": 0.24,
              "place_classes": 0.52},
    "keywords": {"cast": 0.66, "kinds": 0.39, "looks": 0.18, "speakers": 0.57, "places": 0.80, "props": 0.38,
                 "beats": 1.0, "cast_precision": 0.70, "false_cast_out": 0.93, "injection_out": 1.0, "body": 0.59,
                 "colours": 0.24, "place_classes": 0.47},
}
# Reading a story must stay under this much CPU once the models are loaded (issue #22; measured 0.47-0.76 s at most with spaCy on 2026-12-08, under load).
CPU_PER_STORY = 1.0


def corpus(folder: Path = STORIES) -> list[tuple[str, str, dict]]:
    """(name, story, facts) for every story of the corpus (or of another folder of stories), in name order."""
    out = []
    for text in sorted(folder.glob("*.txt")):
        facts = json.loads(text.with_suffix(".json").read_text(encoding="utf-8"))
        out.append((text.stem, text.read_text(encoding="utf-8"), facts))
    return out


# -- scoring ---------------------------------------------------------------------------------------------------------


def norm(text: str) -> str:
    """Casefolded, curly quotes straightened, whitespace collapsed: how two spellings of one line compare."""
    text = unicodedata.normalize("NFC", text).translate(str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\""))
    return re.sub(r"\s+", " ", text).casefold().strip()


def has_word(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(norm(term))}(?!\w)", norm(text)) is not None


@dataclass
class Score:
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    misses: list[str] = field(default_factory=list)

    def count(self, kind: str, hit: bool, what: str) -> None:
        self.totals[kind] += 1
        self.hits[kind] += int(hit)
        if not hit:
            self.misses.append(f"{kind}: {what}")

    def __iadd__(self, other: Score) -> Score:
        for kind in KINDS:
            self.hits[kind] += other.hits[kind]
            self.totals[kind] += other.totals[kind]
        self.misses += other.misses
        return self


def match_cast(screenplay: Screenplay, facts: dict) -> dict[str, str | None]:
    """Expected cast name -> the id of the screenplay character that is them (each character stands for one).

    A proper name ('Zoë') must be in the character's name; a description ('guard') in its name or in the first
    phrase of its appearance, where a reader that names nobody puts what the story calls them. A first-person
    narrator may also go by any of NARRATOR_NAMES."""
    free = list(screenplay.characters)
    found: dict[str, str | None] = {}
    for person in facts["cast"]:
        terms = list(person["match"]) + (list(NARRATOR_NAMES) if person.get("narrator") else [])
        who = next((c for c in free if _fits(c, terms)), None)
        if who is not None:
            free.remove(who)
        found[person["name"]] = who.id if who else None
    return found


def _fits(character, terms: list[str]) -> bool:
    lead = character.appearance.split(",")[0]
    return any(has_word(t, character.name) or (t[:1].islower() and has_word(t, lead)) for t in terms)


# The eleven basic colour terms the facts give colours in: a colour the screenplay names (or a picture draws) is
# scored as the one its hue, saturation and value fall in ('lilac' is purple, 'ginger' orange, 'navy' blue).
BASIC = ("black", "white", "grey", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown")
HAIR = r"hair|bob|plaits?|braids?|curls|ponytail|bun|locks|mane|beard"
# Where a part's colour is said: a covering in the words for the being, a garment or hair in its own phrase.
COVERINGS = ("fur", "feathers", "skin", "scales", "metal")


def basic_colour(hex_colour: str) -> str:
    import colorsys

    h, s, v = colorsys.rgb_to_hsv(*(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))
    hue = h * 360
    if v < 0.18 or s < 0.35 and v < 0.35:
        return "black"
    if s < 0.18:
        return "white" if v > 0.85 else "grey"
    if hue < 15 or hue >= 340:
        return "pink" if s < 0.5 and v > 0.7 else "red" if v > 0.45 or s > 0.7 else "brown"
    if hue < 40:
        return "brown" if v < 0.75 or s < 0.35 else "pink" if s < 0.45 else "orange"
    if hue < 70:
        return "yellow" if v > 0.7 else "brown" if hue < 55 else "green"
    if hue < 170:
        return "green"
    if hue < 255:
        return "blue"
    if hue < 300:
        return "purple"
    return "pink" if v > 0.6 else "purple"


def colours_said(character, part: str) -> set[str]:
    """The basic colours the screenplay gives a part of a character, read from its look's words."""
    from dreamfactory.writers.draft.vocabulary import COLOURS

    items = [i.strip() for i in f"{character.appearance}, {character.wardrobe}".lower().split(",")]
    where = items[:1] + [i for i in items if part in ("fur", "feathers", "skin") and not re.search(
        r"hair|eyes|coat|dress|hat|scarf", i)] if part in COVERINGS else \
        [i for i in items if re.search(rf"\b(?:{HAIR})\b", i)] if part == "hair" else [i for i in items if has_word(part, i)]
    return {basic_colour(COLOURS[w]) for i in where for w in re.findall(r"[a-z]+", i) if w in COLOURS}


def everything_said(screenplay: Screenplay) -> str:
    """Every piece of text the film can show or speak, as one string."""
    return json.dumps(screenplay.model_dump(mode="json"), ensure_ascii=False)


def pictures(screenplay: Screenplay) -> dict[str, dict]:
    """Scene id -> what the animatic draws in its opening (wide) shot, `notes.drawn` of its keyframe's record: the
    place design and class, and each figure's body plan and colours. Empty where the animatic cannot say."""
    try:
        from dreamfactory.renderers.animatic.frame import drawn
        from dreamfactory.renders import plan_keyframe
        from dreamfactory.contracts import Made
    except ImportError:  # Reason: a build whose animatic records no notes.drawn is scored on the screenplay alone
        return {}
    base = Made(kind="base_frame", scene_id="base", shot_id="", key="base", sha256="0" * 64, made=True)
    return {scene.id: drawn(plan_keyframe(screenplay, scene.id, scene.shots[0].id, base, FilmOptions()))
            for scene in screenplay.scenes}


def score(screenplay: Screenplay, facts: dict, drawn: dict[str, dict] | None = None) -> Score:
    """The facts the screenplay keeps; body plans, colours and place classes from what the pictures draw (`drawn`,
    see `pictures`) when given, else from the screenplay's kinds and colour words."""
    s = Score()
    figures: dict[str, dict] = {}
    for notes in (drawn or {}).values():
        for figure in notes["figures"]:
            figures.setdefault(figure["character"], figure)
    cast = match_cast(screenplay, facts)
    people = {c.id: c for c in screenplay.characters}
    narrators = {p["name"] for p in facts["cast"] if p.get("narrator")}
    for person in facts["cast"]:
        who = cast[person["name"]]
        s.count("cast", who is not None, person["name"])
        if person.get("kind", "human") != "human":
            got = getattr(people[who], "kind", "human") if who else None
            right = got is not None and (got == person["kind"] or beings.species(got) == person["kind"] or (
                person["kind"] in ("bird", "fish") and beings.body_plan(got) == person["kind"]))  # 'goose' is a bird
            s.count("kinds", right, f"{person['name']} is a {person['kind']}, got {got}")
        figure = figures.get(who) if drawn else None
        if "body" in person:
            got = (figure["body"] if figure else None) if drawn else beings.body_plan(people[who].kind) if who else None
            s.count("body", got == person["body"], f"{person['name']} is drawn as {person['body']}, got {got}")
        for part, colour in person.get("colours", {}).items():
            if drawn:
                got = {basic_colour(figure["colours"][part])} if figure and part in figure["colours"] else set()
            else:
                got = colours_said(people[who], part) if who else set()
            s.count("colours", colour in got, f"{person['name']}'s {part} is {colour}, got {sorted(got)}")
        for look in person.get("looks", []):
            worn = " ".join([people[who].appearance, people[who].wardrobe, *people[who].props]) if who else ""
            s.count("looks", has_word(look, worn), f"{person['name']} looks: {look}")
    for c in screenplay.characters:  # every character written is someone of the story (or one it may cast)
        if c.id not in cast.values() and not _fits(c, facts.get("optional_cast", [])):
            s.count("cast_precision", False, f"{c.name!r} is not a character of the story")
        elif c.id in cast.values():
            s.count("cast_precision", True, c.name)
    lines = [(d.text, d.speaker) for scene in screenplay.scenes for d in scene.dialogue]
    for fact in facts.get("speakers", []):
        said = next((speaker for text, speaker in lines if norm(fact["line"]) in norm(text)), None)
        want = cast.get(fact["speaker"])
        right = said is not None and (said == want or (said == "narrator" and fact["speaker"] in narrators))
        s.count("speakers", right, f"{fact['line']!r} is {fact['speaker']}'s, got {said}")
    settings = [scene.setting for scene in screenplay.scenes]
    for place in facts.get("place_classes", []) if drawn else []:
        at = [scene.id for scene in screenplay.scenes if any(has_word(w, scene.setting) for w in place["words"])]
        got = [(drawn[i]["class"], drawn[i]["indoors"]) for i in at if i in drawn]
        right = bool(got) and all(g == (place["class"], place["indoors"]) for g in got)
        s.count("place_classes", right, f"{place['words'][0]} is drawn {place['class']}, got {got or 'no scene there'}")
    for terms in facts.get("places", []):
        s.count("places", any(has_word(t, place) for t in terms for place in settings), f"setting {terms[0]}")
    things = [p for c in screenplay.characters for p in c.props]
    things += [shot.prop for scene in screenplay.scenes for shot in scene.shots if shot.prop]
    things += [scene.environment for scene in screenplay.scenes]
    for terms in facts.get("props", []):
        s.count("props", any(has_word(t, thing) for t in terms for thing in things), f"prop {terms[0]}")
    if "min_scenes" in facts:
        s.count("beats", len(screenplay.scenes) >= facts["min_scenes"],
                f"{len(screenplay.scenes)} scene(s), the story has {facts['min_scenes']} beats at least")
    names = {norm(c.name) for c in screenplay.characters}
    for word in facts.get("not_cast", []):
        s.count("false_cast_out", norm(word) not in names, f"{word!r} is cast")
    scene_ids = [scene.id for scene in screenplay.scenes]
    for change in facts.get("looks_over_time", []):
        who = cast.get(change["name"])
        first, last = (people[who].look_in(i, scene_ids) if who else None for i in (scene_ids[0], scene_ids[-1]))
        kept = who is not None and all(has_word(w, f"{first.appearance} {first.wardrobe}") for w in change["before"]) \
            and all(has_word(w, f"{last.appearance} {last.wardrobe}") for w in change["after"]) \
            and not any(has_word(w, f"{last.appearance} {last.wardrobe}") for w in change["before"])
        s.count("looks_over_time", kept, f"{change['name']} looks {change['before']} then {change['after']}")
    text = norm(everything_said(screenplay))
    for passage in facts.get("absent", []):
        s.count("injection_out", norm(passage) not in text, f"{passage!r} is in the screenplay")
    return s


# -- the corpus through the studio ----------------------------------------------------------------------------------


def write(story: str, project: str, store) -> Screenplay:
    """The screenplay `dreamfactory make` writes with the offline writer (the studio's phases, reviews included)."""
    return Studio(DraftWriter(), store, project, FilmOptions()).write(story)


@pytest.fixture(scope="module", params=["spacy", "keywords"])
def reader(request) -> str:
    """Which reader reads the corpus: spaCy's pipeline (skipped when not installed) or the keyword reader alone."""
    if request.param == "spacy" and nlp.pipeline() is None:
        # Reason: a machine without the `read` extra has no spaCy to measure; the keyword run below still runs.
        pytest.skip(f"spaCy's English pipeline is not installed ({nlp.INSTALL_HINT})")
    return request.param


CPU: dict[str, dict[str, float]] = {}  # reader -> story -> CPU seconds its screenplay took to write


@pytest.fixture(scope="module")
def written(reader, tmp_path_factory) -> dict[str, Screenplay]:
    store = open_store(tmp_path_factory.mktemp(f"corpus-{reader}"))
    with pytest.MonkeyPatch.context() as patch:
        if reader == "keywords":
            patch.setattr(nlp, "pipeline", lambda: None)
        nlp.pipeline(), beings.body_plan("spaniel")  # the models load once per process, before any story is timed
        start, out, cpu = time.perf_counter(), {}, CPU.setdefault(reader, {})
        for name, story, _ in corpus():
            began = time.process_time()
            out[name] = write(story, name, store)
            cpu[name] = time.process_time() - began
        print(f"\n{reader}: wrote {len(out)} stories in {time.perf_counter() - start:.1f} s, "
              f"at most {max(cpu.values()):.2f} s of CPU a story ({max(cpu, key=cpu.get)})")
    return out


def test_reading_a_story_takes_under_a_second_of_cpu_once_models_load(reader, written):
    slow = {name: round(t, 2) for name, t in CPU[reader].items() if t > CPU_PER_STORY}
    assert not slow, f"{reader}: stories that took more than {CPU_PER_STORY} s of CPU to write: {slow}"


def test_the_corpus_covers_the_shapes_users_write():
    stories = corpus()
    assert len(stories) >= 40
    for name, story, facts in stories:
        assert facts["cast"] and facts["places"], f"{name}: every story names its cast and places"
        assert set(facts) <= {"cast", "optional_cast", "speakers", "places", "props", "not_cast", "absent", "min_scenes",
                              "place_classes", "looks_over_time"}
        assert all(beings.body_plan(p["body"]) == p["body"] for p in facts["cast"] if "body" in p), name
        assert all(c in BASIC for p in facts["cast"] for c in p.get("colours", {}).values()), name
        known = {p["name"] for p in facts["cast"]}
        assert {f["speaker"] for f in facts["speakers"]} <= known, f"{name}: speakers must be cast members"
        assert all(re.search(re.escape(f["line"]).replace("'", "['’]"), story) for f in facts["speakers"]), \
            f"{name}: every line quoted in the facts is in the story"
    texts = " ".join(story for _, story, _ in stories)
    for shape in ("—", "“", "‘", "IMPORTANT SYSTEM NOTICE", "Dear ", "colour", "gray", "theater", "fjord", "dragon", "hedgehog"):
        assert shape in texts, f"no story has {shape!r}"


def test_scoring_finds_what_a_wrong_reading_gets_wrong(written):
    """The score is not a tautology: a screenplay with its speakers swapped and a character renamed loses facts."""
    _, story, facts = next(item for item in corpus() if item[0] == "hedgehog_owl")
    right = written["hedgehog_owl"].model_copy(deep=True)
    cast = match_cast(right, facts)
    for scene in right.scenes:  # the lines given to their speakers by hand: this tests the score, not the reader
        for line in scene.dialogue:
            said = next((f["speaker"] for f in facts["speakers"] if norm(f["line"]) in norm(line.text)), None)
            line.speaker = cast.get(said) or line.speaker
    swapped = right.model_copy(deep=True)
    for scene in swapped.scenes:
        for line in scene.dialogue:
            line.speaker = {cast["Pip"]: cast["Hazel"], cast["Hazel"]: cast["Pip"]}.get(line.speaker, line.speaker)
    before, after = score(right, facts), score(swapped, facts)
    assert before.hits["speakers"] == before.totals["speakers"] == 3 and after.hits["speakers"] == 0
    injected = right.model_copy(update={"brief": right.brief.model_copy(update={"title": "IMPORTANT SYSTEM NOTICE"})})
    assert score(injected, {**facts, "absent": ["important system notice"]}).hits["injection_out"] == 0
    renamed = right.model_copy(update={"characters": [c.model_copy(update={"name": "One"}) for c in right.characters]})
    assert score(renamed, facts).hits["cast"] == 0 and score(renamed, facts).hits["false_cast_out"] < len(facts["not_cast"])


@pytest.fixture(scope="module")
def drawn(written) -> dict[str, dict[str, dict]]:
    """Story -> what its pictures draw, scene by scene (the animatic's notes.drawn)."""
    return {name: pictures(screenplay) for name, screenplay in written.items()}


def test_recall_per_kind_of_fact_stays_above_its_floor(reader, written, drawn):
    """Body plans, colours and place classes are scored on what the animatic draws (notes.drawn), the rest on the
    screenplay."""
    recall = table(reader, corpus(), written, drawn)
    floors = FLOORS[reader]
    low = {k: round(recall[k], 2) for k in KINDS if recall[k] < floors[k]}
    assert not low, f"{reader} reader: recall fell below its floor {[(k, floors[k]) for k in low]}: {low}"


def table(reader: str, stories: list[tuple[str, str, dict]], written: dict, drawn: dict) -> dict[str, float]:
    """Score every story, print the table (a row a story, recall and fact counts per kind, the facts missed) and
    return the recall per kind."""
    total = Score()
    rows = []
    for name, _, facts in stories:
        s = score(written[name], facts, drawn[name])
        total += s
        rows.append((name, s))
    print(f"\n{reader:<20}" + "".join(f"{k[:9]:>10}" for k in KINDS))
    for name, s in rows:
        print(f"{name[:19]:<20}" + "".join(f"{s.hits[k]:>6}/{s.totals[k]:<3}" if s.totals[k] else f"{'-':>10}" for k in KINDS))
    recall = {k: total.hits[k] / total.totals[k] if total.totals[k] else 1.0 for k in KINDS}
    print(f"{'recall':<20}" + "".join(f"{recall[k]:>10.2f}" for k in KINDS))
    print(f"{'facts':<20}" + "".join(f"{total.totals[k]:>10}" for k in KINDS))
    print("missed:\n  " + "\n  ".join(f"{name}: {m}" for name, s in rows for m in s.misses))
    return recall


@pytest.fixture(scope="module")
def held_out(reader, tmp_path_factory) -> tuple[dict[str, Screenplay], dict[str, dict]]:
    if not list(HELD_OUT.glob("*.txt")):
        pytest.skip("no held-out stories in tests/stories/heldout")  # Reason: the set is optional data
    store = open_store(tmp_path_factory.mktemp(f"held-out-{reader}"))
    with pytest.MonkeyPatch.context() as patch:
        if reader == "keywords":
            patch.setattr(nlp, "pipeline", lambda: None)
        out = {name: write(story, name, store) for name, story, _ in corpus(HELD_OUT)}
    return out, {name: pictures(screenplay) for name, screenplay in out.items()}


def test_held_out_stories_are_read_as_well(reader, held_out):
    """The held-out set, measured the same way (run alone: pytest -s -k held_out tests/writers/test_story_corpus.py). Text
    addressed to the studio is kept out of every one of them."""
    written, drawn = held_out
    recall = table(f"{reader} held-out", corpus(HELD_OUT), written, drawn)
    floors = HELD_OUT_FLOORS[reader]
    low = {k: round(recall[k], 2) for k in KINDS if recall[k] < floors.get(k, 0.0)}
    assert not low, f"{reader} reader on the held-out set: below its floor {[(k, floors[k]) for k in low]}: {low}"


def test_every_scene_of_the_corpus_is_cut_into_shots_that_cover_its_lines(written):
    """The storyboard on real readings: 2-5 shots a scene, the wide first, each line once and on its speaker's shot,
    planned seconds adding up to the scene, and no hex code in any prompt."""
    framings: dict[str, int] = {}
    for screenplay in written.values():
        for shot in (shot for scene in screenplay.scenes for shot in scene.shots):
            framings[shot.framing] = framings.get(shot.framing, 0) + 1
    scenes = sum(len(s.scenes) for s in written.values())
    print(f"\n{sum(framings.values())} shots in {scenes} scenes: "
          + ", ".join(f"{k} {v}" for k, v in sorted(framings.items(), key=lambda kv: -kv[1])))
    for name, screenplay in written.items():
        assert "#" not in screenplay.base_description.text, name
        for scene in screenplay.scenes:
            shots = scene.shots
            assert 2 <= len(shots) <= 5 and shots[0].framing == "wide", f"{name} {scene.id}"
            claimed = [i for s in shots for i in s.lines]
            assert sorted(claimed) == claimed == list(range(len(scene.dialogue))), f"{name} {scene.id}"
            for shot in shots:
                spoken = {scene.dialogue[i].speaker for i in shot.lines} - {"narrator"}
                assert spoken <= set(shot.characters), f"{name} {scene.id} {shot.id}: a line said off screen"
                assert not re.search(r"#[0-9a-fA-F]{6}", shot.keyframe_prompt), f"{name} {scene.id} {shot.id}"
            assert sum(s.duration for s in shots) == pytest.approx(scene.duration, abs=0.05), f"{name} {scene.id}"
