"""The app's side of the live transcript: start the process, feed it, keep its lines.

:meth:`LiveTranscriber.tap` is what the recorder's writer thread calls with each block it
has written: it only puts the block on a queue. A feeder thread writes the queue to the
process's stdin; when the process is too slow and the queue grows past ``max_queue_s``,
the feeder drops blocks (the process then sees a jump in time and says it skipped). A
reader thread takes the replies, stores each line with the session time at which it came
(``shown_at_ms``, the screen polls ten times a second) and wakes whoever waits.

If the process dies, the recorder notices nothing: the tap keeps queueing into a queue
nobody drains past its bound, and :attr:`state` says the live transcript stopped.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import os
import queue
import subprocess
import sys
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.live.wire import decode_message, encode_block
from companion.notation import format_hms
from companion.study.folder import Study

F_SETPIPE_SZ = 1031  # Linux: a bigger pipe absorbs a burst while the process is busy


@dataclass(frozen=True)
class LiveLine:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    shown_at_ms: int
    id: int | None = None


@dataclass(frozen=True)
class TalkBatch:
    start_ms: int
    end_ms: int
    ms: dict[str, int]


class TalkLog:
    """The talk batches of a session, one a second, kept as rows of numbers.

    A two-hour interview brings about 7,200 batches: as objects with a dict each they took
    2.4 MB of the app's memory, which grew with the interview's length; as rows of 64-bit
    numbers they take 0.15 MB.
    """

    def __init__(self, labels: tuple[str, str]) -> None:
        self.labels = labels
        self._starts = array("q")
        self._ends = array("q")
        self._ms = tuple(array("q") for _ in labels)

    def append(self, batch: TalkBatch) -> None:
        # The columns grow one after another; a reader on another thread takes the length
        # of the last one, so it never sees a row half written.
        self._starts.append(batch.start_ms)
        for label, column in zip(self.labels, self._ms, strict=True):
            column.append(batch.ms.get(label, 0))
        self._ends.append(batch.end_ms)

    def __len__(self) -> int:
        return len(self._ends)

    def __iter__(self) -> Iterator[TalkBatch]:
        return self.since(0)

    def since(self, since_ms: int) -> Iterator[TalkBatch]:
        """The batches that start at ``since_ms`` or later (a phase's, not the session's)."""
        end = len(self)
        for row in range(bisect.bisect_left(self._starts, since_ms, 0, end), end):
            yield TalkBatch(self._starts[row], self._ends[row],
                            {label: column[row] for label, column in zip(
                                self.labels, self._ms, strict=True)})


STARTING, RUNNING, STOPPED, FINISHED = "starting", "running", "stopped", "finished"


class LiveTranscriber:
    """One live transcriber process beside one recorder."""

    def __init__(
        self,
        study: Study | None,
        session_id: int,
        *,
        samplerate: int,
        channels: int,
        clock: Callable[[], int],
        labels: tuple[str, str] = ("I", "P"),
        model: str | None = None,
        language: str | None = None,
        hotwords: str | None = None,
        max_lag_s: float = 20.0,
        max_queue_s: float = 10.0,
        mono_labeller: str | None = None,
    ) -> None:
        self.study = study
        self.session_id = session_id
        self.samplerate = samplerate
        self.channels = channels
        self.clock = clock
        self.labels = labels
        self.model = model
        self.language = language
        self.hotwords = hotwords
        self.max_lag_s = max_lag_s
        self.max_queue_blocks = max(1, int(max_queue_s * 20))
        self.mono_labeller = mono_labeller
        self.lines: list[LiveLine] = []
        self.talk = TalkLog(labels)
        self.skipped: list[tuple[int, int]] = []
        self.state = STARTING
        self.message = "live transcript starting"
        self.dropped_blocks = 0
        self.changed = threading.Condition()
        self.version = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._blocks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._drop_from: int | None = None
        self._drop_to = 0
        self._threads: list[threading.Thread] = []

    # -- owner API
    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self) -> None:
        cmd = [sys.executable, "-m", "companion.live.worker",
               "--samplerate", str(self.samplerate), "--channels", str(self.channels),
               "--labels", ",".join(self.labels), "--max-lag", str(self.max_lag_s)]
        for flag, value in (("--model", self.model), ("--language", self.language),
                            ("--hotwords", self.hotwords),
                            ("--mono-labeller", self.mono_labeller)):
            if value:
                cmd += [flag, value]
        # One thread for every maths library the model may use: the recorder keeps a core.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        if self.study is not None:
            # the mono labeller (companion.speakers.live) finds the enrolled voice there
            env["COMPANION_STUDY"] = str(self.study.root)
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env,
                                        start_new_session=True)
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.process.stdin.fileno(), F_SETPIPE_SZ, 1 << 20)
        for target, name in ((self._feed, "live-feeder"), (self._read, "live-reader")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def tap(self, block: np.ndarray, start_ms: int) -> None:
        """Called by the recorder's writer thread: hand the block over, never wait."""
        if self.state in (STOPPED, FINISHED) or self._blocks.qsize() > self.max_queue_blocks:
            self.dropped_blocks += 1
            if self._drop_from is None:
                self._drop_from = start_ms
            self._drop_to = start_ms + len(block) * 1000 // self.samplerate
            return
        self._end_drop()
        self._blocks.put((start_ms, block.copy()))

    def _end_drop(self) -> None:
        if self._drop_from is not None:  # the feeder says so; this thread only queues
            self._blocks.put(("skipped", (self._drop_from, self._drop_to)))
            self._drop_from = None

    def stop(self, timeout: float = 30.0) -> None:
        """End of the recording: the process decodes what it has, then exits."""
        self._end_drop()
        self._blocks.put(None)
        for thread in self._threads:
            thread.join(timeout)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def wait_for(self, predicate: Callable[[LiveTranscriber], bool], timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)

    def last_lines(self, count: int) -> list[LiveLine]:
        return list(self.lines[-count:])

    # -- threads
    def _notify(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def _feed(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        stdin = self.process.stdin
        try:
            while True:
                item = self._blocks.get()
                if item is None:
                    break
                start_ms, block = item
                if start_ms == "skipped":
                    self._skipped(*block)
                    continue
                stdin.write(encode_block(start_ms, block))
                stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the process is gone: the reader says so
        finally:
            with contextlib.suppress(Exception):
                stdin.close()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        db = self.study.db() if self.study is not None else None
        finished = False
        try:
            for raw in self.process.stdout:
                message = decode_message(raw)
                if message is None:
                    continue
                finished = self._handle(message, db) or finished
        finally:
            if db is not None:
                db.conn.close()
            code = self.process.wait()
            if finished and code == 0:
                self.state = FINISHED
                self.message = "live transcript finished" + (
                    f"; it fell behind and skipped {len(self.skipped)} stretch(es), first "
                    f"{format_hms(self.skipped[0][0])} to {format_hms(self.skipped[0][1])}"
                    if self.skipped else "")
            elif self.state != STOPPED:
                self.state = STOPPED
                self.message = self.message if self.message.startswith("live transcript "
                                                                       "failed") else (
                    "the live transcript stopped; the recording goes on")
            self._notify()

    def _skipped(self, from_ms: int, to_ms: int) -> None:
        """A stretch with no live lines: the process or this side dropped its audio."""
        self.skipped.append((from_ms, to_ms))
        self.message = (f"live transcript fell behind: nothing shown from "
                        f"{format_hms(from_ms)} to {format_hms(to_ms)}; the recording has it "
                        "all")
        self._notify()

    def _handle(self, message: dict[str, Any], db: Any) -> bool:
        kind = message["type"]
        if kind == "ready":
            self.state = RUNNING
            self.message = "live transcript on"
        elif kind == "line":
            shown = int(self.clock())
            line = LiveLine(int(message["start_ms"]), int(message["end_ms"]),
                            str(message["text"]), message.get("speaker"), shown)
            if db is not None:
                from companion.store.live import add_live_segment

                stored = add_live_segment(db, self.session_id, start_ms=line.start_ms,
                                          end_ms=line.end_ms, text=line.text,
                                          speaker=line.speaker, shown_at_ms=shown)
                line = LiveLine(line.start_ms, line.end_ms, line.text, line.speaker, shown,
                                stored.id)
            self.lines.append(line)
        elif kind == "skipped":
            self._skipped(int(message["from_ms"]), int(message["to_ms"]))
            return False
        elif kind == "talk":
            self.talk.append(TalkBatch(int(message["start_ms"]), int(message["end_ms"]),
                                       {str(k): int(v) for k, v in message["ms"].items()}))
        elif kind == "error":
            self.message = f"live transcript failed: {message.get('message')}"
        elif kind == "done":
            self._notify()
            return True
        self._notify()
        return False
