"""A recording read in blocks, as the speaker separation needs it: 16 kHz mono, made as
transcription makes it (PyAV's downmix to 16-bit mono), never the whole file at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

RATE = 16_000
BLOCK_SECONDS = 20


def mono_blocks(path: Path | str, seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
    """Float32 blocks of about ``seconds`` of 16 kHz mono audio, in order."""
    size = int(seconds * RATE)
    pending: list[np.ndarray] = []
    held = 0
    with av.open(str(path), metadata_errors="ignore") as container:
        to_mono = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        decoded = container.decode(audio=0)
        while True:
            try:
                frame: av.AudioFrame | None = next(decoded)
            except StopIteration:
                frame = None
            except av.error.InvalidDataError:
                continue  # a damaged frame (the torn end of a crashed file): skip it
            for out in to_mono.resample(frame):
                samples = out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
                pending.append(samples)
                held += len(samples)
            if held >= size or (frame is None and held):
                yield np.concatenate(pending)
                pending, held = [], 0
            if frame is None:
                return
