"""Stories written by an attacker (tests/hostile/*.txt) through `dreamfactory make`, against a real Prefect server: no
markup, link or escape sequence of theirs reaches the screenplay, the subtitles, the MP4, the manifest, the terminal
or, rendered in a real browser (Debian's headless Chromium), the run's artifacts in the Prefect UI."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import imageio_ffmpeg
import pytest

from dreamfactory import escape, layout
from dreamfactory.escape import HIDDEN
from dreamfactory.manifest import read_manifest
from dreamfactory.progress import report
from dreamfactory.cli.server import free_port, healthy
from dreamfactory.store import open_store
from dreamfactory.story import check_story, words_only

HOSTILE = Path(__file__).parents[1] / "hostile"
FILMED = ["html-tags", "markdown-links", "terminal-escapes", "bidi-zero-width", "long-word"]
# What the stories point at or hide: none of it may survive as markup anywhere a person looks.
MARKUP = re.compile(r"<\s*/?\s*[a-z!]|\]\(|!\[|javascript:|data:text|onerror|onload|\x1b|\x07|\\x1b|\u202e")
ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u200c\u200e\u200f\ufeff]")
# What the stories hide that a terminal would act on (a progress bar's own '\r' is the program's, not the story's).
FROM_STORIES = re.compile(r"[\x00\x07\x08\x1b\x9b\u202a-\u202e\u2066-\u2069\u200b\u200c\u200e\u200f\ufeff"
                          r"\U000e0000-\U000e007f]")


def test_reader_keeps_words_of_every_hostile_story_and_reading_twice_changes_nothing():
    for name in FILMED:
        text = check_story((HOSTILE / f"{name}.txt").read_bytes(), name)
        assert not MARKUP.search(text) and not HIDDEN.search(text), name
        assert words_only(text) == text, name
    garden = check_story((HOSTILE / "html-tags.txt").read_bytes())
    assert garden.startswith("The Garden\n") and "walled garden at dawn" in garden and "silver key" in garden
    lighthouse = check_story((HOSTILE / "markdown-links.txt").read_bytes())
    assert lighthouse.startswith("Part One: The Lighthouse\n") and "horizon, click me its sails" in lighthouse
    assert "Part Two" in lighthouse and "great lamp" in lighthouse and "beacon" not in lighthouse
    pond = check_story((HOSTILE / "bidi-zero-width.txt").read_bytes())
    assert "Zoë waved" in pond and "\U0001F469\u200d\U0001F680" in pond and "“More bread, Sami!”" in pond  # stay


def test_a_story_without_markup_keeps_its_text_and_so_its_project_id():
    for path in (Path(__file__).parents[1] / "stories").glob("*.txt"):
        raw = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").strip() + "\n"
        # Markup the reader takes out: a heading, a rule ('---'), tags, emphasis, links, escapes, hidden marks.
        if not re.search(r"^\s*#|^\s*-{3,}\s*$|[<*_`\[\x1b\u200b-\u200f\u202a-\u202e]", raw, re.MULTILINE):
            assert check_story(raw.encode()) == raw, path.name


def test_a_nul_byte_is_refused_as_binary_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dreamfactory.cli", "make", str(HOSTILE / "binary-nul.txt"),
                           "--store", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip().endswith("is a binary file, not text")
    assert len(done.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_a_project_id_is_a_folder_name_never_a_path(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dreamfactory.cli", "make", str(HOSTILE / "html-tags.txt"), "--project",
                           "../outside", "--store", str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "project" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_each_medium_shows_text_as_text(caplog):
    attack = "# Hi <img src=x onerror=alert(1)> [a](javascript:x) *b* _c_ https://e.example a@b.c\x1b[31m\u202e|x"
    shown = escape.markdown(attack)
    assert not re.search(r"(?<!\\)[<\[*_#|@]", shown) and "https\\://" in shown and "\x1b" not in shown
    assert escape.table_cell("a\n\n# b|c") == "a \\# b\\|c"
    assert escape.subtitle("<i>x</i> {\\an8}y\n\n2\n00:00:01,000 --> 00:00:02,000") == \
        "‹i›x‹/i› (⧵an8)y 2 00:00:01,000 → 00:00:02,000"
    assert escape.terminal("a\x1b[2J\u202eb\n") == "a\\x1b[2J\\u202eb\n"
    assert escape.metadata("T\x1b]0;x\x07itle\n" + "w" * 999) == "T]0;xitle " + "w" * 245
    assert escape.file_name("a" * 10_000) == "a" * escape.FILE_NAME_CHARS and escape.file_name("<>") == "film"
    assert escape.manifest_json({"p": "\u202e\x1b"}) == '{"p": "\\u202e\\u001b"}'
    with caplog.at_level(logging.INFO, logger="dreamfactory.progress"):
        report("writing", "brief: 'The \x1b[31mRed\x1b]0;owned\x07 Alarm'")
    assert caplog.messages[-1].endswith("brief: 'The \\x1b[31mRed\\x1b]0;owned\\x07 Alarm'")  # a log line shows them


# -- the films ------------------------------------------------------------------------------------------
def _prefect_with_ui(home: Path):
    """`prefect server start` with its UI on a free loopback port, its own home and database."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_API_URL": api,
           "PREFECT_UI_ENABLED": "true", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}"}
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                                str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 180
    while not healthy(api, timeout=0.5):
        assert process.poll() is None and time.monotonic() < deadline, "the Prefect server did not start"
        time.sleep(0.2)
    return process, api


