"""The companion app: one study, its screens, keys from the study config.

``companion`` without arguments opens this app on the sessions screen. On start it looks
for sessions a crashed recorder left behind and offers to recover them.

Start-up is kept light: this module and the sessions screen import no database layer
(sqlite-utils, numpy), no audio (sounddevice) and no Whisper (faster-whisper). Each is
imported where it is first needed, mostly in a worker thread, so the first frame does not
wait for them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from companion.errors import CompanionError
from companion.settings import Settings
from companion.study.folder import Study
from companion.tui.messages import InterruptedFound, RecoveryDone
from companion.tui.recording import RecorderFactory, default_recorder_factory

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls

    # Annotations only: they import heavy libraries (see the module docstring).
    from companion.transcribe.engine import Engine
    from companion.tui.screens.live import LiveScreen
    from companion.tui.screens.transcription import TranscriptionScreen

QUIT_QUESTION = "quit-while-recording"
"""The name of the question asked before quitting during a recording."""

TRANSCRIPTION = "transcription"
"""The name the transcription screen is installed under (it lives as long as the app)."""


_NOT_IN_PALETTE = frozenset({"app.focus_next", "app.focus_previous"})
"""Textual's Tab and Shift+Tab: listed first at 80x24, they pushed the set-up's Save and
Start recording off the palette's first page, and nobody looks Tab up."""


def _plain(text: str) -> str:
    """``text`` as palette markup that reads as written. Textual's ``escape`` leaves a
    bracket before a capital alone ("[D] Mark…" lost its key); a backslash before every
    "[" holds for any key."""
    return text.replace("[", "\\[")


