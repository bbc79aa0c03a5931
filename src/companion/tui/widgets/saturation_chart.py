"""Saturation at a glance: new codes per interview as bars, with the running total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from textual.widgets import Static

from companion.report.chart import saturation_text, sparkline
from companion.report.tables import SaturationRow
from companion.tui.widget_options import WidgetOptions


class SaturationChart(Static):
    """One line per interview (bar = new codes) and a sparkline summary on top."""

    DEFAULT_CSS = """
    SaturationChart { height: auto; padding: 0 1; }
    """

    def __init__(self, rows: Sequence[SaturationRow] = (),
                 **options: Unpack[WidgetOptions]) -> None:
        super().__init__("", **options)
        self.rows = list(rows)

    def on_mount(self) -> None:
        self.show(self.rows)

    def show(self, rows: Sequence[SaturationRow]) -> None:
        self.rows = list(rows)
        if not self.rows:
            self.update("No interviews with code tags yet.")
            return
        head = (f"New codes per interview: {sparkline([r.new for r in self.rows])}  "
                f"({_count(self.rows[-1].cumulative, 'code')} in "
                f"{_count(len(self.rows), 'interview')})")
        self.update("\n".join([head, *saturation_text(self.rows)]))


def _count(n: int, word: str) -> str:
    """'1 interview', '2 interviews'."""
    return f"{n} {word}{'' if n == 1 else 's'}"
