"""The live transcript's views on the interview screen: the last lines said, the talk balance.

:class:`LiveLines` shows the newest lines with their session time and speaker; a cursor
(Ctrl+↑/↓) picks the line the quote key pins, and follows the newest line until moved. Its
last row says when the live transcript is starting, fell behind or stopped. The panel that
runs the transcriber and shows these is
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

    def on_resize(self) -> None:
        self._redraw()

    def _rows(self) -> int:
        """How many lines fit: the highlighted line must be one of the rows in view, or
        the quote key would pin a line the interviewer cannot see."""
        height = self.content_size.height
        room = height - (1 if self.status else 0) if height > 0 else self.shown
        return max(1, min(self.shown, room))

    def _redraw(self) -> None:
        # One row per line, cut with an ellipsis: a wrapped line pushes the others away.
        text = Text(no_wrap=True, overflow="ellipsis")
        current = self.current_index
        shown = self._rows()
        first = max(0, min(current if current is not None else 0,
                           len(self.lines) - shown))
        for index in range(first, min(len(self.lines), first + shown)):
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
        if not self.lines:
            text.append("Nothing heard yet.\n", style="dim")
        if self.status:
            text.append(self.status, style="bold yellow")
        self.update(text)


class TalkBar(Static):
    """Interviewer's and participant's share of speaking time in the current phase."""

    DEFAULT_CSS = """
    TalkBar { height: 1; padding: 0 1; }
    """

    def show_balance(self, labels: tuple[str, str], interviewer: float | None,
                     width: int = 20) -> None:
        if interviewer is None:
            self.display = False
            return
        self.display = True
        left = round(interviewer * width)
        text = Text(no_wrap=True)
        text.append("Talk this phase  ", style="dim")
        text.append(f"{labels[0]} {interviewer:.0%} ", style="bold")
        text.append("█" * left, style="cyan")
        text.append("█" * (width - left), style="magenta")
        text.append(f" {1 - interviewer:.0%} {labels[1]}", style="bold")
        self.update(text)
