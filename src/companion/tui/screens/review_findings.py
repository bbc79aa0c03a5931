"""The identifiers of a reviewed session: a panel of its own under the transcript.

Each finding is a line (time, kind, the words, the label it gets); the transcript marks the
words (open ones highlighted, accepted ones struck through). ``i`` in review opens the
panel (and closes it again); there one key decides: ``a`` accepts with the proposed
label, ``A`` accepts for the whole study, ``l`` accepts with a label you type, ``r``
rejects; Enter shows the finding in the transcript. A session whose text changed since its
last search is searched again when the panel opens, in a thread worker; the panel says so
meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from companion.errors import CompanionError
from companion.operations import pseudonymise
from companion.operations.pseudonymise import Finding
from companion.study.folder import Study
from companion.tui.widgets.text_prompt import TextPrompt

STYLES = {"open": "bold black on yellow", "accepted": "strike", "rejected": ""}


def marked(text: str, findings: Sequence[Finding]) -> Text:
    """``text`` (a segment as review writes it) with its findings' words styled."""
    out = Text(text)
    position = 0
    for finding in sorted(findings, key=lambda f: f.start_char):
        at = text.find(finding.text, position)
        if at < 0:
            at = text.find(finding.text)
        if at < 0 or not STYLES[finding.status]:
            continue
        out.stylize(STYLES[finding.status], at, at + len(finding.text))
        position = at + len(finding.text)
    return out


class FindingsPanel(OptionList):
    """A session's findings, decided one key at a time (see the module)."""

    DEFAULT_CSS = """
    FindingsPanel { height: 8; border-top: solid $accent; display: none; }
    FindingsPanel.-open { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", id="findings.accept",
                tooltip="Replace these words in pseudonymised exports, with the label shown"),
        Binding("A", "accept(True)", "Accept for study", id="findings.accept-study",
                tooltip="Replace the name in every session of the study that says it"),
        Binding("l", "label", "Label…", id="findings.label",
                tooltip="Accept with a label you type, e.g. physiotherapist 1"),
        Binding("r", "reject", "Reject", id="findings.reject",
                tooltip="Not an identifier: exports keep these words"),
    ]

    @dataclass
    class Changed(Message):
        """The findings were (re)read: the transcript marks them again."""

        findings: list[Finding]

    @dataclass
    class Show(Message):
        """Show this moment of the transcript."""

        at_ms: int

    @dataclass
    class Searched(Message):
        error: str | None = None

    def __init__(self, study: Study, session_id: int, *, widget_id: str | None = None) -> None:
        super().__init__(id=widget_id)
        self.study = study
        self.session_id = session_id
        self.findings: list[Finding] = []
        self.searching = False

    def on_mount(self) -> None:
        self.reload()  # what earlier searches found, marked in the transcript at once

    def open(self) -> None:
        """Show the panel and take the keys; a session whose text changed since it was
        last searched (or never was) is searched now, in a thread."""
        self.add_class("-open")
        self.focus()
        if not self.searching and not self.current():
            self.searching = True
            self.show_lines()
            self.search()

    def close(self) -> None:
        self.remove_class("-open")

    def current(self) -> bool:
        return all(s.current for s in pseudonymise.review_state(self.study, [self.session_id]))

    @work(thread=True, exclusive=True, group="identifiers")
    def search(self) -> None:
        """Search the session in a thread (the Dutch detector takes seconds to load)."""
        try:
            pseudonymise.detect(self.study, self.session_id)
        except CompanionError as exc:
            self.post_message(self.Searched(str(exc)))
            return
        self.post_message(self.Searched())

    def on_findings_panel_searched(self, message: Searched) -> None:
        self.searching = False
        if message.error:
            self.app.notify(message.error, severity="error")
        self.reload()

    def reload(self) -> None:
        result = pseudonymise.suggest(self.study, self.session_id, search=False)
        self.findings = result.findings
        self.show_lines()
        self.post_message(self.Changed(list(self.findings)))

    def show_lines(self) -> None:
        keep = self.highlighted
        self.clear_options()
        if self.searching:
            self.add_option(Option("Searching for names, places and dates…", disabled=True))
        if not self.findings and not self.searching:
            self.add_option(Option("No names, places or dates found.", disabled=True))
        for f in self.findings:
            line = Text(f"[{f.at}] {f.status:<8} {f.kind:<11} ", style="dim")
            line.append(f.text, style=STYLES[f.status] or "")
            line.append(f"  → {f.label}" if f.status != "rejected" else "  (kept)",
                        style="italic")
            self.add_option(Option(line, id=str(f.id)))
        if self.findings:
            offset = 1 if self.searching else 0
            self.highlighted = min(keep or offset, self.option_count - 1)

    def chosen(self) -> Finding | None:
        index = self.highlighted
        if index is None:
            return None
        option = self.get_option_at_index(index)
        return next((f for f in self.findings if str(f.id) == option.id), None)

    def _decide(self, action: str, label: str | None = None, whole_study: bool = False) -> None:
        finding = self.chosen()
        if finding is None:
            return
        try:
            if action == "reject":
                pseudonymise.reject(self.study, self.session_id, [finding.id])
            else:
                pseudonymise.accept(self.study, self.session_id, [finding.id], label=label,
                                    whole_study=whole_study)
        except CompanionError as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.reload()
        if self.highlighted is not None and self.highlighted + 1 < self.option_count:
            self.highlighted += 1

    def action_accept(self, whole_study: bool = False) -> None:
        self._decide("accept", whole_study=whole_study)

    def action_reject(self) -> None:
        self._decide("reject")

    def action_label(self) -> None:
        finding = self.chosen()
        if finding is None:
            return
        self.app.push_screen(TextPrompt(f"Replace {finding.text!r} with", finding.label),
                             partial(self._labelled))

    def _labelled(self, label: str | None) -> None:
        if label:
            self._decide("accept", label=label)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        finding = self.chosen()
        if finding is not None and finding.at_ms is not None:
            self.post_message(self.Show(finding.at_ms))
