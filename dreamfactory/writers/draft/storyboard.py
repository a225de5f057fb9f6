"""The Filmmaker's storyboard: the Base Description that fixes the cast, and each scene cut into shots.

A scene opens on a wide shot of its place; then its dialogue is covered by shots of the speakers (over the shoulder
while two characters trade lines, a close-up or medium shot otherwise), with a reaction of a listener and an insert
of the prop the scene names where the scene has time for them. Every line sits in exactly one shot, in order, and
the shots' planned seconds add up to the scene's.

Shot ids are letters with a role: 'a' is the opening wide shot, 'p' the insert of the prop, 'r' the reaction, and a
shot of lines is named after the first line it holds ('b' for line 0, 'c' for line 1, ...). So a scene that gains or
loses its insert or reaction, or whose other lines are cut differently, renames no other shot; and a revision keeps
the ids of the draft's shots that it still has.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from ...contracts.screenplay import Design, ScenePlan, SceneShots, Storyboard
from ...palette import colour_names
from ...contracts.screenplay import BaseDescription, Character, DialogueLine, Shot
from .inputs import as_model
from .story import count_words
from .tense import present_tense
from .vocabulary import CREATURES, PROP_WORDS

MAX_SHOTS = 5
MIN_SHOT_SECONDS = 1.2  # a shot shorter than this reads as a flash, not a cut
LOOK_SECONDS = 1.8  # a shot with no line and no single thing to see needs longer to be read
WIDE_SECONDS, INSERT_SECONDS, REACTION_SECONDS = 2.5, 1.5, 1.5
WORDS_PER_SECOND = 2.6  # the speech rate the scene durations are planned with

# Verbs whose object is a thing held or looked at: 'found a silver key', 'carried the lens'.
_HANDLING = (r"found|finds|find|carried|carries|carry|held|holds|hold|holding|picked up|picks up|gave|gives|showed|shows|"
             r"fetched|fetches|grabbed|grabs|brought|brings|handed|hands|tossed|tosses|threw|throws|clutching|"
             r"wrapped|wraps|unwound|unwinds|unwinding|waved|waves|knocked|knocks|borrowed|borrows|traded|trades|"
             r"opened|opens|took|takes|lifted|lifts|polished|polishes|dropped|drops|read|reads|wrote|writes|"
             r"hid|hides|unwrapped|unwraps|set|sets|placed|places|turned|turns|raised|raises|clutched|clutches")
_DETERMINERS = r"a|an|the|his|her|their|its|my|our|your|this|that"
# Things worth an insert besides the reader's prop words: objects a scene may turn on (general, not story-specific).
_THINGS = set(
    "clock cup mug plate bowl jar pot kettle teapot spoon cake pie bread loaf apple crate barrel sack coin coins ring "
    "crown necklace flower flowers seed seeds egg feather pebble shell acorn ticket envelope photograph painting "
    "mirror lens bottle vase candle candles kite balloon toy puppet binoculars microphone radio drum trumpet crowbar "
    "hammer ladder shovel spade bucket basket pliers scissors needle blanket quilt pillow bell whistle mask lamp "
    "lantern map compass key chest parcel package gift cheese".split()
)
_OBJECT_VERBS = "told|saw|gave|met|found|took|let|made|heard|taught|brought|kept|left|sent|woke|led|hugs|tells|sees"
_LINKS = ("a", "an", "the", "and", "or", "of", "to", "from", "in", "on", "at", "with", "up", "down", "out", "into",
          "under", "for", "that", "which", "his", "her", "their", "its", "my", "our", "your")
_PARTICLES = {"off", "all", "over", "away", "back", "about", "around", "along", "across", "through"}
_NOT_PROPS = {"one", "ones", "thing", "things", "something", "nothing", "everything", "anything", "lot", "bit",
              "way", "door", "head", "hand", "hands", "eyes", "time", "moment", "day", "night", "morning", "back",
              "breath", "place", "road", "path", "corner", "turn", "sea", "sky", "river", "mind", "voice", "light"}


def write_storyboard(inputs: dict[str, Any]) -> Storyboard:
    design = as_model(Design, inputs["design"])
    plans = [as_model(ScenePlan, {k: v for k, v in s.items() if k != "context_previous"})
             for s in inputs["scenes_with_context"]]
    people = {c.id: c for c in design.characters}
    first = plans[0] if plans else None
    drafted = _drafted_shots(inputs)
    scenes = []
    ids = [plan.id for plan in plans]
    for i, plan in enumerate(plans):
        here = {cid: c.look_in(plan.id, ids) for cid, c in people.items()} if plan.id in ids else people
        shots = cut_scene(plan, here)  # each as the scene's period shows them ('forty years later')
        if plan.id in drafted:
            shots = keep_ids(shots, drafted[plan.id])
        entry: dict[str, Any] = {"scene_id": plan.id, "shots": shots}
        if "transition" in SceneShots.model_fields:  # the phase type may carry the scene's transition
            entry["transition"] = transition_of(plan, plans[i + 1] if i + 1 < len(plans) else None)
        scenes.append(SceneShots(**entry))
    return Storyboard(base_description=BaseDescription(text=base_description(design, first)), scenes=scenes)


# -- the Base Description -----------------------------------------------------------------------------------------


def base_description(design: Design, first: ScenePlan | None) -> str:
    """Style, the palette in words (prompts never carry hex codes), every character's look, the world."""
    style = design.style
    cast = " ".join(
        f"{c.name}{'' if c.kind == 'human' else f' ({_a(_kind(c))})'}: {c.appearance}"
        + (f"; wears {c.wardrobe}" if c.wardrobe else "")
        + (f"; carries {', '.join(c.props)}" if c.props else "")
        + "".join(f"; from scene {later.from_scene} {later.appearance}" + (f", wears {later.wardrobe}" if later.wardrobe else "")
                  for later in c.later_looks) + "."
        for c in design.characters
    )
    world = f" World: {first.setting}, {first.environment}." if first else ""
    return (f"{_capital(style.look)}, palette of {_listed(colour_names(style.palette))}, "
            f"{style.lens}. Characters, the same in every scene: {cast}{world}")


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _kind(c: Character) -> str:
    return c.kind.replace("_", " ")


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


