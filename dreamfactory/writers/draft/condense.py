"""The extractive shortening of a passage to a word budget: the story's own sentences, in order."""

from __future__ import annotations

import re

from .story import count_words, is_title_line, mask_quotes, paragraphs, sentences


def condense(passage: str, budget: int) -> str:
    """Keep the sentences with speech, names and events (each paragraph's best first, so no beat is lost) in the
    story's order, until the word budget is spent."""
    parts = paragraphs(passage)
    title = parts.pop(0) if len(parts) > 1 and is_title_line(parts[0]) else None
    items = [(p, i, s) for p, part in enumerate(parts) for i, s in enumerate(sentences(part))]
    if not items:
        return passage.strip()
    def score(item: tuple[int, int, str]) -> int:
        _, i, sentence = item
        narration = mask_quotes(sentence)
        return 3 * ('"' in sentence) + 2 * bool(re.search(r"\b[A-Z][a-z]+", narration[1:])) + (i == 0) + \
            bool(re.search(r"\b\w+ed\b", narration))
    best: dict[int, tuple[int, int, str]] = {}
    for item in items:
        if item[0] not in best or score(item) > score(best[item[0]]):
            best[item[0]] = item
    leads = sorted(best.values(), key=lambda it: (-score(it), it[0]))
    others = sorted((it for it in items if it not in leads), key=lambda it: (-score(it), it[0], it[1]))
    spent, kept = count_words(title or ""), []
    for item in leads + others:
        if spent + count_words(item[2]) <= budget:
            kept.append(item)
            spent += count_words(item[2])
    if not kept:  # not even one sentence fits: the best one, cut to the budget
        p, i, sentence = leads[0]
        kept = [(p, i, " ".join(sentence.split()[:max(1, budget - spent)]))]
    by_paragraph: dict[int, list[tuple[int, str]]] = {}
    for p, i, sentence in sorted(kept):
        by_paragraph.setdefault(p, []).append((i, sentence))
    text = "\n\n".join(" ".join(s for _, s in lines) for _, lines in sorted(by_paragraph.items()))
    return f"{title}\n\n{text}" if title else text
