"""Keyframe Iteration Design as plain functions: plan each render from the screenplay, make it once.

The Base frame fixes style, cast and world; its Base Description (BD) goes into every keyframe's prompt with
the previous scene's environment, C(t-1). A render is made only when its content address (backend identity +
the request fields the backend reads) is not in the store yet; its record says how to make it again exactly.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Literal

from PIL import Image

from . import backends, layout
from .errors import RenderError, SettingsError
from .progress import report
from .contracts import CharacterLook, ClipRequest, KeyframeRequest, Made, RenderRecord
from .renderers.base import cover_fit, render_key
from .contracts.screenplay import Screenplay
from .settings import FilmOptions
from .store import Store, digest, sha256_bytes, sha256_file


def scene_seed(project_seed: int, scene_id: str, salt: str = "") -> int:
    """A seed per (project seed, scene id): inserting or reordering scenes changes no other scene's seed."""
    return int(hashlib.sha256(f"{project_seed}:{scene_id}:{salt}".encode()).hexdigest()[:8], 16)


def shot_seed(project_seed: int, scene_id: str, shot_id: str, salt: str = "") -> int:
    """A seed per (project seed, scene id, shot id): adding or removing a shot changes no other shot's seed."""
    return scene_seed(project_seed, f"{scene_id}/{shot_id}", salt)


def _looks(screenplay: Screenplay, ids: list[str], scene_id: str | None = None) -> tuple[CharacterLook, ...]:
    """The characters as a render draws them: in a scene, each in the look of that scene's period (after a time skip
    that changed it); on the Base frame, in their first look."""
    scene_ids = [scene.id for scene in screenplay.scenes]
    looks = []
    for cid in ids:
        c = screenplay.character(cid)
        c = c.look_in(scene_id, scene_ids) if scene_id else c
        looks.append(CharacterLook(id=c.id, name=c.name, kind=c.kind, appearance=c.appearance, wardrobe=c.wardrobe,
                                   props=list(c.props)))
    return tuple(looks)


def in_frame(screenplay: Screenplay, scene_id: str, shot_id: str) -> list[str]:
    """Who a shot shows, its subject first: the shot's own list, else the scene's cast."""
    scene = screenplay.scene(scene_id)
    return list(scene.shot(shot_id).characters or scene.characters)


def compose_prompt(screenplay: Screenplay, scene_id: str, shot_id: str, iteration: bool = True) -> str:
    """The exact prompt of a shot's keyframe: the shot, its scene, C(t-1), then the Base Description (most specific
    first, so the shot is never what an encoder cuts); without Keyframe Iteration (the ablation) neither C(t-1) nor BD."""
    scene = screenplay.scene(scene_id)
    shot = scene.shot(shot_id)
    context = screenplay.previous_environment(scene_id) if iteration else ""
    parts = [
        shot.keyframe_prompt.strip().rstrip(".") + ".",
        scene.action.strip(),
        f"Scene: {scene.setting}, {scene.time_of_day}; {scene.environment}.",
        f"Continuing from the previous scene: {context}." if context else "",
        f"{screenplay.style.look}.",
        screenplay.base_description.text.strip() if iteration else "",
    ]
    return " ".join(p for p in parts if p)


def plan_base(screenplay: Screenplay, options: FilmOptions) -> KeyframeRequest:
    first = screenplay.scenes[0]
    r = options.render
    return KeyframeRequest(
        scene_id="base",
        prompt=f"{screenplay.style.look}. {screenplay.base_description.text.strip()} Character sheet, full figures, {first.setting}.",
        negative_prompt=screenplay.style.negative,
        caption=screenplay.brief.title,
        setting=first.setting, time_of_day=first.time_of_day, environment=first.environment,
        look=screenplay.style.look, palette=tuple(screenplay.style.palette),
        characters=_looks(screenplay, [c.id for c in screenplay.characters]),
        seed=scene_seed(options.seed, "base"), width=r.width, height=r.height)


