"""Speech made by espeak-ng (a Debian package): the one synthesiser every test and benchmark
uses, with its leading and trailing silence trimmed. Each utterance is rendered once per
process: several interviews share sentences and voices."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ESPEAK_RATE = 22050  # espeak-ng's own sample rate


def resample(data: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``data`` at ``rate``, mixed down to mono, as float32 at ``target`` (linear: enough
    for test speech)."""
    if data.ndim > 1:
        data = data.mean(axis=1)
    if rate == target:
        return data.astype(np.float32)
    times = np.arange(round(len(data) * target / rate)) / target
    return np.interp(times, np.arange(len(data)) / rate, data).astype(np.float32)


def espeak(text: str, voice: str = "en-us", *, speed: int = 160,
           rate: int = ESPEAK_RATE) -> np.ndarray:
    """``text`` spoken by ``voice`` at ``speed`` words a minute, float32 mono at ``rate``
    (the caller's own copy: it may change it)."""
    return _rendered(text, voice, speed, rate).copy()


@functools.cache
def _rendered(text: str, voice: str, speed: int, rate: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text],
                       check=True, capture_output=True)
        data, native = sf.read(out, dtype="float32")
    loud = np.flatnonzero(np.abs(data) > 0.001)
    return resample(data[loud[0]: loud[-1] + 1], native, rate)
