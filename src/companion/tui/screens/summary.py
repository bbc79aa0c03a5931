"""After the interview: the session at a glance, reflection notes, mark it completed."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from companion import interview
from companion.errors import CompanionError
from companion.notation import format_hms
from companion.store import sessions
from companion.tui.messages import Stamped

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp


class SummaryScreen(Screen[None]):
    """Durations per phase, prompts asked, notes; field notes written after the interview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_reflection", "Save reflection", id="summary.save",
                tooltip="Save the reflection typed on the right as a field note"),
        Binding("f8", "complete", "Mark completed", id="summary.complete",
                tooltip="Mark this session as completed"),
        Binding("escape", "back", "Sessions", id="summary.back",
                tooltip="Back to the list of sessions"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id

    @property
    def companion(self) -> CompanionApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-title", classes="screen-title")
        with Horizontal(id="summary-body"):
            with VerticalScroll(id="summary-facts", classes="panel"):
                yield Static("", id="summary-phases")
                yield Static("", id="summary-prompts")
                yield Static("", id="summary-notes")
            with Vertical(id="summary-reflect", classes="panel"):
                yield Static("Reflection (your field notes after the interview)",
                             classes="panel-title")
                yield TextArea(id="reflection", soft_wrap=True)
                yield Static("", id="reflections")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_summary()
        self.query_one(TextArea).focus()

    def refresh_summary(self) -> None:
        app = self.companion
        data = interview.overview(app.study, app.db, self.session_id)
        session = data.session
        title = Text()
        title.append(f"Session {session.id} · {session.participant_code}", style="bold")
        title.append(f"  {data.protocol.title}")
        if session.pilot:
            title.append("  pilot", style="bold yellow")
        title.append(f"  status: {session.status}",
                     style="bold green" if session.status == "completed" else "bold")
        self.query_one("#summary-title", Static).update(title)

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

        prompts = Text("Prompts asked and suggestions used\n", style="bold")
        if not data.prompts:
            prompts.append("none\n", style="dim")
        for event in data.prompts:
            prompts.append(f"{format_hms(event['at_ms'])}  ", style="dim")
            prompts.append("✓ " if event["kind"] == "asked" else "★ ")
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
                notes_text.append("★ bookmark ")
            if note.codes:
                notes_text.append("# " + " ".join(note.codes) + " ", style="bold")
            notes_text.append(note.text + "\n")
        self.query_one("#summary-notes", Static).update(notes_text)

        reflections = [n for n in data.notes if n.kind == "reflection"]
        shown = Text()
        for note in reflections:
            shown.append("• ", style="bold")
            shown.append(note.text + "\n")
        self.query_one("#reflections", Static).update(shown)

    def action_save_reflection(self) -> None:
        area = self.query_one(TextArea)
        text = area.text.strip()
        if not text:
            self.notify("Type the reflection first.", severity="warning")
            return
        app = self.companion
        try:
            note = interview.add_note(app.study, app.db, self.session_id, text, at_ms=None,
                                      kind="reflection")
        except CompanionError as exc:
            self.notify(str(exc), severity="error")
            return
        area.clear()
        self.refresh_summary()
        self.post_message(Stamped(self.session_id, "reflection", None, note.id))
        self.notify("Reflection saved.")

    def action_complete(self) -> None:
        app = self.companion
        if self.query_one(TextArea).text.strip():
            self.action_save_reflection()
        sessions.set_status(app.db, self.session_id, "completed")
        self.refresh_summary()
        self.notify("Session marked completed.")

    def action_back(self) -> None:
        self.companion.show_sessions()
