"""The live screen's recorder: start it off the UI thread, pause, resume, stop, warn.

A mixin of :class:`~companion.tui.screens.live.LiveScreen`. Opening a device, pausing and
stopping wait on the audio thread, so each runs in a worker and reports back with a
message; a device problem becomes a sentence on the screen, never a crash of the interview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import Static

from companion.audio.status import RecorderStatus
from companion.operations import recording
from companion.tui.faults import recording_problem
from companion.tui.recording import RecorderFactory, RecorderLike
from companion.tui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from companion.tui.app import CompanionApp

WARNINGS = (
    # (status flag, severity, what the interviewer should know)
    ("device_lost", "error", "The microphone is gone. Recording is trying to reconnect."),
    ("silence_warning", "warning", "Silence for a while: is the microphone on and close?"),
    ("clipping", "warning", "The input is clipping: move the microphone away or lower the gain."),
    ("disk_warning", "error", "The disk is nearly full: recording will stop soon."),
)


@dataclass(eq=False)  # a message is one event: identity, not equality
class RecorderReady(Message):
    """The recorder is running (posted by the start worker)."""

    recorder: RecorderLike


@dataclass(eq=False)  # a message is one event: identity, not equality
class RecorderFailed(Message):
    """The recorder could not be made or started; ``error`` says why."""

    error: str


class RecorderStopped(Message):
    """The recorder's stop finished (file closed, session updated)."""


class RecorderToggled(Message, bubble=False):
    """A pause or resume finished (the footer's f6 label follows the state)."""


class LiveRecorderMixin:
    """The recorder's life on the live screen; the screen calls ``_start_recorder``."""

    RecorderReady = RecorderReady
    RecorderFailed = RecorderFailed
    RecorderStopped = RecorderStopped
    RecorderToggled = RecorderToggled

    recorder: RecorderLike | None
    recorder_factory: RecorderFactory | None
    session_id: int
    _stopping: bool
    _failed: str
    _retry_factory: RecorderFactory | None
    _timeline_start_ms: int
    _paused: bool
    _warned: set[str]

    if TYPE_CHECKING:
        @property
        def app(self) -> Any: ...
        @property
        def companion(self) -> CompanionApp: ...
        def query_one(self, *args: Any) -> Any: ...
        def notify(self, *args: Any, **kwargs: Any) -> None: ...
        def post_message(self, message: Message) -> bool: ...
        def refresh_bindings(self) -> None: ...
        def _poll(self) -> None: ...
        def _live_attach(self, recorder: Any) -> None: ...
        def _live_detach(self) -> None: ...

    @property
    def recording_expected(self) -> bool:
        return self.recorder is not None or self.recorder_factory is not None

    @property
    def recording_active(self) -> bool:
        """A recording is starting, running or paused here (leaving must ask first)."""
        if self._stopping or self._failed:
            return False
        if self.recorder is None:
            return self.recorder_factory is not None
        return self.recorder.status().state not in ("idle", "stopped", "failed")

    def _start_recorder(self) -> None:
        if not self.recording_expected:
            return
        self._timeline_start_ms = recording.recorded_ms(self.companion.study, self.session_id)
        self._start_worker()

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _start_worker(self) -> None:
        """Make and start the recorder off the UI thread (opening a device takes a while)."""
        try:
            recorder = self.recorder
            if recorder is None:
                assert self.recorder_factory is not None
                recorder = self.recorder_factory(self.companion.study, self.session_id)
            if recorder.status().state in ("idle",):
                self._live_attach(recorder)
                recorder.start()
        except Exception as exc:  # a device problem must be seen, not crash the interview
            self._live_detach()
            self.post_message(RecorderFailed(recording_problem(exc)))
            return
        self.post_message(RecorderReady(recorder))

    def on_recorder_ready(self, event: RecorderReady) -> None:
        self.recorder = event.recorder
        self.refresh_bindings()  # f6 Pause applies from now: the footer must show it
        self._poll()

    def on_recorder_failed(self, event: RecorderFailed) -> None:
        self._retry_factory = self.recorder_factory or self._retry_factory
        self.recorder_factory = None
        self._failed = event.error  # the alert line and one toast (from _warn) say it
        self.refresh_bindings()
        self._poll()

    def action_retry_recording(self) -> None:
        """Try to start the recording again (after plugging the microphone in)."""
        if not self._failed or self._retry_factory is None:
            return
        self._failed = ""
        self.recorder_factory = self._retry_factory
        self.refresh_bindings()
        self._start_worker()
        self._poll()

    def _warn(self, status: RecorderStatus) -> None:
        active: list[tuple[str, str, str]] = [
            w for w in WARNINGS if getattr(status, w[0], False)
        ]
        if status.state == "failed":
            active.append(("failed", "error", status.message or "Recording failed."))
        alert = self.query_one("#live-alert", Static)
        if active:
            alert.update("⚠ " + "  ⚠ ".join(w[2] for w in active))
        alert.set_class(bool(active), "-shown")
        names = {w[0] for w in active}
        for flag, severity, text in active:
            if flag not in self._warned:
                self.notify(text, title="Recording", severity=severity,  # type: ignore[arg-type]
                            timeout=20)
        self._warned = names

    # -- recording --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """f6 reads Pause while recording and Resume while paused."""
        if action == "retry_recording":
            return bool(self._failed) and self._retry_factory is not None
        if action in ("pause", "resume") and self.recorder is None:
            return False  # nothing to pause: f6 stays out of the footer
        if action == "pause":
            return not self._paused
        if action == "resume":
            return self._paused
        return True

    def action_pause(self) -> None:
        self._pause_or_resume("pause")

    def action_resume(self) -> None:
        self._pause_or_resume("resume")

    def _pause_or_resume(self, wanted: str) -> None:
        if self.recorder is None:
            self.notify("No recording is running in this view.", severity="warning")
            return
        self._pause_worker(self.recorder, wanted)

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _pause_worker(self, recorder: RecorderLike, wanted: str) -> None:
        """Pause or resume; the recorder waits for its writer thread, so not on the UI."""
        try:
            state = recorder.status().state
            if wanted == "resume" and state == "paused":
                recorder.resume()
            elif wanted == "pause" and state == "recording":
                recorder.pause()
        except Exception as exc:
            self.post_message(RecorderFailed(f"pause/resume failed: {exc}"))
        finally:
            self.post_message(RecorderToggled())

    def on_recorder_toggled(self) -> None:
        self._poll()

    def action_stop(self) -> None:
        if self.recorder is None:
            self.finish()
            return
        self.app.push_screen(
            ConfirmScreen("Stop the recording?",
                          "The recording ends here; you go on to the session summary. "
                          "You can continue later as a new segment.",
                          yes="Stop", no="Keep recording"),
            self._confirmed_stop,
        )

    def _confirmed_stop(self, answer: bool | None) -> None:
        if answer:
            self.finish()

    def finish(self) -> None:
        """Stop recording (in a worker) and move on to the summary of this session."""
        if self.recorder is None:
            self._go_to_summary()
            return
        if not self._stopping:
            self._stopping = True
            self.query_one("#rec-state", Static).update("STOPPING…")
            self._stop_worker(self.recorder)

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _stop_worker(self, recorder: RecorderLike) -> None:
        try:
            recorder.stop()
            self._live_detach()
        finally:
            self.post_message(RecorderStopped())

    def on_recorder_stopped(self) -> None:
        self._poll()
        self._go_to_summary()

    def _go_to_summary(self) -> None:
        from companion.tui.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(self.session_id))
