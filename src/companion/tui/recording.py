"""How the TUI gets a session's recorder (:class:`RecorderControls`: tests pass a fixed one).

The real one comes from :func:`companion.operations.recording.prepare_recording`; the live
screen only calls these methods, polls ``status()`` about ten times a second and reads
``session_ms()`` to stamp what the interviewer does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from companion.study.folder import Study

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls


RecorderFactory: TypeAlias = "Callable[[Study, int], RecorderControls]"
"""Makes the recorder for a session: ``factory(study, session_id)``."""


def default_recorder_factory(device: str | None) -> RecorderFactory:
    """The real recorder on ``device`` (None: the study's or the system's default)."""

    def make(study: Study, session_id: int) -> RecorderControls:
        from companion.operations.recording import RecordingOptions, prepare_recording

        # The study's [audio] settings, as `companion record` uses them. Stopping is not
        # completing: the session stays continuable until F8 on the summary.
        return prepare_recording(study, session_id,
                                 RecordingOptions(device=device, stop_completes=False))

    return make


class MonotonicClock:
    """Session time without a recorder (reviewing a session): milliseconds since start."""

    def __init__(self, offset_ms: int = 0, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._start = now()
        self._offset = offset_ms

    def __call__(self) -> int:
        return self._offset + int((self._now() - self._start) * 1000)
