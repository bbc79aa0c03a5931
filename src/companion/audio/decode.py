"""Reading a recording: 16 kHz mono, piece by piece, and 10-ms levels (for transcription
and for telling voices apart).

A run reads a file twice, so that memory does not grow with the length of the interview
(an hour of 16-kHz float audio is 230 MB, the whole file's features as much again):

1. :func:`scan` decodes it once from start to end and keeps only what the whole file
   decides: per 10 ms frame the energy of each channel (who speaks, on a 2-channel
   recording) and the level of the mono mix (where silence really is, the room's noise
   floor). That is one number per 160 samples: 3.6 MB for two and a half hours.
2. :class:`MonoReader` decodes it again, forward only, and hands out the samples of one
   stretch at a time (a chunk's voiced spans); what lies before is dropped as it goes.

A file of at most :data:`HOLD_S` is decoded once and held whole instead (see
:attr:`Levels.mono`): a second pass is not worth it for a test take.

One streaming decode (PyAV, so a FLAC cut short by a crash still decodes up to the last
frame on disk) makes the mono signal as faster-whisper makes it from a file (PyAV's
downmix to 16-bit mono), so Whisper hears the same audio either way. The stereo signal
itself is never held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16_000
FRAME_MS = 10
HOP = SAMPLE_RATE * FRAME_MS // 1000
FLOOR_DB = -90.0

HOLD_S = 120.0
"""A recording up to this long is decoded once and held (under 8 MB); a longer one is
scanned, then read again piece by piece."""

_GATHER = 64
"""Per-batch level arrays are joined every this many, so a long file's levels are a few
arrays, not thousands."""

_BATCH = 16
"""Decoded blocks (a few thousand samples each) measured together."""


@dataclass(frozen=True)
class Levels:
    """What a run keeps of a whole file: its length and its 10-ms energy envelopes."""

    channels: int  # channels in the file (2 means one speaker per channel)
    samples: int  # length of the 16 kHz mono signal
    channel_power: np.ndarray  # (frames, channels) mean square per FRAME_MS frame
    mix_db: np.ndarray  # (frames,) level of the mono mix in dBFS
    mono: np.ndarray | None = None  # the whole signal, for a file of at most HOLD_S

    @property
    def duration_ms(self) -> int:
        return self.samples * 1000 // SAMPLE_RATE


@dataclass(frozen=True)
class LoadedAudio:
    """A whole file in memory: for short recordings (an enrolment sample), not interviews."""

    mono: np.ndarray  # float32, SAMPLE_RATE
    channels: int
    channel_power: np.ndarray
    mix_db: np.ndarray

    @property
    def duration_ms(self) -> int:
        return len(self.mono) * 1000 // SAMPLE_RATE


def _frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue  # a damaged frame (e.g. the torn end of a crashed file): skip it
        yield frame


def probe_channels(path: Path) -> int:
    with av.open(str(path), metadata_errors="ignore") as container:
        return int(container.streams.audio[0].codec_context.channels)


def _s16(frames: list[av.AudioFrame]) -> Iterator[np.ndarray]:
    for out in frames:
        yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0


def mono_blocks(path: Path | str) -> Generator[np.ndarray, None, None]:
    """The 16 kHz mono signal of ``path``, block by block (a few thousand samples each)."""
    with av.open(str(path), metadata_errors="ignore") as container:
        to_mono = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for frame in _frames(container):
            yield from _s16(to_mono.resample(frame))
        yield from _s16(to_mono.resample(None))


class _Envelope:
    """Mean square per :data:`HOP` samples of a signal that arrives in blocks."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.carry = np.zeros((rows, 0), dtype=np.float32)
        self.parts: list[np.ndarray] = []
        self.joined: list[np.ndarray] = []

    def add(self, planes: np.ndarray) -> None:
        buf = np.concatenate([self.carry, planes], axis=1) if self.carry.shape[1] else planes
        count = buf.shape[1] // HOP
        if count:
            framed = buf[:, : count * HOP].reshape(self.rows, count, HOP)
            self.parts.append(np.mean(framed * framed, axis=2).T)
            if len(self.parts) >= _GATHER:
                self.joined.append(np.concatenate(self.parts))
                self.parts = []
        self.carry = buf[:, count * HOP:].copy()

    def result(self) -> np.ndarray:
        """(frames, rows): a last, shorter frame for what is left over."""
        parts = self.joined + self.parts
        if self.carry.shape[1]:
            parts.append(np.mean(self.carry * self.carry, axis=1)[None, :])
        return np.concatenate(parts) if parts else np.zeros((0, self.rows), dtype=np.float32)


