"""Phase inputs turned into their models, whichever form (model or plain dict) they arrive in."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def as_model(kind: type[BaseModel], value: Any) -> Any:
    """A phase input as its model: the studio passes models, a caller or a cached answer may pass plain dicts."""
    if isinstance(value, kind):
        return value
    return kind.model_validate(value.model_dump() if isinstance(value, BaseModel) else value)