# -- cutting a scene into shots -----------------------------------------------------------------------------------


@dataclass
class _Cut:
    """A shot while the scene is being cut: its role decides its id, its lines decide its length."""

    role: str  # 'wide', 'cover', 'insert' or 'reaction'
    framing: str
    characters: list[str]
    lines: list[int] = field(default_factory=list)
    prop: str = ""


def cut_scene(plan: ScenePlan, people: dict[str, Character]) -> list[Shot]:
    """The scene's shots: wide, coverage of its lines, an insert of its prop and a listener's reaction if time allows."""
    # Who can be in frame: the scene's characters, and anyone who speaks in it though the plan left them out.
    cast = [c for c in dict.fromkeys([*plan.characters, *(d.speaker for d in plan.dialogue)]) if c in people]
    prop = scene_prop(plan, people)

    wide = _Cut("wide", "wide", list(cast))
    coverage = _coverage(plan.dialogue, cast)
    while coverage and not coverage[0].characters:  # narration before anyone speaks plays over the wide shot
        wide.lines += coverage.pop(0).lines
    slots = MAX_SHOTS - 1 - bool(prop and coverage)  # keep room for the insert: the scene names the thing
    coverage = _merge_to(coverage, slots)
    cuts = [wide, *coverage]
    if prop:  # after the wide shot, before the lines: the thing is shown, then talked about
        cuts.insert(1, _Cut("insert", "insert", [], prop=prop))
    if not coverage and cast:  # no lines: the lead (and whoever is with them) at work, closer; a long beat, closer still
        cuts += [_Cut("cover", "medium", cast[:2]), _Cut("cover", "close_up", cast[:1])]
    listener = _listener(coverage, cast)
    if listener and len(cuts) < MAX_SHOTS:
        cuts.append(_Cut("reaction", "reaction", [listener]))
    if len(cuts) < 2:  # no one on screen and nothing to show: a closer look at the place itself
        cuts.append(_Cut("cover", "medium", []))
    return _finish(_fit(cuts, plan), plan, people)


