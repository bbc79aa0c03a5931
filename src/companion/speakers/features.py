"""Voice features: mel-frequency cepstra per 10 ms frame, computed with numpy alone.

Cepstra describe the shape of the vocal tract's spectrum, which differs between two
voices more steadily than pitch does; c0 (loudness) is dropped so that a speaker who
leans back from the recorder stays the same speaker.
"""

from __future__ import annotations

from functools import cache

import numpy as np

RATE = 16_000
HOP = RATE // 100  # 10 ms, the frame of word times and energy envelopes
WINDOW = 400  # 25 ms
FFT = 512
BANDS = 26
CEPSTRA = 19  # c1..c19
SILENCE_DB = 30.0
"""Frames this far below the recording's loud frames are not voice (and not used)..."""
ABOVE_FLOOR_DB = 6.0
"""... nor frames less than this above the room's noise floor."""


@cache
def _mel_bank() -> np.ndarray:
    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    edges_mel = np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), BANDS + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(FFT, 1.0 / RATE)
    bank = np.zeros((BANDS, len(bins)))
    for i in range(BANDS):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rise = (bins - lo) / (mid - lo)
        fall = (hi - bins) / (hi - mid)
        bank[i] = np.clip(np.minimum(rise, fall), 0.0, None)
    return bank


@cache
def _dct() -> np.ndarray:
    n = np.arange(BANDS)
    k = np.arange(1, CEPSTRA + 1)[:, None]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * BANDS))


def mfcc(signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cepstra (frames, CEPSTRA), level in dB (frames,)) for 16 kHz mono audio.

    Frame ``i`` covers ``[i*10 ms, i*10 ms + 25 ms)``, so word times in ms map to frames by
    ``ms // 10``.
    """
    x = np.asarray(signal, dtype=np.float32)
    if len(x) < WINDOW:
        return np.zeros((0, CEPSTRA), np.float32), np.zeros(0, np.float32)
    return _frames_of(x, None)


class FeatureStream:
    """:func:`mfcc` over audio that arrives in blocks: frame ``i`` of the whole signal covers
    the same samples as in one call, so a recording of any length is read block by block
    with only a window's worth of samples carried between blocks."""

    def __init__(self) -> None:
        self._tail = np.zeros(0, np.float32)  # samples of frames not yet complete
        self._last = 0.0  # the sample before the tail (pre-emphasis continues across)
        self.frames = 0  # frames produced so far

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cepstra, level) of the frames that ``block`` completes."""
        x = np.concatenate([self._tail, np.asarray(block, np.float32)])
        count = 0 if len(x) < WINDOW else 1 + (len(x) - WINDOW) // HOP
        if not count:
            self._tail = x
            return np.zeros((0, CEPSTRA), np.float32), np.zeros(0, np.float32)
        used = (count - 1) * HOP + WINDOW
        cepstra, level = _frames_of(x[:used], self._last if self.frames else None)
        keep_from = count * HOP
        self._last = float(x[keep_from - 1])
        self._tail = x[keep_from:]
        self.frames += count
        return cepstra, level


def _frames_of(x: np.ndarray, before: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Cepstra and level of every whole frame of ``x`` (``before``: the sample preceding
    ``x``, for the pre-emphasis; None at the start of a recording)."""
    first = x[0] if before is None else x[0] - 0.97 * before
    x = np.append(np.float32(first), x[1:] - 0.97 * x[:-1]).astype(np.float32)
    frames = 1 + (len(x) - WINDOW) // HOP
    out = np.empty((frames, CEPSTRA), np.float32)
    level = np.empty(frames, np.float32)
    window = np.hamming(WINDOW).astype(np.float32)
    bank, dct = _mel_bank(), _dct()
    step = 4096  # frames per block: bounded memory on an hour of audio
    for lo in range(0, frames, step):
        hi = min(frames, lo + step)
        idx = (np.arange(lo, hi) * HOP)[:, None] + np.arange(WINDOW)[None, :]
        block = x[idx] * window
        power = np.abs(np.fft.rfft(block, FFT)) ** 2
        level[lo:hi] = 10 * np.log10(power.sum(axis=1) + 1e-10)
        logmel = np.log(power @ bank.T + 1e-10)
        out[lo:hi] = logmel @ dct.T
    return out, level


def voiced(level: np.ndarray) -> np.ndarray:
    """Which frames carry voice: within :data:`SILENCE_DB` of the loud frames."""
    if level.size == 0:
        return np.zeros(0, bool)
    return level > voice_threshold(LevelHistogram.of(level))


def voice_threshold(levels: LevelHistogram) -> float:
    """The level above which a frame is voice, from the recording's loud frames and its
    noise floor."""
    top, floor = levels.percentile(95), levels.percentile(5)
    return max(top - SILENCE_DB, floor + ABOVE_FLOOR_DB)


class LevelHistogram:
    """Frame levels counted in 0.1 dB bins: the percentiles of a recording of any length
    in a fixed few kilobytes."""

    LOW, HIGH, STEP = -120.0, 60.0, 0.1

    def __init__(self) -> None:
        self.counts = np.zeros(int((self.HIGH - self.LOW) / self.STEP) + 1, np.int64)

    @classmethod
    def of(cls, level: np.ndarray) -> LevelHistogram:
        made = cls()
        made.add(level)
        return made

    def add(self, level: np.ndarray) -> None:
        bins = np.clip(((np.asarray(level) - self.LOW) / self.STEP).astype(int), 0,
                       len(self.counts) - 1)
        self.counts += np.bincount(bins, minlength=len(self.counts))

    def percentile(self, q: float) -> float:
        total = int(self.counts.sum())
        if not total:
            return self.LOW
        at = int(np.searchsorted(np.cumsum(self.counts), q / 100 * total))
        return self.LOW + min(at, len(self.counts) - 1) * self.STEP