class CompanionApp(App[None]):
    """The interviewer's companion for one study folder."""

    CSS_PATH = "companion.tcss"
    TITLE = "companion"
    # Textual declares this "ClassVar[...] | None", which mypy reads as an instance
    # variable: so no ClassVar here, and ruff's rule for one is waived.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_dark", "Light/dark", id="app.theme",
                tooltip="Switch between the light and the dark theme"),
        Binding("ctrl+f", "open_search", "Search", id="app.search",
                tooltip="Search notes and transcripts of every session"),
        Binding("ctrl+r", "open_report", "Report", id="app.report",
                tooltip="The study report: sample, WAI-ReD, durations, saturation"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit",
                tooltip="Quit companion (while recording it asks first; the recording "
                        "stops cleanly and the session can be continued)"),
        # Offered on the screens that show a session (summary, review) or highlight one
        # (sessions): see check_action.
        Binding("ctrl+o", "export", "Export", id="app.export",
                tooltip="Export this session for analysis software: choose the formats "
                        "and the folder"),
    ]

    def __init__(
        self,
        study: Study,
        *,
        recorder_factory: RecorderFactory | None = None,
        check_recovery: bool = True,
        clock: Callable[[], int] | None = None,
        engine: Engine | None = None,
    ) -> None:
        """``recorder_factory`` makes the recorder for a session (default: the real one on
        the study's device); ``clock`` fixes the session clock (snapshots);
        ``check_recovery`` looks for interrupted recordings at start; ``engine`` is a
        loaded Whisper engine to transcribe with (default: the study's model, loaded by
        the transcription worker when a run starts)."""
        super().__init__()
        self.study = study
        self.settings: Settings = study.settings
        self.recorder_factory = recorder_factory or default_recorder_factory(
            self.settings.audio.device)
        self.check_recovery = check_recovery
        self.clock = clock
        self.engine = engine
        self._winding_down: list[threading.Thread] = []

    def get_default_screen(self) -> Screen[None]:
        """The sessions screen is the bottom of the stack (no blank screen under it: one
        screen less to lay out before the first frame)."""
        from companion.tui.screens.sessions import SessionsScreen

        return SessionsScreen()

    def wind_down(self, work: Callable[[], None], name: str) -> None:
        """Run ``work`` in a thread of its own that outlives the screen that started it
        (the live transcript decoding its last seconds after the summary is shown); the
        app waits for it when it ends."""
        thread = threading.Thread(target=work, name=name)
        self._winding_down.append(thread)
        thread.start()

    async def on_unmount(self) -> None:
        running = [thread for thread in self._winding_down if thread.is_alive()]
        for thread in running:
            await asyncio.to_thread(thread.join)

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.set_keymap(dict(self.settings.keymap))
        if self.check_recovery:
            self._find_interrupted()

    # -- navigation -------------------------------------------------------------------

    def show_sessions(self) -> None:
        """Go (back) to the sessions screen, dropping everything above it; it reads the
        study again when it comes back on top."""
        from companion.tui.screens.sessions import SessionsScreen

        if len(self.screen_stack) == 1:
            if isinstance(self.screen, SessionsScreen):
                self.screen.reload()
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_setup(self, *, participant: str | None = None, session_id: int | None = None,
                   new_session: bool = False) -> None:
        from companion.tui.screens.setup import SetupScreen

        self.push_screen(SetupScreen(participant=participant, session_id=session_id,
                                     new_session=new_session))

    def model_ready(self, session_id: int) -> bool:
        """Whether a model can transcribe this session's language; if not, says why (a
        Dutch interview never starts on an English-only model)."""
        from companion.operations.models import check_session_model

        try:
            check_session_model(self.study, session_id)
        except CompanionError as exc:
            self.notify(f"Recording not started: {exc}", severity="error", timeout=15)
            return False
        return True

    def start_live(self, session_id: int, *, record: bool = True,
                   recorder: RecorderControls | None = None) -> None:
        """Open the live screen for a session; with ``record`` a recorder is started
        (unless the session's language has no model that can transcribe it)."""
        from companion.tui.screens.live import LiveScreen

        if record and recorder is None and not self.model_ready(session_id):
            return

        transcribing = self.transcription_screen
        if record and transcribing is not None and transcribing.running:
            # Decoding would compete with the recorder for the CPU during the interview;
            # a cancelled run keeps what it finished and resumes from there later.
            transcribing.action_cancel()
            # Nobody waits for it: the recording starts now, the part being decoded is
            # finished (and dropped) in the background.
            self.notify("Transcription stopped for the interview (it winds down in the "
                        "background); start it again afterwards and it continues where it "
                        "stopped.")

        screen = LiveScreen(
            session_id, recorder=recorder,
            recorder_factory=self.recorder_factory if record and recorder is None else None,
            clock=self.clock,
        )
        self.push_screen(screen)

    def open_summary(self, session_id: int) -> None:
        from companion.tui.screens.summary import SummaryScreen

        self.push_screen(SummaryScreen(session_id))

    # -- review, search and the study report (issue 6) ---------------------------------

    def open_review(self, session_id: int, at_ms: int | None = None) -> None:
        """Review a session: timeline, transcript with notes, playback, edits."""
        from companion.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(session_id, at_ms=at_ms))

    def _busy_live(self, after: str = "search and report open after it") -> bool:
        from companion.tui.screens.live import LiveScreen

        if isinstance(self.screen, LiveScreen):
            self.notify(f"Finish the interview first ({after}).")
            return True
        return False

    # -- transcription (issue 5) ---------------------------------------------------------

    @property
    def transcription_screen(self) -> TranscriptionScreen | None:
        """The transcription screen, once opened (it stays installed: a run goes on when
        you leave it)."""
        if not self.is_screen_installed(TRANSCRIPTION):
            return None
        from companion.tui.screens.transcription import TranscriptionScreen

        screen = self.get_screen(TRANSCRIPTION)
        return screen if isinstance(screen, TranscriptionScreen) else None

    def action_open_transcription(self) -> None:
        """Show the transcription queue (sessions with audio and no finished transcript)."""
        from companion.tui.screens.transcription import TranscriptionScreen

        # Not during an interview: decoding would compete with the recorder for the CPU.
        if self._busy_live("transcription opens after it"):
            return
        screen = self.transcription_screen
        if screen is None:
            screen = TranscriptionScreen()
            self.install_screen(screen, name=TRANSCRIPTION)
        if screen is self.screen:
            return
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
            return
        self.push_screen(TRANSCRIPTION)

    def open_search(self) -> None:
        from companion.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen())

    def action_open_search(self) -> None:
        if not self._busy_live():
            self.open_search()

    def action_open_report(self) -> None:
        from companion.tui.screens.report import ReportScreen

        if not self._busy_live():
            self.push_screen(ReportScreen())

    # -- recovery after a crash ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="recovery", exit_on_error=False)
    def _find_interrupted(self) -> None:
        from companion.operations.recording import interrupted_sessions

        found = interrupted_sessions(self.study)
        if found:
            self.post_message(InterruptedFound(found))

    @on(InterruptedFound)
    def _offer_recovery(self, event: InterruptedFound) -> None:
        from companion.tui.screens.dialogs import ConfirmScreen

        ids = ", ".join(str(i) for i in event.session_ids)
        self.push_screen(
            ConfirmScreen(
                "A recording was interrupted",
                f"Session {ids} did not stop cleanly (a crash or power cut). Recover the "
                "audio now? The files are repaired on this machine; nothing is deleted.",
                yes="Recover", no="Later"),
            partial(self._recovery_answer, event.session_ids),
        )

    def _recovery_answer(self, session_ids: list[int], answer: bool | None) -> None:
        if answer:
            for session_id in session_ids:
                self.recover(session_id)

    def recover(self, session_id: int) -> None:
        self.notify(f"Recovering session {session_id}…")
        self._recover_worker(session_id)

    @work(thread=True, exclusive=True, group="recovery", exit_on_error=False)
    def _recover_worker(self, session_id: int) -> None:
        from companion.operations.recording import recover

        try:
            recover(self.study, session_id)
        except CompanionError as exc:
            self.post_message(RecoveryDone(session_id, str(exc)))
        except Exception as exc:  # report it: a recovery must never fail silently
            self.post_message(RecoveryDone(session_id, f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(RecoveryDone(session_id))

    @on(RecoveryDone)
    def _recovered(self, event: RecoveryDone) -> None:
        from companion.tui.screens.dialogs import ConfirmScreen
        from companion.tui.screens.sessions import SessionsScreen

        if isinstance(self.screen, SessionsScreen):
            self.screen.reload()
        if event.error:
            self.notify(f"Session {event.session_id} could not be recovered: {event.error}",
                        severity="error", timeout=60)
            return
        self.notify(f"Session {event.session_id} recovered.")
        self.push_screen(
            ConfirmScreen(
                "Continue the interview?",
                f"Continue session {event.session_id} now? Recording goes on in a new "
                "segment, after what was saved.", yes="Continue", no="Not now"),
            partial(self._continue_answer, event.session_id),
        )

    def _continue_answer(self, session_id: int, answer: bool | None) -> None:
        if answer:
            self.start_live(session_id)

    # -- commands and quitting ----------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen and the app in the palette, with its tooltip;
        the transcription view from every screen. Not the keys of the widget in focus (a
        text box's forty editing keys buried the screen's own), nor Textual's screenshot
        (a picture of an interview, written outside the study folder)."""
        # Quit is one of the app's keys, listed below with its key.
        yield from (command for command in super().get_system_commands(screen)
                    if command.title not in ("Screenshot", "Quit"))
        seen: set[str] = {"command_palette"}  # the palette is open already
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen \
                    or not isinstance(active.node, (Screen, App)) \
                    or binding.action in _NOT_IN_PALETTE:
                continue
            seen.add(binding.action)
            display = self.get_key_display(binding)
            # The key in the title itself: the help line below it is easy to miss.
            title = binding.description
            if binding.action.startswith("tag_code("):  # one line per code, its own key
                title, display = binding.tooltip, binding.key.replace("alt+", "Alt+")
            # The palette reads titles and help as markup: a key shown as "/" made "[/]",
            # which ended the app; "[f7]", "[D]" and "[R]" vanished. Every key reads as typed.
            help_text = f"[{display}] {binding.tooltip or binding.description}"
            yield SystemCommand(_plain(f"{title}  ({display})"), _plain(help_text),
                                partial(self.run_action, binding.action, active.node))
            del key
        if "app.open_transcription" not in seen and screen is not self.transcription_screen:
            yield SystemCommand(
                "Transcription", _plain(
                    "[t on the sessions screen] Transcribe recorded sessions on this "
                    "machine: queue, progress, cancel"), self.action_open_transcription)

    def notify(self, message: str, *, title: str = "",
               severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """A toast, never read as markup: messages carry participants' words, file names
        and error text, where "[/]" would end the app and "[silence]" would vanish."""
        del markup  # companion writes no markup in a notification
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=False)

    def _export_target(self) -> int | None:
        """The session the current screen shows or highlights, if it offers an export."""
        from textual.command import CommandPalette

        from companion.tui.context import ExportsSession

        # Under the palette the footer's question is about the screen below it: the
        # palette listed no "Export" on the very screens that offer it.
        screen = next((s for s in reversed(self.screen_stack)
                       if not isinstance(s, CommandPalette)), self.screen)
        return screen.export_session_id() if isinstance(screen, ExportsSession) else None

    def action_export(self) -> None:
        """The export dialog for the session on screen (summary, review, sessions)."""
        from companion.tui.screens.export import ExportScreen

        session_id = self._export_target()
        if session_id is None:
            self.notify("Highlight a session to export it.", severity="warning")
            return
        self.push_screen(ExportScreen(session_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """During an interview the footer keeps to the interview's own keys: search,
        report and theme wait (they left stray characters at 80 columns). Export is
        offered where a session is shown or highlighted."""
        if action == "export":
            return self._export_target() is not None
        if action in ("open_search", "open_report", "toggle_dark"):
            # Also under a dialog or the palette. The footer asks this for its first frame:
            # no import of the live screen here.
            return not any(getattr(screen, "INTERVIEW", False) for screen in self.screen_stack)
        return True

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def _recording_screen(self) -> LiveScreen | None:
        """The live screen whose recording runs (or is starting or paused), if any."""
        from companion.tui.screens.live import LiveScreen

        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen) and screen.recording_active:
                return screen
        return None

    async def action_quit(self) -> None:
        """Quit; while a recording runs, ask first (Ctrl+Q, the palette's Quit)."""
        from companion.tui.screens.dialogs import ConfirmScreen

        if self._recording_screen() is None:
            await self.quit_now()
            return
        if isinstance(self.screen, ConfirmScreen) and self.screen.name == QUIT_QUESTION:
            return  # asked already
        self.push_screen(
            ConfirmScreen(
                "Leave while recording?",
                "The interview is being recorded. Quitting stops the recording here; the "
                "session stays open and l continues it later in a new segment.",
                yes="Stop and quit", no="Keep recording", name=QUIT_QUESTION),
            self._quit_answer,
        )

    def _quit_answer(self, answer: bool | None) -> None:
        if answer:
            self.call_later(self.quit_now)

    async def quit_now(self) -> None:
        """Stop a running recording cleanly (it stays continuable), then exit."""
        from companion.tui.screens.live import LiveScreen

        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen) and screen.recorder is not None:
                await asyncio.to_thread(screen.recorder.stop)
        transcription = self.transcription_screen
        if transcription is not None:
            # The run stops after the segment being decoded (committed, resumable); the
            # process waits for that thread as it exits.
            transcription.cancel_run()
        self.exit()


def run_app(study: Study) -> None:
    """Run the app on a study folder (what ``companion`` with no arguments does); the
    libraries' own messages go to a log meanwhile, never over the screen."""
    from companion.files import native_log_path
    from companion.tui.native_messages import native_messages_to

    with native_messages_to(native_log_path()):
        CompanionApp(study).run()
