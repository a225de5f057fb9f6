"""The studio: the roles' conversations, phase by phase, from a story to a Screenplay.

    brief       CEO writes, Director reviews
    design      Director writes the style and cast, CEO reviews
    screenplay  Screenwriter writes the scenes, Reviewer critiques, Screenwriter revises (bounded rounds)
    storyboard  Filmmaker writes the Base Description and cuts every scene into shots (framing, who is in frame,
                prop, duration, the lines said in each) and names the transition to the next scene, Director reviews

A chat model answers each phase by filling the phase's model narrowed by what is already decided (answers.py):
the scene count, the cast's ids, the scenes' ids and lines. Before a model reads the story, the passages that speak
to the studio are left out (one line says so). Every answer is cached in the store at a key made of the prompt
files, the writer's identity for the role and the rendered inputs: a second run with the same inputs makes no
model call. Every message is kept as a transcript.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..errors import BudgetExceeded, WritingError
from ..progress import report
from ..contracts.screenplay import (SCREENPLAY_VERSION, Brief, Condensed, Design, Review, ReviewNote, Scene, ScenePlans, Screenplay,
                          Storyboard)
from ..settings import FilmOptions
from ..store import Store, digest
from ..story import addressed_to_studio
from ..writers.base import Message, PhaseRequest, Usage, Writer
from . import answers, prompts

# Bump whenever the studio makes something else of the same answers (the phases, their checks, the assembly): it
# enters the screenplay step's key (`steps.screenplay_key`), so a film made before writes its screenplay again.
STUDIO_VERSION = 1
ANSWERS = (Brief, Condensed, Design, Review, ScenePlans, Storyboard)  # what the roles answer; their schemas key answers


class PhaseRecord(BaseModel):
    """A phase answer as cached in the store."""

    phase: str
    role: str
    output: dict[str, Any]
    usage: Usage
    messages: list[Message]


class WritingReport(BaseModel):
    """What the writing cost: per phase and role (cached answers count what they cost when made)."""

    usage: dict[str, Usage] = Field(default_factory=dict, description="'phase/role' -> usage.")
    calls_made: int = Field(default=0, description="Model calls made by this run.")
    tokens_made: int = Field(default=0, description="Tokens spent by this run.")
    answers_cached: int = Field(default=0, description="Answers taken from the store.")
    answers_made: int = Field(default=0, description="Answers the writer produced in this run.")
    transcript: list[Message] = Field(default_factory=list)


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class Studio:
    """Runs the phases for one project with one writer; keeps the report of what they cost."""

    def __init__(self, writer: Writer, store: Store, project: str, options: FilmOptions):
        self.writer, self.store, self.project, self.options = writer, store, project, options
        self.report = WritingReport()

    # -- one question to one role ----------------------------------------------------------------------
    def ask(self, phase: str, template: str, role: str, output_type: type[BaseModel], inputs: dict[str, Any],
            history: list[Message] | None = None) -> BaseModel:
        system = prompts.role_prompt(role).render()
        prompt = prompts.render_phase(template, phase=phase, **inputs)
        # A model is sent the phase's model narrowed by what is decided; a writer that builds answers in code is not.
        answer_type = answers.answer_model(output_type, inputs) if getattr(self.writer, "reads_prompts", False) else None
        key = digest({
            "phase": phase, "template": template, "role": role, "system": system, "prompt": prompt,
            "schema": (answer_type or output_type).model_json_schema(), "writer": self.writer.identity(role),
            "history": [m.model_dump() for m in history or []]})
        cache_key = f"{self.project}/writing/{template}-{role}-{key[:24]}.json"
        if self.store.exists(cache_key):
            record = self.store.read_model(cache_key, PhaseRecord)
            self._account(phase, role, record, made=False)
            return output_type.model_validate(record.output)
        budget = self.options.writing.max_tokens
        if budget is not None and self.report.tokens_made + estimate_tokens(system + prompt) > budget:
            raise BudgetExceeded(f"the next call would pass the token budget of {budget} ({self.report.tokens_made} spent); "
                                 "everything written so far is kept in the store: raise --max-tokens and run again",
                                 phase=phase, role=role)
        request = PhaseRequest(phase=phase, role=role, system=system, prompt=prompt, output_type=output_type,
                               answer_type=answer_type, inputs=inputs, history=list(history or []))
        reply = self.writer.write(request)
        if not isinstance(reply.output, output_type):
            raise WritingError(f"the writer answered {type(reply.output).__name__}, not {output_type.__name__}", phase=phase, role=role)
        answer = reply.output.model_dump_json()
        record = PhaseRecord(phase=phase, role=role, output=reply.output.model_dump(mode="json"), usage=reply.usage,
                             messages=[Message(phase=phase, role="system", content=system),
                                       Message(phase=phase, role="studio", content=prompt),
                                       Message(phase=phase, role=role, content=answer)])
        self.store.put_json(cache_key, record)
        self._account(phase, role, record, made=True)
        return reply.output

    def _account(self, phase: str, role: str, record: PhaseRecord, *, made: bool) -> None:
        name = f"{phase}/{role}"
        self.report.usage[name] = self.report.usage.get(name, Usage()) + record.usage
        self.report.transcript.extend(record.messages)
        if made:
            self.report.answers_made += 1
            self.report.calls_made += record.usage.calls
            self.report.tokens_made += record.usage.tokens
        else:
            self.report.answers_cached += 1

    # -- a conversation: draft, review, revise -------------------------------------------------------
    def converse(self, phase: str, author: str, reviewer: str, output_type: type[BaseModel], inputs: dict[str, Any],
                 rounds: int, check=None) -> BaseModel:
        draft = self.ask(phase, phase, author, output_type, inputs)
        for round_no in range(1, rounds + 1):
            review = self.ask(phase, "review", reviewer, Review, {**inputs, "draft": draft})
            notes = list(review.notes) + (check(draft) if check else [])
            if review.approved and not notes:
                report("writing", f"{phase}: {reviewer} approved (round {round_no})")
                return draft
            report("writing", f"{phase}: {reviewer} asks for {len(notes)} change(s) (round {round_no}/{rounds})")
            draft = self.ask(phase, "revise", author, output_type, {**inputs, "draft": draft, "notes": notes})
        if check and (left := check(draft)):
            raise WritingError(f"the draft still breaks the brief after {rounds} round(s): {left[0].point}", phase=phase, role=author)
        return draft

    # -- the whole writing ---------------------------------------------------------------------------
    def condense(self, story: str) -> str:
        """Condense a story too long for the model's context, a passage at a time, until it fits."""
        limit = getattr(self.writer, "context_tokens", None)
        if not limit:
            return story
        budget = limit // 3
        rounds = 0
        while estimate_tokens(story) > budget:
            rounds += 1
            if rounds > 4:
                raise WritingError("the story is still longer than the model's context after 4 condensing passes; use a model with a larger context")
            passages, current = [], ""
            for paragraph in story.split("\n\n"):
                if current and estimate_tokens(current + paragraph) > budget:
                    passages.append(current)
                    current = ""
                current += paragraph + "\n\n"
            passages.append(current)
            words = max(40, int(budget * 0.75 / max(1, len(passages)) * 0.75))
            report("writing", f"story longer than the model's context: condensing {len(passages)} passages (pass {rounds})")
            story = "\n\n".join(self.ask("condense", "condense", "screenwriter", Condensed,
                                         {"passage": p, "words": words}).text for p in passages)
        return story

    def write(self, story: str) -> Screenplay:
        opts = self.options
        if getattr(self.writer, "reads_prompts", False):  # a model reads the story: what speaks to it is left out
            story = self.leave_out_studio_text(story)
        story = self.condense(story)
        beats = len([p for p in story.split("\n\n") if p.strip()])
        base = {"story": story, "style": opts.style or "", "scenes": opts.scenes or 0, "beats": beats}

        report("writing", "brief: the CEO drafts, the Director reviews")
        brief = self.converse("brief", "ceo", "director", Brief, base, rounds=1, check=self._check_brief)
        report("writing", f"brief: {brief.title!r}, {brief.scene_count} scenes, {brief.genre}")

        report("writing", "design: the Director designs style and cast, the CEO reviews")
        design = self.converse("design", "director", "ceo", Design, {**base, "brief": brief}, rounds=1)
        report("writing", f"design: {design.style.look}; cast {', '.join(c.name for c in design.characters) or 'none'}")

        report("writing", "screenplay: the Screenwriter writes, the Reviewer critiques")
        plans = self.converse("screenplay", "screenwriter", "reviewer", ScenePlans,
                              {**base, "brief": brief, "design": design}, rounds=opts.writing.review_rounds,
                              check=lambda d: _check_scenes(d, brief, design))

        report("writing", "storyboard: the Filmmaker writes the Base Description and cuts the scenes into shots")
        with_context = [{**p.model_dump(mode="json"), "context_previous": plans.scenes[i - 1].environment if i else ""}
                        for i, p in enumerate(plans.scenes)]
        storyboard = self.converse("storyboard", "filmmaker", "director", Storyboard,
                                   {**base, "brief": brief, "design": design, "scenes_with_context": with_context},
                                   rounds=1, check=lambda b: _check_storyboard(b, plans))
        return assemble_screenplay(brief, design, plans, storyboard)

    def leave_out_studio_text(self, story: str) -> str:
        kept, left_out = without_studio_text(story)
        if left_out:
            first = " ".join(left_out[0].split()[:8])
            report("writing", f"left out {len(left_out)} passage{'s' if len(left_out) > 1 else ''} addressed to the "
                              f"studio, not part of the story (\"{first}\u2026\")")
        if not kept.strip():
            raise WritingError("the story has nothing to film: all of it speaks to the studio, none of it tells a story")
        return kept

    def _check_brief(self, brief: Brief) -> list:
        wanted = self.options.scenes
        if wanted and brief.scene_count != wanted:
            return [ReviewNote(point=f"the client asked for exactly {wanted} scenes, the brief has {brief.scene_count}")]
        return []


