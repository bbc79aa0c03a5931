"""Recording from the shell: a live level line, Ctrl-C (or SIGTERM) stops cleanly."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import TextIO

from companion.audio.recorder import Recorder
from companion.audio.status import RecorderStatus
from companion.notation import format_duration, format_hms
from companion.study.folder import Study


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


def record_headless(
    study: Study,
    session_id: int | str,
    *,
    device: str | None = None,
    seconds: float | None = None,
    channels: int = 1,
    fmt: str = "flac",
    samplerate: int | None = None,
    silence_seconds: float = 20.0,
    out: TextIO | None = None,
    echo_event: Callable[[str], None] | None = None,
    live: bool = False,
) -> RecorderStatus:
    """Record until ``seconds`` of audio or Ctrl-C; returns the final status.

    ``live``: run the live transcript beside the recorder and print its lines under the
    level line (unless the session turned it off)."""
    out = out or sys.stdout
    recorder = Recorder(study, session_id, device=device, channels=channels, fmt=fmt,
                        samplerate=samplerate, max_seconds=seconds,
                        silence_seconds=silence_seconds)
    from companion.audio.live_lines import LivePrinter

    printer = LivePrinter.start(study, recorder, out) if live else None
    interactive = out.isatty()

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    seen_events = 0
    recorder.start()
    # Said only once audio flows (a device that never delivers is no recording, however
    # long it takes to open): the recording state, or the timeline moving on.
    start_ms = recorder.session_ms()
    banner = (f"Recording session {recorder.session.id} from {recorder.device.name!r} "
              f"({recorder.samplerate} Hz, {recorder.channels} ch, {fmt}); Ctrl-C stops.\n")
    announced = False
    try:
        tick = 0
        while not recorder.wait(0.1):
            status = recorder.status()
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
    except KeyboardInterrupt:
        pass
    finally:
        final = recorder.stop()
        signal.signal(signal.SIGTERM, previous)
        if printer is not None:
            printer.finish(interactive)
    if not announced and recorder.segments:  # all of it arrived between two looks
        out.write(banner)
    for event in final.events[seen_events:]:
        out.write(f"! {event}\n")
    out.write(("\r" if interactive else "") + level_line(final)[:200] + "\n")
    for segment in recorder.segments:
        out.write(f"segment {segment.seq}: {segment.path} at {segment.offset_ms} ms, "
                  f"{segment.duration_ms} ms ({segment.end_reason})\n")
    out.write(f"Stopped ({final.stop_reason}); overflows: {final.overflows}.\n")
    out.flush()
    return final
