"""The nightly batch: each story stands alone; one row per story; Completed only when every story has its film."""

from __future__ import annotations

import re

import pytest

from dreamfactory.batch import read_stories
from dreamfactory.settings import FilmOptions, RenderSettings, SoundSettings
from dreamfactory.story import MAX_STORY_BYTES

pytestmark = pytest.mark.usefixtures("prefect_harness")

GOOD = {
    "fox.txt": "The Fox\n\nA red fox crossed the snowy field at dawn.\n\nAt night the fox slept in the forest.\n",
    "owl.txt": "The Owl\n\nAn old owl watched the village from the church tower.\n\nAt dawn the owl flew home.\n",
}
DOOMED = {"volcano.txt": "The Volcano\n\nThe volcano rumbled over the island.\n\nAsh fell on the volcano's villages.\n"}
BAD = {
    "empty.txt": (b"", "is empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
    "latin1.txt": ("Café au lait à la plage.".encode("latin-1"), "is not UTF-8"),
    "long.txt": (b"word " * (MAX_STORY_BYTES // 5 + 1), "is longer than"),
}


@pytest.fixture
def inbox(request, tmp_path):
    """(folder URL, store URL, write(name, bytes), remove(name)): a folder people drop stories into, and a store."""
    if request.param == "local":
        folder = tmp_path / "inbox"
        folder.mkdir()
        return str(folder), str(tmp_path / "store"), (lambda n, b: (folder / n).write_bytes(b)), (lambda n: (folder / n).unlink())
    import s3fs

    bucket = request.getfixturevalue("s3_env")  # s3://films-x/studio
    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    folder = bucket.replace("/studio", "/inbox")
    return folder, bucket, (lambda n, b: fs.pipe_file(f"{folder}/{n}", b)), (lambda n: fs.rm_file(f"{folder}/{n}"))


def table_of(state) -> list[dict]:
    """The batch run's table artifact, as the UI shows it."""
    import json

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["film-new-stories"]),
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    # Cells are markdown with the story folder's text escaped (escape.table_cell): the UI shows them unescaped.
    return [{k: re.sub(r"\\(.)", r"\1", v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def make_film_runs(state) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[state.state_details.flow_run_id])))


def overlap(runs) -> bool:
    spans = sorted((r.start_time, r.end_time) for r in runs)
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))


def failing_volcano_clips(monkeypatch) -> list[str]:
    """A clip backend made to fail in the test: the animatic fails every clip of the volcano story, every try."""
    from dreamfactory.renderers.animatic import AnimaticClips

    tries, real = [], AnimaticClips.render

    def render(clips, request, keyframe, out_path, attempt=1):
        if "volcano" in (request.prompt + request.action).lower():
            tries.append(request.shot_id)
            raise RuntimeError(f"drill: the volcano's clips always fail ({request.scene_id}/{request.shot_id})")
        return real(clips, request, keyframe, out_path, attempt=attempt)

    monkeypatch.setattr(AnimaticClips, "render", render)
    return tries


def films_meet(monkeypatch, parties: int) -> None:
    """A barrier instead of a race: the first `parties` films each wait, inside their own make-film run, until all of
    them have begun writing. Films made one after another never meet: the first waits in vain and fails."""
    import threading

    import tasks.writing

    barrier, calls, real = threading.Barrier(parties, timeout=90), [], tasks.writing.write_project

    def write_project(*args, **kwargs):
        calls.append(1)
        if len(calls) <= parties:
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.writing, "write_project", write_project)


@pytest.mark.slow  # two nights of a batch: seven stories, three films through the flow, each night
@pytest.mark.parametrize("inbox, concurrency", [("local", 2), ("s3", 1)], indirect=["inbox"])
def test_every_good_story_is_filmed_whatever_the_others_do(inbox, concurrency, monkeypatch):
    from flows.film_folder import film_new_stories

    folder, store, write, remove = inbox
    for name, text in {**GOOD, **DOOMED}.items():
        write(name, text.encode())
    for name, (data, _) in BAD.items():
        write(name, data)
    options = FilmOptions(scenes=2, store=store, render=RenderSettings(width=160, height=96, fps=8),
                          sound=SoundSettings(enabled=False))
    doomed = failing_volcano_clips(monkeypatch)
    if concurrency > 1:
        films_meet(monkeypatch, concurrency)

    first = film_new_stories(folder, options, batch_concurrency=concurrency, return_state=True)
    rows = {row["path"].rsplit("/", 1)[-1]: row for row in table_of(first)}
    assert sorted(rows) == sorted([*GOOD, *DOOMED, *BAD])  # one row per file, in the UI
    assert all(rows[name]["film"] and rows[name]["seconds"] > 0 and not rows[name]["reason"] for name in GOOD)
    for name, (_, why) in BAD.items():
        assert why in rows[name]["reason"] and name in rows[name]["reason"] and not rows[name]["film"]
    assert "make-film failed: clip of s0" in rows["volcano.txt"]["reason"] and doomed
    assert first.is_failed()  # only after trying them all: every good story has its film
    assert all(name in first.message for name in [*BAD, *DOOMED]) and not any(name in first.message for name in GOOD)
    runs = make_film_runs(first)
    assert len(runs) == len(GOOD) + len(DOOMED)  # a make-film run per story, under the batch run
    assert overlap(runs) == (concurrency > 1)

    # The next night: the failed film is tried again (and made, its backend mended); the good ones make nothing new;
    # the unreadable ones are named again with the same line.
    monkeypatch.undo()
    second = film_new_stories(folder, options, batch_concurrency=concurrency, return_state=True)
    again = {row["path"].rsplit("/", 1)[-1]: row for row in table_of(second)}
    assert all(again[name]["film"] == rows[name]["film"] and again[name]["seconds"] == 0 for name in GOOD)
    assert again["volcano.txt"]["film"] and again["volcano.txt"]["seconds"] > 0
    assert all(again[name]["reason"] == rows[name]["reason"] for name in BAD) and second.is_failed()
    assert len(make_film_runs(second)) == 1

    for name in BAD:
        remove(name)
    third = film_new_stories(folder, options, return_state=True)
    assert third.is_completed() and not make_film_runs(third)
    assert [row.film for row in third.result()] == [again[name]["film"] for name in sorted([*GOOD, *DOOMED])]


def test_unreadable_stories_are_named_without_reading_them_whole(tmp_path):
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "fox.txt").write_text(GOOD["fox.txt"])
    stories = {s.path.rsplit("/", 1)[-1]: s for s in read_stories(str(tmp_path))}
    assert stories["fox.txt"].project.startswith("the-fox") and not stories["fox.txt"].reason
    for name, (_, why) in BAD.items():
        assert why in stories[name].reason and str(tmp_path / name) in stories[name].reason and "\n" not in stories[name].reason


def test_the_nightly_deployment_takes_the_batch_concurrency():
    from prefect.utilities.callables import parameter_schema

    from deployments.deploy import build
    from flows.film_folder import film_new_stories
    from tests.conftest import ROOT

    [nightly] = [d for d in build(str(ROOT), "s3://inbox/stories", None, 3) if d.name == "nightly"]
    assert nightly.parameters == {"folder": "s3://inbox/stories", "batch_concurrency": 3}
    assert "batch_concurrency" in parameter_schema(film_new_stories).properties  # the UI's form shows it
