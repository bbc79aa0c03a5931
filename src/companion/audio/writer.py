"""Audio files that are created exclusively, private, and flushed often.

A file is never overwritten: it is created with ``O_EXCL`` (mode 0600) and handed to
libsndfile as a file descriptor. ``flush()`` pushes what libsndfile buffered to the
kernel, so a process killed with SIGKILL loses at most the audio since the last flush.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from companion.files import create_exclusive

FORMATS = {"flac": ("FLAC", "PCM_16"), "wav": ("WAV", "PCM_16")}


def exclusive_path(folder: Path, stem: str, suffix: str) -> tuple[Path, int]:
    """A fresh file ``stem.suffix`` in ``folder`` (``stem-2.suffix``… if taken), opened."""
    n = 1
    while True:
        name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
        candidate = folder / name
        try:
            return candidate, create_exclusive(candidate)
        except FileExistsError:
            n += 1


class SegmentFile:
    """One segment's audio file being written."""

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        fmt: str,
        samplerate: int,
        channels: int,
        flush_interval: float = 0.5,
        fsync_interval: float = 5.0,
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        container, subtype = FORMATS[fmt]
        self.path = Path(path)
        self.fmt = fmt
        self.samplerate = samplerate
        self.channels = channels
        self.frames = 0
        self._fd = fd
        self._sf = sf.SoundFile(
            fd, mode="w", samplerate=samplerate, channels=channels, format=container,
            subtype=subtype, closefd=False,
        )
        self.flush_interval = flush_interval
        self.fsync_interval = fsync_interval
        now = time.monotonic()
        self._last_flush = now
        self._last_fsync = now
        self.closed = False

    def write(self, block: np.ndarray) -> None:
        self._sf.write(block)
        self.frames += len(block)
        now = time.monotonic()
        if now - self._last_flush >= self.flush_interval:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._sf.flush()
        self._last_flush = now
        if now - self._last_fsync >= self.fsync_interval:
            os.fsync(self._fd)  # a power cut, not only a crash
            self._last_fsync = now

    def size_bytes(self) -> int:
        return os.fstat(self._fd).st_size

    def close(self) -> None:
        """Finish the file so any player opens it (header with the true length)."""
        if self.closed:
            return
        self.closed = True
        try:
            self._sf.close()
        finally:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
