"""Reading the story: title line, paragraphs (beats), sentences, quoted speech and who says it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .vocabulary import ABBREVIATIONS, SPEECH_RX


QUOTE = re.compile(r'"([^"\n]*)"')
_END = re.compile(r'[.!?\u2026]+"?(?=\s|$)')
_ATTRIBUTION_FOLLOWS = re.compile(rf"\s+(?:[a-z]|(?:[\w'-]+\s+){{1,3}}(?:{SPEECH_RX})\b)")
WORD = re.compile(r"[^\W\d_][\w'-]*")


@dataclass(frozen=True)
class Reading:
    """The story as the writer reads it: the title line, then its beats (paragraphs) as sentences."""

    title: str | None
    beats: tuple[tuple[str, ...], ...]

    @property
    def sentences(self) -> list[tuple[int, str]]:
        return [(b, s) for b, beat in enumerate(self.beats) for s in beat]


def normalise(text: str) -> str:
    """Straight quotes and apostrophes, Unix newlines: the rest of the reading assumes them."""
    table = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2018": "'", "\u2019": "'", "\r": ""}
    return "".join(table.get(ch, ch) for ch in text)


def is_title_line(line: str) -> bool:
    return 0 < len(line.split()) <= 10 and "\n" not in line and not re.search(r'[.!?,;:"]$', line)


def paragraphs(story: str) -> list[str]:
    """Blank-line paragraphs; inside one, a line break is a paragraph break only when every line ends a sentence."""
    out = []
    for block in re.split(r"\n\s*\n", normalise(story).strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not out and len(lines) > 1 and is_title_line(lines[0]):
            out.append(lines.pop(0))
        if len(lines) > 1 and all(re.search(r'[.!?]["\')]?$', line) for line in lines[:-1]):
            out.extend(lines)
        elif lines:
            out.append(" ".join(lines))
    return out


def sentences(paragraph: str) -> list[str]:
    """Split on sentence ends outside quotes; a quote followed by its attribution ('... ," she said') stays whole."""
    quotes = [m.span() for m in QUOTE.finditer(paragraph)]
    pieces, start = [], 0
    for m in _END.finditer(paragraph):
        inside = [(a, b) for a, b in quotes if a < m.start() < b]
        if inside and m.end() != inside[0][1]:
            continue  # an end of sentence inside the quote: the quote goes on
        if inside and _ATTRIBUTION_FOLLOWS.match(paragraph[m.end():]):
            continue  # '"Help!" Mira cried.' is one sentence
        before = re.search(r"(\w+)$", paragraph[:m.start()])
        if m.group() == "." and before and (before.group(1).lower() in ABBREVIATIONS or len(before.group(1)) == 1
                                             and before.group(1).isupper()):
            continue
        pieces.append(paragraph[start:m.end()].strip())
        start = m.end()
    if paragraph[start:].strip():
        pieces.append(paragraph[start:].strip())
    return [p for p in pieces if p]


@lru_cache(maxsize=16)
def read_story(story: str) -> Reading:
    parts = paragraphs(story)
    title = parts[0] if parts and is_title_line(parts[0]) and len(parts) > 1 else None
    beats = tuple(tuple(split) for split in map(sentences, parts[1:] if title else parts) if split)
    return Reading(title=title, beats=beats or ((story.strip() or "Nothing happens.",),))


def mask_quotes(sentence: str) -> str:
    """The sentence with its quoted speech blanked out, positions kept."""
    return QUOTE.sub(lambda m: " " * len(m.group()), sentence)


def words(text: str) -> list[str]:
    return WORD.findall(text)


@dataclass(frozen=True)
class Speech:
    """One quoted line and the words of its sentence that say who speaks it ('Mira cried', 'he said'), if any."""

    text: str
    attribution: str | None
    start: int  # where the quote opens in the sentence


def split_speech(sentence: str) -> tuple[str, list[Speech]]:
    """A sentence's narration (speech and attributions removed) and its quoted lines."""
    found = list(QUOTE.finditer(sentence))
    speech, cuts = [], []
    for i, m in enumerate(found):
        after_end = found[i + 1].start() if i + 1 < len(found) else len(sentence)
        before_start = found[i - 1].end() if i else 0
        attribution, span = _attribution(sentence, m, before_start, after_end)
        speech.append(Speech(text=m.group(1).strip(), attribution=attribution, start=m.start()))
        cuts += [m.span()] + ([span] if span else [])
    kept, position = [], 0
    for a, b in sorted(cuts):
        kept.append(sentence[position:a])
        position = max(position, b)
    kept.append(sentence[position:])
    return clean_narration(" ".join(kept)), [s for s in speech if s.text]


def _attribution(sentence: str, quote: re.Match, before_start: int, after_end: int):
    """The words naming the speaker right after the quote (' Mira cried') or right before it ('Mira said, '),
    with their span in the sentence; (None, None) when the sentence does not say who speaks."""
    after = re.match(r'[^,.;:!?"]*', sentence[quote.end():after_end]).group()
    if len(after.split()) <= 6 and re.search(rf"\b(?:{SPEECH_RX})\b", after):
        return after.strip(), (quote.end(), quote.end() + len(after))
    before = sentence[before_start:quote.start()].rstrip(" ,:")
    tail = re.split(r"[,.;:!?]", before)[-1]
    if tail.strip() and len(tail.split()) <= 6 and re.search(rf"\b(?:{SPEECH_RX})\b", tail):
        end = before_start + len(before)
        return tail.strip(), (end - len(tail), quote.start())
    return None, None


def clean_narration(text: str) -> str:
    """What is left of a sentence once its speech is cut out, as a sentence again ('' when nothing is)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"^[\s,;:.!?-]*(?:(?:and|but|then)\s+)?", "", text, flags=re.I)
    text = re.sub(r"[,;:]+$", ".", text).strip()
    if len(words(text)) < 2:
        return ""
    if not re.search(r"[.!?]$", text):
        text += "."
    return text[0].upper() + text[1:]


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48].strip("-")
    return out or "character"


def count_words(text: str) -> int:
    return len(words(text))
