"""The recorder panel: the recording's state at the top of the live screen, and its recorder.

Opening a device, pausing and stopping wait on the audio thread, so each runs in a worker
and reports back with a message; a device problem becomes a sentence on the screen, never
a crash of the interview. The panel polls the recorder's status snapshot about ten times a
second and shows it: state, elapsed time, level, device, disk, and a warning line.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Static

from companion.audio.status import RecorderStatus
from companion.notation import format_hms
from companion.operations import recording
from companion.tui.context import companion_of
from companion.tui.faults import recording_problem
from companion.tui.recording import RecorderFactory
from companion.tui.screens.live.clock import SessionClock
from companion.tui.widget_options import WidgetOptions
from companion.tui.widgets.recording_header import RecordingHeader

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls

WARNINGS: tuple[tuple[str, SeverityLevel, str], ...] = (
    # (status flag, severity, what the interviewer should know)
    ("device_lost", "error", "The microphone is gone. Recording is trying to reconnect."),
    ("silence_warning", "warning", "Silence for a while: is the microphone on and close?"),
    ("clipping", "warning", "The input is clipping: move the microphone away or lower the gain."),
    ("disk_warning", "error", "The disk is nearly full: recording will stop soon."),
)


class BesideRecorder(Protocol):
    """Work that hears what the recorder hears (the live transcript)."""

    def attach(self, recorder: RecorderControls) -> None:
        """Called in the start worker before the recorder starts, so no block is missed."""

    def detach(self) -> None:
        """Called in the stop worker after the recorder stopped (or when it failed)."""


def _detach_all(beside: Sequence[BesideRecorder]) -> None:
    for listener in beside:
        listener.detach()


class RecorderPanel(Vertical):
    """The recording header and the warning line, and the recorder behind them."""

    @dataclass(eq=False)  # a message is one event: identity, not equality
    class Ready(Message):
        """The recorder is running."""

        recorder: RecorderControls

    @dataclass(eq=False)
    class Failed(Message):
        """The recorder could not be made, started, paused or resumed; ``error`` says why."""

        error: str

    @dataclass(eq=False)
    class PauseChanged(Message):
        """The recording was paused (or resumed) at ``at_ms``."""

        paused: bool
        at_ms: int

    class Stopped(Message):
        """The recorder's stop finished (file closed, session updated)."""

    @dataclass(eq=False)
    class DeviceChanged(Message):
        """The microphone went away (``lost``) or came back, at ``at_ms`` (the session
        clock stands still meanwhile: ``away_s`` says how long, on the wall clock)."""

        lost: bool
        at_ms: int
        away_s: int | None = None

    class Ended(Message):
        """The recorder ended by itself (a limit, a full disk, a failure)."""

    class _Toggled(Message, bubble=False):
        """A pause or resume finished: read the status again."""

    def __init__(self, session_id: int, clock: SessionClock, *,
                 recorder: RecorderControls | None = None,
                 recorder_factory: RecorderFactory | None = None,
                 beside: Sequence[BesideRecorder] = (), poll_interval: float = 0.1,
                 **options: Unpack[WidgetOptions]) -> None:
        """``recorder``: one already made; ``recorder_factory``: make and start one in a
        worker; neither: a session opened without recording."""
        super().__init__(**options)
        self.session_id = session_id
        self.clock = clock
        self.recorder = recorder
        self.recorder_factory = recorder_factory
        self.beside = tuple(beside)
        self.poll_interval = poll_interval
        self.timeline_start_ms = 0
        """Where this recording goes on on the session's clock (0 for a first one)."""
        self.failed = ""
        """Why the recorder is not running, when it failed."""
        self.paused = False
        self.polls = 0
        """How many status polls ran (tests wait on it instead of on the clock)."""
        self._retry_factory: RecorderFactory | None = None
        self._stopping = False
        self._ended = False
        self._warned: set[str] = set()
        self._lost_since: float | None = None
        """When the microphone went (monotonic seconds), while it is away."""

    def compose(self) -> ComposeResult:
        yield RecordingHeader(id="live-header")
        yield Static("", id="live-alert")

    # -- what the screen asks -----------------------------------------------------------

    @property
    def recording_expected(self) -> bool:
        return self.recorder is not None or self.recorder_factory is not None

    @property
    def recording_active(self) -> bool:
        """A recording is starting, running or paused here (leaving must ask first)."""
        if self._stopping or self.failed:
            return False
        if self.recorder is None:
            return self.recorder_factory is not None
        return self.recorder.status().state not in ("idle", "stopped", "failed")

    @property
    def stop_asked(self) -> bool:
        """F10 was confirmed: the recorder is stopping and the summary follows."""
        return self._stopping

    @property
    def ended(self) -> bool:
        """The recorder ended by itself (a time limit, a full disk, a failure)."""
        return self.recorder is not None and self.recorder.status().state in (
            "stopped", "failed")

    @property
    def stopping(self) -> bool:
        """Nothing is left to stop, pause or resume."""
        return self.stop_asked or self.ended

    @property
    def can_retry(self) -> bool:
        return bool(self.failed) and self._retry_factory is not None

    @property
    def continues_at_ms(self) -> int | None:
        """Where a stopped session goes on recording (None: a first recording, or none)."""
        return self.timeline_start_ms if self.recording_expected and \
            self.timeline_start_ms > 0 else None

    def start(self) -> None:
        """Start the recorder (if this view records) and the status polls. The clock
        holds at the recording's start until the recorder runs."""
        if self.recording_expected:
            self.timeline_start_ms = recording.recorded_ms(companion_of(self).study,
                                                           self.session_id)
            self.clock.held_ms = self.timeline_start_ms
            self._start_worker()
        self.poll()
        self.set_interval(self.poll_interval, self.poll, name="recorder-poll")

    def retry(self) -> None:
        """Try to start the recording again (after plugging the microphone in)."""
        if not self.can_retry:
            return
        self.failed = ""
        self.recorder_factory = self._retry_factory
        self._start_worker()
        self.poll()

    def pause_or_resume(self, wanted: str) -> None:
        if self.recorder is None:
            self.notify("No recording is running in this view.", severity="warning")
            return
        self._pause_worker(self.recorder, wanted)

    def stop(self) -> None:
        """Stop the recorder in a worker; :class:`Stopped` says when it is done."""
        if self.recorder is not None and not self._stopping:
            self._stopping = True
            self.query_one("#rec-state", Static).update("STOPPING…")
            self._stop_worker(self.recorder)

    # -- the status ---------------------------------------------------------------------

    def poll(self) -> None:
        """Read the recorder's status snapshot (cheap) and show it; warn on changes."""
        self.polls += 1
        if self.recorder is not None:
            status = self.recorder.status()
        elif self.failed:
            status = RecorderStatus(state="failed", session_ms=self.clock(), message=self.failed)
        else:
            state = "starting" if self.recording_expected else "idle"
            status = RecorderStatus(state=state, session_ms=self.clock())
        self.query_one(RecordingHeader).show(status, has_recorder=self.recording_expected
                                             or bool(self.failed))
        if status.state in ("stopped", "failed") and self.recorder is not None \
                and not self._ended:
            self._ended = True
            self.post_message(self.Ended())
        paused = status.state == "paused"
        if paused != self.paused:
            self.paused = paused
            self.post_message(self.PauseChanged(paused, status.session_ms))
        self._warn(status)

    def _warn(self, status: RecorderStatus) -> None:
        active: list[tuple[str, SeverityLevel, str]] = [
            w for w in WARNINGS if getattr(status, w[0], False)
        ]
        if status.state == "failed":
            active.append(("failed", "error", status.message or "Recording failed."))
        alert = self.query_one("#live-alert", Static)
        if active:
            alert.update("⚠ " + "  ⚠ ".join(w[2] for w in active))
        alert.set_class(bool(active), "-shown")
        now = {w[0] for w in active}
        for flag, severity, text in active:
            if flag == "device_lost" and flag not in self._warned:
                self._device_changed(True, status.session_ms)
            elif flag not in self._warned:
                self.notify(text, title="Recording", severity=severity, timeout=20)
        if "device_lost" in self._warned - now:
            self._device_changed(False, status.session_ms)
        self._warned = now

    def _device_changed(self, lost: bool, at_ms: int) -> None:
        """One line of the app's own for the microphone going and coming back (the sound
        libraries' messages go to their log, see :mod:`companion.tui.native_messages`)."""
        at = format_hms(at_ms)
        away: int | None = None
        if lost:
            self._lost_since = time.monotonic()
            self.notify(f"Microphone lost at {at}. Recording is trying to reconnect.",
                        title="Recording", severity="error", timeout=20)
        else:
            # Lost and back stand at one session time: without the length the notes list
            # read as if nothing had been missed.
            if self._lost_since is not None:
                away = max(1, round(time.monotonic() - self._lost_since))
            self._lost_since = None
            after = f" after {away} s" if away else ""
            self.notify(f"Microphone back at {at}{after}. Recording goes on.",
                        title="Recording", timeout=10)
        self.post_message(self.DeviceChanged(lost, at_ms, away))

    # -- workers and what they report ---------------------------------------------------

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _start_worker(self) -> None:
        """Make and start the recorder off the UI thread (opening a device takes a while)."""
        try:
            recorder = self.recorder
            if recorder is None:
                assert self.recorder_factory is not None
                recorder = self.recorder_factory(companion_of(self).study, self.session_id)
            if recorder.status().state in ("idle",):
                for listener in self.beside:
                    listener.attach(recorder)
                recorder.start()
        except Exception as exc:  # a device problem must be seen, not crash the interview
            for listener in self.beside:
                listener.detach()
            self.post_message(self.Failed(recording_problem(exc)))
            return
        self.post_message(self.Ready(recorder))

    @on(Ready)
    def _recorder_ready(self, event: Ready) -> None:
        self.recorder = event.recorder
        self.clock.recorder = event.recorder
        self.poll()

    @on(Failed)
    def _recorder_failed(self, event: Failed) -> None:
        self._retry_factory = self.recorder_factory or self._retry_factory
        self.recorder_factory = None
        self.failed = event.error  # the alert line and one toast (from _warn) say it
        self.poll()

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _pause_worker(self, recorder: RecorderControls, wanted: str) -> None:
        """Pause or resume; the recorder waits for its writer thread, so not on the UI."""
        try:
            state = recorder.status().state
            if wanted == "resume" and state == "paused":
                recorder.resume()
            elif wanted == "pause" and state == "recording":
                recorder.pause()
        except Exception as exc:
            self.post_message(self.Failed(f"pause/resume failed: {exc}"))
        finally:
            self.post_message(self._Toggled())

    @on(_Toggled)
    def _pause_done(self) -> None:
        self.poll()

    @work(thread=True, exclusive=True, group="recorder", exit_on_error=False)
    def _stop_worker(self, recorder: RecorderControls) -> None:
        """Close the recording (its file and the session's status): the summary reads
        them as soon as :class:`Stopped` arrives."""
        try:
            recorder.stop()
        finally:
            self.post_message(self.Stopped())

    @on(Stopped)
    def _stop_done(self) -> None:
        self.poll()
        # What runs beside the recorder winds down after the screen has moved on (the
        # live transcript decodes its last seconds, which took 4-8 s), in a thread the
        # app keeps and waits for as it ends.
        if self.beside:
            companion_of(self).wind_down(partial(_detach_all, self.beside),
                                         "finishing the live transcript")