def _fit(cuts: list[_Cut], plan: ScenePlan) -> list[_Cut]:
    """Drop what the scene has no time for, so that no shot is a flash: the reaction first, then a closer look
    without lines, then the insert, then two coverage shots share one; never fewer than two shots."""
    def too_short() -> bool:
        need = [LOOK_SECONDS if c.role == "cover" and not c.lines else MIN_SHOT_SECONDS for c in cuts]
        return any(seconds < least for seconds, least in zip(_durations(cuts, plan), need))

    while len(cuts) > 2 and too_short():
        lineless = [c for c in reversed(cuts[1:]) if c.role == "cover" and not c.lines]
        spare = ([c for c in cuts if c.role == "reaction"] + lineless + [c for c in cuts if c.role == "insert"])
        if spare:
            cuts = [c for c in cuts if c is not spare[0]]
            continue
        spoken = [c for c in cuts if c.role == "cover"]
        if len(spoken) < 2:
            break
        merged = _merge_to(spoken, len(spoken) - 1)
        cuts = [c for c in cuts if c.role != "cover"] + merged
    return cuts


def _coverage(lines: list[DialogueLine], cast: list[str]) -> list[_Cut]:
    """One shot per run of lines by one speaker; narration joins the run it follows (or stands alone at the start)."""
    runs: list[_Cut] = []
    speakers = list(dict.fromkeys(d.speaker for d in lines if d.speaker in cast))
    for i, line in enumerate(lines):
        who = line.speaker if line.speaker in cast else None
        if runs and (who is None or (runs[-1].characters[:1] == [who])):
            runs[-1].lines.append(i)
            continue
        if who is None:
            runs.append(_Cut("cover", "medium", [], [i]))
            continue
        others = [s for s in speakers if s != who]
        if len(speakers) == 2 and len([r for r in runs if r.characters]) == 0:
            runs.append(_Cut("cover", "over_the_shoulder", [who, others[0]], [i]))  # the exchange opens past the listener
        elif count_words(line.text) <= 12:
            runs.append(_Cut("cover", "close_up", [who], [i]))
        else:
            runs.append(_Cut("cover", "medium", [who], [i]))
    return runs


def _merge_to(runs: list[_Cut], slots: int) -> list[_Cut]:
    """Fewer coverage shots when the scene has no time for one per run: the shortest neighbours share a shot."""
    runs = [_Cut(r.role, r.framing, list(r.characters), list(r.lines)) for r in runs]
    while len(runs) > max(slots, 1):
        pairs = range(len(runs) - 1)
        k = min(pairs, key=lambda j: (len(runs[j].lines) + len(runs[j + 1].lines), j))
        a, b = runs[k], runs[k + 1]
        both = list(dict.fromkeys(a.characters + b.characters))
        framing = "over_the_shoulder" if len(both) == 2 else "medium"
        runs[k:k + 2] = [_Cut("cover", framing, both, a.lines + b.lines)]
    return runs


def _listener(coverage: list[_Cut], cast: list[str]) -> str | None:
    """Who hears the scene's last line: the character on screen who did not say it."""
    spoken = [r for r in coverage if r.characters]
    if not spoken:
        return None
    last = spoken[-1].characters[0]
    return next((c for c in cast if c != last), None)


def _finish(cuts: list[_Cut], plan: ScenePlan, people: dict[str, Character]) -> list[Shot]:
    ids = _ids(cuts)
    seconds = _durations(cuts, plan)
    moves = _moves(cuts, plan)
    shots = []
    for cut, sid, length, move in zip(cuts, ids, seconds, moves):
        shots.append(Shot(id=sid, description=_one_line(shot_caption(cut, plan, people)),
                          keyframe_prompt=_one_line(shot_prompt(cut, plan, people)), camera=move, framing=cut.framing,
                          characters=cut.characters, prop=cut.prop, duration=length, lines=cut.lines))
    return shots


