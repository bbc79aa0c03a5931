"""Home: participants and their sessions; start, continue, review, recover."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from companion.store import participants, sessions, transcripts
from companion.timefmt import format_hms

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp

STATUS_STYLE = {
    "planned": "",
    "live": "bold red",
    "interrupted": "bold yellow",
    "completed": "green",
}


def _date(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


class SessionsScreen(Screen[None]):
    """Every session of the study, one row each; participants without a session too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_participant", "New participant", id="sessions.new-participant",
                tooltip="Add a participant and prepare their interview"),
        Binding("s", "new_session", "New session", id="sessions.new-session",
                tooltip="Prepare a new session for the highlighted participant"),
        Binding("enter", "open", "Open", id="sessions.open",
                tooltip="Open the highlighted session: set-up if planned, else its summary"),
        Binding("l", "live", "Go live", id="sessions.live",
                tooltip="Start (or continue) recording the highlighted session"),
        Binding("r", "recover", "Recover", id="sessions.recover",
                tooltip="Recover the audio of an interrupted session"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, tuple[str, int | None]] = {}

    @property
    def companion(self) -> CompanionApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="sessions-title", classes="screen-title")
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sessions-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("participant", "session", "status", "date", "duration",
                          "transcript", "pilot")
        self.reload()
        table.focus()

    def reload(self) -> None:
        """Read the study again (after set-up, a session or a recovery)."""
        app = self.companion
        db = app.db
        table = self.query_one(DataTable)
        table.clear()
        self.rows = {}
        title = Text("Sessions", style="bold")
        title.append(f"   {app.study.root}", style="dim")
        self.query_one("#sessions-title", Static).update(title)
        interrupted = 0
        listed = set()
        for session in sessions.list_sessions(db):
            listed.add(session.participant_code)
            status = Text(session.status, style=STATUS_STYLE.get(session.status, ""))
            if session.status in ("interrupted", "live"):
                interrupted += 1
                status.append("  r: recover", style="yellow")
            transcript = transcripts.get_transcript(db, session.id)
            key = f"s{session.id}"
            table.add_row(
                session.participant_code, str(session.id), status,
                _date(session.started_at or session.created_at),
                format_hms(session.duration_ms) if session.duration_ms else "—",
                transcript["status"] if transcript else "none",
                "pilot" if session.pilot else "", key=key)
            self.rows[key] = (session.participant_code, session.id)
        for participant in participants.list_participants(db):
            if participant.code not in listed:
                key = f"p{participant.id}"
                table.add_row(participant.code, "—", Text("no session", style="dim"),
                              "", "", "", "", key=key)
                self.rows[key] = (participant.code, None)
        hint = Text()
        if not self.rows:
            hint.append("No participants yet: press n to add the first one.")
        if interrupted:
            hint.append(f"⚠ {interrupted} session(s) did not stop cleanly: highlight one and "
                        "press r to recover its audio.", style="bold yellow")
        self.query_one("#sessions-hint", Static).update(hint)

    def _current(self) -> tuple[str, int | None] | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def action_new_participant(self) -> None:
        self.companion.open_setup()

    def action_new_session(self) -> None:
        current = self._current()
        if current is None:
            self.notify("Add a participant first (n).", severity="warning")
            return
        self.companion.open_setup(participant=current[0], new_session=True)

    def action_open(self) -> None:
        current = self._current()
        if current is None:
            return
        code, session_id = current
        if session_id is None:
            self.companion.open_setup(participant=code, new_session=True)
            return
        session = sessions.get_session(self.companion.db, session_id)
        if session.status == "planned":
            self.companion.open_setup(session_id=session_id)
        else:
            self.companion.open_summary(session_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_live(self) -> None:
        current = self._current()
        if current is None or current[1] is None:
            self.notify("Highlight a session first.", severity="warning")
            return
        session = sessions.get_session(self.companion.db, current[1])
        if session.status == "completed":
            self.notify("This session is completed; open it with Enter to review.",
                        severity="warning")
            return
        self.companion.start_live(current[1])

    def action_recover(self) -> None:
        current = self._current()
        if current is None or current[1] is None:
            return
        session = sessions.get_session(self.companion.db, current[1])
        if session.status not in ("live", "interrupted"):
            self.notify("Only an interrupted session needs recovering.", severity="warning")
            return
        self.companion.recover(current[1])
