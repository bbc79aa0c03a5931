"""The time left on disk stays steady: speech and silence do not make it jump.

FLAC of a silent stretch is tiny; measured alone, the rate fell and the hours left jumped
(392 h, then 1210 h, then back). The estimate never goes below the FLAC estimate.
"""

from __future__ import annotations

from types import SimpleNamespace

from companion.audio.recording_thread import Engine as _Engine
from companion.audio.status import estimated_bytes_per_minute

RATE = 48_000


def _rate(size_bytes: int, frames: int) -> float:
    engine = object.__new__(_Engine)  # only the arithmetic: no device, no thread
    engine.config = SimpleNamespace(samplerate=RATE, channels=1, fmt="flac")  # type: ignore[attr-defined]
    engine.file = SimpleNamespace(frames=frames, size_bytes=lambda: size_bytes)  # type: ignore[attr-defined]
    return engine.bytes_per_minute()


def test_silence_does_not_stretch_the_time_left() -> None:
    estimate = estimated_bytes_per_minute(RATE, 1, "flac")
    ten_s = 10 * RATE
    silent = _rate(size_bytes=20_000, frames=ten_s)  # FLAC of silence: almost nothing
    speech = _rate(size_bytes=int(estimate / 6 * 0.9), frames=ten_s)
    assert silent == speech == estimate  # the same figure, whatever was said
    loud = _rate(size_bytes=int(estimate / 6 * 1.5), frames=ten_s)
    assert loud > estimate  # a real rate above the estimate is used: the safe side
