"""Covering the words a pseudonymised export replaced with a tone in its audio."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TONE_HZ = 1000.0
LEVEL = 0.25
"""About -12 dBFS: clearly a bleep, not loud."""
MARGIN_MS = 40
"""Word times are Whisper's estimates: a little on either side so no syllable is left."""


def bleep(audio: np.ndarray, samplerate: int, spans: Sequence[tuple[int, int]]) -> int:
    """Overwrite every span (session ms) of ``audio`` (frames × channels, float) with a
    tone, in place; returns the frames covered."""
    covered = 0
    for start_ms, end_ms in spans:
        start = max(0, (start_ms - MARGIN_MS) * samplerate // 1000)
        stop = min(len(audio), (end_ms + MARGIN_MS) * samplerate // 1000)
        if stop <= start:
            continue
        t = np.arange(stop - start) / samplerate
        audio[start:stop, :] = (LEVEL * np.sin(2 * np.pi * TONE_HZ * t))[:, None]
        covered += stop - start
    return covered
