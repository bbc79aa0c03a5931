"""A footer that shows only the keys that fit: no key cut in half, no stray characters.

Textual's footer scrolls sideways when its keys are wider than the terminal, and at 80
columns that left pieces of hidden keys beside the palette hint. This one keeps the
screen's keys in their order while they fit and leaves the rest to the palette (Ctrl+P
lists every key with what it does); the keys a screen cannot do without (its
``FOOTER_KEEPS``, and Quit everywhere) stay whatever the width. It lives outside
``tui.widgets``: that package pulls in the audio status (numpy), which the sessions
screen's first frame must not wait for.
"""

from __future__ import annotations

from typing import Unpack

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from companion.tui.widget_options import WidgetOptions

ESSENTIAL = ("tag_code(", "tag_next", "quit")
"""Actions whose key always stays in the footer, on every screen (a screen names its own
in ``FOOTER_KEEPS``)."""


def _width(key: FooterKey) -> int:
    """Cells a key takes in the compact footer: its key, a space, its words, a margin."""
    words = f" {key.description}" if key.description else ""
    return len(key.key_display) + len(words) + 1


def _kept(action: str, essential: tuple[str, ...]) -> bool:
    """``action`` is one of ``essential`` (a name ending in "(" covers every argument)."""
    return any(action == name or (name.endswith("(") and action.startswith(name))
               for name in essential)


class FittingFooter(Footer):
    """The footer of every companion screen (compact)."""

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(compact=True, **options)
        self._laid_out_for = 0

    def compose(self) -> ComposeResult:
        widgets: list[Widget] = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        width = self.size.width or self.app.size.width
        room = width - sum(_width(w) + 2 for w in palette  # its border
                           if isinstance(w, FooterKey))
        # The code-tag key is how a note is coded: it keeps its place whatever the width.
        keys = [w for w in widgets if isinstance(w, FooterKey) and w not in palette]
        essential = ESSENTIAL + tuple(getattr(self.screen, "FOOTER_KEEPS", ()))
        kept = {id(w) for w in keys if _kept(w.action, essential)}
        room -= sum(_width(w) for w in keys if id(w) in kept)
        for key in keys:
            if id(key) not in kept and _width(key) <= room:
                kept.add(id(key))
                room -= _width(key)
            elif id(key) not in kept:
                room = -1  # keep the order: nothing after a key that did not fit
        for widget in widgets:
            if widget in palette:
                continue
            if isinstance(widget, FooterKey) and id(widget) not in kept:
                continue
            yield widget
        yield from palette

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._laid_out_for:
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)