_LINE_IDS = "bcdefghijklmnoqstuvwxyz"  # a coverage shot is named after the first line it holds ('p', 'r' are taken)


def _one_line(text: str) -> str:
    """Captions and prompts are one line of text whatever the story's line breaks (a caption is lettered on one)."""
    return " ".join(text.split())


def _ids(cuts: list[_Cut]) -> list[str]:
    """'a' the wide, 'p' the insert, 'r' the reaction; a shot of lines by its first line (line 0 'b', line 1 'c',
    ...), so merging or splitting other lines' shots renames it not; silent closer shots 'b', 'c' in order."""
    ids, silent = [], iter(_LINE_IDS)
    for cut in cuts:
        if cut.role in ("wide", "insert", "reaction"):
            ids.append({"wide": "a", "insert": "p", "reaction": "r"}[cut.role])
        elif cut.lines:
            first = cut.lines[0]
            ids.append(_LINE_IDS[first] if first < len(_LINE_IDS) else f"l{first}")
        else:
            ids.append(next(silent))
    return ids


def _spoken_seconds(plan: ScenePlan, lines: list[int]) -> float:
    words = sum(count_words(plan.dialogue[i].text) for i in lines)
    return words / WORDS_PER_SECOND + 0.4 * len(lines) if lines else 0.0


def _durations(cuts: list[_Cut], plan: ScenePlan) -> list[float]:
    """Each shot's need (its lines' speech, or a fixed look for wide, insert, reaction), scaled to the scene's length."""
    need = []
    for cut in cuts:
        base = {"wide": WIDE_SECONDS, "insert": INSERT_SECONDS, "reaction": REACTION_SECONDS}.get(cut.role, 2.0)
        need.append(max(_spoken_seconds(plan, cut.lines), MIN_SHOT_SECONDS if cut.lines else base))
    scale = plan.duration / sum(need)
    seconds = [round(n * scale, 2) for n in need]
    seconds[-1] = round(max(0.1, plan.duration - sum(seconds[:-1])), 2)
    return seconds


def _moves(cuts: list[_Cut], plan: ScenePlan) -> list[str]:
    """The opening shot keeps the scene's camera; a close-up pushes in on the first and holds after; others hold."""
    moves, pushed = [], False
    for i, cut in enumerate(cuts):
        if i == 0:
            moves.append(plan.camera)
        elif cut.framing == "close_up" and not pushed:
            moves.append("push_in")
            pushed = True
        elif cut.framing == "insert":
            moves.append("zoom_in")
        elif cut.framing == "medium" and not cut.characters:
            moves.append("pan_left" if plan.camera == "pan_right" else "pan_right")
        else:
            moves.append("hold")
    return moves


# -- what the scene shows -----------------------------------------------------------------------------------------


def scene_prop(plan: ScenePlan, people: dict[str, Character]) -> str:
    """The object the scene names and the audience should see up close: a character's prop named in the scene, a
    thing someone handles ('found a silver key'), a known prop word in the action, or a thing the scene's environment
    lists; '' when the scene names none."""
    lower = " ".join([plan.action, *(d.text for d in plan.dialogue)]).lower()
    here = [people[c] for c in plan.characters if c in people]
    for prop in (_thing(p) for c in here for p in c.props):
        if prop and _fits(prop, people, []) and re.search(rf"\b{re.escape(prop.split()[-1])}s?\b", lower):
            return prop
    return _named_thing(plan, people, here)


def _thing(phrase: str) -> str:
    """A prop phrase up to its first linking word or particle ('fruit bowl off the counter' -> 'fruit bowl')."""
    words = []
    for word in phrase.lower().split():
        if word in _LINKS or word in _PARTICLES:
            break
        words.append(word)
    return " ".join(words)


