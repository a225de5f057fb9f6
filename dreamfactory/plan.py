"""What a run would make, known before it starts: per scene and shot its keyframe, voice lines and clip; the film.

The plan is the flow's own steps (`dreamfactory.steps`), looked up in the store by their content keys, in the
flow's order: a step is made when its record is there. The screenplay comes first: while its record is not there,
the plan says it is to write, and everything after it to make (how much is known once it is written). A step whose
inputs are not made yet (a clip whose keyframe is new) is planned as "to make" without a key. Nothing runs here: no
writer, no render, no store write.

No Prefect here: `dreamfactory plan` and the CLI's answer-at-once path import this module before Prefect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import layout
from .store import Store

Kind = Literal["writing", "base_frame", "keyframe", "voice_line", "speech", "clip", "film"]


class PlannedStep(BaseModel):
    """One thing a run makes, and whether the store already has it."""

    kind: Kind
    scene_id: str = ""
    shot_ids: list[str] = Field(default_factory=list, description="The shots this step serves.")
    line: int | None = Field(default=None, description="0-based dialogue line, for a voice line.")
    key: str | None = Field(default=None, description="Store key, when its inputs are known already.")
    stored: bool = Field(description="True when the store has it: a run takes it as it is.")
    certain: bool = Field(default=True, description="False when its key depends on something not made yet (a clip on "
                          "its new keyframe's pixels): a run makes it unless that comes out identical to before.")
    why: str = Field(default="", description="Why it must be made, for people.")
    estimate: float = Field(default=0.0, description="Expected seconds to make it (0 when stored).")


class ShotPlan(BaseModel):
    id: str
    framing: str
    lines: list[int]
    description: str


class ScenePlan(BaseModel):
    scene_id: str
    index: int
    shots: list[ShotPlan]
    steps: list[PlannedStep]


class FilmPlan(BaseModel):
    """What a run of these inputs would make, and what it would take from the store."""

    project: str
    store: str
    screenplay_sha: str | None = Field(default=None, description="None while the screenplay is still to be written.")
    backends: str = ""
    writing: PlannedStep | None = None
    base: PlannedStep | None = None
    scenes: list[ScenePlan] = Field(default_factory=list)
    film: PlannedStep
    estimate: float = Field(default=0.0, description="Seconds of rendering expected, from earlier render records.")
    estimate_basis: str = Field(default="", description="Which records the estimate comes from.")

    def steps(self) -> list[PlannedStep]:
        head = [s for s in (self.writing, self.base) if s is not None]
        return head + [step for scene in self.scenes for step in scene.steps] + [self.film]

    def to_make(self) -> list[PlannedStep]:
        return [s for s in self.steps() if not s.stored]

    @property
    def nothing_to_do(self) -> bool:
        return not self.to_make()

    def counts(self, certain: bool = True) -> dict[str, int]:
        """Steps to make by kind: those sure to be made (certain=True), or those made unless an input they wait
        for comes out identical (certain=False)."""
        return dict(Counter(s.kind for s in self.to_make() if s.certain == certain))


# -- planning ---------------------------------------------------------------------------------------------------
@dataclass
class Planned:
    """A plan and what the store already holds of it: when the film is there, everything a FilmResult needs."""

    plan: FilmPlan
    written: Any = None
    base: Any = None
    keyframes: list = field(default_factory=list)
    sounds: list = field(default_factory=list)
    clips: list = field(default_factory=list)
    film: Any = None


def plan_story(store: Store, story: str, options, rewrite: bool = False) -> Planned:
    """The plan of `make STORY`: the screenplay step's record, then the renders, looked up in the store."""
    from . import backends, steps
    from .writing import as_head, written_before

    project = options.project or layout.project_id(story)
    key = steps.screenplay_key(story, options, backends.writer(options.writing))
    written = written_before(store, project, key)
    if written is None:
        plan = FilmPlan(project=project, store=store.url, backends=backends.describe(options),
                        writing=PlannedStep(kind="writing", key=steps.record_key(project, steps.SCREENPLAY, key),
                                            stored=False, why="no screenplay of these inputs in the store yet"),
                        film=PlannedStep(kind="film", stored=False, certain=False, why="after the screenplay is written"))
        _estimate(store, plan, options, [])
        return Planned(plan=plan)
    written, stale = as_head(store, story, written, rewrite)
    writing = PlannedStep(kind="writing", key=layout.screenplay_version(project, written.sha), stored=not stale, why=stale)
    return plan_written(store, written, options, writing)


