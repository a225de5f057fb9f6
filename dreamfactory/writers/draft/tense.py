"""Verbs in the present: 'Mira found' -> 'Mira finds', for captions that read as what is on screen."""

from __future__ import annotations

import re

from .vocabulary import IRREGULAR_PAST, MODALS

IRREGULAR_RX = "|".join(w for w in IRREGULAR_PAST if w not in ("was", "were", "had", "did", "set", "put", "cut", "hit",
                                                              "let", "shut", "lay", "bit", "beat", "ground", "wound"))


def present_tense(text: str, names: list[str]) -> str:
    """Put the subject's verbs in the present: 'Mira found' -> 'Mira finds', 'Mira and Tomas carried' -> 'Mira and
    Tomas carry', 'Greta looked at the key and gasped' -> '... and gasps'. Other words stay as the story wrote them."""
    name = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or r"(?!)"
    who = rf"(?:{name}|(?:the\s+)?[\w'-]+)"
    subject = re.match(rf"^({who}(?:\s+and\s+{who})?)\s+(could not|did not|was not|had not|[\w'-]+)\b", text, re.I)
    if not subject:
        return text
    plural = " and " in subject.group(1) or subject.group(1).lower() in ("they", "we", "you", "i") or (
        not re.match(name, subject.group(1)) and re.search(r"[^s]s$", subject.group(1)) is not None)  # 'Sparks flew'
    if subject.group(1).lower() == "i" and subject.group(2).lower() == "was":
        return text[:subject.start(2)] + "am" + text[subject.end(2):]
    negative = {"could not": "cannot", "did not": "do not" if plural else "does not",
                "was not": "are not" if plural else "is not", "had not": "have not" if plural else "has not"}
    verb = subject.group(2).lower()
    if verb in negative:
        return text[:subject.start(2)] + negative[verb] + text[subject.end(2):]
    if base_form(verb) is None:
        return text
    out, position = text[:subject.start(2)], subject.start(2)
    for m in re.finditer(rf"(?:^|\band\s+({name}\s+)?|,\s+(?=(?:{IRREGULAR_RX})\b))([a-z]+)\b",
                         text[subject.start(2):]):  # 'laughed, paid three, and walked off'
        start, end = subject.start(2) + m.start(2), subject.start(2) + m.end(2)
        base = base_form(m.group(2))
        if base is None or (start != subject.start(2) and not looks_past(m.group(2))):
            continue
        out += text[position:start] + ({"be": "are"}.get(base, base) if plural and not m.group(1) else third_person(base))
        position = end
    return out + text[position:]


def looks_past(word: str) -> bool:
    return word in IRREGULAR_PAST or (word.endswith("ed") and len(word) > 4)


def base_form(verb: str) -> str | None:
    """The base form of a past-tense verb ('found' -> 'find', 'smiled' -> 'smile'), or None if it is not one."""
    if verb in IRREGULAR_PAST:
        return IRREGULAR_PAST[verb]
    if verb in MODALS:
        return MODALS[verb]
    if not verb.endswith("ed") or len(verb) < 4:
        return None
    if verb.endswith("ied"):
        return verb[:-3] + "y"  # carried -> carry
    if verb.endswith("eed"):
        return verb[:-1]  # agreed -> agree
    stem = verb[:-2]
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "flsz" and _syllables(stem) == 1:  # sniffed -> sniff
        return stem[:-1]  # stopped -> stop
    return stem + "e" if _dropped_e(stem) else stem


def _dropped_e(stem: str) -> bool:
    """Whether the stem lost a silent e before -ed: 'smil' (smiled), 'danc', 'clos', 'explor', 'decid', 'giggl'."""
    if re.search(r"(?:ss|sh|ch|x|zz|ll|[aeiou]{2}[^aeiou]|[wy]|er)$", stem):
        return False  # tossed, pushed, rained, rowed, played, wandered
    if re.search(r"(?:[cvzu]|dg|[^aeiou]g|[aeiou]s|[^aeiou][aeiou]r|[^aeiou]at|[^aeiou][aeiou]d|[bcdfgkpstz]l)$", stem):
        return True
    return _syllables(stem) == 1 and bool(re.search(r"[^aeiou][aeiou][^aeiouwxy]$", stem))  # hoped, smiled


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouy]+", word))


def third_person(base: str) -> str:
    special = {"be": "is", "have": "has", "do": "does", "go": "goes", "can": "can", "will": "will", "may": "may",
               "should": "should"}
    if base in special:
        return special[base]
    if re.search(r"(?:s|sh|ch|x|z|o)$", base):
        return base + "es"
    if re.search(r"[^aeiou]y$", base):
        return base[:-1] + "ies"
    return base + "s"
