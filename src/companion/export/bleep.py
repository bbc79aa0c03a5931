"""Covering the words a pseudonymised export replaced with a tone in its audio."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TONE_HZ = 1000.0
LEVEL = 0.25
"""About -12 dBFS: clearly a bleep, not loud."""
MARGIN_MS = 40
"""Word times are Whisper's estimates: a little on either side so no syllable is left."""


def bleep(audio: np.ndarray, samplerate: int, spans: Sequence[tuple[int, int]],
          first_frame: int = 0) -> int:
    """Overwrite every span (session ms) of ``audio`` (frames × channels, float or 16-bit)
    with a tone, in place; returns the frames covered. ``audio`` may be one block of a
    longer recording that starts at ``first_frame``: the tone then continues across
    blocks as if the whole were covered at once."""
    covered = 0
    full = 32767 if np.issubdtype(audio.dtype, np.integer) else 1.0
    for start_ms, end_ms in spans:
        span_start = max(0, (start_ms - MARGIN_MS) * samplerate // 1000)
        start = max(span_start, first_frame)
        stop = min(first_frame + len(audio), (end_ms + MARGIN_MS) * samplerate // 1000)
        if stop <= start:
            continue
        t = (np.arange(start, stop) - span_start) / samplerate
        tone = full * LEVEL * np.sin(2 * np.pi * TONE_HZ * t)
        audio[start - first_frame:stop - first_frame, :] = tone.astype(audio.dtype)[:, None]
        covered += stop - start
    return covered