# A hand edit of the stored screenplay (or a writer model that echoes its input) can still bring markup back: every
# medium must then show it as text.
EDITED = {"title": "The Garden <img src=https://evil.example/t.png onerror=alert(1)> \x1b[31m*red* [x](javascript:x)",
          "action": " [click me](javascript:alert(1)) ![x](https://evil.example/i.png) <script>alert(2)</script> # h",
          "line": "<i>Hello</i> {\\an8}\n\n99\n00:00:01,000 --> 00:00:02,000\nInjected cue"}


def _make(name: str, root: Path, env: dict) -> tuple[dict, bytes]:
    done = subprocess.run([sys.executable, "-m", "dreamfactory.cli", "make", str(HOSTILE / f"{name}.txt"), "--scenes",
                           "2", "--width", "160", "--height", "96", "--no-sound", "--store", str(root / "store"),
                           "--json"], capture_output=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return json.loads(done.stdout), done.stdout + done.stderr


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    """Every hostile story made into a film (offline default, 2 scenes, small) against one Prefect server with its UI,
    then the first one's screenplay edited by hand with markup and made again ('edited')."""
    root = tmp_path_factory.mktemp("hostile")
    server, api = _prefect_with_ui(root / "prefect")
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_HOME": str(root / "prefect")}
    store = open_store(str(root / "store"))
    made = {}
    try:
        for name in FILMED:
            result, terminal = _make(name, root, env)
            made[name] = (result, terminal, store.read_json(layout.screenplay_head(result["project"])))
        head = layout.screenplay_head(made[FILMED[0]][0]["project"])
        screenplay = store.read_json(head)
        screenplay["brief"]["title"] = EDITED["title"]
        screenplay["scenes"][0]["action"] += EDITED["action"]
        spoken = next(scene for scene in screenplay["scenes"] if scene["dialogue"])
        spoken["dialogue"][0]["text"] = EDITED["line"]
        store.set_head(head, json.dumps(screenplay).encode())
        result, terminal = _make(FILMED[0], root, env)
        made["edited"] = (result, terminal, None)
        yield store, api, made
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _story_text(screenplay: dict) -> list[str]:
    """Every string of the screenplay that a writer made from the story."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
    return list(strings(screenplay))


@pytest.mark.slow  # six films made by `dreamfactory make` processes against a real Prefect server with its UI
def test_no_markup_reaches_the_screenplay_subtitles_film_manifest_or_terminal(films):
    store, _, made = films
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    for name, (result, terminal, screenplay) in made.items():
        assert not FROM_STORIES.search(terminal.decode()), name  # no escape byte from the story
        for text in _story_text(screenplay or {}):
            assert not MARKUP.search(text) and not HIDDEN.search(text), (name, text[:200])
        assert len(result["project"]) < 80, name  # a folder name any file system takes

        key = result["film_key"].rsplit("/", 1)[-1].split(".")[0]
        subtitles = store.read_bytes(layout.subtitles(result["project"], key)).decode()
        for block in filter(None, subtitles.strip().split("\n\n")):
            number, timing, text = block.split("\n")  # one cue, one line: nothing started a cue of its own
            assert number.isdigit() and " --> " in timing and not re.search(r"[<>{}\\]", text), (name, block[:200])

        film = store.local_file(result["film_key"])
        meta = subprocess.run([ffmpeg, "-v", "error", "-i", str(film), "-f", "ffmetadata", "-"], capture_output=True)
        track = subprocess.run([ffmpeg, "-v", "error", "-i", str(film), "-map", "0:s:0", "-f", "srt", "-"],
                               capture_output=True)
        title = (screenplay or store.read_json(layout.screenplay_head(result["project"])))["brief"]["title"]
        shown = re.search(r"^title=(.*)$", meta.stdout.decode(), re.MULTILINE).group(1)
        assert re.sub(r"\\(.)", r"\1", shown) == escape.metadata(title), name  # ffmetadata escapes '=' and ';'
        assert bool(track.returncode == 0 and track.stdout.strip()) == bool(subtitles.strip()), name
        assert not re.search(rb"<[a-z/]|\{\\", track.stdout), name  # the mov_text track came out untagged
        assert not ESCAPES.search(meta.stdout.decode()), name  # a title is plain text to a player: one clean line

        for column in ("identity_json", "inputs_json", "notes_json"):
            for value in read_manifest(store, layout.manifest(result["project"], key)).column(column).to_pylist():
                assert value is None or value.isascii(), (name, column)
    edited = made["edited"][0]
    edited = store.read_bytes(layout.subtitles(edited["project"], edited["film_key"].rsplit("/", 1)[-1].split(".")[0]))
    edited = edited.decode()
    assert "‹i›Hello‹/i› (⧵an8) 99 00:00:01,000 → 00:00:02,000 Injected cue" in edited  # the attack, shown as text
    shown = [subprocess.run([sys.executable, "-m", "dreamfactory.cli", "show", made["edited"][0]["project"], *how,
                             "--store", store.url], capture_output=True, timeout=120) for how in ([], ["--transcript"])]
    assert all(done.returncode == 0 and not FROM_STORIES.search(done.stdout.decode()) for done in shown)
    assert "# The Garden \\<img src=https" in shown[0].stdout.decode()  # the show command's markdown, escaped


@pytest.mark.slow  # six films made by `dreamfactory make` processes against a real Prefect server with its UI
def test_prefect_ui_shows_no_element_attribute_or_link_from_the_stories(films):
    """Every artifact of every hostile run, opened in headless Chromium: the story's text is there, as text."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _, api, made = films
    artifacts = httpx.post(f"{api}/artifacts/filter", json={}).json()  # this server's, whatever this process's settings
    ui = api.removesuffix("/api")
    assert len(artifacts) >= 4 * len(made)  # screenplay, base description, contact sheet, film: per run

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):  # nothing but loopback resolves
        options.add_argument(flag)
    # Naming the driver keeps Selenium Manager (which would ask the internet for one) out of it.
    browser = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    seen = []
    try:
        for artifact in artifacts:
            key = artifact["key"]
            browser.get(f"{ui}/artifacts/artifact/{artifact['id']}")
            content = WebDriverWait(browser, 30).until(
                lambda b: b.find_elements(By.CSS_SELECTOR, ".artifact-data-view article.markdown-renderer"))[0]
            WebDriverWait(browser, 10).until(lambda b: content.text.strip())
            elements = browser.execute_script(
                "return [...arguments[0].querySelectorAll('*')].map(e => [e.tagName.toLowerCase(),"
                " [...e.attributes].map(a => [a.name, a.value])])", content)
            for tag, attributes in elements:
                assert tag not in ("a", "script", "iframe", "svg", "object", "embed", "style", "form", "input"), \
                    (key, tag)
                if tag == "img":  # only the contact sheet, drawn by us, inline (its base64 is left out of the search)
                    assert key == "contact-sheet", (key, attributes)
                    assert dict(attributes).pop("src").startswith("data:image/jpeg;base64,")
                    attributes = [(a, v) for a, v in attributes if a != "src"]
                for attribute, value in attributes:
                    assert not attribute.startswith("on") and attribute != "style", (key, tag, attribute)
                    assert not re.search(r"evil|javascript:|alert|data:text", value), (key, tag, value[:200])
            loaded = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
            assert all(url.startswith(ui) or url.startswith("data:") for url in loaded), loaded
            seen.append((key, content.text))
    finally:
        browser.quit()
    shown = "\n".join(text for _, text in seen)
    # The stories' words are on the page, markup characters shown as themselves: the test looked at real content.
    assert "Part One: The Lighthouse" in shown and "Zoë" in shown and "The Red Alarm" in shown
    assert EDITED["title"].replace("\x1b", "") in shown and "[click me](javascript:alert(1)) ![x](" in shown
    assert {key for key, _ in seen} >= {"screenplay", "base-description", "contact-sheet", "film"}
