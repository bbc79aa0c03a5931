"""The study report in the terminal: Table 1, Table 2, durations and the saturation chart."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from companion.operations import report as study_report
from companion.report.render import to_markdown
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter
from companion.tui.widgets.saturation_chart import SaturationChart


class ReportScreen(CompanionScreen):
    """Read-only: the same numbers as ``companion report``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="report.back", tooltip="Close the report"),
    ]

    def compose(self) -> ComposeResult:
        # On screen the report is as of now: its time stamp belongs in the written file.
        report = replace(study_report.build(self.companion.study), generated_at="just now")
        with VerticalScroll():
            yield Static("Saturation", classes="pane-title")
            yield SaturationChart(report.saturation, id="saturation")
            yield Markdown(to_markdown(report), id="report-tables")
        yield FittingFooter()

    def action_back(self) -> None:
        self.app.pop_screen()
