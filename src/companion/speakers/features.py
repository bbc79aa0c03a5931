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
ABOVE_FLOOR_DB = 12.0
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
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])
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
    top = float(np.percentile(level, 95))
    floor = float(np.percentile(level, 5))
    return level > max(top - SILENCE_DB, floor + ABOVE_FLOOR_DB)
