"""Casting: give every character (and the narrator, when there is narration) a voice, the same on every run.

Voices already set are kept and checked. The others are chosen from the available voices, best first
(hibari, then piper when installed, then espeak-ng variants), in the order the characters are listed,
narrator last: a character whose appearance says female (girl, woman, she...) or male (man, boy, he...)
gets the first free voice of that gender. No two speakers share a voice while a free one remains; past
that, a voice is reused with a different pitch and rate, and the notes say so. The result depends only on
the screenplay and the voices available, never on the run; once saved, a cast never changes.
"""

from __future__ import annotations

import re
from collections import Counter

from ..contracts import Casting
from ..contracts.screenplay import Character, Screenplay, Voice
from .engines import VoiceError, available_voices, get_engine, voice_problem

FEMALE = set("girl woman women she her hers lady queen princess mother mom mum grandmother grandma granny aunt sister "
             "daughter wife witch mrs ms miss female heroine niece duchess empress maiden widow actress nun".split())
MALE = set("boy man men he him his gentleman king prince father dad grandfather grandpa uncle brother son husband wizard "
           "mr male hero nephew duke emperor lad widower actor monk sir beard bearded".split())
# Ways to tell apart characters who must share a voice: (semitones, rate) for the 1st, 2nd... reuse.
VARIATIONS = [(2.5, 1.06), (-2.5, 0.94), (4.0, 1.1), (-4.0, 0.9), (5.5, 1.0), (-5.5, 1.0), (7.0, 1.12), (-7.0, 0.88)]
GENDER_SHIFT = 4.0  # semitones toward the character's gender when only a voice of the other one is free


def appearance_gender(character: Character) -> str | None:
    """'female' or 'male' when the appearance words lean one way, else None."""
    words = re.findall(r"[a-z]+", character.appearance.lower())
    female, male = sum(w in FEMALE for w in words), sum(w in MALE for w in words)
    return "female" if female > male else "male" if male > female else None


def check_voices(screenplay: Screenplay) -> None:
    """A VoiceError naming the first character (or the narrator) whose set voice cannot speak here."""
    speakers = [(f"character {c.id}", c.voice) for c in screenplay.characters] + [("narrator", screenplay.narrator)]
    for who, voice in speakers:
        problem = voice_problem(voice) if voice else None
        if problem:
            raise VoiceError(f"{who}: {problem} (or remove the voice to have it cast)")


def has_narration(screenplay: Screenplay) -> bool:
    return any(line.speaker == "narrator" for scene in screenplay.scenes for line in scene.dialogue)


def cast_voices(screenplay: Screenplay, available: list[Voice] | None = None) -> Casting:
    """Fill in missing voices. `available`: voices to choose from, best first (default: this machine's)."""
    check_voices(screenplay)
    pool = available_voices() if available is None else list(available)
    uses = Counter(_name(v) for v in [c.voice for c in screenplay.characters] + [screenplay.narrator] if v)
    cast, notes = screenplay.model_copy(deep=True), []
    for character in cast.characters:
        if character.voice is None:
            character.voice = _choose(pool, appearance_gender(character), uses, f"character {character.id}", notes)
    if cast.narrator is None and has_narration(cast):
        cast.narrator = _choose(pool, None, uses, "narrator", notes)
    return Casting(screenplay=cast, notes=notes)


def _name(voice: Voice) -> str:
    return f"{voice.engine}:{voice.voice_id}"


def _gender(voice: Voice) -> str | None:
    return get_engine(voice.engine).gender(voice.voice_id)


def _choose(pool: list[Voice], gender: str | None, uses: Counter, who: str, notes: list[str]) -> Voice:
    if not pool:
        raise VoiceError(f"{who}: no voice can speak on this machine; pip install 'dreamfactory[sound]' or install espeak-ng")
    fits = lambda v: gender is None or _gender(v) in (gender, None)
    free = [v for v in pool if uses[_name(v)] == 0]
    if free:  # a voice nobody has: the first one of the right gender, else the first one
        base = next(filter(fits, free), free[0])
        semitones, rate = 0.0, 1.0
        note = f"{who}: {_name(base)} ({gender + ' from appearance' if gender else 'no gender in appearance'})"
    else:  # every voice is taken: reuse the least used one of the right gender, varied
        base = min([v for v in pool if fits(v)] or pool, key=lambda v: uses[_name(v)])
        semitones, rate = VARIATIONS[(uses[_name(base)] - 1) % len(VARIATIONS)]
        note = f"{who}: shares {_name(base)} (more speakers than voices)"
    if not fits(base):  # only the other gender is left: shift the pitch towards the character's
        direction = -1.0 if gender == "male" else 1.0
        semitones = direction * (GENDER_SHIFT + abs(semitones))
    pitch = max(-12.0, min(12.0, base.pitch + semitones))
    voice = base.model_copy(update={"pitch": pitch, "rate": round(base.rate * rate, 3)})
    if (voice.pitch, voice.rate) != (base.pitch, base.rate):
        note += f", pitch {voice.pitch:+g} st, rate x{voice.rate:g}"
    notes.append(note + (f"; {gender} on a {_gender(base)} voice" if not fits(base) else ""))
    uses[_name(voice)] += 1
    return voice
