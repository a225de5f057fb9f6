"""A project's screenplay: written by the studio, versioned in the store, edited by people.

The head `screenplay.json` is what renders use. The writers' output replaces it only while nobody has edited it
(its sha equals `written.json`); an edited head is kept, and renders follow the edit, unless `rewrite` is asked.
"""

from __future__ import annotations

import json
from typing import Callable

from pydantic import BaseModel, Field, ValidationError

from . import backends, layout, steps
from .agents.studio import Studio
from .errors import DreamFactoryError, ProjectNotFound
from .progress import report
from .contracts.screenplay import Screenplay, upgrade_screenplay
from .settings import FilmOptions
from .store import Store, sha256_bytes


class Written(BaseModel):
    """What the writing step hands to the renders."""

    project: str
    screenplay: Screenplay
    sha: str = Field(description="sha256 of the screenplay's canonical JSON.")
    edited: bool = Field(description="True when the head was edited by a person and kept.")
    usage: dict[str, dict] = Field(default_factory=dict, description="'phase/role' -> calls and tokens.")
    calls_made: int = 0
    tokens_made: int = 0
    answers_cached: int = 0
    answers_made: int = 0
    casting_notes: list[str] = Field(default_factory=list, description="What casting had to compromise (shared voices).")


COSTS = ("usage", "calls_made", "tokens_made", "answers_cached", "answers_made", "casting_notes")


