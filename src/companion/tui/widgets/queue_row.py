"""One session in the transcription queue: who, how long, a progress bar, state and ETA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ListItem, ProgressBar, Static

from companion.notation import format_hms

if TYPE_CHECKING:
    from companion.operations.listings import QueueItem

# What a transcript's status in the database means for a session in the queue.
# "not started", not "waiting": nothing runs until t or a is pressed.
STORED_STATE = {None: "not started", "cancelled": "cancelled", "failed": "failed",
                "running": "interrupted"}



class Field(Widget):
    """One line of text bound to a reactive of its row."""

    DEFAULT_CSS = "Field { height: 1; }"

    text: reactive[str] = reactive("")

    def render(self) -> RenderResult:
        return Text(self.text, no_wrap=True, overflow="ellipsis")


class QueueRow(ListItem):
    """A session in the queue: who, how long, a progress bar, its state and ETA."""

    state: reactive[str] = reactive("not started")
    """not started, queued, loading model, transcribing, cancelling…, done, cancelled, failed
    or interrupted (a run that died)."""
    fraction: reactive[float] = reactive(0.0)
    eta: reactive[str] = reactive("")

    def __init__(self, item: QueueItem) -> None:
        super().__init__(id=f"queue-{item.session_id}")
        self.item = item
        self.before_run = ""
        """The state shown before a run queued this row (it returns if never reached)."""
        self.done_ms = item.done_ms
        self.show_stored(item)

    @property
    def session_id(self) -> int:
        return self.item.session_id

    def show_stored(self, item: QueueItem) -> None:
        """Show what the database says (between runs)."""
        self.item = item
        self.done_ms = item.done_ms
        self.state = STORED_STATE.get(item.stored, item.stored or "not started")
        self.fraction = min(1.0, item.done_ms / item.total_ms) if item.total_ms else 0.0
        self.eta = f"stopped at {format_hms(item.done_ms)}" if item.done_ms else ""

    def compose(self) -> ComposeResult:
        item = self.item
        with Horizontal(classes="queue-line"):
            yield Static(f"{item.participant_code} · session {item.session_id}",
                         classes="queue-name")
            yield Static(format_hms(item.total_ms), classes="queue-length")
            yield ProgressBar(total=1.0, show_eta=False).data_bind(progress=QueueRow.fraction)
            yield Field(classes="queue-state").data_bind(text=QueueRow.state)
            yield Field(classes="queue-eta").data_bind(text=QueueRow.eta)

    def watch_state(self, state: str) -> None:
        for name in ("done", "failed", "cancelled", "transcribing"):
            self.set_class(state == name, f"-{name}")
