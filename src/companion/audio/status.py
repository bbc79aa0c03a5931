"""What a UI shows about a recording, and the level meter that computes it.

The meter runs in the recorder's writer thread, never in the audio callback. The UI polls
``Recorder.status()``, which returns the latest immutable :class:`RecorderStatus`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

FULL_SCALE = 32768.0
FLOOR_DBFS = -120.0

# States of a recorder.
IDLE = "idle"
STARTING = "starting"  # stream opened, waiting for the first audio
RECORDING = "recording"
PAUSED = "paused"
RECONNECTING = "reconnecting"  # the device went away; retrying
STOPPED = "stopped"
FAILED = "failed"


def estimated_bytes_per_minute(samplerate: int, channels: int, fmt: str) -> float:
    """Bytes a minute of 16-bit recording takes before its real rate is known (FLAC
    typically saves about 40 % on speech)."""
    raw = samplerate * channels * 2 * 60
    return raw * (0.6 if fmt == "flac" else 1.0)


def dbfs(value: float) -> float:
    """Amplitude relative to int16 full scale, in dB (floored at -120)."""
    if value <= 0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(value / FULL_SCALE))


@dataclass(frozen=True)
class RecorderStatus:
    state: str = IDLE
    session_ms: int = 0
    segment_seq: int | None = None
    device: str | None = None
    samplerate: int = 0
    channels: int = 0
    format: str = ""  # of the files: flac or wav
    # Levels over the last ~100 ms, per channel (channel 1 interviewer, 2 participant).
    rms_dbfs: tuple[float, ...] = ()
    peak_dbfs: tuple[float, ...] = ()
    clipping: bool = False  # clipped audio in the last few seconds
    clipped_windows: int = 0  # 100 ms windows with clipped samples, whole recording
    silent_seconds: tuple[float, ...] = ()  # per channel: how long it has been silent
    silence_warning: bool = False  # some channel silent for longer than the threshold
    overflows: int = 0
    disk_free_bytes: int | None = None
    disk_minutes_left: float | None = None
    disk_warning: bool = False
    device_lost: bool = False
    stop_reason: str | None = None  # 'stopped', 'seconds', 'disk_full', 'error: …'
    message: str = ""  # one line for a person: what is wrong, or that all is well
    events: tuple[str, ...] = field(default_factory=tuple)  # faults so far, oldest first

    @property
    def level_dbfs(self) -> float:
        return max(self.rms_dbfs, default=FLOOR_DBFS)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LevelMeter:
    """Per-channel RMS/peak over ~100 ms windows, clipping and silence tracking.

    Times are counted in frames (the session clock), so the meter behaves the same on an
    unclocked test microphone as on a real one.
    """

    def __init__(
        self,
        samplerate: int,
        channels: int,
        *,
        silence_dbfs: float = -55.0,
        clip_level: int = 32700,
        clip_min_samples: int = 3,
        clip_hold_s: float = 3.0,
    ) -> None:
        self.samplerate = samplerate
        self.channels = channels
        self.window = max(1, samplerate // 10)
        self.silence_rms = FULL_SCALE * 10 ** (silence_dbfs / 20.0)
        self.clip_level = clip_level
        self.clip_min_samples = clip_min_samples
        self.clip_hold = int(clip_hold_s * samplerate)
        self._sumsq = np.zeros(channels)
        self._peak = np.zeros(channels)
        self._clipped = np.zeros(channels, dtype=np.int64)
        self._n = 0
        self.frames = 0  # frames measured so far
        self.rms_dbfs: tuple[float, ...] = (FLOOR_DBFS,) * channels
        self.peak_dbfs: tuple[float, ...] = (FLOOR_DBFS,) * channels
        self.clipped_windows = 0
        self._last_clip_frame: int | None = None
        self._last_sound = [0] * channels  # frame at which each channel last had sound

    def feed(self, block: np.ndarray) -> bool:
        """Measure one block (frames x channels, int16). True when a window completed."""
        data = block.astype(np.float32)
        self._sumsq += np.einsum("ij,ij->j", data, data)
        self._peak = np.maximum(self._peak, np.abs(data).max(axis=0))
        self._clipped += (np.abs(block.astype(np.int32)) >= self.clip_level).sum(axis=0)
        self._n += len(block)
        self.frames += len(block)
        if self._n < self.window:
            return False
        rms = np.sqrt(self._sumsq / self._n)
        self.rms_dbfs = tuple(dbfs(float(v)) for v in rms)
        self.peak_dbfs = tuple(dbfs(float(v)) for v in self._peak)
        if (self._clipped >= self.clip_min_samples).any():
            self.clipped_windows += 1
            self._last_clip_frame = self.frames
        for ch in range(self.channels):
            if rms[ch] > self.silence_rms:
                self._last_sound[ch] = self.frames
        self._sumsq[:] = 0
        self._peak[:] = 0
        self._clipped[:] = 0
        self._n = 0
        return True

    @property
    def clipping(self) -> bool:
        return (
            self._last_clip_frame is not None
            and self.frames - self._last_clip_frame <= self.clip_hold
        )

    def silent_seconds(self) -> tuple[float, ...]:
        return tuple((self.frames - last) / self.samplerate for last in self._last_sound)

    def reset_silence(self) -> None:
        """Start counting silence afresh (after a pause or a reconnect)."""
        self._last_sound = [self.frames] * self.channels