def _fits(phrase: str, people: dict[str, Character], here: list[Character]) -> bool:
    """A thing, not a person, an animal, a body part of someone here or a word that only points at something."""
    words = phrase.lower().split()
    looks = " ".join(c.appearance.lower() for c in here)
    return bool(words) and not words[-1].endswith("ing") and words[-1] not in _NOT_PROPS \
        and not any(w in _LINKS or w in CREATURES or _is_person(w, people) for w in words) \
        and not re.search(rf"\b{re.escape(words[-1])}\b", looks)


def _named_thing(plan: ScenePlan, people: dict[str, Character], here: list[Character]) -> str:
    """The thing the action handles or names, or one the environment lists ('' when none)."""

    def fits(phrase: str) -> bool:
        return _fits(phrase, people, here)

    for held in re.finditer(rf"\b(?:{_HANDLING})\s+(?:{_DETERMINERS})\s+((?:[a-z-]+\s+){{0,2}}?[a-z-]+)\b"
                            rf"(?=\s*(?:[.,;!?]|$|\s+(?:{'|'.join(_LINKS + tuple(_PARTICLES))})\b))", plan.action, re.I):
        thing = _thing(held.group(1))
        if fits(thing):
            return thing
    for m in re.finditer(r"[A-Za-z-]+", plan.action):
        word = m.group(0).lower()
        if word in PROP_WORDS | _THINGS and fits(word):
            before = (plan.action[:m.start()].split()[-1:] or [""])[0]
            adjective = before.lower() if before.isalpha() and before.islower() and fits(before) \
                and not re.fullmatch(rf"{_DETERMINERS}|\w+ed", before, re.I) else ""
            return f"{adjective} {word}".strip()
    for item in plan.environment.split(","):  # a thing the reader found in the place ('old brass clock')
        words = item.strip().lower().split()
        if words and len(words) <= 3 and words[-1] in PROP_WORDS | _THINGS and fits(" ".join(words)):
            return " ".join(words)
    return ""


def _is_person(word: str, people: dict[str, Character]) -> bool:
    return any(word.lower() in (c.name.lower(), c.kind) for c in people.values())


def transition_of(plan: ScenePlan, following: ScenePlan | None) -> str:
    """Cut when the next scene goes straight on in the same place and time, dissolve when time passes in the same
    place, fade when the story moves elsewhere, and fade out after the last scene."""
    if following is None:
        return "fade"
    same_place = _head(following.setting) == _head(plan.setting)
    if same_place and following.time_of_day == plan.time_of_day:
        return "cut"
    return "dissolve" if same_place else "fade"


def _head(setting: str) -> str:
    """The place a setting names, without where in it: 'lighthouse on the rocky island, stairs' -> 'lighthouse'."""
    first = setting.split(",")[0].strip().lower()
    return re.split(r"\s+(?:on|in|by|at|near|of|beside|under)\s+", first)[0]


def caption(plan: ScenePlan, people: dict[str, Character]) -> str:
    """The storyboard caption: the scene's key sentence, its subject first, in the present tense, short."""
    names = [people[c].name for c in plan.characters if c in people]
    sentences = [_named(s, names) for s in re.split(r"(?<=[.!?])\s+", plan.action.strip())]
    led = [s for s in sentences if _subject_start(s, names) is not None]
    acting = [s for s in led if not _describes(s[_subject_start(s, names):])]
    worded = [s for s in sentences if len(s.split()) >= 4]  # 'Wednesday, 6 January.' is a date, not a beat
    key = (acting or led or worded or sentences)[0]
    start = _subject_start(key, names)
    text = present_tense(key[start:] if start is not None else key, names)
    if names and re.match(r"[A-Z][a-z]+ing\b", text):  # 'Tapping the microphone.' is what the lead does
        text = f"{names[0]}, {text[:1].lower() + text[1:]}"
    return _short(text)


