"""The recorder: a PortAudio input stream, a writer thread, segments on a session timeline.

Threads:

* the **audio callback** (PortAudio's thread) only copies each block onto a queue and
  counts ``input_overflow`` flags;
* the **writer thread** (:mod:`companion.audio.recording_thread`) owns the stream, the
  open audio file and its own database connection: it writes, flushes every
  ``flush_interval`` seconds, meters levels, watches the disk and the device, and
  publishes a :class:`RecorderStatus` snapshot. It sees the recorder only through what
  :mod:`companion.audio.thread_link` describes;
* the **owner** (the TUI or the CLI) calls ``start/pause/resume/stop`` and polls
  ``status()`` and ``session_ms()``; those never touch the audio thread.

The session clock counts frames, not wall time: a segment's offset plus its frames ÷ rate.
Pausing freezes it; resuming (or reconnecting a lost microphone) opens a new segment whose
offset is the session time at the pause.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from companion.audio.devices import (
    InputDevice,
    remember_device,
    remembered_device,
    resolve_device,
)
from companion.audio.recording_thread import Engine
from companion.audio.session_clock import SessionClock
from companion.audio.status import RecorderStatus
from companion.audio.thread_link import STREAM_ENDED, Inbox, OwnerHooks, ThreadConfig
from companion.audio.writer import FORMATS
from companion.errors import CompanionError, InputError
from companion.store import recordings
from companion.store.db import now_iso, transaction
from companion.store.participants import get_participant
from companion.store.recordings import Segment
from companion.store.sessions import get_session, set_status
from companion.study.folder import Study
from companion.study.session_folder import SessionLock, ensure_session_dir

DEFAULT_SAMPLERATE = 48_000


class Recorder:
    """Records one session. Construct (validates), then ``start()``; ``stop()`` at the end."""

    def __init__(
        self,
        study: Study,
        session_id: int | str,
        *,
        device: str | int | None = None,
        channels: int = 1,
        samplerate: int | None = None,
        fmt: str = "flac",
        silence_seconds: float = 20.0,
        max_seconds: float | None = None,
        disk_warn_minutes: float = 30.0,
        disk_reserve_bytes: int = 32 * 1024 * 1024,
        flush_interval: float = 0.5,
        stall_seconds: float = 3.0,
        start_grace_seconds: float = 6.0,
        retry_interval: float = 1.0,
        disk_usage: Callable[[Path], Any] = shutil.disk_usage,
        stopped_status: str = "completed",
    ) -> None:
        """``stopped_status``: the session's status after a clean stop (the TUI passes
        ``stopped``: the interviewer completes a session separately, F8)."""
        if channels not in (1, 2) or isinstance(channels, bool):
            raise InputError("channels", channels, "1 (one microphone) or 2 (interviewer, "
                             "participant)")
        if fmt not in FORMATS:
            raise InputError("format", fmt, "one of " + ", ".join(FORMATS))
        if max_seconds is not None and not (max_seconds > 0):
            raise InputError("seconds", max_seconds, "a number of seconds greater than 0")
        if silence_seconds <= 0:
            raise InputError("silence", silence_seconds, "a number of seconds greater than 0")
        self.study = study
        self.stopped_status = stopped_status
        with study.connected() as db:
            self.session = get_session(db, session_id)
            participant = get_participant(db, self.session.participant_code)
            if not participant.consented:
                raise InputError(
                    "consent", None, "a consent date for participant "
                    f"{participant.code} before recording",
                    hint="record the date of written consent for this participant first",
                )
            chosen = device if device is not None else remembered_device(db)
        try:
            self.device: InputDevice = resolve_device(chosen, rescan=True)
        except InputError:
            if device is not None:
                raise
            self.device = resolve_device(None)  # the remembered one is gone: the default
        if channels > self.device.channels:
            raise InputError("channels", channels,
                             f"at most {self.device.channels} for device {self.device.name}")
        self.channels = channels
        self.samplerate = samplerate or self._pick_samplerate()
        self.fmt = fmt
        self.silence_seconds = float(silence_seconds)
        self.max_frames = None if max_seconds is None else round(max_seconds * self.samplerate)
        self.disk_warn_minutes = disk_warn_minutes
        self.disk_reserve_bytes = disk_reserve_bytes
        self.flush_interval = flush_interval
        self.stall_seconds = stall_seconds
        self.start_grace_seconds = start_grace_seconds
        self.retry_interval = retry_interval
        self._disk_usage = disk_usage
        self.blocksize = max(256, self.samplerate // 20)  # 50 ms: 20 callbacks a second

        self._inbox = Inbox()
        # Called by the writer thread with each block written and its session time (ms):
        # the live transcript's hand-off (companion.live.client), which never waits.
        self.taps: list[Callable[[np.ndarray, int], None]] = []
        self._overflows = 0
        self._clock = SessionClock(self.samplerate)
        self._status = RecorderStatus(device=self.device.name, samplerate=self.samplerate,
                                      channels=self.channels, format=self.fmt)
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._finished = threading.Event()
        self._start_error: BaseException | None = None
        self._session_lock: SessionLock | None = None
        self.folder: Path | None = None

    # ----------------------------------------------------------------- owner API
    def start(self, timeout: float = 15.0) -> None:
        """Open the device and begin recording (session becomes ``live``)."""
        if self._thread is not None:
            raise CompanionError("this recorder was already started")
        self.folder = ensure_session_dir(self.study, self.session)
        self._session_lock = SessionLock(self.folder)
        if not self._session_lock.acquire():
            raise InputError("session", self.session.id,
                             "a session no other companion is recording right now")
        try:
            with self.study.connected() as db, transaction(db):  # the start: one action
                self._clock.continue_from(recordings.session_end_ms(db, self.session.id))
                set_status(db, self.session.id, "live",
                           **({} if self.session.started_at else {"started_at": now_iso()}))
                remember_device(db, self.device.name)
        except BaseException:
            self._session_lock.release()
            raise
        config = self._thread_config(self.folder)
        self._thread = threading.Thread(target=self._run, args=(config,),
                                        name="companion-recorder", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout) or self._start_error is not None:
            self._inbox.commands.put(("stop", threading.Event()))
            self._thread.join(timeout)
            error = self._start_error
            raise CompanionError(
                f"could not open the microphone {self.device.name!r}: {error or 'timed out'}"
            )

    def pause(self, timeout: float = 10.0) -> None:
        """Close the current segment; the session clock stands still until ``resume()``."""
        self._command("pause", timeout)

    def resume(self, timeout: float = 10.0) -> None:
        """Continue in a new segment placed at the session time of the pause."""
        self._command("resume", timeout)

    def stop(self, timeout: float = 30.0) -> RecorderStatus:
        """Finish: close the file valid, record the duration. Safe to call twice."""
        if self._thread is None:
            return self._status
        if not self._finished.is_set():
            self._inbox.commands.put(("stop", threading.Event()))
        self._thread.join(timeout)
        return self._status

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the recorder stops by itself (``max_seconds``, disk full) or timeout."""
        return self._finished.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def status(self) -> RecorderStatus:
        """The latest snapshot (immutable; updated ~10 times a second)."""
        return self._status

    def session_ms(self) -> int:
        """Now, on the session timeline (ms): what a note typed now should be stamped with."""
        return self._clock.now_ms()

    @property
    def segments(self) -> list[Segment]:
        """This recorder's segments (frames of the open one as of its last bookkeeping)."""
        return self._clock.segments

    # ----------------------------------------------------------------- internals
    def _command(self, name: str, timeout: float) -> None:
        if self._thread is None or self._finished.is_set():
            raise CompanionError(f"cannot {name}: the recorder is not running")
        done = threading.Event()
        self._inbox.commands.put((name, done))
        done.wait(timeout)

    def _thread_config(self, folder: Path) -> ThreadConfig:
        return ThreadConfig(
            study=self.study, session_id=self.session.id, folder=folder, device=self.device,
            fmt=self.fmt, samplerate=self.samplerate, channels=self.channels,
            flush_interval=self.flush_interval, max_frames=self.max_frames,
            silence_seconds=self.silence_seconds, stall_seconds=self.stall_seconds,
            start_grace_seconds=self.start_grace_seconds, retry_interval=self.retry_interval,
            disk_warn_minutes=self.disk_warn_minutes,
            disk_reserve_bytes=self.disk_reserve_bytes, disk_usage=self._disk_usage,
            stopped_status=self.stopped_status, status_before=self.session.status,
        )

    def _hooks(self) -> OwnerHooks:
        return OwnerHooks(open_stream=self._open_stream, overflows=lambda: self._overflows,
                          tap=self._tap, started=self._on_started, publish=self._publish)

    def _pick_samplerate(self) -> int:
        import sounddevice as sd

        try:
            sd.check_input_settings(device=self.device.index, channels=self.channels,
                                    samplerate=DEFAULT_SAMPLERATE, dtype="int16")
            return DEFAULT_SAMPLERATE
        except Exception:
            return int(self.device.default_samplerate)

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # The audio thread: copy and count, nothing else.
        self._inbox.blocks.put_nowait(indata.copy())
        if status.input_overflow:
            self._overflows += 1

    def _stream_finished(self) -> None:
        self._inbox.blocks.put_nowait(STREAM_ENDED)

    def _open_stream(self, device: InputDevice) -> Any:
        import sounddevice as sd

        stream = sd.InputStream(
            device=device.index, channels=self.channels, samplerate=self.samplerate,
            dtype="int16", blocksize=self.blocksize, latency="high",
            callback=self._callback, finished_callback=self._stream_finished,
        )
        stream.start()
        return stream

    def _tap(self, block: np.ndarray, at_ms: int) -> None:
        for tap in self.taps:
            with contextlib.suppress(Exception):  # a listener's fault is not the recording's
                tap(block, at_ms)

    def _on_started(self, error: BaseException | None) -> None:
        self._start_error = error
        self._started.set()

    def _publish(self, status: RecorderStatus) -> None:
        self._status = status

    def _run(self, config: ThreadConfig) -> None:
        engine = Engine(config, self._hooks(), self._inbox, self._clock)
        try:
            engine.run()
        except BaseException as exc:  # never die silently: the status must say so
            engine.fail(exc)
        finally:
            if self._session_lock is not None:
                self._session_lock.release()
            self._started.set()
            self._finished.set()
