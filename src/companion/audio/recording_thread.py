"""The recorder's writer thread: owns the stream, the open segment file and its own
database connection; writes, meters, watches the disk and the device, and publishes
the :class:`RecorderStatus` the owner polls (see :mod:`companion.audio.recorder`).

It knows its owner only through what it is given (:mod:`companion.audio.thread_link`):
what to record and within which limits, the hooks it calls back, an inbox of audio blocks
and commands, and the :class:`SessionClock` it moves.
"""

from __future__ import annotations

import contextlib
import errno
import queue
import time
from dataclasses import replace
from typing import Any

import numpy as np

from companion.audio import status as st
from companion.audio.devices import resolve_device
from companion.audio.session_clock import SessionClock
from companion.audio.status import LevelMeter, RecorderStatus, estimated_bytes_per_minute
from companion.audio.thread_link import STREAM_ENDED, Inbox, OwnerHooks, ThreadConfig
from companion.audio.writer import SegmentFile, exclusive_path
from companion.notation import format_hms
from companion.store import recordings
from companion.store.audit import log_change
from companion.store.db import now_iso, transaction
from companion.store.recordings import Segment
from companion.store.sessions import set_status


class Engine:
    """The writer thread's state; every method runs in that thread."""

    def __init__(self, config: ThreadConfig, hooks: OwnerHooks, inbox: Inbox,
                 clock: SessionClock) -> None:
        self.config = config
        self.hooks = hooks
        self.inbox = inbox
        self.clock = clock
        self.device = config.device
        self.db = config.study.db()  # opened in this thread, used only here
        self.stream: Any = None
        self.file: SegmentFile | None = None
        self.segment: Segment | None = None
        self.meter = LevelMeter(config.samplerate, config.channels)
        self.paused = False
        self.link = "starting"  # starting | streaming | lost
        self.last_block = time.monotonic()
        self.next_retry = 0.0
        self.recorded_frames = 0
        self.stop_reason: str | None = None
        self.events: list[str] = []
        self.disk_free: int | None = None
        self.disk_minutes: float | None = None
        self.disk_warned = False
        self.last_bookkeeping = 0.0
        self.device_lost = False
        self.silence_active = False
        self.frames_since_disk_check = 0
        self.clipping_active = False

    def now(self) -> str:
        """The session time, as events are stamped with it."""
        return format_hms(self.clock.now_ms())

    # -- lifecycle
    def run(self) -> None:
        config = self.config
        try:
            self.stream = self.hooks.open_stream(self.device)
        except Exception as exc:
            self.db.conn.close()
            self.hooks.started(exc)
            self._restore_session_status()
            return
        self.last_block = time.monotonic()
        self.hooks.started(None)
        self.check_disk()
        self.publish()
        while self.stop_reason is None:
            self.handle_commands()
            if self.stop_reason is not None:
                break
            try:
                item = self.inbox.blocks.get(timeout=0.1)
            except queue.Empty:
                item = None
            now = time.monotonic()
            if item is STREAM_ENDED:
                if self.link != "lost":
                    self.lose_device("the device stopped delivering audio")
            elif item is not None:
                self.on_block(item, now)
            elif self.link == "streaming" and now - self.last_block > config.stall_seconds:
                self.lose_device(f"no audio for {config.stall_seconds:g} s")
            elif self.link == "starting" and now - self.last_block > config.start_grace_seconds:
                self.lose_device("the device opened but sent no audio")
            if self.link == "lost" and now >= self.next_retry:
                self.try_reconnect()
            if now - self.last_bookkeeping >= 1.0:
                self.bookkeeping(now)
        self.finish()

    def handle_commands(self) -> None:
        while True:
            try:
                name, done = self.inbox.commands.get_nowait()
            except queue.Empty:
                return
            if name == "pause" and not self.paused:
                self.paused = True
                self.close_segment("paused")
                self.audit("pause")
            elif name == "resume" and self.paused:
                self.paused = False
                self.meter.reset_silence()
                self.audit("resume")
            elif name == "stop":
                self.stop_reason = self.stop_reason or "stopped"
            self.publish()
            done.set()

    def audit(self, action: str) -> None:
        """The user's pause or resume: one audit entry at the session time it happened
        (start and stop are audited once each by the session's status)."""
        sid = self.config.session_id
        at_ms = self.clock.now_ms()
        try:
            with transaction(self.db):
                log_change(self.db, entity="session", entity_id=sid, session_id=sid,
                           action=action, after={"at_ms": at_ms})
        except Exception as exc:  # the recording matters more than its audit line
            self.events.append(f"{format_hms(at_ms)} {action} not written to the audit log "
                               f"({exc})")

    def finish(self) -> None:
        config = self.config
        self.close_stream()
        # Blocks already delivered belong to the recording: write them before closing.
        while True:
            try:
                item = self.inbox.blocks.get_nowait()
            except queue.Empty:
                break
            if item is not STREAM_ENDED and self.stop_reason == "stopped":
                self.on_block(item, time.monotonic())
        self.close_segment(self.stop_reason or "stopped")
        clean = self.stop_reason in ("stopped", "seconds")
        end_ms = recordings.session_end_ms(self.db, config.session_id)
        # A full disk stops the recording cleanly (the file is closed and valid): the
        # session can be continued once there is room, so it is 'stopped', not cut off.
        after = config.stopped_status if clean else (
            "stopped" if self.stop_reason == "disk_full" else "interrupted")
        set_status(self.db, config.session_id, after, ended_at=now_iso(), duration_ms=end_ms)
        self.db.conn.close()
        if clean:  # a session's end: keep a backup of the study database (see store.backup)
            from companion.store.backup import backup_quietly

            backup_quietly(config.study.root)
        self.publish(final=True)

    def fail(self, exc: BaseException) -> None:
        """Last resort: an unexpected error. Keep what was recorded, say what happened."""
        self.stop_reason = f"error: {exc}"
        self.events.append(f"{self.now()} recorder failed: {exc}")
        try:
            self.close_stream()
            self.close_segment("error")
            sid = self.config.session_id
            set_status(self.db, sid, "interrupted", ended_at=now_iso(),
                       duration_ms=recordings.session_end_ms(self.db, sid))
        except Exception:
            pass  # 'companion recover' repairs whatever is left
        self.publish(final=True)

    def _restore_session_status(self) -> None:
        with self.config.study.connected() as db:
            set_status(db, self.config.session_id, self.config.status_before)

    # -- audio
    def on_block(self, block: np.ndarray, now: float) -> None:
        self.last_block = now
        if self.link != "streaming":
            if self.device_lost:
                self.events.append(f"{self.now()} microphone back: "
                                   "recording continues in a new segment")
                self.device_lost = False
            self.link = "streaming"
            self.meter.reset_silence()
        if not self.paused:
            if self.config.max_frames is not None:
                left = self.config.max_frames - self.recorded_frames
                if len(block) >= left:
                    block = block[:left]
                    self.stop_reason = "seconds"
            if len(block):
                self.write(block)
        window_done = self.meter.feed(block) if len(block) else False
        if window_done:
            self.publish()

    def write(self, block: np.ndarray) -> None:
        if self.file is None:
            self.open_segment()
        assert self.file is not None
        written_before = self.file.frames
        try:
            self.file.write(block)
        except Exception as exc:
            self.write_failed(exc)
            return
        self.hooks.tap(block, self.clock.at_frame_ms(written_before))
        self.recorded_frames += len(block)
        self.clock.wrote(self.file.frames)
        # The disk is watched per second of audio too (a fast device outruns the wall clock).
        self.frames_since_disk_check += len(block)
        if self.frames_since_disk_check >= self.config.samplerate:
            self.check_disk()

    def write_failed(self, exc: BaseException) -> None:
        full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC
        full = full or "space" in str(exc).lower()
        self.stop_reason = "disk_full" if full else f"error: {exc}"
        self.events.append(f"{self.now()} "
                           + ("disk full: recording stopped" if full else f"write failed: {exc}"))
        self.close_segment("disk_full" if full else "error")

    def open_segment(self) -> None:
        config = self.config
        offset = self.clock.end_ms()
        seq = recordings.next_seq(self.db, config.session_id)
        path, fd = exclusive_path(config.folder, f"session-{config.session_id}-{seq:03d}",
                                  "." + config.fmt)
        try:
            self.file = SegmentFile(path, fd, fmt=config.fmt, samplerate=config.samplerate,
                                    channels=config.channels,
                                    flush_interval=config.flush_interval)
        except BaseException:
            import os

            os.close(fd)
            raise
        self.segment = recordings.add_segment(
            self.db, config.session_id, seq=seq,
            path=str(path.relative_to(config.study.root)), fmt=config.fmt,
            samplerate=config.samplerate, channels=config.channels, offset_ms=offset,
            device=self.device.name, audited=False,
        )
        self.clock.opened(self.segment)

    def close_segment(self, reason: str) -> None:
        if self.file is None or self.segment is None:
            return
        file, segment = self.file, self.segment
        self.file = None
        self.segment = None
        status = "closed"
        try:
            file.close()
        except Exception as exc:  # e.g. no space for the final header: repair it now
            from companion.audio.recover import repair_file

            self.events.append(f"closing the file failed ({exc}); repaired it")
            result = repair_file(file.path)
            file.frames = result.frames
            status = "recovered"
        closed = recordings.close_segment(self.db, segment.id, frames=file.frames,
                                          end_reason=reason, status=status, audited=False)
        self.clock.closed(closed)

    # -- device
    def close_stream(self) -> None:
        if self.stream is None:
            return
        stream, self.stream = self.stream, None
        with contextlib.suppress(Exception):
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()

    def lose_device(self, why: str) -> None:
        self.close_stream()
        self.close_segment("device_lost")
        self.link = "lost"
        self.device_lost = True
        self.next_retry = time.monotonic() + self.config.retry_interval
        self.events.append(f"{self.now()} microphone {self.device.name!r} lost "
                           f"({why}); segment closed, retrying")
        self.publish()

    def try_reconnect(self) -> None:
        self.next_retry = time.monotonic() + self.config.retry_interval
        # Drop anything left from the dead stream.
        while True:
            try:
                self.inbox.blocks.get_nowait()
            except queue.Empty:
                break
        try:
            # A replugged USB microphone appears only after a rescan (no stream is open now).
            self.device = resolve_device(self.device.name, rescan=True)
            self.stream = self.hooks.open_stream(self.device)
        except Exception:
            self.close_stream()
            return
        self.link = "starting"
        self.last_block = time.monotonic()

    # -- bookkeeping
    def bookkeeping(self, now: float) -> None:
        self.last_bookkeeping = now
        if self.file is not None and self.segment is not None:
            recordings.update_frames(self.db, self.segment.id, self.file.frames)
            self.clock.booked(replace(self.segment, frames=self.file.frames))
        self.check_disk()
        self.publish()

    def bytes_per_minute(self) -> float:
        config = self.config
        estimate = estimated_bytes_per_minute(config.samplerate, config.channels, config.fmt)
        if self.file is not None and self.file.frames > config.samplerate * 5:
            # Never below the estimate: FLAC of a silent stretch is tiny, and the time left
            # jumped between 392 h and 1210 h as speech and silence alternated. Steady and
            # on the safe side.
            measured = self.file.size_bytes() / self.file.frames * config.samplerate * 60
            return max(measured, estimate)
        return estimate

    def check_disk(self) -> None:
        config = self.config
        self.frames_since_disk_check = 0
        try:
            free = int(config.disk_usage(config.folder).free)
        except OSError:
            return
        self.disk_free = free
        self.disk_minutes = max(0.0, free - config.disk_reserve_bytes) / self.bytes_per_minute()
        warn = self.disk_minutes < config.disk_warn_minutes
        if warn and not self.disk_warned:
            self.events.append(f"{self.now()} disk nearly full: "
                               f"{self.disk_minutes:.0f} minutes of recording left")
        self.disk_warned = warn
        if free <= config.disk_reserve_bytes and self.stop_reason is None:
            self.stop_reason = "disk_full"
            self.events.append(f"{self.now()} disk full: recording stopped, "
                               "the file is closed and valid")

    def message(self, state: str, silence: bool) -> str:
        if self.stop_reason == "disk_full":
            return "STOPPED: the disk is full (the recording so far is saved)"
        if self.stop_reason and self.stop_reason.startswith("error"):
            return f"STOPPED: {self.stop_reason}"
        if self.device_lost:
            return f"MICROPHONE LOST ({self.device.name}): not recording, retrying"
        if silence:
            quiet = [str(i + 1) for i, s in enumerate(self.meter.silent_seconds())
                     if s >= self.config.silence_seconds]
            return f"SILENCE on channel {', '.join(quiet)}: is the microphone muted?"
        if self.meter.clipping:
            return "CLIPPING: the input is too loud"
        if self.disk_warned:
            return f"disk nearly full: {self.disk_minutes:.0f} min left"
        return state

    def publish(self, final: bool = False) -> None:
        config = self.config
        if final:
            state = st.FAILED if (self.stop_reason or "").startswith("error") else st.STOPPED
        elif self.link == "lost":
            state = st.RECONNECTING
        elif self.paused:
            state = st.PAUSED
        elif self.link == "starting":
            state = st.STARTING
        else:
            state = st.RECORDING
        silent = self.meter.silent_seconds()
        silence = (not self.paused and self.link == "streaming" and not final
                   and any(s >= config.silence_seconds for s in silent))
        clipping = self.meter.clipping and not final
        # Faults that come and go are logged when they start, so none goes unnoticed.
        if silence and not self.silence_active:
            quiet = [str(i + 1) for i, s in enumerate(silent) if s >= config.silence_seconds]
            self.events.append(f"{self.now()} silence on channel "
                               f"{', '.join(quiet)} for {config.silence_seconds:g} s")
        if clipping and not self.clipping_active:
            self.events.append(f"{self.now()} clipping: input too loud")
        self.silence_active = silence
        self.clipping_active = clipping
        self.hooks.publish(RecorderStatus(
            state=state,
            session_ms=self.clock.now_ms(),
            segment_seq=self.segment.seq if self.segment else None,
            device=self.device.name,
            samplerate=config.samplerate,
            channels=config.channels,
            format=config.fmt,
            rms_dbfs=self.meter.rms_dbfs,
            peak_dbfs=self.meter.peak_dbfs,
            clipping=clipping,
            clipped_windows=self.meter.clipped_windows,
            silent_seconds=silent,
            silence_warning=silence,
            overflows=self.hooks.overflows(),
            disk_free_bytes=self.disk_free,
            disk_minutes_left=self.disk_minutes,
            disk_warning=self.disk_warned,
            device_lost=self.device_lost,
            stop_reason=self.stop_reason if final or self.stop_reason else None,
            message=self.message(state, silence),
            events=tuple(self.events),
        ))