def _named(sentence: str, names: list[str]) -> str:
    """A sentence that opens on a pronoun names who it means when the scene leaves no doubt: 'She' with one
    character on screen, 'They' with two ('So they waited' -> 'So Pip and Hazel waited')."""
    if len(names) == 1:
        return re.sub(r"^((?:So|Then|And|But|Now)\s+)?(?:He|She|he|she)\b", rf"\g<1>{names[0]}", sentence)
    if len(names) == 2:
        return re.sub(r"^((?:So|Then|And|But|Now)\s+)?(?:They|they)\b", rf"\g<1>{names[0]} and {names[1]}", sentence)
    return sentence


def _describes(text: str) -> bool:
    """'Mira was a girl of ten...': who someone is, not an event."""
    return re.search(r"^\W*\S+(?:\s+and\s+\S+)?\s+(?:was|were|is|are|had|has)\b", text) is not None


def _short(text: str) -> str:
    """A caption's length: up to twelve words, cut at a comma or a linking word, capitalised, no final stop."""
    cut = text.rstrip(".!?").split()
    if len(cut) > 12:
        commas = [i + 1 for i, w in enumerate(cut[:12]) if i >= 3 and w.endswith((",", ";"))]
        links = [i for i, w in enumerate(cut[:13]) if i >= 4 and w.lower() in (
            "with", "at", "and", "as", "until", "while", "before", "after", "wherever", "when", "in", "on", "to")]
        cut = cut[:(commas or links or [12])[0]]
    return _capital(" ".join(cut).rstrip(",;:"))


def _subject_start(sentence: str, names: list[str]) -> int | None:
    """Where the sentence's subject starts when it is a character ('At dawn Mira rowed...' -> 'Mira'): the earliest
    name that can lead it, whatever the cast's order ('Pip and Hazel walked' starts at Pip, not at Hazel)."""
    starts = []
    for name in names:
        m = re.search(rf"\b{re.escape(name)}\b", sentence)
        before = sentence[:m.start()] if m else ""
        if m and len(before.split()) <= 4 and not re.search(r"\b(?:with|of|to|by)\s*$", before) \
                and not re.search(rf"\b(?:\w+ed|{_OBJECT_VERBS})\s*$", before, re.I):  # 'Elena showed Mira' is not Mira's
            starts.append(m.start())
    return min(starts, default=None)


def shot_caption(cut: _Cut, plan: ScenePlan, people: dict[str, Character]) -> str:
    """What the audience sees in this shot, in one short sentence."""
    names = [people[c].name for c in cut.characters if c in people]
    if cut.role == "wide":
        return caption(plan, people)
    if cut.role == "insert":
        return f"The {cut.prop}, close"
    if cut.role == "reaction":
        heard = [people[d.speaker].name for d in plan.dialogue if d.speaker in people and d.speaker not in cut.characters]
        return f"{names[0]} listens" + (f" to {heard[-1]}" if heard else "")
    speaking = bool(cut.lines) and any(plan.dialogue[i].speaker in cut.characters for i in cut.lines)
    if cut.framing == "over_the_shoulder" and len(names) > 1:
        return f"Over {names[1]}'s shoulder, {names[0]} speaks"
    if cut.framing == "close_up" and names:
        return f"Close on {names[0]}" + (", speaking" if speaking else "")  # (a silent close-up: the face, no event)
    if len(names) > 1 and speaking:
        return f"{' and '.join(names[:2])} talk"
    if not cut.lines and (more := _next_event(plan, people)):
        return more
    if names:
        return f"{names[0]} speaks" if speaking else f"Closer on {' and '.join(names[:2])}"
    return f"The {_place(plan)}" + (", a voice speaks" if cut.lines else "")


def _place(plan: ScenePlan) -> str:
    return plan.setting.split(",")[0].strip()


def _next_event(plan: ScenePlan, people: dict[str, Character]) -> str:
    """The beat's next sentence after the one the wide shot shows, as a caption ('' when it has no other)."""
    shown = caption(plan, people).lower()
    names = [people[c].name for c in plan.characters if c in people]
    for sentence in re.split(r"(?<=[.!?])\s+", plan.action.strip()):
        sentence = _named(sentence, names)  # 'She sees the lighthouse' with Mira alone on screen names her
        start = _subject_start(sentence, names)
        if start is None or _describes(sentence[start:]):
            continue
        text = _short(present_tense(sentence[start:], names))
        if text.lower() != shown and not shown.startswith(text.lower()[:30]):
            return text
    return ""


