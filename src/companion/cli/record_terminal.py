"""`companion record` in a terminal: a live level line, Ctrl-C (or SIGTERM) stops cleanly,
and with ``--live`` the live transcript's lines printed under it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from companion.notation import format_duration, format_hms
from companion.study.folder import Study

if TYPE_CHECKING:
    from companion.audio.status import RecorderStatus
    from companion.operations.recording import Recording


def _bar(dbfs: float, width: int = 20) -> str:
    filled = max(0, min(width, round((dbfs + 60.0) / 60.0 * width)))
    return "#" * filled + "-" * (width - filled)


def level_line(status: RecorderStatus) -> str:
    ms = status.session_ms
    levels = " ".join(f"ch{i + 1} [{_bar(r)}] {r:6.1f} dBFS"
                      for i, r in enumerate(status.rms_dbfs))
    disk = (f"{format_duration(status.disk_minutes_left * 60)} disk"
            if status.disk_minutes_left is not None else "disk ?")
    return (f"{format_hms(ms)}.{ms % 1000 // 100} {status.state:<12} {levels} "
            f"| overflows {status.overflows} | {disk} | {status.message}")


class LivePrinter:
    """Prints the live transcript's new lines (and its problems) as they come."""

    def __init__(self, live: Any, out: TextIO) -> None:
        self.live = live
        self.out = out
        self.printed = 0
        self.said: str = ""

    @classmethod
    def start(cls, study: Study, session_id: int, recording: Recording,
              out: TextIO) -> LivePrinter | None:
        from companion.operations.live import live_wanted, start_live

        if not live_wanted(study, session_id):
            out.write("Live transcript: off for this session (its set-up or [live] "
                      "transcript = false).\n")
            return None
        live = start_live(study, session_id, recording)
        return None if live is None else cls(live, out)

    def print_new(self, interactive: bool) -> None:
        lines = self.live.lines[self.printed:]
        message = self.live.message if self.live.state != "running" else ""
        if not lines and message == self.said:
            return
        for line in lines:
            who = f"{line.speaker}: " if line.speaker else ""
            self.out.write(("\r\x1b[K" if interactive else "")
                           + f"  {format_hms(line.start_ms)} {who}{line.text}\n")
        self.printed += len(lines)
        if message and message != self.said and self.live.state != "starting":
            self.out.write(("\r\x1b[K" if interactive else "") + f"! {message}\n")
        self.said = message
        self.out.flush()

    def finish(self, interactive: bool) -> None:
        self.live.stop()
        self.print_new(interactive)


@contextmanager
def stop_requests() -> Iterator[threading.Event]:
    """An event set by Ctrl-C (SIGINT) or SIGTERM while inside, handlers restored after.

    Set explicitly rather than relying on Python's default: a process started in the
    background inherits SIGINT ignored, and would then stop only on SIGKILL. A flag rather
    than an exception: a second Ctrl-C while the file is being closed asks for the same
    stop again, and must not cut the close short."""
    asked = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        asked.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield asked
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def record_in_terminal(study: Study, session_id: int, recording: Recording, out: TextIO, *,
                       live: bool = False) -> RecorderStatus:
    """Run ``recording`` until it stops by itself or Ctrl-C; returns the final status.

    ``live``: run the live transcript beside it and print its lines under the level line
    (unless the session turned it off)."""
    with stop_requests() as stop_asked:
        return _record(study, session_id, recording, out, live, stop_asked)


def _record(study: Study, session_id: int, recording: Recording, out: TextIO, live: bool,
            stop_asked: threading.Event) -> RecorderStatus:
    printer = LivePrinter.start(study, session_id, recording, out) if live else None
    interactive = out.isatty()
    seen_events = 0
    recording.start()
    # Said only once audio flows (a device that never delivers is no recording, however
    # long it takes to open): the recording state, or the timeline moving on.
    start_ms = recording.session_ms()
    opened = recording.status()
    banner = (f"Recording session {session_id} from {opened.device!r} "
              f"({opened.samplerate} Hz, {opened.channels} ch, {opened.format}); "
              "Ctrl-C stops.\n")
    announced = False
    try:
        tick = 0
        while not recording.wait(0.1) and not stop_asked.is_set():
            status = recording.status()
            if not announced and (status.state == "recording" or status.session_ms > start_ms):
                out.write(banner)
                out.flush()
                announced = True
            for event in status.events[seen_events:]:
                out.write(("\n" if interactive else "") + f"! {event}\n")
            seen_events = len(status.events)
            if printer is not None:
                printer.print_new(interactive)
            tick += 1
            if interactive:
                out.write("\r" + level_line(status)[:200] + "\x1b[K")
                out.flush()
            elif tick % 10 == 0 and announced:  # a log starts with the recording
                out.write(level_line(status) + "\n")
                out.flush()
    finally:
        final = recording.stop()
        if printer is not None:
            printer.finish(interactive)
    if not announced and recording.segments:  # all of it arrived between two looks
        out.write(banner)
    for event in final.events[seen_events:]:
        out.write(f"! {event}\n")
    out.write(("\r" if interactive else "") + level_line(final)[:200] + "\n")
    for segment in recording.segments:
        out.write(f"segment {segment.seq}: {segment.path} at {segment.offset_ms} ms, "
                  f"{segment.duration_ms} ms ({segment.end_reason})\n")
    out.write(f"Stopped ({final.stop_reason}); overflows: {final.overflows}.\n")
    out.flush()
    return final

