"""The live transcript in ``companion record --live``: its lines printed under the level line."""

from __future__ import annotations

from typing import Any, TextIO

from companion.notation import format_hms
from companion.study.folder import Study


class LivePrinter:
    def __init__(self, live: Any, out: TextIO) -> None:
        self.live = live
        self.out = out
        self.printed = 0
        self.said: str = ""

    @classmethod
    def start(cls, study: Study, recorder: Any, out: TextIO) -> LivePrinter | None:
        from companion.operations.live import live_wanted, start_live

        if not live_wanted(study, recorder.session.id):
            out.write("Live transcript: off for this session (its set-up or [live] "
                      "transcript = false).\n")
            return None
        live = start_live(study, recorder.session.id, recorder)
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
