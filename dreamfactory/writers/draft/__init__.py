"""The offline draft writer: a deterministic screenwriter that reads the story itself (no model, no network).

It answers every phase of the studio from the story text: the brief from the title line and keyword tables, the
cast from the proper names, the storyteller ('I') and the unnamed beings who act or speak, with the sentences that
describe them, one scene per beat (a paragraph, or a part of one where time or place moves on) with setting,
time, environment, dialogue and speakers read from the prose, a rule-based review, and a storyboard built from the
scenes. The same story always gives the same screenplay. Modules, in the order a phase reads them:

    vocabulary        the word tables (data, kept apart from the logic)
    nlp               spaCy's English pipeline when installed (loaded once per process): names, subjects, time
    story             title, paragraphs, sentences, speech and its attribution; text addressed to the studio
    cast, looks       who the characters are; what they look like, wear and carry
    brief             the CEO's brief and the Director's design
    beats, places     a scene's sentences and speakers; its setting, time and environment
    scenes            the Screenwriter's scene plans, and their revision
    review            the Reviewer's rule-based notes
    tense, storyboard the Filmmaker's Base Description and keyframe prompts, captions in the present tense
    condense          the extractive shortening of a passage
    writer            DraftWriter: dispatch on the requested output type
"""

from .nlp import reader_name
from .story import read_story
from .tense import base_form, present_tense
from .writer import DRAFT_VERSION, DraftWriter, read_ahead, reading_notes

__all__ = ["DRAFT_VERSION", "DraftWriter", "base_form", "present_tense", "read_story", "reader_name",
           "read_ahead", "reading_notes"]
