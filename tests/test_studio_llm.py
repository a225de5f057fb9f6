"""The whole studio on a chat model: Studio(ChatWriter) over the real openai client and the scripted server."""

from __future__ import annotations

import re

import pytest

from dreamfactory.agents.studio import Studio
from dreamfactory.errors import BudgetExceeded
from dreamfactory.settings import FilmOptions, WritingSettings
from dreamfactory.store import open_store
from dreamfactory.writers.openai_chat import ChatWriter
from tests.llm_server import Recorded, by_schema, llm_server  # noqa: F401 - the fixture

STORY = (
    "Mara keeps the lighthouse on the black rock. Every evening she climbs the stairs and lights the lamp.\n\n"
    "One night a storm breaks the window. Mara shields the flame with her coat until the fishing boats are home."
)
BRIEF = {"title": "The Lamp", "logline": "A keeper keeps the light burning through a storm.", "genre": "fable",
         "tone": "warm, tense", "target_seconds": 16, "scene_count": 2}
DESIGN = {
    "style": {"look": "storybook watercolour", "palette": ["#1d2b53", "#ffcc66", "#e8e4d8"],
              "lens": "35mm, eye level", "negative": "text, watermark"},
    "characters": [{"id": "mara", "name": "Mara", "appearance": "a woman of sixty, grey braid, weathered face",
                    "wardrobe": "yellow oilskin coat, blue wool sweater", "props": ["brass lantern"]}],
}


def scene(sid: str, action: str) -> dict:
    return {"id": sid, "setting": "the lighthouse lamp room", "time_of_day": "evening" if sid == "s01" else "night",
            "environment": "calm sea, warm lamp light" if sid == "s01" else "storm, rain through a broken window",
            "action": action, "characters": ["mara"],
            "dialogue": [{"speaker": "mara", "text": "Burn bright tonight."}] if sid == "s01" else [],
            "camera": "push_in", "duration": 8}


PLANS = {"scenes": [scene("s01", "Mara climbs the stairs and lights the lamp."),
                    scene("s02", "The storm breaks the window; Mara shields the flame with her coat.")]}
def shots(sid: str) -> list[dict]:
    """A wide shot of the lamp room, then Mara in close-up saying the scene's line (s01 has one, s02 none)."""
    return [
        {"id": "a", "description": f"The lamp room, {sid}.", "keyframe_prompt": f"Mara in the lamp room, {sid}",
         "camera": "hold", "framing": "wide", "characters": ["mara"], "prop": "", "duration": 3, "lines": []},
        {"id": "b", "description": "Mara, close.", "keyframe_prompt": "Mara's weathered face in lamp light",
         "camera": "push_in", "framing": "close_up", "characters": ["mara"], "prop": "", "duration": 4,
         "lines": [0] if sid == "s01" else []},
    ]


STORYBOARD = {  # the answer's form: one entry per scene, keyed by its id
    "base_description": {"text": "Storybook watercolour; Mara, sixty, grey braid, yellow oilskin; a lighthouse on a black rock."},
    "scenes": {"s01": {"shots": shots("s01"), "transition": "dissolve"}, "s02": {"shots": shots("s02"), "transition": "fade"}},
}
APPROVED = {"approved": True, "notes": []}
GOOD = {"Brief": BRIEF, "Design": DESIGN, "ScenePlans": PLANS, "Storyboard": STORYBOARD, "Review": APPROVED}
ORDER = ["Brief", "Review", "Design", "Review", "ScenePlans", "Review", "Storyboard", "Review"]


def options(server, **writing) -> FilmOptions:
    base = dict(backend="openai", base_url=server.url, model="m-main", max_retries=0, timeout=10)
    return FilmOptions(scenes=2, writing=WritingSettings(**{**base, **writing}))


def studio(server, store_dir, **writing) -> Studio:
    opts = options(server, **writing)
    return Studio(ChatWriter(opts.writing, api_key=None), open_store(store_dir), "proj", opts)


def is_screenplay_review(rec: Recorded) -> bool:
    return rec.schema_name == "Review" and "draft of the screenplay phase" in rec.last_user


def test_studio_writes_a_screenplay_then_reruns_from_the_store(llm_server, tmp_path):
    llm_server.default = by_schema(GOOD)
    first = studio(llm_server, tmp_path)
    screenplay = first.write(STORY)

    assert screenplay.brief.title == "The Lamp" and [s.id for s in screenplay.scenes] == ["s01", "s02"]
    assert screenplay.scenes[1].shots[0].keyframe_prompt == "Mara in the lamp room, s02"
    opening = screenplay.scene("s01")
    assert [(s.id, s.framing, s.characters, s.lines) for s in opening.shots] == [("a", "wide", ["mara"], []),
                                                                              ("b", "close_up", ["mara"], [0])]
    assert opening.shot_lines() == {"a": [], "b": [0]}
    assert [s.transition for s in screenplay.scenes] == ["dissolve", "fade"]
    assert screenplay.characters[0].wardrobe == "yellow oilskin coat, blue wool sweater"
    assert [r.schema_name for r in llm_server.requests] == ORDER
    assert all(r.format_type == "json_schema" for r in llm_server.requests)
    assert first.report.calls_made == 8 and first.report.answers_cached == 0
    assert first.report.tokens_made == sum(u.tokens for u in first.report.usage.values()) > 0

    again = studio(llm_server, tmp_path)
    assert again.write(STORY) == screenplay
    assert llm_server.calls == 8  # zero new calls: every answer came from the store
    assert again.report.calls_made == 0 and again.report.answers_cached == 8


