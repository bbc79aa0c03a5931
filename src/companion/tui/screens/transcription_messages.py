"""What the transcription worker tells its screen, posted from the worker's thread.

The queue's own events (:data:`companion.operations.transcription.QueueEvent`: the model
loading, a session started, progress, a session finished) travel as they are, each in one
:class:`QueueReport`; the CLI draws the same events as its progress bars. Only what the
screen alone needs has a message of its own: the queue read, the worker's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from companion.operations.listings import QueueItem
    from companion.operations.transcription import QueueEvent


# eq=False: a message is one event (identity, not equality), and stays hashable.
@dataclass(eq=False)
class QueueLoaded(Message, bubble=False):
    """The queue as the database has it, or ``error`` when it could not be read."""

    items: list[QueueItem]
    error: str | None = None


@dataclass(eq=False)
class QueueReport(Message, bubble=False):
    """One event of the running queue."""

    event: QueueEvent

    def can_replace(self, message: Message) -> bool:
        # A newer progress report on the same session supersedes this one (toolong's
        # pattern): the UI shows only the latest, however fast the segments come.
        from companion.operations.transcription import Progress

        return (isinstance(self.event, Progress) and isinstance(message, QueueReport)
                and isinstance(message.event, Progress)
                and message.event.session_id == self.event.session_id)


@dataclass(eq=False)
class RunEnded(Message, bubble=False):
    """The worker is done (finished, cancelled, or the model could not be loaded)."""

    error: str | None = None
