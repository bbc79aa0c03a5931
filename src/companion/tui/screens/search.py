"""Search every session's notes and transcripts; Enter opens the session at that moment."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from companion.notation import format_hms
from companion.operations.listings import search
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter


def _context(snippet: str) -> Text:
    """The FTS snippet with the matched words (between [ and ]) in bold."""
    text = Text()
    rest = snippet
    while "[" in rest and "]" in rest.split("[", 1)[1]:
        before, after = rest.split("[", 1)
        hit, rest = after.split("]", 1)
        text.append(before)
        text.append(hit, style="bold reverse")
    text.append(rest)
    return text


class SearchScreen(CompanionScreen):
    """A query box and the hits across sessions: participant, session, time, context."""

    DEFAULT_CSS = """
    SearchScreen #search-input { margin: 0 1; }
    SearchScreen #search-status { padding: 0 1; color: $text-muted; }
    SearchScreen DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search.back", tooltip="Close the search"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.hits: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Input(self.query_text, placeholder="Search notes and transcripts (word, or "
                    "prefix*)", id="search-input")
        yield Static("", id="search-status")
        table: DataTable[Any] = DataTable(id="search-results", cursor_type="row")
        yield table
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Participant", "Session", "Time", "In", "Context")
        self.query_one(Input).focus()
        if self.query_text:
            self.run_search(self.query_text)

    def run_search(self, query: str) -> None:
        self.query_text = query
        self.hits = search(self.companion.study, query)
        table = self.query_one(DataTable)
        table.clear()
        for index, hit in enumerate(self.hits):
            at = format_hms(hit["at_ms"]) if hit["at_ms"] is not None else "--:--:--"
            kind = "transcript" if hit["kind"] == "segment" else "note"
            table.add_row(hit["participant_code"], str(hit["session_id"]), at, kind,
                          _context(hit["context"] or ""), key=str(index))
        count = len(self.hits)
        self.query_one("#search-status", Static).update(
            f"{count} hit{'s' if count != 1 else ''} for {query!r}" if query.strip() else "")
        if self.hits:
            table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_search(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_hit(int(str(event.row_key.value)))

    def open_hit(self, index: int) -> None:
        hit = self.hits[index]
        self.companion.open_review(int(hit["session_id"]), at_ms=hit["at_ms"] or 0)

    def action_back(self) -> None:
        self.app.pop_screen()
