"""Home: participants and their sessions; start, continue, review, recover, transcribe.

The screen paints at once (title, column headers, a "loading" line) and reads the study
in a thread worker with its own database connection: the store, sqlite-utils and numpy
are imported there, so the first frame never waits for them. The rows come back as a
message; the UI thread only fills the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from companion.notation import format_hms
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter

if TYPE_CHECKING:
    from companion.study.folder import Study

STATUS_STYLE = {
    "planned": "",
    "live": "bold red",
    "interrupted": "bold yellow",
    "stopped": "yellow",
    "completed": "green",
}

LOADING = "Loading the sessions…"


def _date(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


@dataclass(frozen=True)
class SessionRow:
    """One line of the table: a session, or a participant who has none yet."""

    key: str
    participant_code: str
    session_id: int | None
    status: str  # the session's status; "" for a participant without a session
    date: str
    duration_ms: int | None
    transcript: str  # the transcript's status, or "none"
    pilot: bool
    has_audio: bool

    @property
    def reviewable(self) -> bool:
        """A stopped, finished or interrupted session with something to review."""
        return (self.session_id is not None
                and self.status in ("stopped", "completed", "interrupted")
                and (self.has_audio or self.transcript != "none"))


def read_rows(study: Study) -> list[SessionRow]:
    """Every session of the study, then the participants without one.

    Runs in a worker thread (the operation opens its own connection there).
    """
    # Imported here, in the worker, not at module level: the store pulls in sqlite-utils
    # and numpy (about 0.3 s), which the first frame must not wait for.
    from companion.operations.listings import session_listing

    return [SessionRow(
        key=f"s{item.session_id}" if item.session_id is not None else f"p{item.participant_id}",
        participant_code=item.participant_code, session_id=item.session_id,
        status=item.status, date=_date(item.started_at) if item.session_id is not None else "",
        duration_ms=item.duration_ms, transcript=item.transcript, pilot=item.pilot,
        has_audio=item.has_audio) for item in session_listing(study)]


class SessionsScreen(CompanionScreen):
    """Every session of the study, one row each; participants without a session too."""

    # The first screen's layout travels with it (the app's stylesheet holds only what every
    # screen shares). DEFAULT_CSS: Textual reads no CSS of the app's default screen.
    DEFAULT_CSS = """
    #sessions-table {
        height: 1fr;
    }

    #sessions-hint {
        height: auto;
        padding: 0 1;
    }
    """

    # At 80 columns "s New session" gives way (Ctrl+P lists it) to these and Quit.
    FOOTER_KEEPS = ("new_participant", "open", "live", "app.open_transcription")

    BINDINGS: ClassVar[list[BindingType]] = [
        # Two bindings on one key and one id (a keymap moves both); check_action shows the
        # one that fits the highlighted row, so the footer says what Enter will do.
        # Priority: the table would otherwise take Enter without naming it in the footer.
        # Priority keys come first once the table has focus: first here too, so the footer
        # composed before that focus is already in its final order.
        Binding("enter", "open", "Open", id="sessions.open", priority=True,
                tooltip="Open the highlighted session: the set-up if it is planned, "
                        "else its summary"),
        Binding("enter", "open_review", "Review", id="sessions.open", priority=True,
                tooltip="Review the highlighted session: transcript, notes and playback"),
        Binding("n", "new_participant", "New participant", id="sessions.new-participant",
                tooltip="Add a participant and prepare their interview"),
        Binding("s", "new_session", "New session", id="sessions.new-session",
                tooltip="Prepare a new session for the highlighted participant"),
        Binding("l", "live", "Go live", id="sessions.live",
                tooltip="Start (or continue) recording the highlighted session"),
        Binding("r", "recover", "Recover", id="sessions.recover",
                tooltip="Recover the audio of an interrupted session"),
        Binding("t", "app.open_transcription", "Transcribe", id="sessions.transcribe",
                tooltip="Open the transcription queue: sessions with audio and no "
                        "finished transcript"),
    ]

    class RowsLoaded(Message, bubble=False):
        """The worker read the study: ``rows``, or ``error`` (a sentence) if it failed."""

        def __init__(self, generation: int, rows: list[SessionRow],
                     error: str | None = None) -> None:
            self.generation = generation
            self.rows = rows
            self.error = error
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, SessionRow] = {}
        self.generation = 0
        """Bumped by every reload; an answer from an older reload is ignored."""
        self.loaded = False
        """True once the rows of the latest reload are in the table."""

    def compose(self) -> ComposeResult:
        yield Static("", id="sessions-title", classes="screen-title")
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield Static(Text(LOADING, style="dim"), id="sessions-hint")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("participant", "session", "status", "date", "duration",
                          "transcript", "pilot")
        # The gap is part of the bold span: spaces opening a span get lost in SVG pictures.
        title = Text("Sessions   ", style="bold")
        title.append(str(self.companion.study.root), style="dim")
        self.query_one("#sessions-title", Static).update(title)
        table.focus()

    def on_screen_resume(self) -> None:
        # First shown, or back from another screen (a session may have changed): read the
        # study again, after this frame is on the screen.
        self.call_after_refresh(self.reload)

    def reload(self) -> None:
        """Read the study again, in a worker (after set-up, a session or a recovery)."""
        self.generation += 1
        self.loaded = False
        self._read(self.companion.study, self.generation)

    @work(thread=True, exclusive=True, group="sessions-rows", exit_on_error=False,
          description="Reading the sessions")
    def _read(self, study: Study, generation: int) -> None:
        try:
            rows = read_rows(study)
        except Exception as exc:  # shown on the screen: the list must never be silently empty
            self.post_message(self.RowsLoaded(generation, [], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.RowsLoaded(generation, rows))

    @on(RowsLoaded)
    def _show_rows(self, event: RowsLoaded) -> None:
        if event.generation != self.generation:
            return
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = {}
        interrupted = 0
        for row in event.rows:
            self.rows[row.key] = row
            if row.session_id is None:
                table.add_row(row.participant_code, "—", Text("no session", style="dim"),
                              "", "", "", "", key=row.key)
                continue
            status = Text(row.status, style=STATUS_STYLE.get(row.status, ""))
            if row.status in ("interrupted", "live"):
                interrupted += 1
                status.append("  r: recover", style="yellow")
            table.add_row(
                row.participant_code, str(row.session_id), status, row.date,
                format_hms(row.duration_ms) if row.duration_ms else "—",
                row.transcript, "pilot" if row.pilot else "", key=row.key)
        if self.rows and keep > 0:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        hint = Text()
        if event.error:
            hint.append(f"The sessions could not be read: {event.error}", style="bold red")
        elif not self.rows:
            hint.append("No participants yet: press n to add the first one.")
        if interrupted:
            hint.append(f"⚠ {interrupted} session(s) did not stop cleanly: highlight one and "
                        "press r to recover its audio.", style="bold yellow")
        self.query_one("#sessions-hint", Static).update(hint)
        self.loaded = True
        self.refresh_bindings()

    def _current(self) -> SessionRow | None:
        if not self.rows:  # (also before the table is mounted: the footer asks early)
            return None
        table = self.query_one(DataTable)
        if table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer names what Enter does on the highlighted row, and offers Recover
        only on a session that did not stop cleanly (the status column says so too)."""
        current = self._current()
        if action in ("open", "open_review"):
            reviewable = current is not None and current.reviewable
            return reviewable if action == "open_review" else not reviewable
        if action == "recover":
            return current is not None and current.status in ("live", "interrupted")
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def export_session_id(self) -> int | None:
        """What the export dialog (Ctrl+O) writes: the highlighted session, if any."""
        current = self._current()
        return current.session_id if current is not None else None

    def action_new_participant(self) -> None:
        self.companion.open_setup()

    def action_new_session(self) -> None:
        current = self._current()
        if current is None:
            self.notify("Add a participant first (n).", severity="warning")
            return
        self.companion.open_setup(participant=current.participant_code, new_session=True)

    def action_open(self) -> None:
        current = self._current()
        if current is None:
            return
        if current.session_id is None:
            self.companion.open_setup(participant=current.participant_code, new_session=True)
        elif current.reviewable:
            self.companion.open_review(current.session_id)
        elif current.status == "planned":
            self.companion.open_setup(session_id=current.session_id)
        else:
            self.companion.open_summary(current.session_id)

    def action_open_review(self) -> None:
        self.action_open()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def _session_status(self, session_id: int) -> str:
        """The status in the database now (the table may be a moment old)."""
        from companion.operations import sessions  # loaded by the rows worker already

        return sessions.get(self.companion.study, session_id).status

    def action_live(self) -> None:
        current = self._current()
        if current is None or current.session_id is None:
            self.notify("Highlight a session first.", severity="warning")
            return
        if self._session_status(current.session_id) == "completed":
            self.notify("This session is completed; open it with Enter to review, or "
                        "reopen it from its summary (F8) to record more.", severity="warning")
            return
        self.companion.start_live(current.session_id)

    def action_recover(self) -> None:
        current = self._current()
        if current is None or current.session_id is None:
            return
        if self._session_status(current.session_id) not in ("live", "interrupted"):
            self.notify("Only an interrupted session needs recovering.", severity="warning")
            return
        self.companion.recover(current.session_id)
