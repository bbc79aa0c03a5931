"""The two WAI profiles side by side, against the study's interquartile band and median.

One bar per domain and rating (most / least positive professional). Brackets mark the
reference study's 25th and 75th percentiles for that rating, a bar line its median.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from rich.text import Text
from textual.widget import Widget

from companion.protocol.model import TARGETS, Instrument, Reference, RefStat, Target
from companion.protocol.scoring import Placement, Score, format_number, place
from companion.tui.widget_options import WidgetOptions

# The words of the suggestions' reasons (Placement.label), shortened: the chart and the
# reasons call the same score the same thing.
SHORT_PLACEMENT = {
    Placement.BELOW_P25: "below 25th",
    Placement.WITHIN_IQR: "25th–75th",
    Placement.ABOVE_P75: "above 75th",
    Placement.AT_CEILING: "near max",
}
TARGET_STYLE = {"most": "bold cyan", "least": "bold magenta"}


ROLE_WIDTH = 16
"""Cells for a role's name (the longest of the study, physiotherapist, is 15)."""


def short_role(role: str, width: int = ROLE_WIDTH) -> str:
    """A role's name in ``width`` cells, whole when it fits: "occupational therapist"
    reads "occup. therapist", never a word cut off ("physiothe")."""
    role = " ".join(role.split())
    if len(role) <= width:
        return role
    words = role.split(" ")
    for index in range(len(words) - 1):  # shorten the first words first
        if len(words[index]) > 6:
            words[index] = words[index][:5] + "."
        if len(" ".join(words)) <= width:
            return " ".join(words)
    shortened = " ".join(words)
    return shortened if len(shortened) <= width else shortened[:width - 1] + "…"


class ProfileChart(Widget):
    """Bars for each domain (and the total) of the two ratings."""

    DEFAULT_CSS = """
    ProfileChart {
        height: auto;
        min-height: 3;
        width: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, **options: Unpack[WidgetOptions]) -> None:
        super().__init__(**options)
        self.instrument: Instrument | None = None
        self.reference: Reference | None = None
        self.scores: dict[Target, Score | None] = {}
        self.roles: dict[Target, str] = {}
        self.ceiling_fraction: float | None = None

    def show(
        self,
        instrument: Instrument | None,
        reference: Reference | None,
        scores: Mapping[Target, Score | None],
        roles: Mapping[Target, str],
        ceiling_fraction: float | None = None,
    ) -> None:
        """``ceiling_fraction``: from which share of the maximum a score reads "near max"
        (the protocol's, as its suggestions use it; default the instrument's)."""
        self.ceiling_fraction = ceiling_fraction
        self.instrument = instrument
        self.reference = reference
        self.scores = dict(scores)
        self.roles = dict(roles)
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        if self.instrument is None:
            return 1
        return 2 + 2 * (len(self.instrument.domains) + 1)

    def _bar(self, value: float | None, ref: RefStat | None, maximum: float, width: int,
             style: str) -> Text:
        cells: list[tuple[str, str]] = []
        for cell in range(width):
            middle = (cell + 0.5) / width * maximum
            if value is not None and middle <= value:
                cells.append(("█", style.replace("bold ", "")))
            else:
                cells.append(("·", "dim"))
        if ref is not None and maximum > 0:
            def at(v: float) -> int:
                return min(width - 1, max(0, int(v / maximum * width)))
            cells[at(ref.p25)] = ("[", "bold reverse")
            cells[at(ref.p75)] = ("]", "bold reverse")
            cells[at(ref.median)] = ("┃", "bold reverse")
        text = Text()
        for char, cell_style in cells:
            text.append(char, style=cell_style)
        return text

    def render(self) -> Text:
        instrument = self.instrument
        if instrument is None:
            return Text("No rating questionnaire in this protocol.", style="dim")
        names = {target: short_role(self.roles.get(target) or target) for target in TARGETS}
        column = max(len(name) for name in names.values()) + 1
        width = max(self.size.width - 2 - 24 - column, 8)
        text = Text(no_wrap=True, overflow="crop")
        text.append("Profile  ", style="bold")
        text.append("[ ] study's 25th–75th percentile  ┃ median", style="dim")
        text.append("\n")
        keys = [*instrument.domains, "total"]
        for key in keys:
            maximum = instrument.total_max if key == "total" else instrument.domain_max(key)
            for index, target in enumerate(TARGETS):
                label = key.capitalize() if index == 0 else ""
                text.append(f"\n{label:<6}", style="bold")
                text.append(f"{names[target]:<{column}}", style=TARGET_STYLE[target])
                score = self.scores.get(target)
                value = None
                if score is not None:
                    value = score.total if key == "total" else score.domains.get(key)
                ref = self.reference.get(target, key) if self.reference else None
                text.append_text(self._bar(value, ref, maximum, width, TARGET_STYLE[target]))
                if value is None:
                    text.append(f" {'—':>6}", style="dim")
                    continue
                text.append(f" {format_number(value):>6}", style="bold")
                if ref is not None:
                    where = place(value, ref, maximum,
                                  ceiling_fraction=self.ceiling_fraction
                                  or instrument.ceiling_fraction)
                    style = "yellow" if where in (Placement.BELOW_P25,
                                                  Placement.AT_CEILING) else "dim"
                    text.append(f" {SHORT_PLACEMENT[where]}", style=style)
        return text
