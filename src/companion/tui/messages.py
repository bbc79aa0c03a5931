"""Messages the screens post about what reached the database (tests and benchmarks listen)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(eq=False)  # a message is one event: identity, not equality
class Stamped(Message):
    """Something was written to the session timeline at ``at_ms``.

    ``kind`` is one of ``note``, ``bookmark``, ``code``, ``quote``, ``phase``, ``asked``,
    ``used``, ``reflection``; ``ref`` is the note id, phase id, prompt id or rule id;
    ``shown`` is how the live screen's log writes it.
    """

    session_id: int
    kind: str
    at_ms: int | None
    ref: object
    shown: str = ""


class InterruptedFound(Message):
    """Sessions whose recording did not end cleanly were found at start-up."""

    def __init__(self, session_ids: list[int]) -> None:
        self.session_ids = session_ids
        super().__init__()


class RecoveryDone(Message):
    """A recovery worker finished; ``error`` is a sentence for the user when it failed."""

    def __init__(self, session_id: int, error: str | None = None) -> None:
        self.session_id = session_id
        self.error = error
        super().__init__()
