"""The nightly batch: every story in a folder or bucket read on its own, and one row per story of what became of it."""

from __future__ import annotations

from fsspec.core import url_to_fs
from pydantic import BaseModel, Field

from . import layout
from .errors import StoryError
from .film import film_history
from .story import MAX_STORY_BYTES, check_story
from .store import Store


class StoryFile(BaseModel):
    """One file of the folder: its story, or why it has none."""

    path: str = Field(description="Where the file is (a local path or a URL).")
    project: str = Field(default="", description="The project its text makes (empty when it cannot be read).")
    text: str = Field(default="", repr=False, description="The story, checked.")
    reason: str = Field(default="", description="Why it cannot be filmed (empty, binary, not UTF-8, too long); empty if it can.")


class BatchRow(BaseModel):
    """One row of the batch's table: a story and its film, or the reason it has none."""

    path: str
    project: str = ""
    film: str = Field(default="", description="Where its film is; empty when it has none.")
    reason: str = Field(default="", description="Why it has no film: the story cannot be read, or the step that failed.")
    seconds: float = Field(default=0.0, description="Time this run spent filming it (0 when it was filmed before).")


def read_stories(folder: str, pattern: str = "*.txt") -> list[StoryFile]:
    """Every file matching `pattern` in `folder` (any fsspec URL), each read and checked on its own: a file that
    cannot be a story is returned with its reason instead of stopping the others."""
    fs, root = url_to_fs(folder)
    fs.invalidate_cache()  # a long-lived worker's filesystem keeps listings: tonight's folder is read afresh
    found = []
    for path in sorted(fs.glob(f"{root.rstrip('/')}/{pattern}")):
        where = path if "://" not in folder else fs.unstrip_protocol(path)
        try:
            # One byte past the limit is enough to refuse a file too long, without reading all of it (an empty
            # object on S3 has no byte range at all, so the range is asked only of long files).
            long = fs.size(path) > MAX_STORY_BYTES
            text = check_story(fs.cat_file(path, start=0, end=MAX_STORY_BYTES + 1) if long else fs.cat_file(path), where)
        except StoryError as exc:
            found.append(StoryFile(path=where, reason=str(exc)))
        except OSError as exc:
            found.append(StoryFile(path=where, reason=f"{where} cannot be read ({exc.strerror or exc})"))
        else:
            found.append(StoryFile(path=where, project=layout.project_id(text), text=text))
    return found


def film_of(store: Store, project: str) -> str:
    """Where the project's latest film is, or '' when it has none yet."""
    history = film_history(store, project)
    return store.location(history[-1].key) if history else ""


def without_film(rows: list[BatchRow]) -> str:
    """The run's verdict when some stories have no film: each named with its reason."""
    missing = [row for row in rows if not row.film]
    return f"{len(missing)} of {len(rows)} stories have no film: " + "; ".join(row.reason for row in missing)