def canonical(screenplay: Screenplay) -> bytes:
    return (json.dumps(screenplay.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def save_version(store: Store, project: str, screenplay: Screenplay) -> str:
    data = canonical(screenplay)
    sha = sha256_bytes(data)
    store.put_bytes(layout.screenplay_version(project, sha), data)
    return sha


def parse_screenplay(data: bytes, where: str) -> Screenplay:
    """A stored screenplay (upgraded from an older schema), or a one-line error naming where it is."""
    try:
        return Screenplay.model_validate(upgrade_screenplay(json.loads(data)))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DreamFactoryError(f"{where} is not a valid screenplay: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    except ValueError as exc:
        raise DreamFactoryError(f"{where}: {exc}") from exc


def load_head(store: Store, project: str) -> tuple[Screenplay, str]:
    key = layout.screenplay_head(project)
    if not store.exists(key):
        raise ProjectNotFound(f"no project {project!r} in {store.url} (run `dreamfactory make STORY` first)")
    screenplay = parse_screenplay(store.read_bytes(key), store.location(key))
    return screenplay, sha256_bytes(canonical(screenplay))


def write_project(store: Store, story: str, options: FilmOptions, rewrite: bool = False) -> Written:
    """The screenplay step: the writers' screenplay for these inputs (taken from its step record when an earlier run
    wrote it, else written, its voices cast, and recorded), made the project's head unless a person edited the head."""
    project = options.project or layout.project_id(story)
    store.set_head(layout.story(project), story.encode("utf-8"))
    writer = backends.writer(options.writing)
    key = steps.screenplay_key(story, options, writer)
    written = written_before(store, project, key) or _write(store, project, story, options, writer, key)
    writers_sha = None if rewrite else _writers(store, project).get("sha")
    head_key = layout.screenplay_head(project)
    head, _ = store.update_head(head_key, lambda current: _head(current, writers_sha, written.screenplay))
    if head != canonical(written.screenplay):
        report("writing", "the screenplay in the store was edited by hand: rendering the edited version "
                          "(make --rewrite discards the edits)")
        written = _edited(store, written, head)
        save_version(store, project, written.screenplay)
        return written
    store.set_head(layout.written_head(project), _writers_head(written))
    return written


def _write(store: Store, project: str, story: str, options: FilmOptions, writer, key: str) -> Written:
    studio = Studio(writer, store, project, options)
    screenplay = studio.write(story)
    casting_notes: list[str] = []
    if options.sound.enabled:
        from .voices import cast_voices

        casting = cast_voices(screenplay)
        screenplay, casting_notes = casting.screenplay, list(casting.notes)
        report("writing", "casting: " + ", ".join(f"{c.name} → {c.voice.engine}/{c.voice.voice_id}" for c in screenplay.characters if c.voice))
    sha = save_version(store, project, screenplay)
    r = studio.report
    store.put_json(layout.transcript(project, sha), [m.model_dump() for m in r.transcript])
    usage = {k: v.model_dump() for k, v in r.usage.items()}
    steps.keep(store, project, steps.SCREENPLAY, key, steps.ScreenplayRecord(
        key=layout.screenplay_version(project, sha), usage=list(usage.items()),
        answers=r.answers_cached + r.answers_made, casting_notes=casting_notes))
    return Written(project=project, screenplay=screenplay, sha=sha, edited=False, usage=usage, calls_made=r.calls_made,
                   tokens_made=r.tokens_made, answers_cached=r.answers_cached, answers_made=r.answers_made,
                   casting_notes=casting_notes)


def written_before(store: Store, project: str, key: str) -> Written | None:
    """The screenplay an earlier run wrote of the inputs of `key`, from its step record; None when there is none."""
    record = steps.found(store, project, steps.SCREENPLAY, key)
    if record is None:
        return None
    screenplay = parse_screenplay(store.read_bytes(record.key), store.location(record.key))
    return Written(project=project, screenplay=screenplay, sha=sha256_bytes(canonical(screenplay)), edited=False,
                   usage=dict(record.usage), answers_cached=record.answers, casting_notes=record.casting_notes)


def as_head(store: Store, story: str, written: Written, rewrite: bool = False) -> tuple[Written, str]:
    """What `write_project` would leave, read only: the written screenplay, or the head a person edited; and what it
    would still write to the store ('' when nothing)."""
    project = written.project
    current = store.read_head(layout.screenplay_head(project))[0]
    head = _head(current, None if rewrite else _writers(store, project).get("sha"), written.screenplay)
    if head is None:  # an edit, kept
        written = _edited(store, written, current)
    stale = [what for what, key, data in (
        ("the story", layout.story(project), story.encode("utf-8")),
        ("the screenplay's head", layout.screenplay_head(project), head or current),
        ("the writers' version", layout.written_head(project), None if written.edited else _writers_head(written)),
    ) if data is not None and store.read_head(key)[0] != data]
    if written.edited and not store.exists(layout.screenplay_version(project, written.sha)):
        stale.append("the edited version")
    return written, " and ".join(stale) + " to record" if stale else ""


def _edited(store: Store, written: Written, head: bytes) -> Written:
    screenplay = parse_screenplay(head, store.location(layout.screenplay_head(written.project)))
    return written.model_copy(update={"screenplay": screenplay, "sha": sha256_bytes(canonical(screenplay)), "edited": True})


def _head(current: bytes | None, writers_sha: str | None, screenplay: Screenplay) -> bytes | None:
    """The head a write leaves: a head that is not the writers' last version is a person's edit (perhaps made a
    moment ago), kept (None); else the screenplay written."""
    if current is not None and writers_sha and sha256_bytes(current) != writers_sha:
        return None
    return canonical(screenplay)


def _writers(store: Store, project: str) -> dict:
    """`written.json`: the sha of the writers' last version and what writing it cost ({} before any)."""
    key = layout.written_head(project)
    return store.read_json(key) if store.exists(key) else {}


def _writers_head(written: Written) -> bytes:
    return json.dumps({"sha": written.sha, "usage": written.usage}, sort_keys=True).encode()


def save_edit(store: Store, project: str, screenplay: Screenplay) -> str:
    """Store a screenplay as a new version and make it the head, whatever the head was."""
    sha = save_version(store, project, screenplay)
    store.set_head(layout.screenplay_head(project), canonical(screenplay))
    return sha


def change_head(store: Store, project: str, edit: Callable[[Screenplay, str], Screenplay]) -> str:
    """Apply an edit to the head by compare-and-swap: `edit(head, head_sha)` gives the edited screenplay, and runs
    again on the newer head when another writer moved it in between. The version that landed is stored; its sha."""
    key = layout.screenplay_head(project)
    edited: list[Screenplay] = []

    def change(current: bytes | None) -> bytes:
        if current is None:
            raise ProjectNotFound(f"no project {project!r} in {store.url} (run `dreamfactory make STORY` first)")
        head = parse_screenplay(current, store.location(key))
        edited[:] = [edit(head, sha256_bytes(canonical(head)))]
        return canonical(edited[0])

    store.update_head(key, change)
    return save_version(store, project, edited[0])


def head_of(store: Store, project: str) -> Written:
    """A project's current screenplay (the head, edits included), read only."""
    screenplay, sha = load_head(store, project)
    writers = _writers(store, project)
    return Written(project=project, screenplay=screenplay, sha=sha, edited=sha != writers.get("sha"),
                   usage=writers.get("usage", {}))


def load_project(store: Store, project: str, costs: Written | None = None) -> Written:
    """A project's current screenplay, stored as a version, for a rerun: no writing happens. With `costs`: carrying
    what writing it cost (after a person's edit in a run)."""
    written = head_of(store, project)
    save_version(store, project, written.screenplay)
    return written.model_copy(update={k: getattr(costs, k) for k in COSTS}) if costs else written
