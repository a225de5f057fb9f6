"""`dreamfactory edit`: change fields of one scene, validated against the screenplay schema, as a new version."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import SettingsError
from .screenplay import Scene, Screenplay
from .store import Store
from .writing import load_head, save_edit

EDITABLE = ("setting", "time_of_day", "environment", "action", "characters", "dialogue", "camera", "duration")
SHOT_FIELDS = ("description", "keyframe_prompt")


def _value(field: str, raw: str):
    if field in ("characters",):
        return [c.strip() for c in raw.split(",") if c.strip()]
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


def apply_edits(store: Store, project: str, scene_ref: str, assignments: list[str]) -> str:
    screenplay, _ = load_head(store, project)
    scene = find_scene(screenplay, scene_ref)
    data = screenplay.model_dump(mode="json")
    target = data["scenes"][screenplay.scenes.index(scene)]
    changed = []
    for item in assignments:
        field, sep, raw = item.partition("=")
        field = field.strip()
        if not sep:
            raise SettingsError(f"--set takes FIELD=VALUE, got {item!r}")
        if field in EDITABLE:
            target[field] = _value(field, raw)
        elif field in SHOT_FIELDS or field.startswith("shot."):
            target["shots"][0][field.removeprefix("shot.")] = raw
        else:
            raise SettingsError(f"--set {field}: editable scene fields are {', '.join(EDITABLE + SHOT_FIELDS)}")
        changed.append(field)
    try:
        edited = Screenplay.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SettingsError(f"--set makes an invalid screenplay: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    sha = save_edit(store, project, edited)
    return f"scene {scene.id}: set {', '.join(changed)} (screenplay {sha[:12]}); run `dreamfactory rerun {project}` to render it"


class SceneEdit(BaseModel):
    """One change a person makes at the approval gate."""

    model_config = ConfigDict(extra="forbid")

    scene: str = Field(description="Scene number (1-based) or scene id.")
    field: str = Field(description=f"One of: {', '.join(EDITABLE + SHOT_FIELDS)}.")
    value: str = Field(description="The new value (characters: comma-separated ids; dialogue: JSON).")


class ScreenplayApproval(BaseModel):
    """The human gate's form: read the screenplay artifact, change fields, approve before any render starts."""

    model_config = ConfigDict(extra="forbid")

    approved: bool = Field(default=True, description="Untick to stop the run before anything is rendered.")
    edits: list[SceneEdit] = Field(default_factory=list, description="Changes to apply before rendering.")


def apply_approval(store: Store, project: str, approval: ScreenplayApproval) -> None:
    """Apply the gate's edits as a new screenplay version (the head); refuse to go on when not approved."""
    if not approval.approved:
        raise SettingsError("the screenplay was not approved at the review gate; nothing was rendered")
    by_scene: dict[str, list[str]] = {}
    for edit in approval.edits:
        by_scene.setdefault(edit.scene, []).append(f"{edit.field}={edit.value}")
    for scene, assignments in by_scene.items():
        apply_edits(store, project, scene, assignments)
