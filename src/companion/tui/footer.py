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
        # The keys come with the screen's first frame: Textual's footer starts empty and
        # fills itself after a refresh, a second layout of the whole screen at start.
        self.set_reactive(Footer._bindings_ready, True)
        self._composed_for: tuple[object, ...] = ()

    def _plan(self) -> tuple[object, ...]:
        """What the keys shown depend on: the width and the screen's keys with their
        words, tooltips and state, in order."""
        app = self.app
        shown = tuple(
            (binding.key, app.get_key_display(binding), binding.action, binding.description,
             enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING)
        return (self.size.width or app.size.width, shown)

    async def recompose(self) -> None:
        """Compose the keys again only when something they show changed: the screen asks
        after every focus change and every highlighted row, the keys mostly stay."""
        if self.is_attached and self._plan() != self._composed_for:
            await super().recompose()

    def compose(self) -> ComposeResult:
        self._composed_for = self._plan()
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
        del event  # recompose compares the width with the one the keys were laid out for
        self.call_after_refresh(self.recompose)