def plan_project(store: Store, project: str, options) -> Planned:
    """The plan of `rerun PROJECT`: the screenplay as it is now in the store (edits included)."""
    from .writing import head_of

    return plan_written(store, head_of(store, project), options, None)


def plan_written(store: Store, written, options, writing: PlannedStep | None) -> Planned:
    """Look every step of a written screenplay up in the store, in the flow's order (`dreamfactory.steps`): a step is
    made when its record is there; a step whose inputs are not made yet is to make, with no key yet."""
    from . import backends, steps
    from .voices.speech import line_key, line_store_key, speakable
    from .voices.timing import speaker_voice

    project, screenplay = written.project, written.screenplay
    todo = steps.film_steps(screenplay, options)

    def planned(kind: str, made, why: str, **more) -> PlannedStep:
        return PlannedStep(kind=kind, key=made and made.key, stored=made is not None, why="" if made else why, **more)

    def look(step, key):
        return steps.found(store, project, step, key)

    base = look(todo.base, steps.base_key(screenplay, options))
    keyframes = {(s.scene_id, s.shot_id): base and look(s, steps.keyframe_key(s, screenplay, base, options))
                 for s in todo.keyframes}
    sounds = {s.scene_id: look(s, steps.speech_key(s, screenplay, options)) for s in todo.speeches}
    clips, waiting = {}, {}
    for step in todo.clips:
        at = step.scene_id, step.shot_id
        keyframe, sound = keyframes[at], sounds[step.scene_id]
        end = keyframes[step.scene_id, step.end_shot_id] if step.end_shot_id else None
        waiting[at] = [n for n, v in (("keyframe", keyframe), ("next keyframe", end or not step.end_shot_id),
                                      ("speech", sound)) if not v]
        clips[at] = None if waiting[at] else look(step, steps.clip_key(step, screenplay, keyframe, sound, options, end))

    plan = FilmPlan(project=project, store=store.url, screenplay_sha=written.sha, backends=backends.describe(options),
                    writing=writing, base=planned("base_frame", base, "the Base frame is not in the store"),
                    film=PlannedStep(kind="film", stored=False, certain=False, why="after the renders above"))
    for scene in screenplay.scenes:
        sid, shot_lines = scene.id, scene.shot_lines()
        said_in = {i: shot_id for shot_id, lines in shot_lines.items() for i in lines}
        rows = [planned("keyframe", keyframes[sid, shot.id], "its inputs changed" if base else "after the Base frame",
                        scene_id=sid, shot_ids=[shot.id], certain=keyframes[sid, shot.id] is not None or base is not None)
                for shot in scene.shots]
        for index, line in enumerate(scene.dialogue if options.sound.enabled else []):
            if speakable(line.text):
                key = line_store_key(project, line_key(line.text, speaker_voice(screenplay, line.speaker)))
                have = store.exists(key)
                rows.append(PlannedStep(kind="voice_line", scene_id=sid, shot_ids=[said_in.get(index, "")], line=index,
                                        key=key, stored=have, why="" if have else f"{line.speaker}: {line.text[:60]}"))
        rows.append(planned("speech", sounds[sid], "the scene's speech track, from its lines", scene_id=sid,
                            shot_ids=[s.id for s in scene.shots]))
        for step in (s for s in todo.clips if s.scene_id == sid):
            waits = waiting[sid, step.shot_id]
            rows.append(planned("clip", clips[sid, step.shot_id], f"after its {' and '.join(waits)} (reused if that comes "
                                "out identical)" if waits else "its inputs changed", scene_id=sid,
                                shot_ids=[step.shot_id], certain=not waits))
        plan.scenes.append(ScenePlan(scene_id=sid, index=scene.index, steps=rows, shots=[
            ShotPlan(id=s.id, framing=s.framing, lines=shot_lines.get(s.id, []), description=s.description)
            for s in scene.shots]))

    out = Planned(plan=plan, written=written, base=base, keyframes=[keyframes[s.scene_id, s.shot_id] for s in todo.keyframes],
                  clips=[clips[s.scene_id, s.shot_id] for s in todo.clips], sounds=[sounds[s.scene_id] for s in todo.speeches])
    if base is not None and None not in out.keyframes + out.clips + out.sounds:
        key = steps.film_key(store, screenplay, out.clips, out.sounds, options)
        out.film = look(todo.film, key)
        plan.film = PlannedStep(kind="film", key=layout.film(project, key), stored=out.film is not None,
                                why="" if out.film else "a new cut of stored shots")
    if not plan.nothing_to_do:  # the answer-at-once path reads no render records
        _estimate(store, plan, options, [s for s in out.sounds if s is not None])
    return out