def _worn(character: Character) -> str:
    """What identifies a character in a frame: its clothes and props, or its look when it wears nothing."""
    return ", ".join([character.wardrobe or character.appearance] + character.props)


def _who(character: Character) -> str:
    """A character as a prompt names it: name, kind when not human, and what it wears ('Pip, a hedgehog (red scarf)')."""
    kind = "" if character.kind == "human" else f", {_a(_kind(character))}"
    return f"{character.name}{kind} ({_worn(character)})"


_FRAMED = {"close_up": "in close-up, face and shoulders", "medium": "in a medium shot",
           "over_the_shoulder": "seen over the shoulder of", "reaction": "in close-up, listening"}


def shot_prompt(cut: _Cut, plan: ScenePlan, people: dict[str, Character]) -> str:
    """What to draw: the subject first with its kind and clothes, then the framing, the place and the time."""
    where = f"{plan.setting}, {plan.time_of_day}"
    if cut.role == "wide":
        seen = [people[c] for c in cut.characters if c in people]
        subjects = ", ".join(_who(c) for c in seen[:3]) + (f", with {_listed([c.name for c in seen[3:]])}" if seen[3:] else "")
        parts = [caption(plan, people), subjects, where, ", ".join(plan.environment.split(", ")[:5])]
        return ". ".join(_capital(p) for p in parts if p) + "."
    if cut.role == "insert":
        return f"The {cut.prop}, close detail filling the frame. {_capital(where)}."
    seen = [people[c] for c in cut.characters if c in people]
    if cut.role == "reaction" and seen:
        return _capital(f"{_who(seen[0])} in close-up, listening. {_capital(where)}.")
    if not seen:
        return f"The {plan.setting}, closer, {plan.time_of_day}. {_capital(plan.environment)}."
    if cut.framing == "over_the_shoulder" and len(seen) > 1:
        subject = f"{_who(seen[0])} seen over the shoulder of {_who(seen[1])}"
    elif len(seen) > 1:
        subject = f"{_who(seen[0])} and {_who(seen[1])} in a medium shot"
    else:
        subject = f"{_who(seen[0])} {_FRAMED.get(cut.framing, 'in a medium shot')}"
    doing = ", speaking" if any(plan.dialogue[i].speaker == cut.characters[0] for i in cut.lines) else ""
    if not cut.lines and (event := _next_event(plan, people)):
        doing = f": {event[:1].lower() + event[1:]}" if not event.startswith(seen[0].name) else f": {event}"
    return _capital(f"{subject}{doing}. {_capital(where)}.")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- revisions keep their shot ids ----------------------------------------------------------------------------------


def _drafted_shots(inputs: dict[str, Any]) -> dict[str, list[Shot]]:
    """The shots of the draft under revision, per scene (none when writing afresh)."""
    if "draft" not in inputs or "notes" not in inputs:
        return {}
    draft = as_model(Storyboard, inputs["draft"])
    return {s.scene_id: list(s.shots) for s in draft.scenes}


def keep_ids(shots: list[Shot], drafted: list[Shot]) -> list[Shot]:
    """Give each shot the id of the drafted shot it matches (same framing, cast in frame and prop), so a revision that
    inserts or drops a shot renames none of the others; unmatched shots get letters no drafted shot used."""
    taken = {s.id for s in drafted}
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = itertools.chain(letters, (f"{x}{n}" for n in itertools.count(2) for x in letters))
    free = (name for name in names if name not in taken)
    pool = list(drafted)
    out = []
    for shot in shots:
        match = next((d for d in pool if (d.framing, d.characters, d.prop) == (shot.framing, shot.characters, shot.prop)), None)
        if match:
            pool.remove(match)
            new_id = match.id
        else:
            new_id = next(free)
        out.append(shot.model_copy(update={"id": new_id}))
    return out
