"""Shared fixtures: a Prefect test harness for the session, a clean environment, small film settings."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "stories" / "lighthouse.txt"

# Small and fast: every film in the tests is 320x180 at 8 fps unless a test says otherwise.
SMALL = ["--width", "320", "--height", "180", "--fps", "8"]


def make_quietly(store, *argv, scenes: int = 4) -> dict:
    """`dreamfactory make` of the sample story with --json, in this process and outside any one test's capture (for
    a module's shared film): what it reports."""
    import contextlib
    import io
    import json

    from dreamfactory.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["make", str(SAMPLE), "--store", str(store), "--scenes", str(scenes), "--json", *SMALL, *argv])
    assert code == 0
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path_factory):
    # No real model may be reached from the fast tests: no key, no base URL, no settings file of the developer's.
    for var in list(os.environ):
        if var.startswith("DREAMFACTORY_") or var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DREAMFACTORY_SETTINGS_FILE", str(tmp_path_factory.getbasetemp() / "no-settings.toml"))


@pytest.fixture(autouse=True)
def _progress_logger_as_a_library_leaves_it():
    # The CLI, called in-process by some tests, gives the progress logger its own handler and stops propagation (as a
    # command should), and a logging dictConfig run by a library on the way (Prefect, Dask) disables existing
    # loggers: each test starts with the logger as a plain import leaves it, so caplog sees its lines.
    loggers = [logging.getLogger("dreamfactory"), logging.getLogger("dreamfactory.progress")]
    kept = [(lg.propagate, list(lg.handlers), list(lg.filters), lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.disabled, lg.propagate = False, True
    yield
    for lg, (propagate, handlers, filters, level, disabled) in zip(loggers, kept):
        lg.propagate, lg.handlers[:], lg.filters[:], lg.disabled = propagate, handlers, filters, disabled
        lg.setLevel(level)


@pytest.fixture(scope="module")
def one_torch_thread():
    """For modules that run tiny torch models: torch's two OpenMP threads spin against other processes on a shared
    2-core machine, many times slower than one."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def fresh_pipelines():
    """No diffusers pipeline loaded by another test: each test's loads are its own to count."""
    from dreamfactory.renderers import devices

    devices.release_pipelines()
    yield
    devices.release_pipelines()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """`models(name, **kw)`: the tiny model `build_tiny_<name>` of tests/tiny_*.py builds, saved once per module under a
    folder named by the name and its keyword arguments (other arguments, another model)."""
    from tests import tiny_extension_models, tiny_models, tiny_qwen_edit, tiny_video_models

    root, built = tmp_path_factory.mktemp("models"), {}

    def model(name: str, **kw):
        key = "_".join([name, *(f"{k}-{v}" for k, v in sorted(kw.items()))])
        if key not in built:
            module = next(m for m in (tiny_models, tiny_video_models, tiny_extension_models, tiny_qwen_edit)
                          if hasattr(m, f"build_tiny_{name}"))
            built[key] = getattr(module, f"build_tiny_{name}")(root / key, **kw)
        return built[key]

    return model


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server (SQLite) for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # a loaded 2-core machine can take over 60 s
        yield


@pytest.fixture
def sample_story() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint on loopback (moto's server, as s3fs's own suite uses); yields its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    """Credentials and endpoint for the moto server, and a fresh bucket; yields the bucket's s3:// URL."""
    import uuid

    import s3fs

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    bucket = f"films-{uuid.uuid4().hex[:8]}"
    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    fs.mkdir(bucket)
    yield f"s3://{bucket}/studio"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_url(url: str, what: str, timeout: float) -> None:
    """Poll a loopback HTTP endpoint until it answers, or fail the test saying which service did not start."""
    import time
    import urllib.request

    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            assert time.time() < deadline, f"{what} did not start within {timeout:.0f} s"
            time.sleep(0.3)
