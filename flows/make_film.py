"""make-film: a story in, one multi-scene MP4 out — the paper's pipeline as a Prefect flow."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.flow_runs import pause_flow_run

from dreamfactory.editing import ScreenplayApproval
from dreamfactory.film import FilmResult
from dreamfactory.settings import FilmOptions
from flows.render_film import render_film
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
    options = options.resolved()  # an empty store means the worker's own

    # 1. Write the screenplay: brief (CEO, Director), design (Director), scenes (Screenwriter, Reviewer rounds),
    #    storyboard with the Base Description and keyframe prompts (Filmmaker).
    written = write_screenplay(story, options, rewrite)

    # 1b. Optionally pause for a person: read the screenplay artifact in the UI, edit fields, approve.
    if review_gate:
        approval = pause_flow_run(wait_for_input=ScreenplayApproval, timeout=gate_timeout, poll_interval=2)
        written = apply_gate(written, approval, options)

    # 2-4. Base frame and BD, then keyframe, voices and clip per scene, then assembly (see flows/render_film.py).
    return render_film(written, options)


if __name__ == "__main__":
    result = make_film(SAMPLE_STORY.read_text(encoding="utf-8"), FilmOptions(scenes=4))
    print(result.film)
