"""Transcription: the queue of recorded sessions, their progress, start and cancel.

The queue is every session with audio and no finished transcript. ``t`` transcribes the
highlighted one, ``a`` all of them in turn, ``c`` cancels (after the segment being
decoded: what was transcribed stays, and the next start goes on from there).

The work runs in one thread worker that calls
:func:`companion.operations.transcription.transcribe_queue`, the queue ``companion
transcribe`` runs. The worker touches no widget: it only posts messages (``post_message``
is thread-safe): each of the queue's events as it is (progress coalesced, so a flood of
updates never backs up the queue), and the run's end. The runner
opens its own database connection in that thread and writes nothing to the terminal
(faster-whisper's progress bar is off, its logger and CTranslate2's are quiet); anything
printed by Python code during a run is captured here and only logged (never drawn over
the screen).

The screen is installed in the app (see :meth:`CompanionApp.action_open_transcription`):
leaving it does not stop a run, and coming back shows where it is.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ListView, Static

from companion.notation import format_duration, format_eta, format_hms
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter
from companion.tui.screens import transcription_messages as messages
from companion.tui.widgets.queue_row import QueueRow

if TYPE_CHECKING:
    from companion.operations.listings import QueueItem
    from companion.operations.transcription import (
        ModelLoading,
        Progress,
        SessionFinished,
        SessionStarted,
    )
    from companion.study.folder import Study
    from companion.transcribe.engine import Engine

__all__ = ["QueueRow", "TranscriptionScreen", "read_queue"]

def read_queue(study: Study) -> list[QueueItem]:
    """The sessions with audio and no finished transcript, with how far each got.

    Runs in a worker thread (the operation opens its own connection there).
    """
    # Imported in the worker: the store loads sqlite-utils.
    from companion.operations.listings import transcription_queue

    return transcription_queue(study)




class TranscriptionScreen(CompanionScreen):
    """The transcription queue: progress per session; start one or all; cancel."""

    # The screen's own layout, read when it is first opened (not before the sessions
    # screen's first frame); scoped to this screen, on top of the app's companion.tcss.
    CSS = """
    #transcription-queue {
        height: 1fr;
    }

    #transcription-status {
        height: auto;
        padding: 0 1;
    }

    QueueRow {
        height: 1;
        padding: 0 1;
    }

    .queue-line {
        height: 1;
    }

    .queue-name {
        width: 22;
    }

    .queue-length {
        width: 10;
        color: $text-muted;
    }

    QueueRow ProgressBar {
        width: 1fr;
    }

    QueueRow ProgressBar Bar {
        width: 1fr;
    }

    .queue-state {
        width: 14;
        padding: 0 1;
    }

    .queue-eta {
        width: 22;
        color: $text-muted;
    }

    QueueRow.-done .queue-state {
        color: $success;
        text-style: bold;
    }

    QueueRow.-failed .queue-state {
        color: $error;
        text-style: bold;
    }

    QueueRow.-cancelled .queue-state {
        color: $warning;
    }

    QueueRow.-transcribing .queue-state {
        color: $accent;
        text-style: bold;
    }

    TranscriptionScreen.-narrow .queue-eta {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "start", "Transcribe", id="transcription.start",
                tooltip="Transcribe the highlighted session (an unfinished one goes on "
                        "where it stopped)"),
        Binding("a", "start_all", "Transcribe all", id="transcription.start-all",
                tooltip="Transcribe every session in the queue, one after the other"),
        Binding("c", "cancel", "Cancel", id="transcription.cancel",
                tooltip="Stop after the segment being decoded; what is done is kept and "
                        "the next start goes on from there"),
        Binding("escape", "back", "Back", id="transcription.back",
                tooltip="Back to the sessions (a running transcription goes on)"),
    ]

    # The worker's messages (posted from its thread).
    QueueLoaded = messages.QueueLoaded
    QueueReport = messages.QueueReport
    RunEnded = messages.RunEnded

    def __init__(self) -> None:
        super().__init__()
        self._cancel: threading.Event | None = None
        self.model_label = ""
        self.stray_output: list[str] = []
        """Whatever Python code printed during a run (captured and logged, never drawn)."""
        self.loaded = False
        """True once the queue has been read at least once."""

    @property
    def running(self) -> bool:
        return self._cancel is not None

    @property
    def rows(self) -> list[QueueRow]:
        return list(self.query(QueueRow))

    def row(self, session_id: int) -> QueueRow | None:
        for row in self.query(QueueRow):
            if row.session_id == session_id:
                return row
        return None

    # -- layout and the queue -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The gap is part of the bold span: spaces opening a span get lost in SVG pictures.
        yield Static(Text("Transcription   ", style="bold").append(
            "on this machine: the audio never leaves it", style="dim"),
            id="transcription-title", classes="screen-title")
        yield ListView(id="transcription-queue")
        yield Static(Text("Reading the queue…", style="dim"), id="transcription-status")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one(ListView).focus()

    def on_screen_resume(self) -> None:
        if not self.running:
            self.reload()

    def reload(self) -> None:
        """Read the queue again (in a worker), unless a run is going on."""
        if not self.running:
            self._read_queue(self.companion.study)

    @work(thread=True, exclusive=True, group="transcription-queue", exit_on_error=False,
          description="Reading the transcription queue")
    def _read_queue(self, study: Study) -> None:
        try:
            items = read_queue(study)
        except Exception as exc:  # say so on the screen, never an empty list in silence
            self.post_message(self.QueueLoaded([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.QueueLoaded(items))

    @on(messages.QueueLoaded)
    def _show_queue(self, event: messages.QueueLoaded) -> None:
        self.loaded = True
        if event.error:
            self._status(f"The queue could not be read: {event.error}", "bold red")
            return
        if self.running:  # a run started meanwhile: its rows are the truth
            return
        queue = self.query_one(ListView)
        existing = {row.session_id: row for row in self.rows}
        wanted = {item.session_id for item in event.items}
        for session_id, row in existing.items():
            if session_id not in wanted and row.state != "done":
                row.remove()
        for item in event.items:
            if item.session_id in existing:
                existing[item.session_id].show_stored(item)
            else:
                queue.append(QueueRow(item))
        if queue.index is None and event.items:
            queue.index = 0
        self._idle_status()
        self.refresh_bindings()

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#transcription-status", Static).update(Text(text, style=style))

    def _idle_status(self) -> None:
        waiting = [row for row in self.rows if row.state != "done"]
        if not waiting:
            self._status("No session is waiting for a transcript: record or import audio "
                         "first.", "dim")
        else:
            self._status(f"{len(waiting)} not transcribed yet · t starts the highlighted "
                         "one · a starts all")

    # -- start and cancel ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Start while idle, cancel while running; the other is shown greyed out."""
        if action in ("start", "start_all"):
            return None if self.running else True
        if action == "cancel":
            return True if self.running else None
        return True

    def _highlighted(self) -> QueueRow | None:
        child = self.query_one(ListView).highlighted_child
        return child if isinstance(child, QueueRow) else None

    def action_start(self) -> None:
        row = self._highlighted()
        if row is None:
            self.notify("Nothing to transcribe: no session has audio waiting.",
                        severity="warning")
            return
        if row.state == "done":
            self.notify(f"Session {row.session_id} is transcribed; Enter opens its review.")
            return
        self.start([row.session_id])

    def action_start_all(self) -> None:
        ids = [row.session_id for row in self.rows if row.state != "done"]
        if not ids:
            self.notify("Nothing to transcribe: no session has audio waiting.",
                        severity="warning")
            return
        self.start(ids)

    def start(self, session_ids: list[int]) -> None:
        """Transcribe these sessions in turn, in the worker."""
        if self.running or not session_ids:
            return
        cancel = threading.Event()
        self._cancel = cancel
        for session_id in session_ids:
            row = self.row(session_id)
            if row is not None:
                row.before_run = row.state
                row.state = "queued"
        # Anything Python prints during the run comes here, not to the terminal.
        self.app.begin_capture_print(self, stdout=True, stderr=True)
        self._status(f"Starting: {len(session_ids)} session(s)…")
        self.refresh_bindings()
        self._transcribe(self.companion.study, self.companion.engine, list(session_ids),
                         cancel)

    def cancel_run(self) -> None:
        """Ask the run to stop after the segment being decoded (safe to call any time)."""
        if self._cancel is not None:
            self._cancel.set()

    def action_cancel(self) -> None:
        if not self.running:
            return
        self.cancel_run()
        for row in self.rows:
            if row.state in ("transcribing", "loading model"):
                row.state = "cancelling…"
        self._status("Cancelling: the segment being decoded is finished and kept…")

    @on(ListView.Selected)
    def _selected(self, event: ListView.Selected) -> None:
        """Enter: review a transcribed session, or transcribe the highlighted one."""
        event.stop()
        row = event.item
        if isinstance(row, QueueRow) and row.state == "done":
            self.companion.open_review(row.session_id)
        elif not self.running:
            self.action_start()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        # The app is closing: the thread would otherwise decode to the end of the queue.
        self.cancel_run()

    # -- the worker -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="transcription", exit_on_error=False,
          description="Transcribing")
    def _transcribe(self, study: Study, engine: Engine | None, session_ids: list[int],
                    cancel: threading.Event) -> None:
        """Runs in a thread. Runs the one transcription queue (``companion transcribe``'s:
        a failing session is reported and the others still run); reports only by posting
        messages."""
        # Imported here, in the worker: faster-whisper, numpy and PyAV load only when a
        # transcription starts, never for the app's first frame.
        from companion.operations.transcription import QueueEvent, reason_of, transcribe_queue

        def report(event: QueueEvent) -> None:
            self.post_message(self.QueueReport(event))

        error: str | None = None
        try:
            transcribe_queue(study, session_ids, engine=engine, on_event=report, cancel=cancel)
        except Exception as exc:  # no model: say so instead of dying in silence
            error = reason_of(exc)
        finally:
            self.post_message(self.RunEnded(error))

    # -- what the worker reports ----------------------------------------------------------

    @on(messages.QueueReport)
    def _report(self, message: messages.QueueReport) -> None:
        from companion.operations import transcription as queue

        event = message.event
        if isinstance(event, queue.Progress):
            self._progress(event)
        elif isinstance(event, queue.ModelLoading):
            self._model_loading(event)
        elif isinstance(event, queue.SessionStarted):
            self._session_started(event)
        elif isinstance(event, queue.SessionFinished):
            self._session_finished(event)

    def _model_loading(self, event: ModelLoading) -> None:
        row = self.row(event.session_id)
        if row is not None and row.state == "queued":
            row.state = "loading model"
        self._status("Loading the Whisper model (once per run of companion)…")

    def _session_started(self, event: SessionStarted) -> None:
        self.model_label = event.model
        row = self.row(event.session_id)
        if row is not None:
            row.state = "cancelling…" if self._cancel_requested else "transcribing"
            row.eta = ""
        code = row.item.participant_code if row is not None else "?"
        self._status(f"Transcribing {code} · session {event.session_id} "
                     f"({event.index + 1} of {event.count}) with {event.model}")

    @property
    def _cancel_requested(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    def _progress(self, progress: Progress) -> None:
        row = self.row(progress.session_id)
        if row is None:
            return
        row.fraction = progress.fraction
        row.done_ms = progress.done_ms
        if progress.state == "running":
            row.eta = format_eta(progress.eta_s)

    def _session_finished(self, event: SessionFinished) -> None:
        row = self.row(event.session_id)
        if row is not None:
            # A session found transcribed already is done for this screen.
            row.state = "done" if event.status == "already-done" else event.status
            if row.state == "done":
                row.fraction = 1.0
                row.eta = f"took {format_duration(event.elapsed_s)}"
            elif row.state == "failed":
                row.eta = ""
            else:
                row.eta = f"stopped at {format_hms(row.done_ms)}"
        if event.error:
            self.notify(f"Session {event.session_id} was not transcribed: {event.error}",
                        title="Transcription", severity="error", timeout=30)

    @on(messages.RunEnded)
    def _run_ended(self, event: messages.RunEnded) -> None:
        cancelled = self._cancel_requested
        self._cancel = None
        self.app.end_capture_print(self)
        for row in self.rows:
            if row.state in ("queued", "loading model", "cancelling…"):
                # Never reached (cancelled, or no model): as it was before the run.
                row.state = row.before_run or "not started"
        if event.error:
            self._status(f"Transcription could not start: {event.error}", "bold red")
            self.notify(event.error, title="Transcription", severity="error", timeout=30)
        else:
            done = sum(row.state == "done" for row in self.rows)
            left = sum(row.state != "done" for row in self.rows)
            self._status(("Cancelled. " if cancelled else "Finished. ")
                         + f"{done} transcribed, {left} not yet."
                         + (" Enter opens the highlighted one's review." if done else ""))
        self.refresh_bindings()

    def on_print(self, event: events.Print) -> None:
        """Output a library printed during a run: kept and logged, not shown."""
        if event.text.strip():
            self.stray_output.append(event.text)
            self.log.warning("output during transcription:", event.text)
