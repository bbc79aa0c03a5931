"""What the transcription worker tells its screen, posted from the worker's thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from companion.operations.listings import QueueItem
    from companion.transcribe.runner import Progress


# eq=False: a message is one event (identity, not equality), and stays hashable.
@dataclass(eq=False)
class QueueLoaded(Message, bubble=False):
    """The queue as the database has it, or ``error`` when it could not be read."""

    items: list[QueueItem]
    error: str | None = None


@dataclass(eq=False)
class ModelLoading(Message, bubble=False):
    """The run is loading the Whisper model (the first run of the app)."""

    session_id: int


@dataclass(eq=False)
class SessionStarted(Message, bubble=False):
    """The run moved on to ``session_id`` (``index`` of ``count``)."""

    session_id: int
    index: int
    count: int
    model: str


@dataclass(eq=False)
class ProgressMade(Message, bubble=False):
    """The runner's progress report for one session."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        # A newer report on the same session supersedes this one (toolong's pattern):
        # the UI shows only the latest, however fast the segments come.
        return (isinstance(message, ProgressMade)
                and message.progress.session_id == self.progress.session_id)


@dataclass(eq=False)
class SessionFinished(Message, bubble=False):
    """A session's run ended: ``status`` done, cancelled or failed (``error`` says why)."""

    session_id: int
    status: str
    elapsed_s: float = 0.0
    error: str | None = None


@dataclass(eq=False)
class RunEnded(Message, bubble=False):
    """The worker is done (finished, cancelled, or the model could not be loaded)."""

    error: str | None = None
