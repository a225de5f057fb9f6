"""Nothing is left behind: a command killed at any moment (SIGINT, SIGTERM, SIGKILL) leaves no process it started;
and a running Prefect server is found rather than guessed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from dreamfactory.cli import server
from tests.conftest import ROOT, SAMPLE, SMALL


def marked(marker: str) -> list[int]:
    """Live processes whose environment carries the marker: everything a test's command started, however deep."""
    found = []
    needle = f"DF_TEST_MARKER={marker}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().decode(errors="replace").rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return found


def survivors(marker: str, within: float = 8.0) -> list[int]:
    """What is still alive `within` seconds after the command ended (the guard needs a moment to end it all)."""
    deadline = time.monotonic() + within
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# A command under the guard whose work starts a child and an orphaned grandchild (a shell that backgrounds a sleep
# and exits), as the temporary Prefect server, ffmpeg and Dask workers would be.
GUARDED = textwrap.dedent("""
    import subprocess, sys, time
    from dreamfactory.cli.server import run_guarded

    def work():
        subprocess.Popen(["sleep", "300"])
        subprocess.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 &"])
        print("ready", flush=True)
        time.sleep(300)
        return 0

    sys.exit(run_guarded(work))
""")


@pytest.mark.parametrize("sig, code", [(signal.SIGKILL, -9), (signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_killed_command_leaves_no_process(sig, code):
    marker = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-c", GUARDED], stdout=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "DF_TEST_MARKER": marker})
    try:
        assert proc.stdout.readline().strip() == b"ready"
        assert len(marked(marker)) >= 4  # the command, the guard, the work, its child and its orphan
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == code
        left = survivors(marker)
        assert left == [], f"{len(left)} process(es) survived {sig.name}"
    finally:
        proc.kill()
        kill_all(marked(marker))


def test_the_guard_returns_the_work_exit_code_and_output(tmp_path):
    script = "import sys\nfrom dreamfactory.cli.server import run_guarded\nsys.exit(run_guarded(lambda: print('made') or 3))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, timeout=60)
    assert done.returncode == 3 and done.stdout == b"made\n"



def test_an_interrupt_that_surfaces_as_another_error_is_still_known_as_one():
    """Ctrl-C inside Prefect's bookkeeping can reach the command as another error (Prefect's "Task run is not set"):
    the work process remembers it was interrupted, so the command still says it was and what it kept."""
    script = textwrap.dedent("""
        import sys, time
        from dreamfactory.cli.server import interrupted, run_guarded

        def work():
            try:
                print("ready", flush=True)
                time.sleep(30)
            except KeyboardInterrupt:
                try:
                    raise ValueError("Task run is not set")
                except ValueError:
                    return 42 if interrupted() else 1
            return 0 if not interrupted() else 2

        sys.exit(run_guarded(work))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 42
    finally:
        proc.kill()
    done = subprocess.run([sys.executable, "-c", "from dreamfactory.cli.server import interrupted; print(interrupted())"],
                          capture_output=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == b"False"  # never interrupted: an error is an error

# -- finding a server ------------------------------------------------------------------------------------------
class _Health(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args):
        pass


@pytest.fixture
def health_server():
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()


@pytest.fixture
def no_prefect_env(monkeypatch, tmp_path):
    for var in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    return tmp_path


def test_server_file_is_used_only_when_healthy(no_prefect_env, health_server):
    server_file = no_prefect_env / "server.json"
    assert server.find_server(server_file) == (None, "no Prefect server running")
    server.write_server_file(server_file, health_server, os.getpid())
    assert server.find_server(server_file) == (health_server, str(server_file))
    server.write_server_file(server_file, f"http://127.0.0.1:{server.free_port()}/api", 1)  # a stale file
    assert server.find_server(server_file)[0] is None


def test_active_profile_url_is_found_and_explicit_url_wins(no_prefect_env, health_server, monkeypatch):
    home = no_prefect_env / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text(f'active = "local"\n[profiles.local]\nPREFECT_API_URL = "{health_server}"\n')
    assert server.find_server(no_prefect_env / "none.json") == (health_server, "the active Prefect profile")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert server.find_server(no_prefect_env / "none.json") == ("http://127.0.0.1:9/api", "PREFECT_API_URL")



def test_migrations_are_skipped_only_on_a_database_this_prefect_migrated(tmp_path, monkeypatch):
    """A server start runs Prefect's migrations (alembic reads every revision script: ~1.4 s) unless this very file
    was brought to this Prefect's head before; a database made again, or another Prefect, migrates again."""
    launched = []

    class Recorded:
        def __init__(self, command, env, **_):
            launched.append(env)

    monkeypatch.setattr(server.subprocess, "Popen", Recorded)
    monkeypatch.delenv("PREFECT_API_DATABASE_MIGRATE_ON_START", raising=False)
    database = tmp_path / "prefect.db"

    def migrates() -> str | None:
        server.TemporaryServer(database=database).launch()
        return launched[-1].get("PREFECT_API_DATABASE_MIGRATE_ON_START")

    assert migrates() is None  # no database yet: the server makes and migrates it
    database.write_bytes(b"SQLite format 3\0")
    assert migrates() is None  # there, but no server of ours migrated it
    server.mark_migrated(database)
    assert migrates() == "false" and launched[-1]["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "false"
    copy = tmp_path / "copy.db"
    copy.write_bytes(database.read_bytes())
    copy.replace(database)  # the same bytes in a new file: not the file that was migrated
    assert migrates() is None
    server.mark_migrated(database)
    mark = database.with_name("prefect.db.dreamfactory-migrated")
    mark.write_text(mark.read_text().replace("prefect ", "prefect 0.0.1-"))  # another Prefect version migrated it
    assert migrates() is None


def test_warm_up_loads_what_the_first_tasks_would_and_no_weights():
    """While a temporary server starts, the CLI imports what the default film's first tasks would wait for."""
    import importlib.util

    from dreamfactory import backends
    from dreamfactory.settings import FilmOptions
    from dreamfactory.voices.engines import get_engine

    voices = dict(get_engine("hibari")._models)  # what earlier tests in this process loaded
    loaded = backends.warm_up(FilmOptions())
    assert get_engine("hibari")._models == voices  # no voice model is loaded: casting has not chosen one yet
    assert "cv2" in loaded and "cv2" in sys.modules  # the animatic camera's OpenCV
    if importlib.util.find_spec("hibari") is not None:
        assert "hibari" in loaded and "hibari" in sys.modules
    assert backends.warm_up(FilmOptions(sound={"enabled": False})) == ["cv2"]

# -- the real command ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Path:
    """One Prefect home (and database) for the module's commands: its migrations run once, not per kill."""
    return tmp_path_factory.mktemp("prefect-home")


def _command_env(tmp_path: Path, marker: str, prefect_home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DREAMFACTORY_"))}
    return {**env, "DF_TEST_MARKER": marker, "HOME": str(tmp_path / "home"), "PREFECT_HOME": str(prefect_home),
            "DREAMFACTORY_SETTINGS_FILE": str(tmp_path / "none.toml"), "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
@pytest.mark.parametrize("sig, moment", [(signal.SIGKILL, "no Prefect server running"), (signal.SIGTERM, "] keyframe"),
                                         (signal.SIGINT, "] clip")])
def test_dreamfactory_make_killed_leaves_nothing(tmp_path, prefect_home, sig, moment):
    """The real command: killed once its temporary server is up, or while it renders; nothing survives, and an
    interrupted run says in one line what it kept."""
    marker = uuid.uuid4().hex
    exe = Path(sys.executable).with_name("dreamfactory")
    proc = subprocess.Popen([str(exe), "make", str(SAMPLE), "--store", str(tmp_path / "store"), "--scenes", "2",
                             "--no-sound", *SMALL], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=tmp_path,
                            env=_command_env(tmp_path, marker, prefect_home))
    seen = []
    try:
        deadline = time.monotonic() + 400
        for raw in proc.stderr:
            seen.append(raw.decode(errors="replace"))
            if moment in seen[-1]:
                break
            assert time.monotonic() < deadline, "".join(seen)
        else:
            pytest.fail("the command ended before the moment to kill it: " + "".join(seen))
        started = len(marked(marker))
        proc.send_signal(sig)
        rest = proc.stderr.read().decode(errors="replace")
        proc.wait(timeout=60)
        left = survivors(marker)
        assert started >= 3 and left == [], f"{len(left)} of {started} process(es) survived {sig.name}"
        if sig != signal.SIGKILL:
            said = [l for l in rest.splitlines() if "interrupted" in l]
            assert len(said) == 1 and "kept in the store" in said[0] and "resume" in said[0], rest
    finally:
        proc.kill()
        kill_all(marked(marker))
