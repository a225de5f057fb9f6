"""A project's screenplay: written by the studio, versioned in the store, edited by people.

The head `screenplay.json` is what renders use. The writers' output replaces it only while nobody has edited it
(its sha equals `written.json`); an edited head is kept, and renders follow the edit, unless `rewrite` is asked.
"""

from __future__ import annotations

import json
from typing import Callable

from pydantic import BaseModel, Field, ValidationError

from . import backends, layout
from .agents.studio import Studio
from .errors import DreamFactoryError, ProjectNotFound
from .progress import report
from .screenplay import Screenplay, upgrade_screenplay
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
    except (ValidationError, ValueError) as exc:
        if not isinstance(exc, ValidationError):
            raise DreamFactoryError(f"{where}: {exc}") from exc
        first = exc.errors()[0]
        raise DreamFactoryError(f"{where} is not a valid screenplay: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc


def load_head(store: Store, project: str) -> tuple[Screenplay, str]:
    key = layout.screenplay_head(project)
    if not store.exists(key):
        raise ProjectNotFound(f"no project {project!r} in {store.url} (run `dreamfactory make STORY` first)")
    screenplay = parse_screenplay(store.read_bytes(key), store.location(key))
    return screenplay, sha256_bytes(canonical(screenplay))


def write_project(store: Store, story: str, options: FilmOptions, rewrite: bool = False) -> Written:
    project = options.project or layout.project_id(story)
    store.set_head(layout.story(project), story.encode("utf-8"))
    studio = Studio(backends.writer(options.writing), store, project, options)
    screenplay = studio.write(story)
    casting_notes: list[str] = []
    if options.sound.enabled:
        from .voices import cast_voices

        casting = cast_voices(screenplay)
        screenplay, casting_notes = casting.screenplay, list(casting.notes)
        report("writing", "casting: " + ", ".join(f"{c.name} → {c.voice.engine}/{c.voice.voice_id}" for c in screenplay.characters if c.voice))
    sha = save_version(store, project, screenplay)
    store.put_json(layout.transcript(project, sha), [m.model_dump() for m in studio.report.transcript])

    head_key, written_key = layout.screenplay_head(project), layout.written_head(project)
    written_sha = store.read_json(written_key)["sha"] if not rewrite and store.exists(written_key) else None

    def unless_edited(current: bytes | None) -> bytes | None:
        # A head that is not the writers' last version is a person's edit (perhaps made a moment ago): it is kept.
        if current is not None and written_sha and sha256_bytes(current) != written_sha:
            return None
        return canonical(screenplay)

    head, _ = store.update_head(head_key, unless_edited)
    edited = head != canonical(screenplay)
    if edited:
        screenplay = parse_screenplay(head, store.location(head_key))
        sha = save_version(store, project, screenplay)
        report("writing", "the screenplay in the store was edited by hand: rendering the edited version "
                          "(make --rewrite discards the edits)")
    r = studio.report
    usage = {k: v.model_dump() for k, v in r.usage.items()}
    if not edited:
        store.set_head(written_key, json.dumps({"sha": sha, "usage": usage}, sort_keys=True).encode())
    return Written(project=project, screenplay=screenplay, sha=sha, edited=edited,
                   usage=usage, calls_made=r.calls_made,
                   tokens_made=r.tokens_made, answers_cached=r.answers_cached, answers_made=r.answers_made,
                   casting_notes=casting_notes)


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


def load_project(store: Store, project: str) -> Written:
    """A project's current screenplay (the head, edits included), for a rerun: no writing happens."""
    screenplay, sha = load_head(store, project)
    save_version(store, project, screenplay)
    written_key = layout.written_head(project)
    written = store.read_json(written_key) if store.exists(written_key) else {}
    return Written(project=project, screenplay=screenplay, sha=sha, edited=sha != written.get("sha"),
                   usage=written.get("usage", {}))
