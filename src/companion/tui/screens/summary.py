"""After the interview: the session at a glance, reflection notes, mark it completed.

Stopping a recording (F10) lands here with the session ``stopped``: it continues in a
new segment on the same session clock (F5 here, or l on the sessions screen), F8 marks it
completed (and F8 again reopens it).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, TextArea

from companion.audio.play import Player, PlayerLike
from companion.errors import CompanionError
from companion.notation import format_hms
from companion.operations import notes as notes_ops
from companion.operations import recording as recording_ops
from companion.operations import sessions as session_ops
from companion.tui.context import CompanionScreen
from companion.tui.faults import playback_problem
from companion.tui.footer import FittingFooter
from companion.tui.messages import Stamped
from companion.tui.screens.enrol_offer import offer_enrolment
from companion.tui.symbols import SYMBOLS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from companion.operations.notes import Note
    from companion.protocol.model import Protocol


class SummaryScreen(CompanionScreen):
    """Durations per phase, prompts asked, notes; field notes written after the interview."""

    # Short words, so that at 80 columns every key stays in the footer: the way back and
    # the export (Ctrl+O) fell off the end after "Save reflection" and "Continue recording".
    FOOTER_KEEPS = ("save_reflection", "continue", "back", "export")

    # The screen's own layout, read when it is first opened (not before the sessions
    # screen's first frame); scoped to this screen, on top of the app's companion.tcss.
    CSS = """
    #summary-body {
        height: 1fr;
    }

    #summary-facts {
        width: 1fr;
        padding: 0 1;
    }

    #summary-reflect {
        width: 1fr;
    }

    #reflection {
        height: 1fr;
        min-height: 5;
    }

    #reflections {
        height: auto;
        max-height: 8;
        padding: 0 1;
    }

    SummaryScreen.-narrow #summary-body {
        layout: vertical;
    }

    SummaryScreen.-narrow #summary-reflect {
        height: 10;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_reflection", "Save", id="summary.save",
                tooltip="Save the reflection in its box as a field note"),
        # F5 as on the set-up (start recording): a letter would go into the reflection.
        Binding("f5", "continue", "Continue", id="summary.continue",
                tooltip="Continue recording this session in a new segment (the gap shows "
                        "as a pause)"),
        # One key, one id (a keymap moves both); check_action shows the one that applies.
        Binding("f8", "complete", "Complete", id="summary.complete",
                tooltip="Mark this session as completed: nothing more to record"),
        Binding("f8", "reopen", "Reopen", id="summary.complete",
                tooltip="Take the completed session back, to record more"),
        Binding("escape", "back", "Sessions", id="summary.back",
                tooltip="Back to the list of sessions"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.status = ""
        self.reflection_id: int | None = None
        """The reflection in the box (Ctrl+S saves a new version of it)."""
        self._reflections: list[Note] = []
        self._player: PlayerLike | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-title", classes="screen-title")
        with Horizontal(id="summary-body"):
            with VerticalScroll(id="summary-facts", classes="panel"):
                yield Static("", id="summary-phases")
                yield Static("", id="summary-interruptions")
                yield Static("", id="summary-talk")
                yield Static("", id="summary-prompts")
                yield Static("", id="summary-notes")
            with Vertical(id="summary-reflect", classes="panel"):
                yield Static("Reflection (your field notes after the interview)",
                             classes="panel-title")
                yield TextArea(id="reflection", soft_wrap=True)
                yield Static("", id="reflections")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.refresh_summary()
        area = self.query_one(TextArea)
        if self.reflection_id is not None:
            area.load_text(self._reflections[-1].text)
        area.focus()
        offer_enrolment(self, self.companion.study, self.session_id, self._play_offer)

    def on_unmount(self) -> None:
        if self._player is not None:
            with contextlib.suppress(Exception):
                self._player.close()
            self._player = None

    def _play_offer(self, at_ms: int) -> None:
        """Play the session from ``at_ms`` for "Is this you?" (the summary has no player
        of its own otherwise)."""
        try:
            if self._player is None:
                study = self.companion.study
                self._player = Player.for_session(
                    study.root, recording_ops.audio_segments(study, self.session_id))
            self._player.play(at_ms)
        except Exception as exc:  # PortAudio: no output device, device busy, …
            self._player = None
            self.notify(playback_problem(exc), title="Playback", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F8 reads Complete, or Reopen once completed; l only while continuable."""
        if action in ("complete", "continue"):
            return self.status != "completed"
        if action == "reopen":
            return self.status == "completed"
        return True

    def refresh_summary(self) -> None:
        app = self.companion
        data = session_ops.overview(app.study, self.session_id)
        session = data.session
        title = Text()
        title.append(f"Session {session.id} · {session.participant_code}", style="bold")
        # The status first, the protocol's long title last: at 80 columns the end is cut.
        title.append(f"  status: {session.status}",
                     style="bold green" if session.status == "completed" else "bold")
        if session.status in ("stopped", "interrupted"):
            title.append("  (F5 continues, F8 completes)", style="dim")
        if session.pilot:
            title.append("  pilot", style="bold yellow")
        title.append(f"  {data.protocol.title}")
        self.query_one("#summary-title", Static).update(title)
        if session.status != self.status:
            self.status = session.status
            self.refresh_bindings()

        phases = Table(title="Phases", title_justify="left", expand=True, box=None)
        phases.add_column("phase")
        phases.add_column("start", justify="right")
        phases.add_column("length", justify="right")
        phases.add_column("target", justify="right")
        titles = {p.id: p for p in data.protocol.phases}
        # Spans from the session timeline: the report and the exports say the same.
        for span in data.phase_spans:
            phase = titles.get(span.phase_id)
            phases.add_row(
                span.title, format_hms(span.start_ms), format_hms(span.duration_ms),
                "—" if phase is None else format_hms(phase.target_minutes * 60_000),
            )
        self.query_one("#summary-phases", Static).update(phases)
        breaks = self.query_one("#summary-interruptions", Static)
        breaks.update(_interruptions(data))
        breaks.display = bool(data.interruptions)  # no empty line when there were none
        self.query_one("#summary-talk", Static).update(self._talk_time(data))

        prompts = Text("Prompts asked and suggestions used\n", style="bold")
        if not data.prompts:
            prompts.append("none\n", style="dim")
        for event in data.prompts:
            prompts.append(f"{format_hms(event['at_ms'])}  ", style="dim")
            prompts.append(SYMBOLS["asked"] if event["kind"] == "asked" else SYMBOLS["used"])
            prompts.append(" ".join(str(event["text"]).split()) + "\n")
        self.query_one("#summary-prompts", Static).update(prompts)

        notes_text = Text("\nNotes, bookmarks and codes\n", style="bold")
        timeline = [n for n in data.notes if n.kind != "reflection"]
        if not timeline:
            notes_text.append("none\n", style="dim")
        for note in timeline:
            stamp = format_hms(note.at_ms) if note.at_ms is not None else "--:--:--"
            notes_text.append(f"{stamp}  ", style="dim")
            if note.kind == "bookmark":
                notes_text.append(SYMBOLS["bookmark"] + "bookmark ")
            if note.codes:  # a tag names its code: "# C1 Avoidance in the alliance"
                notes_text.append("# " + ", ".join(_code_names(data.protocol, note.codes))
                                  + " ", style="bold")
            if note.kind == "quote":  # the participant's words, not the interviewer's note
                notes_text.append(SYMBOLS["quote"] + f"“{note.text}”\n", style="italic")
                continue
            notes_text.append(note.text + "\n")
        self.query_one("#summary-notes", Static).update(notes_text)

        reflections = [n for n in data.notes if n.kind == "reflection"]
        self._reflections = reflections
        self.reflection_id = reflections[-1].id if reflections else None
        shown = Text()
        if len(reflections) > 1:
            shown.append("Earlier reflections\n", style="dim")
        for note in reflections[:-1]:
            shown.append("• ", style="bold")
            shown.append(note.text + "\n")
        self.query_one("#reflections", Static).update(shown)

    @staticmethod
    def _talk_time(data: session_ops.SessionOverview) -> Table | Text:
        """Who talked how much: the whole session, then each phase's span (the same spans
        as the phase table above)."""
        if not data.talk_time:
            return Text("")
        table = Table(title="Talk-time", title_justify="left", expand=True, box=None)
        table.add_column("phase")
        table.add_column("share of speaking (turns, median turn)")
        table.add_row("whole session", _shares(data.talk_time["overall"]))
        titles = {span.phase_id: span.title for span in data.phase_spans}
        for phase in data.talk_time["phases"]:
            name = titles.get(phase["phase_id"], phase["phase_id"]) or "before a phase"
            table.add_row(name, _shares(phase["speakers"]))
        return table

    def action_save_reflection(self) -> None:
        area = self.query_one(TextArea)
        text = area.text.strip()
        if not text:
            self.notify("Type the reflection first.", severity="warning")
            return
        app = self.companion
        try:
            if self.reflection_id is None:
                note = notes_ops.add_note(app.study, self.session_id, text, at_ms=None,
                                          kind="reflection")
            else:  # the saved reflection stays in the box: saving again edits it
                note = notes_ops.edit_note(app.study, self.reflection_id, text=text)
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_summary()
        self.post_message(Stamped(self.session_id, "reflection", None, note.id))
        self.notify("Reflection saved.")

    def action_complete(self) -> None:
        app = self.companion
        if self.query_one(TextArea).text.strip():
            self.action_save_reflection()
        session_ops.complete(app.study, self.session_id)
        self.refresh_summary()
        self.notify("Session marked completed.")

    def action_reopen(self) -> None:
        session_ops.reopen(self.companion.study, self.session_id)
        self.refresh_summary()
        self.notify("Session reopened: l continues the recording.")

    def action_continue(self) -> None:
        """Record more: a new segment, placed after what is saved (the gap is a pause)."""
        if self.query_one(TextArea).text.strip():
            self.action_save_reflection()
        app = self.companion
        if not app.model_ready(self.session_id):  # checked before this screen closes
            return
        self.app.pop_screen()
        app.start_live(self.session_id)

    def action_back(self) -> None:
        self.companion.show_sessions()

    def export_session_id(self) -> int | None:
        """What the export dialog (Ctrl+O) writes: this session."""
        return self.session_id


def _interruptions(data: session_ops.SessionOverview) -> Text:
    """Where the recording broke off, at its session time, with how long it lasted."""
    if not data.interruptions:
        return Text("")
    text = Text("\nInterruptions\n", style="bold")
    for item in data.interruptions:
        text.append(f"{format_hms(item.start_ms)}  ", style="dim")
        text.append(SYMBOLS["interruption"] + item.describe() + "\n", style="yellow")
    return text


def _code_names(protocol: Protocol, codes: Iterable[str]) -> list[str]:
    """Each code with its name (just its id when the codebook no longer has it)."""
    names = []
    for code_id in codes:
        try:
            names.append(f"{code_id} {protocol.code(code_id).name}")
        except CompanionError:
            names.append(code_id)
    return names


def _shares(rows: list[dict[str, Any]]) -> str:
    """``I 31 % (4, 6 s) · P05 69 % (4, 14 s)``: share, turns, median turn."""
    return " · ".join(f"{r['speaker']} {r['percent']} % ({r['turns']}, "
                      f"{r['median_turn_ms'] / 1000:.0f} s)" for r in rows)
