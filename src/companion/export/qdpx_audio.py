"""The session's audio as one file for a REFI-QDA project, on the session clock.

Written straight into the project's zip, block by block: a two-hour interview is over a
gigabyte as 16-bit PCM, and neither it nor the files it is made of are ever held whole.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import soundfile as sf

from companion.errors import CompanionError
from companion.export.bleep import bleep
from companion.session.document import SessionDocument
from companion.session.timeline import AudioPart

MAX_INTERNAL_BYTES = 2_147_483_647
BLOCK_FRAMES = 1 << 16
"""Frames read and written at a time (about 1.4 s at 48 kHz)."""


@dataclass(frozen=True)
class TimelineAudio:
    """The session's recording files laid out on its clock, as one 16-bit WAV to write.

    Each file is placed at its start (and cut where the next one starts, should they
    overlap); the gaps where the recording was paused are silence. A mono file in a
    two-channel session is heard on the first channel.
    """

    parts: tuple[tuple[AudioPart, Path], ...]
    samplerate: int
    channels: int
    frames: int
    bleeps: tuple[tuple[int, int], ...] = ()
    """Spans (session ms) a pseudonymised export covers with a tone."""

    @property
    def data_bytes(self) -> int:
        return self.frames * self.channels * 2

    def header(self) -> bytes:
        """The 44-byte header of a PCM WAV file holding :attr:`frames`."""
        block = self.channels * 2
        return (b"RIFF" + struct.pack("<I", 36 + self.data_bytes) + b"WAVE"
                + b"fmt " + struct.pack("<IHHIIHH", 16, 1, self.channels, self.samplerate,
                                        self.samplerate * block, block, 16)
                + b"data" + struct.pack("<I", self.data_bytes))

    def write(self, out: IO[bytes]) -> None:
        """The whole WAV file onto ``out`` (a file or a zip entry open for writing)."""
        out.write(self.header())
        starts = [min(self.frames, part.start_frame(self.samplerate)) for part, _ in self.parts]
        at = 0
        for index, (_, path) in enumerate(self.parts):
            at = self._silence(out, at, starts[index])
            until = starts[index + 1] if index + 1 < len(starts) else self.frames
            at = self._part(out, at, path, max(at, until))
        self._silence(out, at, self.frames)

    def _silence(self, out: IO[bytes], at: int, until: int) -> int:
        while at < until:
            count = min(BLOCK_FRAMES, until - at)
            self._emit(out, at, np.zeros((count, self.channels), dtype="<i2"))
            at += count
        return at

    def _emit(self, out: IO[bytes], at: int, frames: np.ndarray) -> None:
        if self.bleeps:
            bleep(frames, self.samplerate, self.bleeps, first_frame=at)
        out.write(frames.tobytes())

    def _part(self, out: IO[bytes], at: int, path: Path, until: int) -> int:
        with sf.SoundFile(str(path)) as source:
            rate = source.samplerate
            for block in source.blocks(BLOCK_FRAMES, dtype="int16", always_2d=True):
                if rate != self.samplerate:
                    # naive resampling by index: segments share a rate in practice
                    count = int(len(block) * self.samplerate / rate)
                    index = (np.arange(count) * rate / self.samplerate).astype(int)
                    block = block[np.clip(index, 0, len(block) - 1)]
                block = block[: until - at]
                if not len(block):
                    break
                frames = np.zeros((len(block), self.channels), dtype="<i2")
                used = min(self.channels, block.shape[1])
                frames[:, :used] = block[:, :used]
                self._emit(out, at, frames)
                at += len(block)
        return at


def audio_file(doc: SessionDocument) -> tuple[str, Path | TimelineAudio] | None:
    """The session's audio as one file on the session clock: (extension, the file itself
    or how to write it).

    Laid out by the timeline's audio map (as playback is, :mod:`companion.audio.play`):
    each file at its place, silence in the gaps where the recording was paused.
    """
    audio = doc.audio.present(doc.study.root)
    if not audio.parts:
        return None
    first = audio.parts[0]
    path = first.abspath(doc.study.root)
    if (len(audio.parts) == 1 and first.start_ms == 0 and path.suffix.lower() == ".wav"
            and not doc.bleeps):
        if path.stat().st_size > MAX_INTERNAL_BYTES:
            raise CompanionError(f"{path.name} is larger than REFI-QDA allows inside a "
                                 "project (2 GiB); export without it is not supported yet")
        return ".wav", path
    samplerate = max(p.samplerate for p in audio.parts)
    timeline = TimelineAudio(
        parts=tuple((p, p.abspath(doc.study.root)) for p in audio.parts),
        samplerate=samplerate, channels=max(p.channels for p in audio.parts),
        frames=audio.end_ms * samplerate // 1000, bleeps=tuple(doc.bleeps))
    if timeline.data_bytes > MAX_INTERNAL_BYTES:
        raise CompanionError("the session's audio is larger than REFI-QDA allows inside a "
                             "project (2 GiB)")
    return ".wav", timeline