def plan_keyframe(screenplay: Screenplay, scene_id: str, shot_id: str, base: Made, options: FilmOptions,
                  review_round: int = 0) -> KeyframeRequest:
    """A shot's keyframe: its framing, prop and cast in frame (subject first), from BD + C(t-1) + the shot.
    `review_round` > 0: the Reviewer's gate asks again, with a new seed and a closer tie to the Base frame."""
    scene = screenplay.scene(scene_id)
    shot = scene.shot(shot_id)
    r = options.render
    iteration = r.keyframe_iteration
    tie = None if review_round == 0 else max(0.15, r.keyframe_strength - 0.15 * review_round)
    return KeyframeRequest(
        scene_id=scene.id, shot_id=shot.id, framing=shot.framing, prop=shot.prop,
        prompt=compose_prompt(screenplay, scene_id, shot_id, iteration),
        negative_prompt=screenplay.style.negative,
        caption=shot.description,
        setting=scene.setting, time_of_day=scene.time_of_day, environment=scene.environment,
        context=screenplay.previous_environment(scene_id) if iteration else "",
        look=screenplay.style.look, palette=tuple(screenplay.style.palette),
        characters=_looks(screenplay, in_frame(screenplay, scene_id, shot_id), scene_id),
        base_frame_sha=base.sha256 if iteration else None,
        seed=shot_seed(options.seed, scene.id, shot.id, f"keyframe{review_round or ''}" + (f"-take{shot.take}" if shot.take else "")),
        width=r.width, height=r.height, tie_strength=tie)


def plan_clip(screenplay: Screenplay, scene_id: str, shot_id: str, keyframe: Made, duration: float, options: FilmOptions,
              end_keyframe: Made | None = None) -> ClipRequest:
    """A shot's clip: its keyframe set in motion for exactly its span (`duration`, from the scene's speech timing);
    `end_keyframe`: the next shot's keyframe, for backends that read `end_keyframe_sha`."""
    scene = screenplay.scene(scene_id)
    shot = scene.shot(shot_id)
    r = options.render
    return ClipRequest(
        scene_id=scene.id, shot_id=shot.id, framing=shot.framing, keyframe_sha=keyframe.sha256,
        end_keyframe_sha=end_keyframe.sha256 if end_keyframe is not None else None,
        prompt=f"{shot.keyframe_prompt.strip().rstrip('.')}. {scene.action.strip()}",
        negative_prompt=screenplay.style.negative, camera=shot.camera, action=scene.action,
        duration=round(duration, 3), fps=r.fps, width=r.width, height=r.height,
        seed=shot_seed(options.seed, scene.id, shot.id, "clip"))


def wants_end_keyframe(options: FilmOptions) -> bool:
    """Whether the clip backend renders first-last-frame: then each shot's clip ends on the next shot's keyframe."""
    return "end_keyframe_sha" in backends.clip_renderer(options.render).reads


def uses_gpu(renderer) -> bool:
    """Whether a render holds a slot of the `gpu` limit: the offline animatic and remote APIs do not."""
    declared = getattr(renderer, "uses_gpu", None)
    return bool(declared) if declared is not None else renderer.name not in ("animatic", "openai")


def _stored(store: Store, kind: str, scene_id: str, shot_id: str, object_key: str) -> Made | None:
    """The Made of an object already in the store (its record is written last, so it means complete; an object
    deleted by hand since is made again)."""
    record_key = layout.record(object_key)
    if not (store.exists(record_key) and store.exists(object_key)):
        return None
    record = store.read_model(record_key, RenderRecord)
    return Made(kind=kind, scene_id=scene_id, shot_id=shot_id, key=object_key, sha256=record.sha256, made=False)


def read_image(store: Store, key: str) -> Image.Image:
    return Image.open(io.BytesIO(store.read_bytes(key))).convert("RGB")


