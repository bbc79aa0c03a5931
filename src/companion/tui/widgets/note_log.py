"""The live screen's running list of what was stamped: notes, tags, phases, pauses."""

from __future__ import annotations

from typing import Unpack

from rich.text import Text
from textual.widgets import Static

from companion.notation import format_hms
from companion.tui.symbols import SYMBOLS
from companion.tui.widget_options import WidgetOptions


class NoteLog(Static):
    """The latest notes, bookmarks and code tags of the session, newest at the bottom.

    One row per line, cut with an ellipsis: a wrapped line would push the newest one
    below the note box, where the interviewer cannot see that it was kept.
    """

    DEFAULT_CSS = """
    NoteLog { height: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.lines: list[Text] = []

    def add(self, at_ms: int | None, kind: str, text: str) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        # The gap belongs to the time's span: a separate run of spaces at the start of the
        # text's span is dropped by SVG renderers (the screenshots read "00:05:12Says").
        line.append(f"{format_hms(at_ms) if at_ms is not None else '--:--:--'}  ",
                    style="dim")
        line.append(SYMBOLS.get(kind, ""), style="bold")
        line.append(" ".join(text.split()))  # a quote's line breaks would start new rows
        self.lines.append(line)
        self.lines = self.lines[-50:]
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        height = max(self.size.height, 1)
        shown = self.lines[-height:]
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(shown) if shown
                    else Text("No notes yet.", style="dim"))
