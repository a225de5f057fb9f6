"""A scene's sentences as the screenwriter reads them: who each is about, who speaks, what carries on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ... import beings
from . import nlp
from .cast import Cast
from .story import Reading, Speech, count_words, mask_quotes, split_speech
from .tense import base_form, looks_past
from .vocabulary import ANIMATE_VERBS, AREAS, ARTICLES, NOT_OBJECTS, OBJECTS_RX, SPEECH_RX, SPEECH_VERBS, SPOTS, STOPWORDS

# A sentence that opens on these moves the story on in time: a new beat starts there.
TIME_SHIFT = re.compile(
    r"^\W*(?:(?:one|the next|next|the following|that|early one|late one) (?:day|morning|evening|night|"
    r"afternoon|week|spring|summer|autumn|fall|winter|year)|later\b|(?:a|an|a few|some|two|three|four|five|six|many|"
    r"several|ten) (?:\w+ )?(?:seconds|minutes|hours|days|weeks|months|years|seasons) (?:later|passed|went by)|"
    r"(?:days|weeks|months|years|hours) (?:later|passed|went by)|by (?:spring|summer|autumn|fall|winter|nightfall|"
    r"midsummer|midwinter|"
    r"morning|evening|noon|the (?:end|time|next)|then)|in (?:the )?(?:spring|summer|autumn|fall|winter)\b|"
    r"when (?:spring|summer|autumn|winter|night|morning|evening) came|at (?:dawn|dusk|night|noon|last|sunset|"
    r"sunrise|midnight|first light)|in (?:midsummer|midwinter)|finally|eventually|soon\b|after (?:a|an|that|the|lunch|dinner|breakfast|school)\b|"
    r"on the way (?:home|back)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|the day after|meanwhile)", re.I)
MOVES = re.compile(r"\b(?:went|ran|walked|rode|drove|sailed|rowed|flew|hurried|raced|returned|came|arrived|climbed|"
                   r"goes|runs|walks|rides|drives|sails|rows|flies|hurries|races|returns|comes|arrives|climbs|set off|"
                   r"sets off|headed|heads|(?:carried|carries|took|takes|brought|brings|led|leads|pulled|pulls|pushed|"
                   r"pushes|wheeled|wheels)\s+(?:[\w']+\s+){1,3}?)\s*(?:back\s+)?(?:to|into|at|in|up to|down to)\s+"
                   r"(?:the|a|an|his|her|their|my|our)\s+(?:[\w'-]+\s+){0,2}?([\w'-]+)\b", re.I)


def story_beats(reading: Reading) -> list[list[tuple[int, str]]]:
    """The story's beats as (paragraph, sentence) groups: its paragraphs, a paragraph split where the story moves
    on in time ('One day', 'By summer', spaCy's DATE or TIME at the start) or goes to a new place ('he ran to the
    harbour'), and a paragraph of nothing but speech kept with the beat before it (a dialogue exchange is one
    scene)."""
    parsed = nlp.parse_sentences(tuple(s for _, s in reading.sentences), nlp.reader_key())
    beats: list[list[tuple[int, str]]] = []
    for b, paragraph in enumerate(reading.beats):
        if beats and all(not split_speech(s)[0] for s in paragraph):
            beats[-1] += [(b, s) for s in paragraph]
            continue
        current: list[tuple[int, str]] = []
        for i, sentence in enumerate(paragraph):
            narration = split_speech(sentence)[0]
            moved = MOVES.search(narration)
            shifts = i > 0 and current and (TIME_SHIFT.match(narration) or nlp.parsed(sentence, parsed).opens_with_time
                                            or (len(current) >= 2 and moved and (moved.group(1).lower() in SPOTS
                                                                                 or moved.group(1).lower() in AREAS)))
            if shifts:
                beats.append(current)
                current = []
            current.append((b, sentence))
        beats.append(current)
    return [beat for beat in beats if beat]


def chunks(reading: Reading, count: int) -> list[list[tuple[int, str]]]:
    """The story's sentences in `count` groups on its beats: neighbours merged, long beats split, reused if short."""
    beats = story_beats(reading)
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
    objects: list[str] = field(default_factory=list)  # the things it names ('watering can', 'crowbar')


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
    voices: list[tuple[int, str]] = field(default_factory=list)  # (paragraph, speaker) of every line so far
    parsed: dict = field(default_factory=dict)  # spaCy's reading of each sentence (empty for the keyword reader)
    story: list[str] = field(default_factory=list)  # every sentence, for a voice whose face a later scene shows


