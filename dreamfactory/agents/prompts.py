"""Role prompts (Job, Task, Requirements) and phase templates: editable files, validated when loaded.

Role files live in prompts/roles/<role>.md with three '## ' sections; phase templates in prompts/phases/<phase>.md
are Jinja templates rendered strictly (a missing variable is an error, never an empty string). Set
DREAMFACTORY_PROMPTS_DIR to a copy of the folder to edit them without touching the package.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, Field

from ..errors import SettingsError
from ..settings import ROLES

PACKAGE_PROMPTS = Path(__file__).parent / "prompts"


class RolePrompt(BaseModel):
    """A role of the studio, as its prompt file defines it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = Field(description="Role id, the file's name.")
    title: str = Field(description="The role's name as the file's heading gives it.")
    job: str = Field(min_length=1, description="Who the role is.")
    task: str = Field(min_length=1, description="What the role does in the studio's phases.")
    requirements: str = Field(min_length=1, description="Rules the role's answers must keep.")

    def render(self) -> str:
        return (
            f"# {self.title}\n\n## Job\n{self.job}\n\n## Task\n{self.task}\n\n## Requirements\n{self.requirements}\n\n"
            "Answer with one JSON object that matches the schema you are given, and nothing else.")


def prompts_dir() -> Path:
    return Path(os.environ.get("DREAMFACTORY_PROMPTS_DIR") or PACKAGE_PROMPTS)


def parse_role(role: str, text: str) -> RolePrompt:
    title = re.search(r"^#\s+(.+)$", text, re.M)
    sections = {m.group(1).strip().lower(): m.group(2).strip()
                for m in re.finditer(r"^##\s+(\w+)\s*\n(.*?)(?=^##\s|\Z)", text, re.M | re.S)}
    missing = [s for s in ("job", "task", "requirements") if not sections.get(s)]
    if missing:
        raise SettingsError(f"role prompt {role}.md is missing its {', '.join(missing)} section(s)")
    return RolePrompt(role=role, title=title.group(1).strip() if title else role.title(), job=sections["job"],
                      task=sections["task"], requirements=sections["requirements"])


@lru_cache(maxsize=None)
def _load(directory: str) -> tuple[dict[str, RolePrompt], dict[str, str]]:
    base = Path(directory)
    roles = {}
    for role in ROLES:
        path = base / "roles" / f"{role}.md"
        if not path.exists():
            raise SettingsError(f"role prompt {path} is missing")
        roles[role] = parse_role(role, path.read_text(encoding="utf-8"))
    phases = {p.stem: p.read_text(encoding="utf-8") for p in sorted((base / "phases").glob("*.md"))}
    return roles, phases


def role_prompt(role: str) -> RolePrompt:
    return _load(str(prompts_dir()))[0][role]


def phase_template(phase: str) -> str:
    phases = _load(str(prompts_dir()))[1]
    if phase not in phases:
        raise SettingsError(f"phase template {phase}.md is missing from {prompts_dir() / 'phases'}")
    return phases[phase]


def _tojson(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, default=lambda model: model.model_dump(mode="json"))


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
_ENV.filters["tojson"] = _tojson


# The client's text goes between <story> and </story>: inside it, a tag that would end the story early (and let
# what follows read as the studio's words) loses its '<'.
DATA_VARIABLES = ("story", "passage")
_DELIMITER = re.compile(r"<(?=\s*/?\s*story\b)", re.IGNORECASE)


def as_data(text: str) -> str:
    """The client's text as it may stand between the story delimiters."""
    return _DELIMITER.sub("\u2039", text)


def render_phase(template: str, /, **variables: Any) -> str:
    """A phase template with its inputs; a variable the template uses but was not given is an error."""
    variables = {k: as_data(v) if k in DATA_VARIABLES and isinstance(v, str) else v for k, v in variables.items()}
    try:
        return _ENV.from_string(phase_template(template)).render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise SettingsError(f"phase template {template}.md uses a variable the phase does not give: {exc.message}") from exc


def prompt_fingerprint() -> dict[str, str]:
    """The text of every prompt file, for cache keys: editing a prompt invalidates the phases that use it."""
    roles, phases = _load(str(prompts_dir()))
    return {**{f"role:{k}": v.render() for k, v in roles.items()}, **{f"phase:{k}": v for k, v in phases.items()}}
