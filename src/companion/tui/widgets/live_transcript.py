"""The live transcript's views on the interview screen: the last lines said, the talk balance.

:class:`LiveLines` shows the newest lines with their session time and speaker; a cursor
(Ctrl+↑/↓) picks the line the quote key pins, and follows the newest line until moved
(and again after a pin); while it stays on an older line a row says how many newer
lines are below. Its last row says when the live transcript is starting, fell behind or
stopped. The panel that runs the transcriber and shows these is
:class:`companion.tui.screens.live.transcript.LiveTranscriptPanel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from rich.text import Text
from textual.widgets import Static

from companion.notation import format_hms
from companion.tui.widget_options import WidgetOptions


class LiveLines(Static):
    """The newest live lines, one row each, the highlighted one reversed."""

    DEFAULT_CSS = """
    LiveLines {
        height: 1fr; max-height: 5; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.lines: list[tuple[int, str | None, str]] = []
        self.cursor: int | None = None  # None: the newest line
        self.status = ""
        self.shown = 4
        """Most lines shown; fewer when the panel has fewer rows (see ``_rows``)."""

    @property
    def current_index(self) -> int | None:
        if not self.lines:
            return None
        if self.cursor is None:
            return len(self.lines) - 1
        return max(0, min(self.cursor, len(self.lines) - 1))

    def set_lines(self, lines: Sequence[tuple[int, str | None, str]], status: str) -> None:
        self.lines = list(lines)
        self.status = status
        self._redraw()

    def move(self, step: int) -> None:
        index = self.current_index
        if index is None:
            return
        index = max(0, min(index + step, len(self.lines) - 1))
        self.cursor = None if index == len(self.lines) - 1 else index
        self._redraw()

    def follow(self) -> None:
        """Back to the newest line, following what is said (after a pin)."""
        self.cursor = None
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _rows(self) -> int:
        """How many lines fit: the highlighted line must be one of the rows in view, or
        the quote key would pin a line the interviewer cannot see."""
        height = self.content_size.height
        room = height - (1 if self.status else 0) if height > 0 else self.shown
        return max(1, min(self.shown, room))

    def _window(self) -> tuple[int, int, int]:
        """The first line shown, how many, and how many newer lines are below them: the
        newest lines unless the cursor was moved up past them (then a row says so)."""
        count, shown, current = len(self.lines), self._rows(), self.current_index
        if current is None or self.cursor is None or current >= count - shown:
            first = max(0, count - shown)
            return first, count - first, 0
        shown = max(1, shown - 1)  # one row tells of the newer lines below
        return current, shown, count - current - shown

    def _redraw(self) -> None:
        # One row per line, cut with an ellipsis: a wrapped line pushes the others away.
        text = Text(no_wrap=True, overflow="ellipsis")
        current = self.current_index
        first, shown, below = self._window()
        for index in range(first, first + shown):
            at_ms, speaker, said = self.lines[index]
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append(f"{format_hms(at_ms)} ", style="dim")
            if speaker:
                row.append(f"{speaker}: ", style="bold")
            row.append(" ".join(said.split()))
            if index == current:
                row.stylize("reverse")
            text.append_text(row)
            text.append("\n")
        if below:
            newer = "1 newer line" if below == 1 else f"{below} newer lines"
            text.append(f"↓ {newer} below · Ctrl+↓\n", style="bold")
        if not self.lines:
            text.append("Nothing heard yet.\n", style="dim")
        if self.status:
            text.append(self.status, style="bold yellow")
        self.update(text)


class TalkBar(Static):
    """Interviewer's and participant's share of speaking time in the current phase, on
    the live transcript's title row: the bar takes the room the row leaves."""

    DEFAULT_CSS = """
    TalkBar { height: 1; width: 1fr; padding: 0 1; }
    """

    LABEL = "Talk this phase  "

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.labels: tuple[str, str] = ("I", "P")
        self.interviewer: float | None = None

    def show_balance(self, labels: tuple[str, str], interviewer: float | None) -> None:
        self.labels, self.interviewer = labels, interviewer
        self.display = interviewer is not None
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        interviewer = self.interviewer
        if interviewer is None:
            return
        first = f"{self.labels[0]} {interviewer:.0%} "
        last = f" {1 - interviewer:.0%} {self.labels[1]}"
        room = self.content_size.width or 60
        # The words first go when the row is short (80 columns), then the bar shrinks.
        label = self.LABEL if room - len(first) - len(last) - len(self.LABEL) >= 20 else ""
        width = max(4, min(20, room - len(label) - len(first) - len(last)))
        left = round(interviewer * width)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(label, style="dim")
        text.append(first, style="bold")
        text.append("█" * left, style="cyan")
        text.append("█" * (width - left), style="magenta")
        text.append(last, style="bold")
        self.update(text)
