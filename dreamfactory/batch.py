"""The nightly batch: which stories in a folder or bucket have no film yet."""

from __future__ import annotations

from fsspec.core import url_to_fs

from . import layout
from .film import film_history
from .story import check_story
from .store import Store


def new_stories(store: Store, folder: str, pattern: str = "*.txt") -> list[tuple[str, str]]:
    """(path, text) of every story under `folder` (any fsspec URL) whose project has no film in the store yet."""
    fs, root = url_to_fs(folder)
    found = []
    for path in sorted(fs.glob(f"{root.rstrip('/')}/{pattern}")):
        text = check_story(fs.cat_file(path), path)
        if not film_history(store, layout.project_id(text)):
            found.append((path, text))
    return found