# -- estimates from earlier render records ---------------------------------------------------------------------
def _records(store: Store, project: str, limit: int = 400) -> list[dict]:
    """Render records of this project, else of the store's other projects (newest folders are not ranked)."""
    import json

    def of(prefix: str) -> list[dict]:
        rows = []
        for key in (k for sub in ("base", "keyframes", "clips", "films") for k in store.list(f"{prefix}/{sub}")):
            if key.endswith(".json") and "/bd-" not in key and len(rows) < limit:
                try:
                    rows.append(json.loads(store.read_bytes(key)))
                except ValueError:
                    continue
        return rows

    rows = of(project) if store.exists(project) else []
    if rows:
        return rows
    try:
        projects = [p.rsplit("/", 1)[-1] for p in store.fs.ls(store.root, detail=False)]
    except (FileNotFoundError, OSError):
        return []
    for other in projects[:20]:
        if not other.startswith(".") and other != project:
            rows += of(other)
        if len(rows) >= limit:
            break
    return rows


def _estimate(store: Store, plan: FilmPlan, options, sounds: list) -> None:
    """Seconds per render kind from earlier records made by the same renderers with the same identity."""
    from . import backends

    keyframes, clips = backends.keyframe_renderer(options.render), backends.clip_renderer(options.render)
    want = {"base_frame": (keyframes.name, keyframes.identity()), "keyframe": (keyframes.name, keyframes.identity()),
            "clip": (clips.name, clips.identity())}
    per: dict[str, list[float]] = {}  # seconds of rendering per render, for a clip per second of clip
    for r in _records(store, plan.project):
        kind, inputs = r.get("kind"), r.get("inputs", {})
        if kind in want and (r.get("renderer"), r.get("identity")) != want[kind]:
            continue
        size_ok = inputs.get("width") in (None, options.render.width)
        if kind == "clip" and size_ok and inputs.get("duration"):
            per.setdefault(kind, []).append(r["seconds"] / inputs["duration"])
        elif kind in ("base_frame", "keyframe", "film") and (size_ok or kind == "film"):
            per.setdefault(kind, []).append(r.get("seconds", 0.0))
    counts = {k: len(per[k]) for k in sorted(per, key=lambda k: k == "clip")}  # the clips' rate said last
    mean = {k: sum(v) / len(v) for k, v in per.items()}
    spans = {(s.scene_id, span.shot_id): span.duration for s in sounds for span in s.shots}
    default_span = (sum(spans.values()) / len(spans)) if spans else 3.0
    total = 0.0
    for step in plan.to_make():
        if step.kind in ("base_frame", "keyframe"):
            guess = mean.get(step.kind, mean.get("keyframe" if step.kind == "base_frame" else "base_frame"))
        elif step.kind == "clip" and "clip" in mean:
            guess = mean["clip"] * spans.get((step.scene_id, step.shot_ids[0] if step.shot_ids else ""), default_span)
        else:
            guess = mean.get("film") if step.kind == "film" else None
        if guess is not None:
            step.estimate, total = round(guess, 2), total + guess
    plan.estimate = round(total, 1)
    plan.estimate_basis = (", ".join(f"{n} {k} record(s)" for k, n in counts.items()) + f" of {keyframes.name}/{clips.name}"
                           if counts else "no earlier records with these renderers and settings")


