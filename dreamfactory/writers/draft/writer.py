"""The Writer: answers each phase request by dispatching on the requested output type."""

from __future__ import annotations

from typing import Any

from ...contracts.screenplay import Brief, Condensed, Design, Review, ScenePlans, Storyboard
from ...errors import WritingError
from ..base import PhaseReply, PhaseRequest, Usage
from .brief import write_brief, write_design
from .condense import condense
from .nlp import parse_sentences, reader_key, reader_name
from .story import left_out_note, read_story
from .review import review_draft
from .scenes import write_plans
from .storyboard import write_storyboard


# Bump whenever what the writer answers changes: it enters every phase's cache key through `identity`.
DRAFT_VERSION = 2


class DraftWriter:
    """The studio's embedded writer: answers every phase from the story text alone, deterministically."""

    name = "draft"
    context_tokens = None  # reads the whole story, however long: nothing to condense

    def identity(self, role: str) -> dict[str, Any]:
        # The reader (spaCy's model, or the keyword reader) decides what the writer answers: installing spaCy
        # must not reuse answers the keyword reader cached.
        return {"backend": "draft", "version": DRAFT_VERSION, "reader": reader_key()}

    def write(self, request: PhaseRequest) -> PhaseReply:
        kind, inputs = request.output_type, request.inputs
        if kind is Review:
            output = review_draft(request.phase, inputs)
        elif kind is Brief:
            output = write_brief(inputs)
        elif kind is Design:
            output = write_design(inputs)
        elif kind is ScenePlans:
            output = write_plans(inputs)
        elif kind is Storyboard:
            output = write_storyboard(inputs)
        elif kind is Condensed:
            output = Condensed(text=condense(inputs["passage"], int(inputs.get("words") or 200)))
        else:
            raise WritingError(f"the draft writer cannot write a {kind.__name__}", phase=request.phase,
                               role=request.role)
        return PhaseReply(output=output, usage=Usage(calls=0))


def reading_notes(story: str) -> list[str]:
    """One line per thing the user should know about how the draft writer read the story: which reader read it,
    and what it left out of the film (text addressed to the studio). The CLI prints them."""
    reading = read_story(story)
    notes = [f"story read by {reader_name()}"]
    left_out = left_out_note(reading)
    return notes + ([left_out] if left_out else [])


def read_ahead(story: str) -> None:
    """Parse the story's sentences now, as the writer's phases will (the parse is cached per process): the CLI does
    it while a temporary Prefect server starts, so the writing task finds it done."""
    reading = read_story(story)
    parse_sentences(tuple(s for _, s in reading.sentences), reader_key())
