"""Story-derived text made safe where it is shown: one function per medium, each used wherever that medium is written.

A story comes from anyone (a person, a folder, a bucket), and a writer model may echo it: its words must show as
words in the Prefect UI, a subtitle, a file's metadata or a terminal, never as markup, a link or an escape sequence.
"""

from __future__ import annotations

import json
import re
import unicodedata

# Characters that change how text around them is shown without showing themselves: C0/C1 controls (ESC starts
# terminal escapes), bidirectional embeddings, overrides and isolates, zero-width spaces and joiners, the word joiner
# and invisible operators, the BOM, interlinear annotations and Unicode tags (which smuggle hidden ASCII).
_HIDDEN = (r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f"
           r"\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
# A zero-width joiner stays only inside an emoji sequence (👩‍🚀), where it joins two pictographs into one.
_PICTOGRAPH = r"[\u2600-\u27bf\ufe0f\U0001f000-\U0001faff]"
_STRAY_JOINER = rf"(?<!{_PICTOGRAPH})\u200d|\u200d(?!{_PICTOGRAPH})"
HIDDEN = re.compile(rf"{_HIDDEN}|{_STRAY_JOINER}")
LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\x0b": "\n", "\x0c": "\n"})


def plain(text: str) -> str:
    """The text without hidden characters: what every medium below starts from (newlines kept)."""
    return HIDDEN.sub("", text.translate(LINE_BREAKS))


def one_line(text: str) -> str:
    """Plain text on one line: runs of whitespace, newlines included, become one space."""
    return " ".join(plain(text).split())


# What CommonMark, GitHub's extensions and HTML give a meaning to, anywhere in a line: emphasis, code, links and
# images, tags and entities, headings, tables, strike-through, e-mail autolinks; and where it starts a line: lists,
# quotes, rules and setext headings; and the starts of web autolinks ('https://', 'www.'). CommonMark lets a
# backslash escape any ASCII punctuation, so the text shows exactly as written; ordinary '.', '-', ':' stay bare.
_MARKDOWN = re.compile(r"[\\`*_{}\[\]<>#|&~@]|^\s*\d+[.)]|(?<=www)\.|:(?=//)|^\s*[-+=]", re.MULTILINE | re.IGNORECASE)


def markdown(text: str) -> str:
    """Text for a Prefect markdown artifact: shows as itself, never as a heading, a link, an image or HTML."""
    return _MARKDOWN.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], plain(text))


def table_cell(text: str) -> str:
    """Text for a cell of a Prefect table artifact (or a markdown table): one line, markup escaped."""
    return markdown(one_line(text))


# Subtitle players read HTML-like tags (<i>, <font color>) and ASS override blocks ({\an8}) in SRT, ffmpeg turns
# them into mov_text styles, and a blank line or a '-->' starts a new cue: each is replaced by a look-alike.
_SUBTITLE = str.maketrans({"<": "‹", ">": "›", "{": "(", "}": ")", "\\": "⧵"})


def subtitle(text: str) -> str:
    """Text for an SRT cue (and the MP4's mov_text track made from it): one line, no tags a player interprets."""
    return one_line(text).translate(_SUBTITLE).replace("--›", "→")


METADATA_CHARS = 255  # a title in a player's window, not a page of text


def metadata(text: str) -> str:
    """A value of the MP4's metadata (title): one line, no hidden characters, at most METADATA_CHARS long."""
    return one_line(text)[:METADATA_CHARS]


def manifest_json(value) -> str:
    """A JSON column of the manifest: the values exact (prompts reproduce a render), every character outside ASCII
    written as a \\u escape, so no control or direction character reaches whoever reads the table."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


FILE_NAME_CHARS = 48  # a readable start; the hash beside it in a key makes it unique


def file_name(text: str, words: int = 4) -> str:
    """A file-name part from text: ASCII letters and digits in at most `words` words joined by '-', lower case,
    at most FILE_NAME_CHARS long (a 10,000-letter word must not make a name no file system takes); 'film' if none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:words])[:FILE_NAME_CHARS].strip("-") or "film"


def terminal(text: str) -> str:
    """Text for a terminal or a log line: every hidden character written out as its escape (ESC as \\x1b, a
    right-to-left override as \\u202e), so nothing from a story moves the cursor, recolours or reorders the screen."""
    return HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