_SENTENCE = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]*\s+")


def without_studio_text(story: str) -> tuple[str, list[str]]:
    """The story less the sentences addressed to the studio (a paragraph that opens with one, or is mostly such,
    goes whole), and what was left out. A story with none comes back unchanged."""
    kept: list[str] = []
    left_out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", story):
        sentences = [s for s in _split_sentences(paragraph) if s.strip()]
        said = [addressed_to_studio(s) for s in sentences]
        if not any(said):
            kept.append(paragraph)
        elif said[0] or 2 * sum(said) >= len(said):
            left_out.append(paragraph.strip())
        else:
            left_out += [s for s, to_studio in zip(sentences, said) if to_studio]
            kept.append(" ".join(s for s, to_studio in zip(sentences, said) if not to_studio))
    return (story if not left_out else "\n\n".join(p for p in kept if p.strip())), left_out


def _split_sentences(paragraph: str) -> list[str]:
    parts, start = [], 0
    for end in _SENTENCE.finditer(paragraph):
        parts.append(paragraph[start:end.end()].strip())
        start = end.end()
    return parts + [paragraph[start:].strip()]


def _check_scenes(plans: ScenePlans, brief: Brief, design: Design) -> list:
    notes = []
    if len(plans.scenes) != brief.scene_count:
        notes.append(ReviewNote(point=f"the brief asks for {brief.scene_count} scenes, the draft has {len(plans.scenes)}"))
    known = {c.id for c in design.characters}
    for scene in plans.scenes:
        unknown = {c for c in scene.characters if c not in known}
        unknown |= {l.speaker for l in scene.dialogue if l.speaker != "narrator" and l.speaker not in known}
        if unknown:
            notes.append(ReviewNote(scene_id=scene.id, point=f"unknown character ids {sorted(unknown)}; use ids from the cast"))
    return notes