def png_bytes(image: Image.Image, compress_level: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


@contextmanager
def backend_errors(what: str, renderer) -> Iterator[None]:
    """A backend's own failure becomes a RenderError naming the render; ours pass through as they are."""
    try:
        yield
    except (RenderError, SettingsError):
        raise
    except Exception as exc:
        raise RenderError(f"{what} failed in {renderer.name}: {exc}") from exc


def make_keyframe(store: Store, project: str, request: KeyframeRequest, options: FilmOptions, base: Made | None = None,
                  kind: Literal["base_frame", "keyframe"] = "keyframe", score: Callable | None = None,
                  attempt: int = 1) -> Made:
    """Render a keyframe (or the Base frame) unless the store has it; `score(image, base_image)` is recorded with it,
    and so is what the backend says it did (`last_notes`: what each text encoder read, memory choices, back-offs).
    `attempt`: the Prefect try of this render (1 first), for a backend's out-of-memory back-off."""
    renderer = backends.keyframe_renderer(options.render)
    key = render_key(renderer, request)
    object_key = layout.base_frame(project, key) if kind == "base_frame" else \
        layout.keyframe(project, request.scene_id, request.shot_id, key)
    if found := _stored(store, kind, request.scene_id, request.shot_id, object_key):
        return found
    started = time.perf_counter()
    # A backend that never looks at the Base frame (the animatic) gets none unless a score compares with it.
    wanted = score is not None or "base_frame_sha" in renderer.reads
    base_image = read_image(store, base.key) if base is not None and wanted else None
    with backend_errors(f"{kind} of {_name(request)}", renderer):
        image = renderer.render(request, base_image, attempt=attempt)
        notes = dict(getattr(renderer, "last_notes", None) or {})  # read in this thread, right after its render
    image = cover_fit(image, request.width, request.height)
    scores = [score(image, base_image)] if score is not None and base_image is not None else []
    data = png_bytes(image, 1)  # ~5x faster than the default level, ~30% larger
    seconds = time.perf_counter() - started
    wrote = store.put_bytes(object_key, data)
    return _recorded(store, project, kind, request, renderer, key, object_key, wrote, sha256_bytes(data), len(data),
                     seconds, attempt, notes, scores)


def _name(request: KeyframeRequest | ClipRequest) -> str:
    return f"{request.scene_id}/{request.shot_id}" if request.shot_id else request.scene_id


def _recorded(store: Store, project: str, kind: str, request: KeyframeRequest | ClipRequest, renderer, key: str,
              object_key: str, wrote: bool, sha: str, size: int, seconds: float, attempt: int, notes: dict,
              scores: list | None = None, detail: str = "") -> Made:
    """Write a render's record beside its object (last: its presence means 'made') and say so. `sha` is ours, unless
    a concurrent run's object got to the key first (not `wrote`): then the key's."""
    sha = sha if wrote else sha256_file(store.local_file(object_key))
    record = RenderRecord(kind=kind, project=project, scene_id=request.scene_id, shot_id=request.shot_id,
                          object_key=object_key, render_key=key, sha256=sha, bytes=size, renderer=renderer.name,
                          identity=renderer.identity(), inputs=request.model_dump(mode="json"), seed=request.seed,
                          seconds=round(seconds, 3), attempts=attempt, notes=notes, scores=scores or [])
    store.put_json(layout.record(object_key), record)
    report(kind.replace("_", " "), f"{_name(request)} rendered in {seconds:.2f} s{detail}")
    return Made(kind=kind, scene_id=request.scene_id, shot_id=request.shot_id, key=object_key, sha256=sha, made=True,
                seconds=seconds)


def make_clip(store: Store, project: str, request: ClipRequest, options: FilmOptions, keyframe: Made, attempt: int = 1,
              end_keyframe: Made | None = None) -> Made:
    """Render a shot's clip from its keyframe unless the store has it; `attempt` counts this render's tries.
    `end_keyframe`: the image a first-last-frame model ends on (the request's `end_keyframe_sha`)."""
    renderer = backends.clip_renderer(options.render)
    key = render_key(renderer, request)
    object_key = layout.clip(project, request.scene_id, request.shot_id, key)
    if found := _stored(store, "clip", request.scene_id, request.shot_id, object_key):
        return found
    started = time.perf_counter()
    image = read_image(store, keyframe.key)
    with tempfile.TemporaryDirectory(prefix="dreamfactory-clip-") as tmp:
        out = Path(tmp) / "clip.mp4"
        with backend_errors(f"clip of {_name(request)}", renderer):
            ending = {"end_image": read_image(store, end_keyframe.key)} if end_keyframe and request.end_keyframe_sha else {}
            result = renderer.render(request, image, out, attempt=attempt, **ending)
        seconds = time.perf_counter() - started
        wrote = store.put_file(object_key, out)
        return _recorded(store, project, "clip", request, renderer, key, object_key, wrote, sha256_file(out),
                         out.stat().st_size, seconds, attempt,
                         {"frames": result.frames, **result.notes}, detail=f" ({result.frames} frames)")


def make_keyframe_checked(store: Store, project: str, screenplay: Screenplay, scene_id: str, shot_id: str, base: Made,
                          options: FilmOptions, attempt: int = 1) -> Made:
    """A shot's keyframe from BD + C(t-1), tied to the Base frame, and re-rendered while it drifts from it: a keyframe
    that fails the Reviewer's thresholds is drawn again with a new seed and a closer tie, at most `review_attempts`
    times, and the closest attempt is kept (a backend that never reads the Base frame is not gated).

    Two counters: `attempt` is the Prefect try of the task (a backend's out-of-memory back-off); `review_round` is
    the gate's own re-render, a new draw on purpose.
    """
    tied = options.render.keyframe_iteration  # the ablation draws each scene on its own, without the Base frame
    gated = review_gated(options)
    characters = in_frame(screenplay, scene_id, shot_id)
    score = None
    if gated:
        from .metrics import score_keyframe

        def score(image, base_image):
            return score_keyframe(base_image, image, characters, options.metrics).model_dump()

    best: tuple[float, Made] | None = None
    for review_round in range(options.review_attempts + 1 if gated else 1):
        request = plan_keyframe(screenplay, scene_id, shot_id, base, options, review_round)
        made = make_keyframe(store, project, request, options, base if tied else None, score=score, attempt=attempt)
        if not gated:
            return made
        record = store.read_model(layout.record(made.key), RenderRecord)
        if not record.scores:  # made before the gate was on: judge it now, without rewriting its record
            record.scores = [score(read_image(store, made.key), read_image(store, base.key))]
        verdict = gate_failures(record.scores[0], options)
        drift = record.scores[0]["style_distance"] + (record.scores[0]["face_distance"] or 0.0)
        if best is None or drift < best[0]:
            best = (drift, made)
        if not verdict:
            return made
        report("review", f"{scene_id}/{shot_id} round {review_round + 1}: {'; '.join(verdict)}")
    report("review", f"{scene_id}/{shot_id}: keeping the closest of {options.review_attempts + 1} attempts")
    return best[1]


def review_gated(options: FilmOptions) -> bool:
    """Whether the Reviewer's numbers gate keyframes: only for a backend tied to the Base frame, which a re-draw can
    bring closer to it."""
    return (options.render.keyframe_iteration and options.review_by_metrics
            and "base_frame_sha" in backends.keyframe_renderer(options.render).reads)


def gate_failures(scores: dict, options: FilmOptions) -> list[str]:
    from .metrics import KeyframeScores, failures

    return failures(KeyframeScores.model_validate(scores), options.thresholds)


def base_content_key(screenplay: Screenplay, options: FilmOptions) -> str:
    return render_key(backends.keyframe_renderer(options.render), plan_base(screenplay, options))


def keyframe_content_key(screenplay: Screenplay, scene_id: str, shot_id: str, base: Made, options: FilmOptions) -> str:
    """The first attempt's render key and, when the Reviewer's gate can act, what decides its verdicts."""
    first = render_key(backends.keyframe_renderer(options.render), plan_keyframe(screenplay, scene_id, shot_id, base, options))
    if not review_gated(options):
        return first
    return digest({"first": first, "attempts": options.review_attempts, "metrics": options.metrics,
                   "thresholds": options.thresholds})


def clip_content_key(screenplay: Screenplay, scene_id: str, shot_id: str, keyframe: Made, duration: float,
                     options: FilmOptions, end_keyframe: Made | None = None) -> str:
    """A shot's clip's render key: known once its keyframe is made and its scene's speech is timed."""
    request = plan_clip(screenplay, scene_id, shot_id, keyframe, duration, options, end_keyframe)
    return render_key(backends.clip_renderer(options.render), request)


def base_description_key(project: str, screenplay: Screenplay) -> tuple[str, bytes]:
    data = screenplay.base_description.model_dump_json(indent=2).encode()
    return layout.base_description(project, sha256_bytes(data)), data