def test_a_rejection_with_notes_leads_to_a_revision(llm_server, tmp_path):
    def review(rec: Recorded) -> dict:
        first_screenplay_review = is_screenplay_review(rec) and sum(map(is_screenplay_review, llm_server.requests)) == 1
        if first_screenplay_review:
            return {"approved": False, "notes": [{"scene_id": "s02", "point": "show the fishing boats coming home"}]}
        return APPROVED

    def plans(rec: Recorded) -> dict:
        if "Revise your draft" in rec.last_user:
            return {"scenes": [PLANS["scenes"][0], scene("s02", "Mara shields the flame; the fishing boats come home.")]}
        return PLANS

    llm_server.default = by_schema({**GOOD, "Review": review, "ScenePlans": plans})
    screenplay = studio(llm_server, tmp_path).write(STORY)

    names = [r.schema_name for r in llm_server.requests]
    assert names == ORDER[:6] + ["ScenePlans", "Review"] + ORDER[6:]
    revise = llm_server.requests[6]
    assert "show the fishing boats coming home" in revise.last_user and "Revise your draft of the screenplay" in revise.last_user
    assert screenplay.scene("s02").action == "Mara shields the flame; the fishing boats come home."


def test_review_rounds_are_bounded(llm_server, tmp_path):
    revisions = []

    def plans(rec: Recorded) -> dict:
        if "Revise your draft" in rec.last_user:
            revisions.append(rec)
            return {"scenes": [PLANS["scenes"][0], scene("s02", f"Mara shields the flame (revision {len(revisions)}).")]}
        return PLANS

    def review(rec: Recorded) -> dict:
        if is_screenplay_review(rec):
            return {"approved": False, "notes": [{"scene_id": "s02", "point": "more rain"}]}
        return APPROVED

    llm_server.default = by_schema({**GOOD, "Review": review, "ScenePlans": plans})
    screenplay = studio(llm_server, tmp_path, review_rounds=2).write(STORY)

    assert sum(map(is_screenplay_review, llm_server.requests)) == 2 and len(revisions) == 2
    assert llm_server.calls == 8 + 3  # a draft, then two rounds of review + revise
    assert screenplay.scene("s02").action == "Mara shields the flame (revision 2)."


def test_budget_stops_before_passing_it_and_keeps_what_was_written(llm_server, tmp_path):
    llm_server.default = by_schema(GOOD)
    measure = studio(llm_server, tmp_path / "measure")
    measure.write(STORY)
    brief_cost = measure.report.usage["brief/ceo"].tokens + measure.report.usage["brief/director"].tokens
    llm_server.reset()

    with pytest.raises(BudgetExceeded) as caught:
        studio(llm_server, tmp_path / "run", max_tokens=brief_cost + 1).write(STORY)
    assert caught.value.phase == "design" and "raise --max-tokens" in str(caught.value)
    assert [r.schema_name for r in llm_server.requests] == ["Brief", "Review"]

    llm_server.reset()
    rerun = studio(llm_server, tmp_path / "run", max_tokens=10 * measure.report.tokens_made)
    rerun.write(STORY)
    assert [r.schema_name for r in llm_server.requests] == ORDER[2:]  # only the missing calls
    assert rerun.report.answers_cached == 2 and rerun.report.calls_made == 6


def test_a_story_longer_than_the_context_is_condensed_first(llm_server, tmp_path):
    paragraphs = [f"Passage {i}: " + " ".join(["Mara climbs the stairs, trims the wick and watches the sea."] * 6)
                  for i in range(1, 9)]
    long_story = "\n\n".join(paragraphs)

    def condensed(rec: Recorded) -> dict:
        passages = re.findall(r"Passage (\d+):", rec.last_user)
        return {"text": f"Mara keeps the lamp (passages {', '.join(passages)})."}

    llm_server.default = by_schema({**GOOD, "Condensed": condensed})
    writing = studio(llm_server, tmp_path, context_tokens=600)
    screenplay = writing.write(long_story)

    condense = [r for r in llm_server.requests if r.schema_name == "Condensed"]
    assert 2 <= len(condense) < len(llm_server.requests)
    assert all(len(r.last_user) < 600 * 4 for r in condense)  # each passage fits the context
    sent = " ".join(re.findall(r"Passage (\d+):", " ".join(r.last_user for r in condense)))
    assert sent.split() == [str(i) for i in range(1, 9)]  # every passage condensed once, in order
    brief = next(r for r in llm_server.requests if r.schema_name == "Brief")
    assert "Mara keeps the lamp (passages 1, 2)" in brief.last_user and "Passage 1:" not in brief.last_user
    assert [r.schema_name for r in llm_server.requests][len(condense):] == ORDER
    assert screenplay.brief.title == "The Lamp"
    assert writing.report.usage["condense/screenwriter"].calls == len(condense)
