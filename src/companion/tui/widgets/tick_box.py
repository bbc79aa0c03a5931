"""A check box whose ticked and unticked states differ in shape, not only in colour.

Textual's check box draws the same "X" in both states, in a colour that tells them
apart; on some terminals and themes a signed consent and an unsigned one looked alike.
This one shows ✓ when ticked and nothing when not.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    """A :class:`~textual.widgets.Checkbox` that reads ``▐✓▌`` ticked and ``▐ ▌`` not."""

    def render(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super().render()
