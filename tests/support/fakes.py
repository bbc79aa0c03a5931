"""A recorder with a hand-set clock and status, for pictures and fast tests."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from companion.audio.recorder import Recorder
from companion.audio.status import RecorderStatus
from companion.study.folder import Study


class ClockedRecorder(Recorder):
    """The real recorder; its audio callback paces the unclocked file microphone to real
    time, as a hardware microphone would (unpaced it runs ~200x and starves two cores)."""

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        super()._callback(indata, frames, time_info, status)
        if not hasattr(self, "_pace_start"):
            self._pace_start = time.monotonic()
            self._pace_frames = 0
        self._pace_frames += frames
        ahead = self._pace_frames / self.samplerate - (time.monotonic() - self._pace_start)
        if ahead > 0:
            time.sleep(ahead)


def clocked_factory(study: Study, session_id: int) -> ClockedRecorder:
    """As the app makes its recorder: a clean stop leaves the session ``stopped``."""
    return ClockedRecorder(study, session_id, device="fakemic", stopped_status="stopped")


def feed_fakemic(seconds: float = 3.0, rate: int = 48_000) -> None:
    """Give the file microphone a few seconds of a 220 Hz tone (then it plays silence)."""
    import numpy as np

    # Not through tests.conftest: importing it by that name would run it a second time
    # (pytest loaded it as a conftest), pointing HOME at a new, unused .asoundrc.
    from tests.support.audio import feed_fakemic as play

    t = np.arange(int(seconds * rate)) / rate
    play((6000 * np.sin(2 * np.pi * 220 * t)).astype("<i2"))


class FakeRecorder:
    """Implements operations.recording.RecorderControls (what the live screen drives);
    ``ms`` is the session clock, set by the test."""

    def __init__(self, ms: int = 0, **status: object) -> None:
        self.ms = ms
        self.calls: list[str] = []
        self._status = RecorderStatus(
            state="idle", device="Studio mic (USB)", samplerate=48_000, channels=1,
            rms_dbfs=(-24.0,), peak_dbfs=(-12.0,), disk_minutes_left=512.0,
        )
        self.extra = status

    def start(self) -> None:
        self.calls.append("start")
        self._status = replace(self._status, state="recording", **self.extra)  # type: ignore[arg-type]

    def pause(self) -> None:
        self.calls.append("pause")
        self._status = replace(self._status, state="paused")

    def resume(self) -> None:
        self.calls.append("resume")
        self._status = replace(self._status, state="recording")

    def stop(self) -> RecorderStatus:
        self.calls.append("stop")
        self._status = replace(self._status, state="stopped")
        return self._status

    def set(self, **changes: object) -> None:
        self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def status(self) -> RecorderStatus:
        return replace(self._status, session_ms=self.ms)

    def session_ms(self) -> int:
        return self.ms