def read_sentences(group: list[tuple[int, str]], cast: Cast, state: Continuity) -> list[Sentence]:
    """Narration, characters and speakers of each sentence, following who 'he', 'she', 'it' and 'they' are through
    the story."""
    out: list[Sentence] = []
    for index, (beat, raw) in enumerate(group):
        narration, speech = split_speech(raw)
        named = cast.mentions(narration)
        narration, pointed = _name_the_pronoun(narration, named, cast, state, out)
        named = pointed + [n for n in named if n not in pointed]
        spoken, placed = [], cast.positions(mask_quotes(raw)) + [(-1, p) for p in pointed]
        said_by = None  # a sentence's untagged second quote is the same speaker's: '"Wait," said Pip, "look!"'
        for line in speech:
            heard = index > 0 and not line.attribution and not said_by and '"' not in group[index - 1][1] and \
                UNSEEN.search(group[index - 1][1]) and re.search(rf"\b(?:{SPEECH_RX})\b", group[index - 1][1])
            line, tag = _tag_subject(line, raw, cast)
            voice = UNSEEN.search(tag)
            if voice and not cast.mentions(tag[:voice.start()]) or heard:  # 'says a voice behind you': not you
                # 'said a voice from the dark', 'A small voice called from behind the shed. "Found him!"'
                following = state.story[state.story.index(raw) + 1:] if raw in state.story else \
                    [s for _, s in group[index + 1:]]
                ahead = [mask_quotes(raw[line.start:])] + [mask_quotes(s) for s in following[:4]]
                who = _revealed_voice(ahead, out, cast, hearers=named)
            elif cued := _cued(line, index, group, out, state, said_by):
                who = cued
            else:
                before = [pid for at, pid in sorted(placed) if at < line.start]  # who the sentence brought in before it
                who = _speaker(line, named, out, beat, cast, state, before) if line.attribution or not said_by \
                    else said_by
            said_by = who
            spoken.append((who, line.text))
            placed.append((line.start, who))
            if who != "narrator":
                state.recent.append(who)
                state.voices.append((beat, who))
        state.recent.extend(_subject_last(named, raw, cast, state))
        order = list(dict.fromkeys(c for _, c in sorted(placed) if c != "narrator"))
        objects = list(nlp.parsed(raw, state.parsed).objects) + [
            m.group(1) for m in re.finditer(rf"\b((?:[a-z-]+\s+)?(?:{OBJECTS_RX}))\b", mask_quotes(raw))]
        if not state.parsed:  # no parse to find the objects: a made thing or a food after an article is one
            objects += [m.group(1) for m in re.finditer(r"\b(?:a|an|the|his|her|their|its|my|our)\s+((?:[a-z-]+\s+)?"
                                                         r"([a-z]+))\b", mask_quotes(raw)) if beings.is_thing(m.group(2))]
        out.append(Sentence(beat=beat, narration=narration, characters=named, speech=spoken, order=order,
                            objects=_things_named(objects, cast)))
    return out


def _cued(line: Speech, index: int, group: list[tuple[int, str]], out: list[Sentence], state: Continuity,
          said_by: str | None) -> str | None:
    """A line after a sentence that ends with a colon ('He opened it, and read it out loud:') is said (or read out)
    by that sentence's subject, the one it brought in last."""
    if line.attribution or said_by or not index or not out or not group[index - 1][1].rstrip().endswith(":"):
        return None
    return next((c for c in reversed(state.recent) if c in out[-1].characters), None)


def _tag_subject(line: Speech, raw: str, cast: Cast) -> tuple[Speech, str]:
    """The line, and who its tag says speaks. A tag with no subject of its own ('something came creeping up the
    stairs, knocked at the door and cried,', 'The Cat ran on and said to the reapers,') is its clause's: the
    clause becomes the line's attribution when it names someone, and the last subject in it that acts is returned."""
    tag = line.attribution or ""
    first = tag.split()[0] if tag else ""
    verb = first in ("and", "then") or first not in SPEECH_VERBS and (
        looks_past(first) or re.fullmatch(r"[a-z]{2,}[^su\W]s|[a-z]+(?:ches|shes|sses)", first))
    heard = [c for c in cast.mentions(tag) if re.search(  # 'and said to the reapers': they listen
        rf"\b(?:{SPEECH_RX})\s+(?:to|at)\s+(?:{cast.by_id[c].pattern})", tag)]
    if not verb or re.search(r"\b(?:he|she|it|they|I|we|you)\b", tag) or set(cast.mentions(tag)) - set(heard):
        return line, tag
    clause = re.split(r"[.!?;]", mask_quotes(raw[:line.start]))[-1]
    acting = [m.group(1) for m in re.finditer(r"\b(some ?(?:one|body|thing)|he|she|they|it|I|we|[A-Z][\w-]*)\s+"
                                              r"([a-z]+)\b", clause) if looks_past(m.group(2))]
    return (replace(line, attribution=clause) if cast.mentions(clause) else line), (acting[-1] if acting else tag)


