"""The `dreamfactory` command, an edge beside the flows: `commands` parses and prints, `server` finds or starts the
Prefect server a run talks to (and keeps every process it starts from outliving it), `watch` follows a run."""

from .commands import main

__all__ = ["main"]
