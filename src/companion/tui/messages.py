"""Messages the screens post about what reached the database (tests and benchmarks listen)."""

from __future__ import annotations

from textual.message import Message


class Stamped(Message):
    """Something was written to the session timeline at ``at_ms``.

    ``kind`` is one of ``note``, ``bookmark``, ``code``, ``phase``, ``asked``, ``used``;
    ``ref`` is the note id, phase id, prompt id or rule id.
    """

    def __init__(self, session_id: int, kind: str, at_ms: int | None, ref: object) -> None:
        self.session_id = session_id
        self.kind = kind
        self.at_ms = at_ms
        self.ref = ref
        super().__init__()


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
