"""What a run would make, known before it starts: per scene and shot its keyframe, voice lines and clip; the film.

The plan is the flow's own steps (`dreamfactory.steps`), looked up in the store by their content keys, in the
flow's order: a step is made when its record is there. The screenplay comes first: while its record is not there,
the plan says it is to write, and everything after it to make (how much is known once it is written). A step whose
inputs are not made yet (a clip whose keyframe is new) is planned as "to make" without a key. Nothing runs here: no
writer, no render, no store write.

No Prefect here: `dreamfactory plan` and the CLI's answer-at-once path import this module before Prefect.
"""

from __future__ import annotations

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
        out: dict[str, int] = {}
        for step in self.to_make():
            if step.certain == certain:
                out[step.kind] = out.get(step.kind, 0) + 1
        return out


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
    film_steps = steps.film_steps(screenplay, options)
    out = Planned(plan=FilmPlan(project=project, store=store.url, screenplay_sha=written.sha,
                                backends=backends.describe(options), writing=writing,
                                film=PlannedStep(kind="film", stored=False)), written=written)
    plan = out.plan

    base = out.base = steps.found(store, project, film_steps.base, steps.base_key(screenplay, options))
    plan.base = PlannedStep(kind="base_frame", key=base and base.key, stored=base is not None,
                            why="" if base else "the Base frame is not in the store")
    keyframes = {(s.scene_id, s.shot_id): steps.found(store, project, s, steps.keyframe_key(s, screenplay, base, options))
                 if base else None for s in film_steps.keyframes}
    sounds = {s.scene_id: steps.found(store, project, s, steps.speech_key(s, screenplay, options))
              for s in film_steps.speeches}
    clips, waiting = {}, {}
    for step in film_steps.clips:
        keyframe, sound = keyframes[step.scene_id, step.shot_id], sounds[step.scene_id]
        end = keyframes[step.scene_id, step.end_shot_id] if step.end_shot_id else None
        waits = [n for n, v in (("keyframe", keyframe), ("next keyframe", end or not step.end_shot_id), ("speech", sound))
                 if not v]
        clips[step.scene_id, step.shot_id] = None if waits else \
            steps.found(store, project, step, steps.clip_key(step, screenplay, keyframe, sound, options, end))
        waiting[step.scene_id, step.shot_id] = waits

    for scene in screenplay.scenes:
        sid, shot_lines = scene.id, scene.shot_lines()
        shots = [ShotPlan(id=s.id, framing=s.framing, lines=shot_lines.get(s.id, []), description=s.description)
                 for s in scene.shots]
        planned: list[PlannedStep] = []
        for shot in scene.shots:
            made = keyframes[sid, shot.id]
            planned.append(PlannedStep(kind="keyframe", scene_id=sid, shot_ids=[shot.id], stored=made is not None,
                                       key=made and made.key, certain=made is not None or base is not None,
                                       why="" if made else ("its inputs changed" if base else "after the Base frame")))
        by_shot = {i: shot_id for shot_id, lines in shot_lines.items() for i in lines}
        for index, line in enumerate(scene.dialogue if options.sound.enabled else []):
            if speakable(line.text):
                key = line_store_key(project, line_key(line.text, speaker_voice(screenplay, line.speaker)))
                have = store.exists(key)
                planned.append(PlannedStep(kind="voice_line", scene_id=sid, shot_ids=[by_shot.get(index, "")], line=index,
                                           key=key, stored=have, why="" if have else f"{line.speaker}: {line.text[:60]}"))
        sound = sounds[sid]
        planned.append(PlannedStep(kind="speech", scene_id=sid, shot_ids=[s.id for s in scene.shots],
                                   stored=sound is not None, key=sound and sound.key,
                                   why="" if sound else "the scene's speech track, from its lines"))
        for step in (s for s in film_steps.clips if s.scene_id == sid):
            clip, waits = clips[sid, step.shot_id], waiting[sid, step.shot_id]
            why = f"after its {' and '.join(waits)} (reused if that comes out identical)" if waits else "its inputs changed"
            planned.append(PlannedStep(kind="clip", scene_id=sid, shot_ids=[step.shot_id], stored=clip is not None,
                                       certain=not waits, key=clip and clip.key, why="" if clip else why))
        plan.scenes.append(ScenePlan(scene_id=sid, index=scene.index, shots=shots, steps=planned))

    out.keyframes = [keyframes[s.scene_id, s.shot_id] for s in film_steps.keyframes]
    out.clips = [clips[s.scene_id, s.shot_id] for s in film_steps.clips]
    out.sounds = [sounds[s.scene_id] for s in film_steps.speeches]
    if base is not None and None not in out.keyframes + out.clips + out.sounds:
        key = steps.film_key(store, screenplay, out.clips, out.sounds, options)
        film = out.film = steps.found(store, project, film_steps.film, key)
        plan.film = PlannedStep(kind="film", key=layout.film(project, key), stored=film is not None,
                                why="" if film else "a new cut of stored shots")
    else:
        plan.film = PlannedStep(kind="film", stored=False, certain=False, why="after the renders above")
    if not plan.nothing_to_do:  # the answer-at-once path reads no render records
        _estimate(store, plan, options, [s for s in out.sounds if s is not None])
    return out


# -- estimates from earlier render records ---------------------------------------------------------------------
def _records(store: Store, project: str, limit: int = 400) -> list[dict]:
    """Render records of this project, else of the store's other projects (newest folders are not ranked)."""
    import json

    def of(prefix: str) -> list[dict]:
        rows = []
        for sub in ("base", "keyframes", "clips", "films"):
            for key in store.list(f"{prefix}/{sub}"):
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
    per: dict[str, list[float]] = {}
    clip_rate: list[float] = []
    for r in _records(store, plan.project):
        kind = r.get("kind")
        if kind in want and (r.get("renderer"), r.get("identity")) != want[kind]:
            continue
        size_ok = r.get("inputs", {}).get("width") in (None, options.render.width)
        if kind == "clip" and size_ok and r.get("inputs", {}).get("duration"):
            clip_rate.append(r["seconds"] / r["inputs"]["duration"])
        elif kind in ("base_frame", "keyframe", "film") and (size_ok or kind == "film"):
            per.setdefault(kind, []).append(r.get("seconds", 0.0))
    mean = {k: sum(v) / len(v) for k, v in per.items() if v}
    rate = sum(clip_rate) / len(clip_rate) if clip_rate else None
    spans = {(s.scene_id, span.shot_id): span.duration for s in sounds for span in s.shots}
    default_span = (sum(spans.values()) / len(spans)) if spans else 3.0
    known = []
    total = 0.0
    for step in plan.to_make():
        if step.kind in ("base_frame", "keyframe"):
            guess = mean.get(step.kind, mean.get("keyframe" if step.kind == "base_frame" else "base_frame"))
        elif step.kind == "clip":
            span = spans.get((step.scene_id, step.shot_ids[0] if step.shot_ids else ""), default_span)
            guess = rate * span if rate is not None else None
        elif step.kind == "film":
            guess = mean.get("film")
        else:
            guess = None
        if guess is not None:
            step.estimate = round(guess, 2)
            total += guess
            known.append(step.kind)
    plan.estimate = round(total, 1)
    counts = {k: len(v) for k, v in per.items()} | ({"clip": len(clip_rate)} if clip_rate else {})
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