_OPENER = re.compile(r"^\W*((?:[\w']+\s+){0,3}?)(he|she|it|they)\b(\s+[\w']+)?", re.I)


def _name_the_pronoun(narration: str, named: list[str], cast: Cast, state: Continuity,
                      out: list[Sentence]) -> tuple[str, list[str]]:
    """'She lived...' -> 'Mira lived...': the action must read without its paragraph. The pronoun never names one
    named in its own sentence ('He found Bolt dented' is not Bolt); 'it' names a being only when it acts like one;
    'they' names the two or more people of the sentence before."""
    opener = _OPENER.match(narration)
    if not opener or cast.mentions(opener.group(1)):
        return narration, []
    pronoun, verb = opener.group(2).lower(), (opener.group(3) or "").strip().lower()
    if pronoun == "they":  # the people of the sentence before, else the last two who spoke or acted
        before = [c for c in (out[-1].order if out else []) if not cast.is_storyteller(c)]
        recent = [c for c in dict.fromkeys(reversed(state.recent[-8:])) if not cast.is_storyteller(c)][:2]
        ids = before if len(before) >= 2 else [c for c in dict.fromkeys(state.recent[-8:]) if c in recent]
        if len(ids) < 2 or any(c in named for c in ids) or any(cast.by_id[c].plural for c in ids):
            return narration, []
        name = " and ".join(cast.by_id[c].name for c in ids)
        pointed = ids
    else:
        if pronoun == "it" and (base_form(verb) or verb.removesuffix("s")) not in ANIMATE_VERBS | set(SPEECH_VERBS) | {
                "roll", "beep", "whirr", "buzz", "fly", "swim", "crawl", "hop", "scurry", "sniff", "blink", "turn"}:
            return narration, []
        who = cast.resolve(pronoun, state.recent, exclude=named)
        if not who:
            return narration, []
        name, pointed = cast.by_id[who].name, [who]
    narration = narration[:opener.start(2)] + name + narration[opener.end(2):]
    return narration[:1].upper() + narration[1:], pointed


def _things_named(found: list[str], cast: Cast) -> list[str]:
    """The sentence's objects, once each, without a leading article or possessive, and not a character."""
    out = []
    for phrase in found:
        kept = [w for w in phrase.split() if w.lower() not in ARTICLES | STOPWORDS]
        text = " ".join(kept).lower()
        if not text or text.split()[-1] in NOT_OBJECTS:
            continue
        if not cast.mentions(" ".join(kept)) and text not in out and not any(text in o for o in out):
            out = [o for o in out if o not in text] + [text]
    return out


def _subject_last(named: list[str], raw: str, cast: Cast, state: Continuity) -> list[str]:
    """The sentence's characters in the order that makes its subject the most recent mention: a later pronoun
    prefers the subject ('Mira told Elena the news. She smiled.' is Mira). The subject is spaCy's nsubj when the
    story was parsed, else the character named first."""
    if not named:
        return []
    subjects = nlp.parsed(raw, state.parsed).subjects
    subject = next((c for c in named for word in subjects if re.fullmatch(cast.by_id[c].pattern, word)
                    or word in cast.by_id[c].name.split()), named[0])
    return [c for c in named if c != subject] + [subject]


# A line said by a voice not yet seen: 'said a voice from the dark', 'said someone behind the door'.
UNSEEN = re.compile(r"\b(?:a|an|the|some)\s+(?:[\w-]+\s+){0,2}?voices?\b|\bsome ?(?:one|body|thing)\b|\bno ?one\b", re.I)


APPEARS = r"(?:stepped|steps|came|comes|appeared|appears|emerged|emerges|crept|creeps|limped|limps|leaned|leans)\s+" \
    r"(?:out|into|in|from|through|forward|round|around|up|down|over|across)\b"


def _revealed_voice(ahead: list[str], earlier: list[Sentence], cast: Cast, hearers: list[str] = ()) -> str:
    """A voice heard before it is seen is whoever the next sentences reveal (someone not yet in the scene: 'In the
    corner ... was his great-aunt Lotte'), never one who hears it ('He was checking the cases when someone said');
    a voice never revealed is the narrator's, never an invented person."""
    seen = {c for sentence in earlier for c in sentence.order} | set(hearers)
    for text in ahead[:3]:  # 'Then old Mrs Penhallow stepped into the torchlight': who comes into sight is the voice
        for _, pid in cast.positions(text):
            if pid not in hearers and re.search(rf"(?:{cast.by_id[pid].pattern})\s+(?:[a-z]+\s+)?{APPEARS}", text):
                return pid
    for text in ahead:  # 'It was Marcus', 'there stood his brother Eli': the one the story shows is the voice
        for m in re.finditer(r"\b(?:[Ii]t was|there (?:stood|sat|was)|was)\s+((?:[\w'-]+\s+){0,3}?[\w'-]+)", text):
            shown = [c for c in cast.mentions(m.group(1)) if c not in seen]
            if shown:
                return shown[0]
    for text in ahead:
        revealed = [c for c in cast.mentions(text) if c not in seen]
        if revealed:
            return revealed[0]
    return "narrator"


