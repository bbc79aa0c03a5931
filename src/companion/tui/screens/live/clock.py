"""The one clock every stamp on the live screen takes its time from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from companion.tui.recording import MonotonicClock

if TYPE_CHECKING:
    from companion.operations.recording import RecorderControls


class SessionClock:
    """The session time of this moment, in milliseconds.

    While recording it is the recorder's frame clock, which stands still while paused.
    While a recorder starts, or after it failed, it holds at the moment the recording would
    begin: nothing was recorded, so the timeline has not moved. Without a recorder (a
    session opened again to add notes) it counts from the moment the screen opened.
    ``fixed`` overrides them all (tests and pictures).
    """

    def __init__(self, fixed: Callable[[], int] | None = None) -> None:
        self.fixed = fixed
        self.recorder: RecorderControls | None = None
        """Set by the recorder panel once its recorder runs."""
        self.held_ms: int | None = None
        """Set by the recorder panel while a recording is expected but not running."""
        self.review: Callable[[], int] = MonotonicClock()

    def __call__(self) -> int:
        if self.fixed is not None:
            return int(self.fixed())
        if self.recorder is not None:
            return int(self.recorder.session_ms())
        if self.held_ms is not None:
            return self.held_ms
        return self.review()
