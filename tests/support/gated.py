"""The real engine held at a gate: a test acts while a chunk is being decoded, with no race.

A run on a short recording decodes in a blink, and a long one only buys time against a
load that varies from machine to machine. Here every decoding waits at ``gate`` until the
test has done what it wanted while the run was busy (``entered`` says a decoding has
begun), so the order of events is certain and the recording can stay a few seconds long.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from companion.transcribe.engine import DecodeOptions, Engine, RawSegment


class GatedEngine:
    """The real engine; every decoding waits until ``gate`` is open."""

    def __init__(self, real: Engine) -> None:
        self._engine = real
        self.entered = threading.Event()
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def transcribe(self, audio: np.ndarray, options: DecodeOptions | None = None,
                   ) -> tuple[Iterator[RawSegment], str]:
        self.entered.set()
        # Bounded, so a test that fails before opening it does not hang its worker.
        self.gate.wait(120)
        return self._engine.transcribe(audio, options or DecodeOptions())
