"""Who spoke on a two-channel recording: the channel that carries clearly more energy.

Convention of the recorder: channel 1 (left) is the interviewer's microphone, channel 2
(right) the participant's. Each microphone also picks up the other voice, more softly, so
a stretch of sound belongs to a channel only when that channel leads by a margin; the
final transcript's words and the live transcript's lines use the same margin.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DOMINANCE = 2.0
"""A channel must carry at least this many times the other's energy (3 dB) to decide."""


def leading_channel(energy: Sequence[float] | np.ndarray) -> int | None:
    """0 or 1: the channel with at least :data:`DOMINANCE` times the other's energy; None
    when neither leads, or when there is no sound (or not two channels)."""
    if len(energy) != 2 or max(float(energy[0]), float(energy[1])) <= 0.0:
        return None
    if energy[0] >= DOMINANCE * energy[1]:
        return 0
    if energy[1] >= DOMINANCE * energy[0]:
        return 1
    return None
