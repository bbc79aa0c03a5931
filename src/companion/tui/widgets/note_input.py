"""The note box of the live screen: stamps a note at its first keystroke.

People start typing a note a little after the moment it is about, and finish it later
still, so the moment that counts is the first key. Everything typed is text: a note may
start with a digit ("10 years of pain"). Code tags live on Alt+digit, which no sentence
starts with; the box leaves those keys to the screen's bindings. Terminals differ in
what Alt sends, so Ctrl+T (tag) followed by the code's key does the same everywhere:
after Ctrl+T the box takes the next key as a code key, never as text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack

from textual import events
from textual.message import Message
from textual.widgets import Input

from companion.tui.widget_options import WidgetOptions


class NoteInput(Input):
    """An Input that records ``started_ms`` from ``clock()`` when the first key is typed."""

    DEFAULT_CSS = """
    NoteInput { width: 1fr; }
    """

    class CodeKey(Message):
        """The key pressed after the tag key (Ctrl+T): tag the moment with its code."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    class Started(Message):
        """The first key of a new note was pressed at ``at_ms`` (session time)."""

        def __init__(self, at_ms: int) -> None:
            self.at_ms = at_ms
            super().__init__()

    def __init__(self, clock: Callable[[], int], *, placeholder: str = "",
                 **options: Unpack[WidgetOptions]) -> None:
        super().__init__(placeholder=placeholder, **options)
        self.clock = clock
        self.started_ms: int | None = None
        self.code_key_next = False
        """Set by the tag key: the next key names a code (Escape cancels)."""

    async def _on_key(self, event: events.Key) -> None:
        if self.code_key_next:
            self.code_key_next = False
            event.stop()
            event.prevent_default()
            if event.character and event.is_printable:
                self.post_message(self.CodeKey(event.character))
            else:
                self.post_message(self.CodeKey(""))  # cancelled
            return
        if event.key.startswith(("alt+", "ctrl+")):
            return  # a command key (Alt+digit tags a code): never typed into the note
        if event.is_printable and event.character and not self.value:
            # An empty box means a new note, even after deleting a draft: stamp it now.
            self.started_ms = self.clock()
            self.post_message(self.Started(self.started_ms))
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        # Only the stamp: Textual calls Input's own handler after this one (handlers run
        # down the class hierarchy), so calling it here too pasted the text twice.
        if event.text and not self.value and self.started_ms is None:
            self.started_ms = self.clock()
            self.post_message(self.Started(self.started_ms))

    def reset(self) -> None:
        """Empty the box and forget the stamp (after saving or cancelling)."""
        self.started_ms = None
        self.value = ""