def scan(path: Path | str, *, on_mono: Callable[[np.ndarray], None] | None = None,
         hold_s: float | None = None) -> Levels:
    """Decode ``path`` once: its length and levels, the whole signal too when it is at most
    ``hold_s`` (default :data:`HOLD_S`) long. ``on_mono`` sees the signal block by block
    (the voice filter, see :class:`companion.transcribe.chunks.SpeechFinder`)."""
    hold_limit = (HOLD_S if hold_s is None else hold_s) * SAMPLE_RATE
    with av.open(str(path), metadata_errors="ignore") as container:
        channels = int(container.streams.audio[0].codec_context.channels)
        stereo = channels == 2
        to_mono = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        to_stereo = (av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
                     if stereo else None)
        power = _Envelope(2 if stereo else 1)
        mix = _Envelope(1)
        held: list[np.ndarray] | None = []
        samples = 0

        mono_batch: list[np.ndarray] = []
        stereo_batch: list[np.ndarray] = []

        def measure(last: bool = False) -> None:
            # in batches of about a second: numpy's cost per call, not per sample, ruled
            if mono_batch and (last or len(mono_batch) >= _BATCH):
                block = np.concatenate(mono_batch)[None, :]
                mix.add(block)
                if not stereo:
                    power.add(block)
                mono_batch.clear()
            if stereo_batch and (last or len(stereo_batch) >= _BATCH):
                power.add(np.concatenate(stereo_batch, axis=1))
                stereo_batch.clear()

        def mono(frames: list[av.AudioFrame]) -> None:
            nonlocal held, samples
            for block in _s16(frames):
                samples += len(block)
                mono_batch.append(block)
                if on_mono is not None:
                    on_mono(block)
                if held is not None and samples > hold_limit:
                    held = None  # too long to hold: read again piece by piece
                elif held is not None:
                    held.append(block)

        def planes(frames: list[av.AudioFrame]) -> None:
            for out in frames:
                stereo_batch.append(out.to_ndarray().astype(np.float32, copy=False))

        for frame in _frames(container):
            if to_stereo is not None:
                planes(to_stereo.resample(frame))
            mono(to_mono.resample(frame))
            measure()
        mono(to_mono.resample(None))
        if to_stereo is not None:
            planes(to_stereo.resample(None))
        measure(last=True)
    mix_power = mix.result()[:, 0]
    mix_db = 10.0 * np.log10(np.maximum(mix_power, 10 ** (FLOOR_DB / 10)))
    whole = None
    if held is not None:
        whole = np.concatenate(held) if held else np.zeros(0, dtype=np.float32)
    return Levels(channels=channels, samples=samples, channel_power=power.result(),
                  mix_db=mix_db, mono=whole)


def load_audio(path: Path | str) -> LoadedAudio:
    """Decode ``path`` whole to 16 kHz: the mono mix, per-channel and mix envelopes."""
    levels = scan(path, hold_s=float("inf"))
    assert levels.mono is not None
    return LoadedAudio(mono=levels.mono, channels=levels.channels,
                       channel_power=levels.channel_power, mix_db=levels.mix_db)


class MonoReader:
    """The 16 kHz mono signal of a file, read forward: :meth:`read` hands out one stretch
    at a time, and what lies before the stretch asked for is dropped, decoded or not."""

    def __init__(self, path: Path | str) -> None:
        self._blocks = mono_blocks(path)
        self._buffer: list[np.ndarray] = []
        self._start = 0  # the file sample of the buffer's first
        self._end = 0  # one past its last
        self._asked = 0

    def read(self, start: int, end: int) -> np.ndarray:
        """Samples ``start`` to ``end`` (shorter at the end of the file); ``start`` never
        before an earlier call's."""
        if start < self._asked:
            raise ValueError(f"read from {start} after a read from {self._asked}: "
                             "the reader goes forward only")
        self._asked = start
        self._drop_before(start)
        while self._end < end:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buffer.append(block)
            self._end += len(block)
            self._drop_before(start)
        if not self._buffer:
            return np.zeros(0, dtype=np.float32)
        joined = self._buffer[0] if len(self._buffer) == 1 else np.concatenate(self._buffer)
        # what lies before ``start`` is never asked for again
        joined = joined[max(0, start - self._start):]
        self._start = max(self._start, start)
        self._buffer = [joined]
        return joined[: max(0, end - self._start)].copy()

    def _drop_before(self, start: int) -> None:
        while self._buffer and self._start + len(self._buffer[0]) <= start:
            self._start += len(self._buffer.pop(0))

    def close(self) -> None:
        self._blocks.close()
        self._buffer = []


def duration_ms(path: Path | str) -> int:
    """The length of a recording file (from its header; decoded when the header lies)."""
    try:
        import soundfile as sf

        info = sf.info(str(path))
        if 0 < info.frames < 2**62:
            return int(info.frames * 1000 // info.samplerate)
    except Exception:  # any failure of the header reader: decode instead
        info = None
    with av.open(str(path), metadata_errors="ignore") as container:
        total = 0.0
        for frame in _frames(container):
            total += frame.samples / frame.sample_rate
    return int(total * 1000)
