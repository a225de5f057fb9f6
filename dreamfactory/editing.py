"""`dreamfactory edit`: change fields of one scene or one shot, add or remove a shot, as a new screenplay version.

Shot ids are stable (a new shot gets an id no version of the scene ever used; removing one renumbers nothing), and
seeds and render keys derive from them. An edit lands on the head by compare-and-swap: when another edit moved the
head meanwhile, it is re-applied if none of its fields changed there, else refused (EditConflict), writing nothing.
"""

from __future__ import annotations

import json
import string
from typing import Callable

from pydantic import ValidationError

from .contracts import EDITABLE, SHOT_EDITABLE, SHOT_FIELDS, ScreenplayApproval
from .errors import EditConflict, SettingsError
from .contracts.screenplay import Scene, Screenplay, Shot
from .store import Store
from . import layout
from .writing import change_head, load_head, parse_screenplay


def _value(field: str, raw: str):
    if field == "characters":
        return [c.strip() for c in raw.split(",") if c.strip()]
    if field == "lines":
        try:
            return [int(i) for i in raw.split(",") if i.strip()]
        except ValueError:
            raise SettingsError("lines takes 0-based dialogue positions, comma-separated, e.g. '0,2'") from None
    if field == "dialogue":
        try:
            return json.loads(raw)
        except ValueError:
            raise SettingsError("dialogue takes JSON, e.g. '[{\"speaker\": \"mira\", \"text\": \"Hello!\"}]'") from None
    return raw


def find_scene(screenplay: Screenplay, ref: str) -> Scene:
    if ref.isdigit():
        index = int(ref)
        if not 1 <= index <= len(screenplay.scenes):
            raise SettingsError(f"--scene {ref}: the screenplay has scenes 1 to {len(screenplay.scenes)}")
        return screenplay.scenes[index - 1]
    try:
        return screenplay.scene(ref)
    except KeyError as exc:
        raise SettingsError(str(exc.args[0])) from None


def find_shot(scene: Scene, ref: str) -> Shot:
    """A shot by its id, or by its 1-based position when no shot has that id."""
    if any(shot.id == ref for shot in scene.shots):
        return scene.shot(ref)
    if ref.isdigit() and 1 <= int(ref) <= len(scene.shots):
        return scene.shots[int(ref) - 1]
    raise SettingsError(f"--shot {ref}: scene {scene.id} has shots {', '.join(s.id for s in scene.shots)} "
                        f"(ids, or positions 1 to {len(scene.shots)})")


