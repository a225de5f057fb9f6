"""The storyboard gate in a run: publish the keyframes and the shot list, wait for a person, apply the answer."""

from __future__ import annotations

from prefect import runtime, task
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.settings import PREFECT_API_URL

from dreamfactory import approval as gate, layout
from dreamfactory.film import contact_sheet
from dreamfactory.plan import clips_to_render, plan_written
from dreamfactory.contracts import Made
from dreamfactory.settings import FilmOptions
from dreamfactory.show import contact_sheet_markdown
from dreamfactory.store import digest
from dreamfactory.writing import Written, load_project

from .common import NO_CACHE, store_for


@task(name="publish-storyboard", **NO_CACHE)
def publish_storyboard(written: Written, keyframes: list[Made], options: FilmOptions) -> None:
    """The contact sheet and the shot list as artifacts, and the project marked as waiting for this run."""
    store, project = store_for(options.store), written.project
    sheet = layout.contact_sheet(project, digest([k.key for k in keyframes]))
    store.put_same(sheet, contact_sheet(store, project, keyframes, (options.render.width, options.render.height)))
    to_render = clips_to_render(plan_written(store, written, options, None).plan)
    create_markdown_artifact(key="storyboard-sheet", markdown=contact_sheet_markdown(store, sheet, written.screenplay.brief.title),
                             description="The keyframes to approve before any clip is rendered")
    create_markdown_artifact(key="storyboard", markdown=gate.storyboard_markdown(written.screenplay, to_render),
                             description="The shots to approve, redraw or change")
    shots = [f"{scene.id}/{shot.id}" for scene in written.screenplay.scenes for shot in scene.shots]
    gate.mark_waiting(store, project, gate.waiting_now(str(runtime.flow_run.id), PREFECT_API_URL.value(), shots, to_render))


@task(name="apply-storyboard", **NO_CACHE)
def apply_storyboard(written: Written, answer: gate.StoryboardApproval, options: FilmOptions) -> Written:
    store = store_for(options.store)
    gate.done_waiting(store, written.project, str(runtime.flow_run.id))
    gate.apply_storyboard(store, written.project, answer)
    return load_project(store, written.project, costs=written)


def ask_storyboard(written: Written, keyframes, options: FilmOptions) -> gate.StoryboardApproval:
    """Publish the storyboard and pause the run (in the flow) until a person answers in the UI's form or with
    `dreamfactory approve`."""
    publish_storyboard(written, keyframes, options)
    return pause_flow_run(wait_for_input=gate.StoryboardApproval, timeout=gate.GATE_TIMEOUT, poll_interval=2)
