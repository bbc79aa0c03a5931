"""Check boxes whose ticked and unticked states differ in shape, not only in colour.

Textual's check box and selection list draw the same "X" in both states, in a colour that
tells them apart; on some terminals and themes a signed consent and an unsigned one looked
alike, and in the export dialog no one could read which formats, or whether "Replace files
that are there", were ticked. These show ✓ when ticked and nothing when not.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

TICKED, UNTICKED = "✓", " "


class TickBox(Checkbox):
    """A :class:`~textual.widgets.Checkbox` that reads ``▐✓▌`` ticked and ``▐ ▌`` not."""

    def render(self) -> Content:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        return super().render()


class TickList(SelectionList[str]):
    """A :class:`~textual.widgets.SelectionList` whose rows read ``▐✓▌`` ticked and
    ``▐ ▌`` not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # The list draws [left, inner, right, " ", prompt...]; only the inner cell changes.
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        inner = TICKED if selection.value in self.selected else UNTICKED
        segments[1] = Segment(inner, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)
