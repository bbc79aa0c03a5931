"""Where a recording stands on the session timeline, shared by the recorder's two threads.

The writer thread moves it (a segment opened, frames written, a segment closed); the owner
reads it (``now_ms`` to stamp a note, ``segments`` to list the files). It counts frames,
not wall time: a segment's offset plus its frames ÷ rate. Between segments (paused, or the
microphone lost) it stands still at the end of the last one.
"""

from __future__ import annotations

import threading

from companion.store.recordings import Segment


class SessionClock:
    """The recording's timeline; every method is safe from either thread."""

    def __init__(self, samplerate: int, end_ms: int = 0) -> None:
        self.samplerate = samplerate
        self._lock = threading.Lock()
        self._segments: list[Segment] = []
        self._offset_ms = 0  # the open segment's place on the timeline
        self._frames = 0  # frames written to the open segment
        self._open = False
        self._end_ms = end_ms  # where the timeline stands while no segment is open

    def continue_from(self, end_ms: int) -> None:
        """Start (or continue a session) at ``end_ms``: after what earlier recordings left."""
        with self._lock:
            self._end_ms = end_ms

    def now_ms(self) -> int:
        """Now, on the session timeline (ms)."""
        with self._lock:
            if self._open:
                return self._offset_ms + self._frames * 1000 // self.samplerate
            return self._end_ms

    def end_ms(self) -> int:
        """Where the next segment will be placed (the end of the last closed one)."""
        with self._lock:
            return self._end_ms

    def at_frame_ms(self, frame: int) -> int:
        """The session time of frame ``frame`` of the open segment."""
        with self._lock:
            return self._offset_ms + frame * 1000 // self.samplerate

    @property
    def segments(self) -> list[Segment]:
        """This recording's segments (frames of the open one as of its last bookkeeping)."""
        with self._lock:
            return list(self._segments)

    # -- the writer thread's side
    def opened(self, segment: Segment) -> None:
        with self._lock:
            self._offset_ms = segment.offset_ms
            self._frames = 0
            self._open = True
            self._segments.append(segment)

    def wrote(self, frames: int) -> None:
        """The open segment now holds ``frames`` frames."""
        with self._lock:
            self._frames = frames

    def booked(self, segment: Segment) -> None:
        """The open segment's row as last written (its frames so far)."""
        with self._lock:
            self._segments[-1] = segment

    def closed(self, segment: Segment) -> None:
        with self._lock:
            self._end_ms = segment.end_ms
            self._open = False
            self._frames = 0
            self._segments[-1] = segment