def _check_storyboard(board: Storyboard, plans: ScenePlans) -> list:
    have = [s.scene_id for s in board.scenes]
    want = [s.id for s in plans.scenes]
    if have != want:
        return [ReviewNote(point=f"give shots for exactly the scenes {want} in that order (got {have})")]
    return []


def assemble_screenplay(brief: Brief, design: Design, plans: ScenePlans, storyboard: Storyboard) -> Screenplay:
    cuts = {s.scene_id: s for s in storyboard.scenes}
    try:
        scenes = [Scene(index=i, shots=cuts[p.id].shots, transition=cuts[p.id].transition, **p.model_dump())
                  for i, p in enumerate(plans.scenes, start=1)]
        return Screenplay(version=SCREENPLAY_VERSION, brief=brief, style=design.style, characters=design.characters,
                          narrator=design.narrator, base_description=storyboard.base_description, scenes=scenes)
    except (KeyError, ValidationError) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else f"no shots for scene {exc}"
        raise WritingError(f"the phases' answers do not make a valid screenplay: {detail}", phase="storyboard", role="filmmaker") from exc


def transcript_text(messages: list[Message]) -> str:
    out = []
    for m in messages:
        body = m.content
        if m.role not in ("system", "studio"):
            try:
                body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
            except ValueError:
                pass
        out.append(f"--- {m.phase} · {m.role}\n{body}")
    return "\n".join(out)
