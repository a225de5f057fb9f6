"""The processes a command starts — a Prefect server, ffmpeg, a Dask cluster — and the guarantee none outlives it.

A command that runs a flow from the command line runs it under a guard:

    dreamfactory (the process a person or `timeout` signals)
      └─ guard: a child subreaper in its own process group; it watches a pipe from the command
           └─ work: the flow, and everything it starts (the temporary Prefect server, ffmpeg, Dask workers)

Every process the work starts, however deep and even once orphaned, stays a descendant of the guard (it is a
child subreaper). The guard ends them all when the work ends, when the command forwards SIGINT or SIGTERM, and
when the command dies even by SIGKILL: the kernel closes the pipe and the guard's read returns.

Finding a Prefect server: PREFECT_API_URL, the active Prefect profile's PREFECT_API_URL, or the server file that
`dreamfactory serve` (and `make serve`) writes; each is used only when GET /api/health answers. With none, the
work starts a temporary server itself (a uvicorn child that dies with it) and says once what that cost.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from ..errors import DreamFactoryError

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36


class ServerError(DreamFactoryError):
    """A Prefect server could not be started or reached."""


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the guard still ends its direct children
        pass


def die_with_parent() -> None:
    """preexec_fn for a child that must not outlive the process starting it (Linux PR_SET_PDEATHSIG)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


# -- the process tree -------------------------------------------------------------------------------------------
def _children_table() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields and fields[0] != "Z":
            table.setdefault(int(fields[1]), []).append(int(entry))
    return table


def descendants(pid: int) -> list[int]:
    """Live (not zombie) descendants of a process, read from /proc."""
    table, out, todo = _children_table(), [], [pid]
    while todo:
        for child in table.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _reap() -> list[tuple[int, int]]:
    done = []
    try:
        while (child := os.waitpid(-1, os.WNOHANG))[0]:
            done.append(child)
    except ChildProcessError:
        pass
    return done


def _end_all(grace: float) -> None:
    """SIGTERM to every descendant, then SIGKILL to what is left after `grace` seconds; all reaped."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        pids = descendants(os.getpid())
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap()
            if not descendants(os.getpid()):
                return
            time.sleep(0.05)
    _reap()


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


_INTERRUPTS: list[int] = []


def _interrupt(signum, _frame):
    """The work's SIGINT: remembered, then raised as KeyboardInterrupt as Python's own handler would."""
    _INTERRUPTS.append(signum)
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Whether this process was asked to stop (SIGINT forwarded by its guard). Ctrl-C inside Prefect's own
    bookkeeping can surface as another error (a task run that crashed while it was being created): still a stop."""
    return bool(_INTERRUPTS)