# -- for people -----------------------------------------------------------------------------------------------
def plan_text(plan: FilmPlan) -> str:
    lines = [f"project {plan.project} — {plan.store}", f"  {plan.backends}"]
    if plan.writing is not None:
        w = plan.writing
        lines.append(f"  screenplay: {'in the store' if w.stored else ('written; ' if plan.scenes else 'to write — ') + w.why}")
        if not plan.scenes:
            lines.append("  renders: every one after the screenplay is to make (how many, once it is written)")
    if plan.base is not None:
        lines.append(f"  base frame: {_state(plan.base)}")
    for scene in plan.scenes:
        lines.append(f"  scene {scene.index} ({scene.scene_id})")
        for shot in scene.shots:
            said = f", lines {', '.join(str(i + 1) for i in shot.lines)}" if shot.lines else ""
            lines.append(f"    shot {shot.id} [{shot.framing}{said}] {shot.description[:70]}")
            for step in scene.steps:
                if step.shot_ids == [shot.id] and step.kind != "voice_line":
                    lines.append(f"      {step.kind:<9} {_state(step)}")
        for step in scene.steps:
            if step.kind in ("voice_line", "speech"):
                label = f"line {step.line + 1}" + (f" ({step.shot_ids[0]})" if step.shot_ids[0] else "") \
                    if step.kind == "voice_line" else "speech"
                lines.append(f"    {label:<11} {_state(step)}")
    lines.append(f"  film: {_state(plan.film)}")
    if any(s.kind == "clip" for s in plan.to_make()):
        lines.append(f"  clips to render: {clips_to_render(plan)}")
    if plan.nothing_to_do:
        lines.append("nothing to make: the film for these inputs is in the store")
    else:
        def words(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {k.replace('_', ' ')}{'s' if n > 1 else ''}" for k, n in counts.items()) or "nothing"

        maybe = plan.counts(certain=False)
        lines.append(f"to make: {words(plan.counts())}" + (f"; then {words(maybe)} unless what they wait for comes out "
                     "identical" if maybe else "") + f"; about {plan.estimate:.0f} s of rendering ({plan.estimate_basis}), "
                     "plus Prefect's start")
    return "\n".join(lines)


def clips_to_render(plan: FilmPlan) -> str:
    """The clips still to render and what they will cost, from earlier render records of the same clip renderer and
    settings: what the storyboard gate and `plan` tell a person before the expensive part starts."""
    clips = [s for s in plan.to_make() if s.kind == "clip"]
    timed = [s.estimate for s in clips if s.estimate]
    cost = f"about {sum(timed):.0f} s" if timed and len(timed) == len(clips) else "no estimate yet"
    return f"{len(clips)} clip{'s' if len(clips) != 1 else ''} ({cost})"


def _state(step: PlannedStep) -> str:
    if step.stored:
        return "stored"
    estimate = f" (~{step.estimate:.1f} s)" if step.estimate else ""
    return f"{'TO MAKE' if step.certain else 'to make'}{estimate}" + (f" — {step.why}" if step.why else "")
