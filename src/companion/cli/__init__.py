"""The command line: one thin front on the operations the TUI calls too.

Every error a user can cause prints one line (field, value, what is allowed) and exits 2
before anything is written. Listing commands take ``--json`` and print a stable document:
a list of objects (or one object) with named fields. Each module here declares the
commands of one subject; importing them registers them on :data:`main`.
"""

from companion.cli import (  # noqa: F401
    annotate,
    audio,
    exchange,
    models,
    outputs,
    people,
    privacy,
    speakers,
    study,
)
from companion.cli.base import main

__all__ = ["main"]