def _guard(work: Callable[[], int], watch: int) -> int:
    """The guard's life: start the work, wait for it, forward signals, end everything left."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    stops = []
    signal.signal(signal.SIGINT, lambda *_: stops.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stops.append(1))
    worker = os.fork()
    if worker == 0:
        os.close(watch)
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        code = 1
        try:
            code = work()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except KeyboardInterrupt:
            code = 130
        except BaseException:  # noqa: BLE001 - the work's own failure, shown as the unguarded command would show it
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    forwarded = 0
    while True:
        ready, _, _ = select.select([watch], [], [], 0.1)
        if ready and os.read(watch, 1) == b"":  # the command is gone, however it died
            _end_all(grace=0.0)
            return 137
        for pid, status in _reap():
            if pid == worker:
                _end_all(grace=3.0)
                return _exit_code(status)
        if len(stops) > forwarded:
            forwarded = len(stops)
            if forwarded == 1:
                os.kill(worker, signal.SIGINT)  # the work stops at once and says what it kept
            else:
                _end_all(grace=0.0)


def run_guarded(work: Callable[[], int]) -> int:
    """Run `work()` in a guarded child process (see the module's doc); returns its exit code.

    Call it before Prefect is imported and while this process has no other threads: it forks.
    """
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    signals = (signal.SIGINT, signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # one that comes before the handlers below waits for them
    guard = os.fork()
    if guard == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        os.close(write)
        os.setpgid(0, 0)  # the terminal's Ctrl-C reaches the command, which forwards it once
        code = 1
        try:
            code = _guard(work, read)
        finally:
            os._exit(code)
    os.close(read)
    received: list[int] = []

    def forward(signum, _frame):
        received.append(signum)
        try:
            os.kill(guard, signal.SIGINT if len(received) == 1 else signal.SIGTERM)
        except ProcessLookupError:
            pass

    old = {s: signal.signal(s, forward) for s in signals}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    try:
        while True:
            try:
                _, status = os.waitpid(guard, 0)
                break
            except ChildProcessError:
                status = 1 << 8
                break
        code = _exit_code(status)
        if received and received[0] == signal.SIGTERM and code == 130:
            code = 143
        return code
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        os.close(write)


# -- Prefect servers --------------------------------------------------------------------------------------------
def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


def profile_api_url() -> str | None:
    """PREFECT_API_URL of the active Prefect profile (PREFECT_PROFILE, else profiles.toml's `active`), read without
    importing Prefect."""
    import tomllib

    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, ValueError):
        return None
    name = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    return (data.get("profiles", {}).get(name) or {}).get("PREFECT_API_URL") or None


def write_server_file(path: Path, api_url: str, pid: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}")
    tmp.write_text(json.dumps({"api_url": api_url, "pid": pid, "started": time.time()}))
    os.replace(tmp, path)


def read_server_file(path: Path) -> str | None:
    try:
        return json.loads(path.read_text())["api_url"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_server(server_file: Path) -> tuple[str | None, str]:
    """(API URL, where it was found) of a running Prefect server; (None, why) when there is none to use.

    An explicit PREFECT_API_URL that does not answer is still returned (the run then fails saying so): it was asked
    for. The profile's URL and the server file are only hints, used when healthy.
    """
    explicit = os.environ.get("PREFECT_API_URL")
    if explicit:
        return explicit, "PREFECT_API_URL"
    for url, where in ((profile_api_url(), "the active Prefect profile"), (read_server_file(server_file), str(server_file))):
        if url and healthy(url):
            return url, where
    return None, "no Prefect server running"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_path(env: dict[str, str]) -> Path | None:
    """The SQLite file a server started with `env` uses; None for another database (PostgreSQL)."""
    url = env.get("PREFECT_API_DATABASE_CONNECTION_URL") or env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL")
    if url:
        return Path(url.partition(":///")[2]).expanduser() if url.startswith("sqlite") and ":///" in url else None
    return Path(env.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser() / "prefect.db"


def _mark(database: Path) -> tuple[Path, str]:
    """The mark beside a database file, and what it says when this Prefect migrated that very file: its version and
    the file's inode (a database made again, or a Prefect upgrade, reads as new)."""
    import importlib.metadata

    return (database.with_name(database.name + ".dreamfactory-migrated"),
            f"prefect {importlib.metadata.version('prefect')} inode {database.stat().st_ino}")


def migrated_by_this_prefect(database: Path) -> bool:
    """Whether a server of this Prefect version already brought this database file to its migrations' head."""
    try:
        mark, identity = _mark(database)
        return mark.read_text().strip() == identity
    except OSError:
        return False


def mark_migrated(database: Path) -> None:
    """After a server that ran its migrations on start answered on `database`: mark the file as at this Prefect's head."""
    try:
        mark, identity = _mark(database)
        if not migrated_by_this_prefect(database):
            mark.write_text(identity + "\n")
    except OSError:
        pass  # a read-only Prefect home: the next start migrates again, as Prefect would


class TemporaryServer:
    """A Prefect server (uvicorn, SQLite) that lives exactly as long as the process that started it."""

    def __init__(self, port: int | None = None, database: Path | None = None):
        self.port = port or free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.database = database
        self.process: subprocess.Popen | None = None
        self.seconds = 0.0
        self._database: Path | None = None  # the SQLite file it uses, known at launch
        self._migrates = True
        self._starting: int | None = None  # a lock beside that file, held from launch until the server answers

    def start(self, timeout: float = 180.0) -> TemporaryServer:
        """Launch the server and wait until it answers."""
        return self.launch().wait(timeout)

    def launch(self) -> TemporaryServer:
        """Start the server process and return at once: the caller can import Prefect meanwhile, then `wait()`."""
        self._started = time.perf_counter()
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": self.api_url,
               "PREFECT_UI_ENABLED": "0", "PREFECT_LOGGING_SERVER_LEVEL": "ERROR",
               # As Prefect's own temporary server: fewer background services, so it starts sooner.
               "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        # Concurrency leases (a GPU render's slot) in files under PREFECT_HOME, not in this process's memory: a run
        # killed with its server leaves a lease that the next server still knows, so tasks.common frees it once expired.
        env.setdefault("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", "prefect.server.concurrency.lease_storage.filesystem")
        if self.database is not None:
            self.database.parent.mkdir(parents=True, exist_ok=True)
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{self.database}"
        self._database = database_path(env)
        if self._database is not None:
            # Two commands starting a server on one database at once (two terminals, a script) would migrate it
            # together, and one server fails its start: the second waits until the first answers, then finds the
            # database migrated.
            self._database.parent.mkdir(parents=True, exist_ok=True)
            self._starting = os.open(self._database.with_name(self._database.name + ".starting"), os.O_CREAT | os.O_RDWR)
            fcntl.lockf(self._starting, fcntl.LOCK_EX)  # a process's own lock: a second start in it does not wait
        if self._database is not None and self._database.is_file() and self._database.stat().st_size > 0:
            # Its block types were registered when it was made (1.3 s a start), and when this Prefect migrated this
            # very file, its migrations have nothing to do (alembic reads every revision script to learn that: ~1.4 s).
            env.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
            if migrated_by_this_prefect(self._database):
                env.setdefault("PREFECT_API_DATABASE_MIGRATE_ON_START", "false")
        # Skipped (by us, or by the person's own setting), migrations leave the mark as it was.
        self._migrates = not any(env.get(name, "true").strip().lower() in ("false", "0", "no", "off")
                                 for name in ("PREFECT_API_DATABASE_MIGRATE_ON_START", "PREFECT_SERVER_DATABASE_MIGRATE_ON_START"))
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                   "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, preexec_fn=die_with_parent)
        return self

    def wait(self, timeout: float = 180.0) -> TemporaryServer:
        """Wait until the launched server answers GET /api/health; `seconds` is then its start cost."""
        deadline = time.monotonic() + timeout
        try:
            while not healthy(self.api_url, timeout=0.5):
                if self.process.poll() is not None:
                    err = self.process.stderr.read().decode(errors="replace").strip().splitlines()
                    raise ServerError(f"the temporary Prefect server exited: {err[-1] if err else self.process.returncode}"
                                      "; `make serve` starts one you can watch")
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerError(f"the temporary Prefect server did not answer within {timeout:.0f} s (a busy "
                                      "machine, or a slow first database migration); `make serve` starts one that stays")
                time.sleep(0.1)
        finally:
            if self._starting is not None:
                os.close(self._starting)  # closing the file lets the next command's server start
                self._starting = None
        self.seconds = time.perf_counter() - self._started
        if self._database is not None and self._migrates:
            mark_migrated(self._database)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- a flow run's Prefect: the server it talks to, and the settings of a run started here ---------------------
def started_here():
    """Settings for a flow run that this command runs in its own process.

    Prefect's flow-run heartbeats let a server mark a run Crashed when the worker running a deployment dies; a run
    started here is watched by the terminal that started it, and the heartbeat thread holds every run's end for up
    to a second (it sleeps in 1 s steps and is joined on exit). So they are off here unless
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY is set; deployment runs started by a worker keep Prefect's default.
    """
    if os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY"):
        return nullcontext()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def drain_to(server) -> None:
    """Send the run's last logs and events to the temporary server before it stops: else Prefect's background
    workers print '--- Error logging to API ---' after the film is made."""
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)
        EventsWorker.drain_all(timeout=5)
    except Exception:  # noqa: BLE001 - a lost log line must not turn a made film into an error
        pass


def api_at(url: str | None):
    """Prefect pointed at `url` even when it was imported before the URL was known."""
    if url is None:
        return nullcontext()
    from prefect.settings import PREFECT_API_URL, temporary_settings

    return temporary_settings(updates={PREFECT_API_URL: url})


def prefect_server(server_file: Path, prepare: Callable[[bool], None]):
    """(temporary server or None, API URL or None): a running server found, or a temporary one started that dies
    with this process (one line says what it cost and how to avoid it). (None, None): keep Prefect's own setup.
    `prepare(server_starting)` runs before the server is used: while a temporary one starts, if one does."""
    if "prefect" in sys.modules:  # a caller (a test harness, a notebook) already set Prefect up: keep its server
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            prepare(False)
            return None, None
    url, _ = find_server(server_file)
    if url is not None:
        os.environ["PREFECT_API_URL"] = url  # Prefect, Dask workers and other processes this run starts read it
        prepare(False)
        return None, url
    server = TemporaryServer().launch()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        prepare(True)
        # What a flow's first call imports (its engine, the parameters' JSON encoder, the task engine), while the
        # server starts; `prepare` has loaded the flow itself.
        import fastapi.encoders  # noqa: F401
        import prefect.flow_engine  # noqa: F401
        import prefect.task_engine  # noqa: F401
        import prefect.utilities.visualization  # noqa: F401

        server.wait()
    except BaseException:
        server.stop()
        raise
    print(f"no Prefect server running: started a temporary one in {server.seconds:.1f} s (it stops with this "
          "command); `make serve` or `dreamfactory serve` keeps one running and saves this on every run", file=sys.stderr)
    return server, server.api_url
