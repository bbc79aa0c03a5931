"""A live transcriber that cannot keep up skips ahead and says which stretch it skipped."""

from __future__ import annotations

import numpy as np

from companion.live.client import FINISHED, LiveTranscriber
from tests.live.conftest import TURNS
from tests.support.speech import RATE, build_interview


def test_audio_faster_than_it_decodes_is_skipped_and_said() -> None:
    stereo, _truth = build_interview(TURNS * 4)
    samples = (np.clip(stereo, -1, 1) * 32767).astype(np.int16)
    live = LiveTranscriber(None, 1, samplerate=RATE, channels=2, clock=lambda: 0,
                           labels=("I", "P05"), max_queue_s=2.0)
    live.start()
    assert live.wait_for(lambda t: t.state == "running", 120)
    block = RATE // 20
    # A whole interview handed over at once: far faster than one thread decodes it.
    for start in range(0, len(samples), block):
        live.tap(samples[start:start + block], start * 1000 // RATE)
    live.stop(120)
    assert live.state == FINISHED
    assert live.dropped_blocks > 0 and live.skipped
    duration_ms = len(samples) * 1000 // RATE
    assert all(0 <= a < b <= duration_ms for a, b in live.skipped)
    assert "fell behind and skipped" in live.message  # and the screen or CLI says so
    assert live.lines  # what it did decode is still there