def _speaker(line: Speech, named: list[str], earlier: list[Sentence], beat: int, cast: Cast, state: Continuity,
             before: list[str] = ()) -> str:
    """Who speaks a line: its attribution, else the sentence's character, the action beat before, the last
    speaker of the paragraph, the other one of a two-person exchange, the scene's first character."""
    spoken_to = cast.addressed(line.text)
    if line.attribution:
        mentioned = cast.mentions(line.attribution)
        if not re.search(r"\b(?:I|[Ww]e)\b", line.attribution):  # 'he said to me': the storyteller only listens
            mentioned = [c for c in mentioned if not cast.is_storyteller(c)]
        if re.search(r"\b[A-Z][\w-]*'s\s+[a-z]", line.attribution):
            mentioned = mentioned[::-1]  # 'called Ivo's mother': the mother speaks, not Ivo
        if mentioned:
            return mentioned[0]
        pronoun = re.search(r"\b(he|she|it|they|i|we)\b", line.attribution, re.I)
        if pronoun:
            # 'When she looked up, her aunt Ada was on the steps, and "Lunch!" she called': the people the sentence
            # brought in before the line are the most recent
            return cast.resolve(pronoun.group(1), state.recent + list(before), exclude=spoken_to) or \
                _last_speaker(earlier, beat) or "narrator"
        return "narrator"
    voiced = {who for _, who in state.voices}
    def speaks(c: str) -> bool:  # 'A goat bleated. "Who's there?"': a being that only makes a noise says no line
        return cast.by_id[c].kind == "human" or c in voiced if c in cast.by_id else True
    named = [c for c in named if c not in spoken_to]
    if named:
        return named[0]
    same_beat = [s for s in earlier if s.beat == beat]
    actors = [c for c in same_beat[-1].characters if speaks(c) and c not in spoken_to] \
        if same_beat and not same_beat[-1].speech else []
    if actors:
        return actors[0]
    last = _last_speaker(earlier, beat)
    if last in spoken_to:  # '"Marta, come here." ... "Coming, Mama!"': the one called answers, the caller spoke
        last = next((who for s in reversed(earlier) for who, _ in reversed(s.speech) if who not in spoken_to
                     and who != "narrator"), None)
    return last or _other_voice(beat, state, earlier, speaks) or \
        next((c for s in earlier for c in s.characters if c not in spoken_to and speaks(c)), None) or \
        _present(state, beat, spoken_to, speaks) or (state.principal if state.principal not in spoken_to else None) or \
        "narrator"


def _present(state: Continuity, beat: int, spoken_to: set[str], speaks) -> str | None:
    """Who says a line nothing tags, when the scene shows no one: the one last met in the story who can speak,
    besides whoever the line calls and, in an exchange, the voice of the paragraph before ('"The lid was open,"
    said Dawn. / "Who had feeding?"' is the teacher brought in before, not the lizard the story is named after)."""
    last = state.voices[-1][1] if state.voices and state.voices[-1][0] == beat - 1 else None
    return next((c for c in reversed(state.recent) if c != last and c not in spoken_to and speaks(c)), None)


def _other_voice(beat: int, state: Continuity, earlier: list[Sentence], speaks) -> str | None:
    """An untagged line in the paragraph after a spoken one, in an exchange of two: the other one speaks (the one
    the scene last showed besides the last voice, when only one has spoken yet: 'Ola met Bram. "Did you bring it?"
    Ola asked. "It's in the barn."')."""
    if not state.voices or state.voices[-1][0] != beat - 1:
        return None
    voices = list(dict.fromkeys(who for _, who in reversed(state.voices)))
    if len(voices) >= 2:
        return voices[1]
    shown = [c for s in reversed(earlier) for c in reversed(s.order) if c != voices[0] and speaks(c)]
    return shown[0] if shown else None


def _last_speaker(earlier: list[Sentence], beat: int) -> str | None:
    for sentence in reversed(earlier):
        if sentence.beat != beat:
            return None
        voiced = [who for who, _ in sentence.speech if who != "narrator"]
        if voiced:
            return voiced[-1]
    return None
