"""Typed errors raised inside the library; the CLI and flows turn them into one line for a person."""


class DreamFactoryError(Exception):
    """Base of every error meant for the user: its message says what was wrong and what to do."""


class StoryError(DreamFactoryError):
    """The story cannot be filmed as given (empty, too long, not text, too few beats for the scenes asked)."""


class SettingsError(DreamFactoryError):
    """A setting or flag has a value the studio cannot use."""


class EditConflict(SettingsError):
    """An edit sets a field that another edit changed since this one read the screenplay: refused, nothing written."""


class WritingError(DreamFactoryError):
    """A writing phase failed for good (invalid answers, refusals, a backend that cannot be reached)."""

    def __init__(self, message: str, *, phase: str = "", role: str = ""):
        where = f"{phase} phase ({role}): " if phase else ""
        super().__init__(where + message)
        self.phase, self.role = phase, role


class BudgetExceeded(WritingError):
    """The next call would pass the token budget set with --max-tokens."""


class StoreError(DreamFactoryError):
    """The store cannot be read or written (unreachable, missing bucket, no permission, full disk)."""


class ConflictError(StoreError):
    """A content-addressed key already holds different content: something wrote there that should not."""


class RenderError(DreamFactoryError):
    """A keyframe, clip or film could not be rendered."""


class ProjectNotFound(DreamFactoryError):
    """No project of that id in the store."""
