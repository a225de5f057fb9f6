"""The cache policy of the film's steps (tasks.common.StoreKeyed), through Prefect: a step whose object was deleted
from the store runs again, and every other step is Cached."""

from __future__ import annotations

from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from tests.conftest import SAMPLE

STEPS = ("base-frame", "keyframe-", "voice-", "clip-", "assemble-film")  # the task runs of dreamfactory.steps


def step_states(state) -> dict[str, str]:
    """{task run name: final state name} of the film's steps in the flow run that ended in `state`. Prefect records
    task runs from the events the run sends, after the run returns: wait until every step is there, ended."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    made = state.result()
    expected = 2 + 2 * made.shots + made.scenes  # the Base frame, a keyframe and a clip per shot, a voice per scene, the film
    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
            ended = {"film" if run.name.startswith("assemble-film") else run.name: run.state.name for run in runs
                     if run.name.startswith(STEPS) and run.state is not None and run.state.is_final()}
            if len(ended) == expected:
                return ended
            assert time.monotonic() < deadline, f"{len(ended)} of {expected} steps recorded: {sorted(ended)}"
            time.sleep(0.2)


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
