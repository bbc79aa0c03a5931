"""Lists with a keyboard cursor that never takes focus (the note box keeps it).

Used for the prompts of the current phase (mark asked) and for the deepening suggestions
(mark used). The live screen moves the cursor with its own bindings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Unpack

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from companion.tui.widget_options import WidgetOptions


@dataclass(frozen=True)
class Entry:
    """One row: a key the screen knows it by, the main text and smaller lines below it;
    ``more``: lines shown when there is room (other wordings of a question); ``group``
    names the heading it stands under (entries of a group come together)."""

    key: str
    text: str
    details: tuple[str, ...] = ()
    detail_style: str = "italic"
    extra: dict[str, object] = field(default_factory=dict)
    group: str = ""
    more: tuple[str, ...] = ()


class _Row(Static):
    DEFAULT_CSS = """
    _Row { padding: 0 1; margin-bottom: 1; }
    _Row.-cursor { background: $boost; border-left: thick $accent; padding-left: 0; }
    _Row.-marked { color: $text-muted; }
    _Row.-compact { margin-bottom: 0; }
    _Row.-short { text-wrap: nowrap; text-overflow: ellipsis; }
    """


class _Heading(Static):
    DEFAULT_CSS = """
    _Heading { padding: 0 1; color: $text-muted; text-style: bold; }
    """


class CursorList(VerticalScroll, can_focus=False):
    """A scrolling list of entries with a cursor and a set of marked entries.

    When the entries do not all fit in full, the highlighted one stays whole and the others
    shrink to one line each: the prompt or card the interviewer is about to use can be
    read at once, even at 80x24."""

    DEFAULT_CSS = """
    CursorList {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    CursorList > .cursor-list--empty { color: $text-muted; padding: 0 1; }
    """

    MARK = "✓"
    cursor: reactive[int] = reactive(0, init=False)

    def __init__(self, empty_text: str = "Nothing here.",
                 **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.empty_text = empty_text
        self.entries: list[Entry] = []
        self.marked: set[str] = set()
        self.compact = False
        """The others are one line each (set when the entries do not fit in full)."""

    def compose(self) -> ComposeResult:
        yield Static(self.empty_text, classes="cursor-list--empty")

    def set_entries(self, entries: Sequence[Entry], marked: set[str] | None = None) -> None:
        self.entries = list(entries)
        if marked is not None:
            self.marked = set(marked)
        self.remove_children()
        if not self.entries:
            self.mount(Static(self.empty_text, classes="cursor-list--empty"))
        else:
            rows: list[Static] = []
            group = ""
            for index, entry in enumerate(self.entries):
                if entry.group and entry.group != group:
                    rows.append(_Heading(Text(entry.group)))
                group = entry.group
                rows.append(_Row(self._render_entry(entry, index)))
            self.mount_all(rows)
        self.set_reactive(CursorList.cursor, min(self.cursor, max(len(self.entries) - 1, 0)))
        self.call_after_refresh(self._refresh_rows)

    @property
    def current(self) -> Entry | None:
        if not self.entries:
            return None
        return self.entries[min(self.cursor, len(self.entries) - 1)]

    def move(self, step: int) -> None:
        if self.entries:
            self.cursor = (self.cursor + step) % len(self.entries)

    def mark(self, key: str) -> None:
        self.marked.add(key)
        self._refresh_rows()

    def watch_cursor(self) -> None:
        self._refresh_rows()

    def on_resize(self) -> None:
        self.call_after_refresh(self._refresh_rows)

    def _render_entry(self, entry: Entry, index: int, *, short: bool = False,
                      more: bool = True) -> Text:
        marked = entry.key in self.marked
        text = Text()
        text.append(f"{self.MARK} " if marked else "• ", style="bold green" if marked else "")
        if short:  # one line: the text's start says which it is
            text.append(" ".join(entry.text.split()))
            return text
        text.append(entry.text, style="" if index != self.cursor else "bold")
        lines = list(entry.details)
        if more:
            lines += entry.more
        elif entry.more:
            lines.append(f"+ {len(entry.more)} other wording(s) in a wider window")
        for line in lines:
            text.append("\n  ")
            text.append(line, style=entry.detail_style)
        return text

    def _height(self, text: Text) -> int:
        # A row's padding (or the cursor's bar) and the scroll bar take three columns.
        return len(text.wrap(self.app.console, max(self.size.width - 3, 10)))

    def _fits_in_full(self) -> bool:
        """Whether every entry, whole, fits in the list's height."""
        height = self.size.height
        if height <= 0 or not self.entries:
            return True
        needed = sum(self._height(self._render_entry(entry, index)) + 1
                     for index, entry in enumerate(self.entries))
        needed += len({entry.group for entry in self.entries if entry.group})
        return needed - 1 <= height  # the last row's margin may fall off the end

    def _refresh_rows(self) -> None:
        self.compact = not self._fits_in_full()
        rows = list(self.query(_Row))
        for index, (row, entry) in enumerate(zip(rows, self.entries, strict=False)):
            short = self.compact and index != self.cursor
            # Squeezed, the highlighted entry drops its other wordings unless they fit too.
            more = not self.compact or self._height(
                self._render_entry(entry, index)) <= self.size.height
            row.update(self._render_entry(entry, index, short=short, more=more))
            row.set_class(index == self.cursor, "-cursor")
            row.set_class(entry.key in self.marked, "-marked")
            row.set_class(self.compact, "-compact")
            row.set_class(short, "-short")
            if index == self.cursor:  # once its new height is laid out
                self.call_after_refresh(self.scroll_to_widget, row, animate=False)


class PromptList(CursorList):
    """Prompts of the current phase, follow-ups beneath each; asked ones ticked."""


class SuggestionList(CursorList):
    """Questions proposed from the scores, each with its reason; used ones ticked."""

    MARK = "✓"
