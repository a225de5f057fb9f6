"""The cache policy of the film's steps (tasks.common.StoreKeyed), through Prefect: a step whose object was deleted
from the store runs again, and every other step is Cached."""

from __future__ import annotations

from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from tests.conftest import SAMPLE

STEPS = ("base-frame", "keyframe-", "voice-", "clip-", "film")  # the task run names of dreamfactory.steps


def step_states(state) -> dict[str, str]:
    """{task run name: state name} of the film's steps in the flow run that ended in `state`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    return {run.name: run.state.name for run in runs if run.name.startswith(STEPS)}


def test_a_step_whose_object_was_deleted_runs_again_and_no_other(prefect_harness, tmp_path):
    from flows.make_film import make_film

    story = SAMPLE.read_text(encoding="utf-8")
    options = FilmOptions(scenes=2, store=str(tmp_path / "store"), sound=SoundSettings(enabled=False),
                          render=RenderSettings(width=160, height=96, fps=8))
    first = step_states(make_film(story, options, return_state=True))
    assert set(first.values()) == {"Completed"} and len(first) > 5  # every step ran: nothing was in the store
    deleted = sorted(tmp_path.glob("store/*/keyframes/s02/*.png"))[0]  # the image alone; its record stays
    deleted.unlink()

    state = make_film(story, options, return_state=True)
    second = step_states(state)
    assert second.keys() == first.keys()
    ran = {name for name, state in second.items() if state != "Cached"}
    assert ran == {f"keyframe-s02-{deleted.name.split('-')[0]}"}, second
    assert deleted.exists()  # drawn again, the same pixels: its clip's key is the same, and so the film's
    result = state.result()
    assert (result.keyframes.rendered, result.clips.rendered, result.film_rendered) == (1, 0, False)