def _pairs(assignments: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in assignments:
        field, sep, raw = item.partition("=")
        if not sep:
            raise SettingsError(f"--set takes FIELD=VALUE, got {item!r}")
        pairs.append((field.strip(), raw))
    return pairs


Where = tuple[str, str | None, str]  # what an edit sets: (scene id, shot id or None for the scene, field)
_GONE = object()  # the value of a field whose scene or shot is no longer there


def _target(data: dict, where: Where) -> dict:
    scene = next(s for s in data["scenes"] if s["id"] == where[0])
    return scene if where[1] is None else next(s for s in scene["shots"] if s["id"] == where[1])


def _at(data: dict, where: Where):
    try:
        target = _target(data, where)
    except StopIteration:
        return _GONE
    return [s["id"] for s in target["shots"]] if where[2] == "shots" else target.get(where[2], _GONE)


def _label(where: Where) -> str:
    scene, shot, field = where
    return f"scene {scene} {'shot ' + shot + ' ' if shot else ''}{field}"


def _commit(store: Store, project: str, base: Screenplay, base_sha: str, sets: list[Where],
            edit: Callable[[dict], None], what: str) -> tuple[str, str]:
    """Land an edit read from `base` on the head; (new sha, a note when it was re-applied on a newer head)."""
    before = base.model_dump(mode="json")
    onto = {"sha": base_sha}

    def apply(head: Screenplay, head_sha: str) -> Screenplay:
        data = head.model_dump(mode="json")
        if head_sha != base_sha:
            for where in sets:
                if _at(data, where) != _at(before, where):
                    raise EditConflict(f"{what}: {_label(where)} was changed by another edit (screenplay {head_sha[:12]}) "
                                       f"since this one read screenplay {base_sha[:12]}; nothing was written: look at it "
                                       f"with `dreamfactory show {project}` and edit again")
        onto["sha"] = head_sha
        edit(data)
        try:
            return Screenplay.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise SettingsError(f"{what} makes an invalid screenplay: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None

    sha = change_head(store, project, apply)
    moved = onto["sha"] != base_sha
    return sha, f"; re-applied on screenplay {onto['sha'][:12]}, which another edit wrote meanwhile" if moved else ""


def _read(store: Store, project: str, read: str | None) -> tuple[Screenplay, str]:
    """The screenplay an edit was made on: the version the person saw (`read`), or else the head as it is now."""
    if read is None:
        return load_head(store, project)
    key = layout.screenplay_version(project, read)
    return parse_screenplay(store.read_bytes(key), store.location(key)), read


def apply_edits(store: Store, project: str, scene_ref: str, assignments: list[str], shot_ref: str | None = None,
                read: str | None = None) -> str:
    """Set fields of a scene, or of one of its shots when shot_ref is given; a new screenplay version. `read`: the
    sha of the version the person edited (the review gate's), when it may be older than the head."""
    screenplay, base_sha = _read(store, project, read)
    scene = find_scene(screenplay, scene_ref)
    shot = find_shot(scene, shot_ref) if shot_ref is not None else None
    sets: list[tuple[Where, object]] = []
    for field, raw in _pairs(assignments):
        if shot is not None:
            if field not in SHOT_EDITABLE:
                raise SettingsError(f"--set {field}: editable shot fields are {', '.join(SHOT_EDITABLE)}")
            sets.append(((scene.id, shot.id, field), _value(field, raw)))
        elif field in EDITABLE:
            sets.append(((scene.id, None, field), _value(field, raw)))
        elif field in SHOT_FIELDS or field.startswith("shot."):
            name = field.removeprefix("shot.")
            sets.append(((scene.id, scene.shots[0].id, name), _value(name, raw)))
        else:
            raise SettingsError(f"--set {field}: editable scene fields are {', '.join(EDITABLE + SHOT_FIELDS)} "
                                f"(with --shot: {', '.join(SHOT_EDITABLE)})")

    def edit(data: dict) -> None:
        for where, value in sets:
            _target(data, where)[where[2]] = value

    sha, note = _commit(store, project, screenplay, base_sha, [where for where, _ in sets], edit, "--set")
    changed = ", ".join(field for (_, _, field), _ in sets)
    where = f"scene {scene.id} shot {shot.id}" if shot is not None else f"scene {scene.id}"
    return f"{where}: set {changed} (screenplay {sha[:12]}){note}; run `dreamfactory rerun {project}` to render it"


def _ids_ever_used(store: Store, project: str, scene_id: str) -> set[str]:
    """Every shot id the scene had in any stored version of the screenplay: a new shot never takes an old one's id."""
    used = set()
    for key in store.list(f"{project}/screenplays"):
        if not key.endswith(".json"):
            continue
        for scene in store.read_json(key).get("scenes", []):
            if scene.get("id") == scene_id:
                used |= {shot.get("id") for shot in scene.get("shots", [])}
    return used


def fresh_shot_id(used: set[str]) -> str:
    """The first of a, b, ..., z, then s27, s28, ... that is not in `used`."""
    candidates = list(string.ascii_lowercase) + [f"s{n}" for n in range(27, 10_000)]
    return next(c for c in candidates if c not in used)


def add_shot(store: Store, project: str, scene_ref: str, after: str | None, assignments: list[str]) -> str:
    """Insert a new shot after shot `after` (None or '0': first), with fields from FIELD=VALUE assignments; the
    shot gets a fresh id and every other shot keeps its own."""
    screenplay, base_sha = load_head(store, project)
    scene = find_scene(screenplay, scene_ref)
    position = 0 if after in (None, "0") else scene.shots.index(find_shot(scene, after)) + 1
    used = _ids_ever_used(store, project, scene.id) | {s.id for s in scene.shots}
    shot = {"id": fresh_shot_id(used), "description": "", "keyframe_prompt": "", "characters": []}
    for field, raw in _pairs(assignments):
        if field not in SHOT_EDITABLE:
            raise SettingsError(f"--set {field}: a shot's fields are {', '.join(SHOT_EDITABLE)}")
        shot[field] = _value(field, raw)
    if not shot["description"] or not shot["keyframe_prompt"]:
        text = shot["description"] or shot["keyframe_prompt"] or scene.action
        shot["description"], shot["keyframe_prompt"] = shot["description"] or text, shot["keyframe_prompt"] or text
    new = Shot.model_validate(shot)
    # The scene grows by the new shot's share, so every other shot keeps its span (and its clip).
    duration = scene.duration * (1 + new.duration / sum(s.duration for s in scene.shots))
    sha, note = _change_shots(store, project, screenplay, base_sha, scene.id, lambda shots: shots.insert(position, shot),
                              duration, "--add-shot")
    return (f"scene {scene.id}: added shot {shot['id']} at position {position + 1} (screenplay {sha[:12]}){note}; "
            f"run `dreamfactory rerun {project}` to render it")


def _change_shots(store: Store, project: str, screenplay: Screenplay, base_sha: str, scene_id: str,
                  change: Callable[[list], object], duration: float, what: str) -> tuple[str, str]:
    """Change a scene's list of shots and its duration, as one edit of both."""
    def edit(data: dict) -> None:
        target = _target(data, (scene_id, None, "shots"))
        change(target["shots"])
        target["duration"] = duration

    return _commit(store, project, screenplay, base_sha, [(scene_id, None, "shots"), (scene_id, None, "duration")],
                   edit, what)


def remove_shot(store: Store, project: str, scene_ref: str, shot_ref: str) -> str:
    """Remove one shot; its lines go to the shots `Scene.shot_lines()` gives them, the other ids stay."""
    screenplay, base_sha = load_head(store, project)
    scene = find_scene(screenplay, scene_ref)
    shot = find_shot(scene, shot_ref)
    if len(scene.shots) == 1:
        raise SettingsError(f"--remove-shot {shot_ref}: scene {scene.id} has no other shot; a scene needs one")
    index = scene.shots.index(shot)
    # The scene shrinks by the shot's share, so every other shot keeps its span (and its clip).
    duration = scene.duration * (1 - shot.duration / sum(s.duration for s in scene.shots))
    sha, note = _change_shots(store, project, screenplay, base_sha, scene.id, lambda shots: shots.pop(index), duration,
                              "--remove-shot")
    return f"scene {scene.id}: removed shot {shot.id} (screenplay {sha[:12]}){note}; run `dreamfactory rerun {project}`"


def apply_approval(store: Store, project: str, approval: ScreenplayApproval, read: str | None = None) -> None:
    """Apply the gate's edits as a new screenplay version (the head); refuse to go on when not approved. `read`: the
    sha of the screenplay the reviewer saw, so an edit made meanwhile elsewhere to a field of the form is not lost."""
    if not approval.approved:
        raise SettingsError("the screenplay was not approved at the review gate; nothing was rendered")
    grouped: dict[tuple[str, str | None], list[str]] = {}
    for edit in approval.edits:
        grouped.setdefault((edit.scene, edit.shot), []).append(f"{edit.field}={edit.value}")
    for (scene, shot), assignments in grouped.items():
        apply_edits(store, project, scene, assignments, shot_ref=shot, read=read)
