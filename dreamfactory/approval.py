"""The storyboard gate: before any clip is rendered, a person approves the keyframes, or asks for shots to be drawn
again (a new take: a new seed) or changed (the shot fields `dreamfactory edit` sets); the run waits in between.

While a run waits, the project's head `waiting.json` says which flow run and where its Prefect API is, so
`dreamfactory approve` (or `show`) finds it from any terminal; the run clears it when it goes on.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from . import layout
from .contracts import StoryboardApproval, Waiting
from .editing import apply_edits, find_scene, find_shot
from .errors import SettingsError
from .escape import markdown as md
from .contracts.screenplay import Screenplay
from .store import Store
from .writing import change_head

GATE_TIMEOUT = 7 * 86400  # seconds a run waits at the storyboard before it fails


def mark_waiting(store: Store, project: str, waiting: Waiting) -> None:
    store.set_head(layout.waiting_head(project), waiting.model_dump_json(indent=2).encode())


def waiting_for(store: Store, project: str) -> Waiting | None:
    data, _ = store.read_head(layout.waiting_head(project))
    return Waiting.model_validate_json(data) if data and data.strip() != b"{}" else None


def done_waiting(store: Store, project: str, flow_run_id: str) -> None:
    """Clear the head ({}: nobody waits), unless another run of the project waits there now."""
    store.update_head(layout.waiting_head(project), lambda current: b"{}" if current and
                      json.loads(current).get("flow_run_id") == flow_run_id else None)


def waiting_now(flow_run_id: str, api_url: str | None, shots: list[str], to_render: str) -> Waiting:
    return Waiting(flow_run_id=flow_run_id, api_url=api_url, shots=shots, to_render=to_render,
                   since=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def storyboard_markdown(screenplay: Screenplay, to_render: str) -> str:
    """The shot list a person approves: each shot's caption, framing, camera and cast."""
    rows = ["| shot | framing | camera | in frame | what we see |", "|---|---|---|---|---|"]
    rows += [f"| {scene.id}/{shot.id}{f' (take {shot.take + 1})' if shot.take else ''} | {shot.framing} | {shot.camera} | "
             f"{md(', '.join(shot.characters))} | {md(shot.description)} |" for scene in screenplay.scenes for shot in scene.shots]
    return (f"# {md(screenplay.brief.title)}: the storyboard\n\nNo clip is rendered until it is approved. Approving "
            f"renders {md(to_render)}.\n\nAnswer in this run's form, or from a terminal: `dreamfactory approve PROJECT` "
            "(`--redraw s03/b`, `--edit s03/b:framing=close_up`).\n\n" + "\n".join(rows))


def apply_storyboard(store: Store, project: str, approval: StoryboardApproval) -> None:
    """The gate's answer as a new screenplay version: a new take of every shot to redraw, the fields changed."""
    if not approval.approved and not approval.changes:
        raise SettingsError("the storyboard was not approved; no clip was rendered (the keyframes are kept)")
    if approval.redraw:
        def retake(head: Screenplay, sha: str) -> Screenplay:
            for ref in approval.redraw:
                scene_id, _, shot_id = ref.partition("/")
                shot = find_shot(find_scene(head, scene_id), shot_id)
                shot.take += 1
            return head

        change_head(store, project, retake)
    for change in approval.edits:
        scene_id, _, shot_id = change.shot.partition("/")
        apply_edits(store, project, scene_id, [f"{change.field}={change.value}"], shot_ref=shot_id)
