"""Concurrent writers of the store's heads lose nothing: real processes race on a local folder and on S3 (moto)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dreamfactory import layout
from dreamfactory.errors import EditConflict, StoreError
from dreamfactory.settings import FilmOptions, SoundSettings
from dreamfactory.store import open_store
from dreamfactory.writing import load_head, write_project
from tests.conftest import ROOT, SAMPLE, SMALL

DREAMFACTORY = str(Path(sys.executable).parent / "dreamfactory")
SCENES = 6


@pytest.fixture(params=["local", "s3"])
def store_url(request, tmp_path):
    """A local folder, or a bucket on moto's S3 server (which honours If-Match and If-None-Match: * on PutObject)."""
    if request.param == "local":
        return str(tmp_path / "store")
    return request.getfixturevalue("s3_env")


@pytest.fixture
def project(store_url) -> str:
    """The sample's screenplay, written by the offline draft writer: a project to edit."""
    options = FilmOptions(scenes=SCENES, store=store_url, sound=SoundSettings(enabled=False))
    return write_project(open_store(store_url), SAMPLE.read_text(encoding="utf-8"), options).project


def edit(store_url: str, project: str, scene: int, *sets: str) -> subprocess.Popen:
    args = [DREAMFACTORY, "edit", project, "--store", store_url, "--scene", str(scene)]
    return subprocess.Popen([*args, *(a for s in sets for a in ("--set", s))], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


@pytest.mark.slow  # six `dreamfactory edit` processes at once (the two-process races below stay in the fast tier)
def test_concurrent_edits_of_different_scenes_all_land(store_url, project):
    procs = [edit(store_url, project, k, f"action=Edit number {k} happens here.") for k in range(1, SCENES + 1)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * SCENES, [err for _, err in outs]
    screenplay, _ = load_head(open_store(store_url), project)
    assert [s.action for s in screenplay.scenes] == [f"Edit number {k} happens here." for k in range(1, SCENES + 1)]


# A drill, not production code: the edit process stops right after reading the head until every process of the
# race has read it, so they all start from the same version (a race that would otherwise depend on timing).
READ_TOGETHER = """
import os, sys, time
from pathlib import Path
from dreamfactory import editing
from dreamfactory.cli import main

gate, me, racers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real = editing.load_head

def load_head(store, project):
    head = real(store, project)
    (gate / me).touch()
    while len(list(gate.iterdir())) < racers:
        time.sleep(0.01)
    return head

editing.load_head = load_head
sys.exit(main(sys.argv[4:]))
"""


def race(tmp_path, edits: list[list[str]]) -> list[tuple[int, str, str]]:
    gate = tmp_path / "gate"
    gate.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", READ_TOGETHER, str(gate), str(i), str(len(edits)), "edit", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for i, args in enumerate(edits)]
    outs = [p.communicate(timeout=120) for p in procs]
    return [(p.returncode, *out) for p, out in zip(procs, outs)]


def test_an_edit_that_lost_the_race_on_another_scene_is_reapplied(tmp_path, store_url, project):
    done = race(tmp_path, [[project, "--store", store_url, "--scene", str(k), "--set", f"action=Raced edit {k}."]
                           for k in (1, 2)])
    assert [code for code, _, _ in done] == [0, 0], done
    assert sum("re-applied on screenplay" in out for _, out, _ in done) == 1  # both read the same head: one merged
    screenplay, _ = load_head(open_store(store_url), project)
    assert [s.action for s in screenplay.scenes[:2]] == ["Raced edit 1.", "Raced edit 2."]


def test_two_edits_of_the_same_field_one_lands_one_is_refused(tmp_path, store_url, project):
    store = open_store(store_url)
    head_before = store.list(f"{project}/screenplays")
    done = race(tmp_path, [[project, "--store", store_url, "--scene", "3", "--set", f"action=Version {v}."]
                           for v in ("A", "B")])
    assert sorted(code for code, _, _ in done) == [0, 2], done
    (_, won, _), (_, _, refused) = sorted(done)
    winner = "A" if "Version A" in load_head(store, project)[0].scenes[2].action else "B"
    sha = load_head(store, project)[1]
    assert refused.count("\n") == 1 and "Traceback" not in refused
    assert "scene s03 action was changed by another edit" in refused and f"screenplay {sha[:12]}" in refused
    assert f"(screenplay {sha[:12]})" in won
    assert len(store.list(f"{project}/screenplays")) == len(head_before) + 1  # the refused edit left nothing behind
    assert load_head(store, project)[0].scenes[2].action == f"Version {winner}."


def test_two_edits_of_one_field_in_one_process_one_is_refused(tmp_path):
    """The library side of a refusal: EditConflict (a SettingsError, exit 2 at the CLI) and the head untouched."""
    from dreamfactory import editing

    url = str(tmp_path / "store")
    options = FilmOptions(scenes=2, store=url, sound=SoundSettings(enabled=False))
    project = write_project(open_store(url), SAMPLE.read_text(encoding="utf-8"), options).project
    store = open_store(url)
    barrier, real = threading.Barrier(2), editing.load_head

    def load_together(store, project):  # both edits read the head before either writes (a drill)
        head = real(store, project)
        barrier.wait(30)
        return head

    outcomes = []

    def run(value):
        try:
            outcomes.append(editing.apply_edits(store, project, "1", [f"setting={value}"]))
        except EditConflict as exc:
            outcomes.append(exc)

    editing.load_head = load_together
    try:
        threads = [threading.Thread(target=run, args=(v,)) for v in ("a cave", "a harbour")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        editing.load_head = real
    conflicts = [o for o in outcomes if isinstance(o, EditConflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    assert "scene s01 setting" in str(conflicts[0])


@pytest.mark.slow  # two whole films by `dreamfactory make` processes, each starting its own Prefect server
def test_concurrent_makes_of_one_story_list_the_film_once(tmp_path):
    """Two real `make` processes, the offline default, one store: one history entry, whichever assembled it."""
    store = tmp_path / "store"
    procs = [subprocess.Popen([DREAMFACTORY, "make", str(SAMPLE), "--store", str(store), "--scenes", "2", "--json",
                               "--no-sound", *SMALL], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "HOME": str(tmp_path)}) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    films = {json.loads(out)["film_key"] for out, _ in outs}
    project = json.loads(outs[0][0])["project"]
    history = json.loads((store / layout.films_head(project)).read_text())
    assert len(films) == 1 and [h["key"] for h in history] == list(films)


def test_history_appended_by_many_writers_at_once(store_url):
    """The history's append, raced by threads: each distinct film listed once, none lost, whatever the order."""
    from dreamfactory.film import add_to_history, film_history
    from dreamfactory.contracts import RenderRecord

    store = open_store(store_url)

    def record(n: int) -> RenderRecord:
        return RenderRecord(kind="film", project="p", scene_id="", object_key=f"p/films/{n}.mp4", render_key=f"{n:064d}",
                            sha256="0" * 64, bytes=1, renderer="ffmpeg-concat", identity={},
                            inputs={"screenplay_sha": "s", "scenes": 2, "duration": 4.0})

    threads = [threading.Thread(target=add_to_history, args=(store, "p", record(n % 4))) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(f.key for f in film_history(store, "p")) == [f"p/films/{n}.mp4" for n in range(4)]


# A writer of a head that is killed (SIGKILL) at a chosen point: after reading the head, or anywhere in a loop of
# updates. The change function is the drill's own.
KILLED_WRITER = """
import sys, time
from pathlib import Path
from dreamfactory.store import open_store

store, ready, mode = open_store(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if mode == "after-read":
    def change(current):
        ready.touch()
        time.sleep(60)  # killed here, between its read and its write
        return b"never"
    store.update_head("p/head.json", change)
else:
    for n in range(10_000):
        store.set_head("p/head.json", (str(n % 2) * 400_000).encode())
        ready.touch()
"""


def test_a_writer_killed_between_read_and_write_leaves_the_old_head(tmp_path, store_url):
    store = open_store(store_url)
    store.set_head("p/head.json", b"old")
    ready = tmp_path / "ready"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, store_url, str(ready), "after-read"], cwd=ROOT)
    deadline = time.time() + 60
    while not ready.exists():
        assert writer.poll() is None and time.time() < deadline, "the writer never read the head"
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    assert store.read_bytes("p/head.json") == b"old"
    assert store.update_head("p/head.json", lambda current: current + b"+new") == (b"old+new", True)  # no lock left held


def test_a_writer_killed_while_writing_leaves_a_whole_version(tmp_path):
    url = str(tmp_path / "store")
    store = open_store(url)
    versions = {(str(n) * 400_000).encode() for n in (0, 1)}
    for attempt in range(5):
        ready = tmp_path / f"ready{attempt}"
        writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, url, str(ready), "loop"], cwd=ROOT)
        while not ready.exists():
            assert writer.poll() is None
            time.sleep(0.01)
        time.sleep(0.05 * attempt)
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
        assert store.read_bytes("p/head.json") in versions
    assert store.update_head("p/head.json", lambda current: b"after")[1]


def test_an_endpoint_without_conditional_writes_is_refused_in_one_line(s3_env, monkeypatch):
    """An S3 endpoint that accepts a conditional PUT it cannot check (an older S3-compatible server) would let the
    last writer win silently: the store refuses it before the first swap, naming the endpoint and what it lacks.
    moto honours both headers, so the fake here drops them on the way out, as such an endpoint ignores them."""
    import s3fs

    from dreamfactory import store as store_module

    real = s3fs.S3FileSystem.call_s3

    def ignoring_conditions(self, method, *args, **kwargs):  # fake: the headers never reach the endpoint
        kwargs.pop("IfMatch", None), kwargs.pop("IfNoneMatch", None)
        return real(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "call_s3", ignoring_conditions)
    monkeypatch.setattr(store_module, "_CONDITIONAL_WRITES", set())
    store = open_store(s3_env, storage_options={"skip_instance_cache": True})
    with pytest.raises(StoreError) as refused:
        store.set_head("p/head.json", b"1")
    message = str(refused.value)
    assert "\n" not in message and os.environ["AWS_ENDPOINT_URL"] in message
    assert "If-None-Match: * and If-Match" in message and not store.exists("p/head.json")


def test_the_review_form_edits_the_version_the_reviewer_saw(tmp_path):
    """The gate's form was filled in on the screenplay as written; a CLI edit landed while the run waited. The form's
    edit of another field is re-applied on top; its edit of the field the CLI changed is refused, not lost."""
    from dreamfactory.editing import apply_approval, apply_edits
    from dreamfactory.contracts import SceneEdit, ScreenplayApproval

    url = str(tmp_path / "store")
    written = write_project(open_store(url), SAMPLE.read_text(encoding="utf-8"),
                            FilmOptions(scenes=2, store=url, sound=SoundSettings(enabled=False)))
    store = open_store(url)
    apply_edits(store, written.project, "1", ["action=Changed in the terminal."])
    apply_approval(store, written.project, ScreenplayApproval(edits=[SceneEdit(scene="2", field="action", value="From the form.")]),
                   read=written.sha)
    with pytest.raises(EditConflict, match="scene s01 action was changed by another edit"):
        apply_approval(store, written.project, ScreenplayApproval(edits=[SceneEdit(scene="1", field="action", value="Mine.")]),
                       read=written.sha)
    screenplay, _ = load_head(store, written.project)
    assert [s.action for s in screenplay.scenes] == ["Changed in the terminal.", "From the form."]
