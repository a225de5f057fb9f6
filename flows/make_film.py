"""make-film: a story in, one multi-scene MP4 out — the paper's pipeline as a Prefect flow, step by step.

    1. write the screenplay (brief, design, scenes, storyboard of shots)    write-screenplay
    2. design the base: the Base frame and its Base Description             design-base
    3. a keyframe per shot, from BD + C(t-1) + the shot                     render-keyframe  keyframe-s05-b
       (with approve_storyboard: the run waits until a person approves)     publish-storyboard, apply-storyboard
    4. a speech track per scene, which times each of its shots              voice-scene      voice-s05
    5. a clip per shot, exactly its span, from its keyframe                 render-clip      clip-s05-b
    6. assemble the film: hard cuts between shots, the scenes' transitions  assemble-film

The steps and their keys come from `dreamfactory.steps` (the same list `dreamfactory plan` reads). Every step finds
in the store what is already made (`tasks.common.StoreKeyed`), so a rerun after an edit renders only the shots whose
inputs changed, and a failed render retries alone as its own task run.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, unmapped
from prefect.flow_runs import pause_flow_run
from prefect.futures import wait

from dreamfactory.contracts import ScreenplayApproval
from dreamfactory.contracts import FilmResult
from dreamfactory.settings import FilmOptions
from dreamfactory.steps import film_steps
from dreamfactory.writing import Written
from tasks.approval import apply_storyboard, ask_storyboard
from tasks.common import ensure_gpu_limit, on_store
from tasks.film import assemble, failed_for_good, publish, summary
from tasks.renders import design_base, render_clip, render_keyframe, speak_scene
from tasks.writing import apply_gate, write_screenplay

SAMPLE_STORY = Path(__file__).resolve().parent.parent / "stories" / "lighthouse.txt"


@flow(name="make-film", validate_parameters=True)
def make_film(story: str, options: FilmOptions = FilmOptions(), rewrite: bool = False, review_gate: bool = False,
              gate_timeout: int = 86400) -> FilmResult:
    """Make a film from a story.

    Args:
        story: The story's text (UTF-8). Scenes follow its paragraphs unless options.scenes says otherwise.
        options: Scenes, style, store, writer and renderer settings; empty fields take the worker's settings.
        rewrite: Discard hand edits of this story's screenplay and use the writers' version.
        review_gate: Pause after the screenplay is written, until a person approves it (with edits) in the UI.
        gate_timeout: Seconds to wait at the review gate before the run fails.
    """
    options = options.resolved()  # what the run left unset takes the worker's settings

    # 1. Write the screenplay: brief (CEO, Director), design (Director), scenes (Screenwriter, Reviewer rounds),
    #    storyboard of shots with the Base Description and keyframe prompts (Filmmaker). Like every step, it is
    #    recorded at the content key of what decides it, and taken from that record when it was written before.
    written = write_screenplay(story, options, rewrite)

    # 1b. Optionally pause for a person: read the screenplay artifact in the UI, edit fields, approve.
    if review_gate:
        approval = pause_flow_run(wait_for_input=ScreenplayApproval, timeout=gate_timeout, poll_interval=2)
        written = apply_gate(written, approval, options)

    # 2-6. Render and assemble (below; rerun-scenes starts here too).
    return render_film(written, options)


def render_film(written: Written, options: FilmOptions) -> FilmResult:
    """Steps 2-6 for a written screenplay. A plain function, not a subflow: its task runs show directly under the
    calling run in the UI, and a rerun does not pay for a second flow run."""
    project, screenplay = written.project, written.screenplay
    steps = film_steps(screenplay, options)  # every step of the film, in this order, each keyed by what decides it
    ensure_gpu_limit(options)  # the `gpu` concurrency limit every GPU render holds a slot of

    # 2. Design the base: the Base frame fixes style, cast and world; its Base Description is stored beside it.
    base = on_store(design_base, options).submit(steps.base, project, screenplay, options)

    # 3. A keyframe per shot: BD + the previous scene's context C(t-1) + the shot (framing, cast in frame, prop),
    #    tied to the Base frame and re-drawn while it drifts from it (the Reviewer's numbers).
    keyframes = on_store(render_keyframe, options).map(steps.keyframes, unmapped(project), unmapped(screenplay),
                                                       unmapped(base), unmapped(options))

    # 3b. With approve_storyboard, a person sees every keyframe before any clip is rendered: shots to draw again (a
    #     new take, a new seed) or to change are drawn again and shown again, until the storyboard is approved.
    while options.approve_storyboard:
        answer = ask_storyboard(written, keyframes, options)
        written = apply_storyboard(written, answer, options)
        if not answer.changes:
            break
        screenplay, steps = written.screenplay, film_steps(written.screenplay, options)
        keyframes = on_store(render_keyframe, options).map(steps.keyframes, unmapped(project), unmapped(screenplay),
                                                           unmapped(base), unmapped(options))
    keyframe_of = {(step.scene_id, step.shot_id): future for step, future in zip(steps.keyframes, keyframes)}

    # 4. A speech track per scene: each line in its speaker's voice, in the shot that says it; its timing gives
    #    every shot its span, and the scene lasts as long as its speech.
    sounds = on_store(speak_scene, options).map(steps.speeches, unmapped(project), unmapped(screenplay), unmapped(options))
    sound_of = {step.scene_id: future for step, future in zip(steps.speeches, sounds)}

    # 5. A clip per shot from its keyframe, exactly its span long (ending on the next shot's keyframe when the
    #    clip backend renders first-last-frame; with its fade when its scene fades). Each clip retries alone.
    clips = on_store(render_clip, options).map(
        steps.clips, unmapped(project), unmapped(screenplay), [keyframe_of[c.scene_id, c.shot_id] for c in steps.clips],
        [sound_of[c.scene_id] for c in steps.clips], unmapped(options),
        [keyframe_of.get((c.scene_id, c.end_shot_id)) for c in steps.clips])
    wait([base, *keyframes, *sounds, *clips])
    failed_for_good(steps, base, keyframes, sounds, clips)  # names what failed; the store keeps the rest

    # 6. Assemble: hard cuts between shots, each scene's transition to the next, the speech tracks and subtitles;
    #    the manifest and the contact sheet; publish the artifacts.
    film = on_store(assemble, options).submit(steps.film, project, written, base, keyframes, clips, sounds, options)
    publish(written, film, options)
    return summary(written, options, base, keyframes, clips, sounds, film)


if __name__ == "__main__":
    result = make_film(SAMPLE_STORY.read_text(encoding="utf-8"), FilmOptions(scenes=4))
    print(result.film)
