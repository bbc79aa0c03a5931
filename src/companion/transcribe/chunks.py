"""The decoding chunks of a recording file, decided once from the whole file.

Whisper's output for a stretch of audio depends on where its 30-s window starts and, with
``condition_on_previous_text``, on the text before it. A run that resumed at its last
committed segment therefore heard different windows than an uninterrupted run and wrote a
different transcript. So the chunks are fixed up front, from the file alone, and each is
decoded on its own; a resumed run skips the chunks already committed.

What is decoded is decided by **energy, not by a voice detector**: every stretch louder
than the room's own noise floor (see :func:`voiced_frames`) is decoded, with
:data:`PAD_S` of the silence around it. A voice detector (Silero, faster-whisper's
``vad_filter``) judges quiet, hoarse or hesitant speech to be no speech and drops it; here
it may only *add* regions (``vad_filter=True``), never remove one. True silence (nothing
above the floor) is not decoded at all, which is where the time goes.

A chunk is several such regions, in file order, joined end to end (the silence between
them cut to the padding, so Whisper still hears a pause there) into at most
:data:`CHUNK_S` seconds of audio: one encoder window for as much speech as fits. Word
times are mapped back to the file with :meth:`Chunk.to_file_ms`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from companion.audio.decode import FRAME_MS, HOP, SAMPLE_RATE

CHUNK_S = 30.0
"""Most audio in one chunk: Whisper's window, so that a chunk is (nearly always) one
encoder pass."""

PAD_S = 0.4
"""Silence kept on either side of a voiced stretch: no word edge is clipped, and two
joined regions are at least 0.8 s apart, which Whisper hears as a pause."""

FLOOR_MARGIN_DB = 8.0
"""A 10-ms frame is voiced when it is this much louder than the room's noise floor."""

MIN_VOICED_MS = 30
"""Shorter bursts above the floor (a click, a tap) do not start a region on their own."""

TAIL_S = 2.0
"""See :attr:`Chunk.tail_s`."""

JOIN_S = 1.0
"""Voiced stretches closer than this are one region (the gaps inside words and phrases)."""


@dataclass(frozen=True)
class Chunk:
    """Spans of one recording file decoded together, in 16 kHz samples from the start of
    the file. ``start``/``end``: the first span's start and the last span's end."""

    spans: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    @property
    def start_ms(self) -> int:
        return self.start * 1000 // SAMPLE_RATE

    @property
    def end_ms(self) -> int:
        return self.end * 1000 // SAMPLE_RATE

    @property
    def samples(self) -> int:
        """How much audio is decoded (the joined spans)."""
        return sum(end - start for start, end in self.spans)

    @property
    def tail_s(self) -> float:
        """Once Whisper's segments reach this point of the decoded clip, it is not asked to
        go on: it would decode the rest (the closing padding, a breath, a last word) in a
        window of its own, an encoder pass and often a fallback, for a second or two of
        audio. Whatever voice is left there is decoded on its own instead (see
        :func:`companion.transcribe.coverage.fill_tail`)."""
        return max(0.0, self.samples / SAMPLE_RATE - TAIL_S)

    def clip(self, mono: np.ndarray | ChunkAudio) -> np.ndarray:
        if len(self.spans) == 1:
            return mono[self.start:self.end]
        return np.concatenate([mono[start:end] for start, end in self.spans])

    def to_file_ms(self, seconds: float) -> int:
        """A time in the decoded clip (seconds) as milliseconds in the file."""
        sample = seconds * SAMPLE_RATE
        for start, end in self.spans:
            length = end - start
            if sample <= length:
                return round((start + max(0.0, sample)) * 1000 / SAMPLE_RATE)
            sample -= length
        return self.end_ms  # past the end (Whisper's last timestamp may overshoot)


class ChunkAudio:
    """The samples of one chunk's spans, and nothing between them: what decoding it (and
    decoding parts of it again, see :mod:`companion.transcribe.coverage`) needs of the file.

    Sliced like the file's signal (``audio[start:end]``, file samples), within one span.
    """

    def __init__(self, chunk: Chunk, pieces: Sequence[np.ndarray]) -> None:
        self.chunk = chunk
        self.pieces = tuple(pieces)

    @classmethod
    def read(cls, chunk: Chunk, read: Callable[[int, int], np.ndarray]) -> ChunkAudio:
        """``chunk``'s spans, in order, by ``read(start, end)`` (e.g.
        :meth:`companion.audio.decode.MonoReader.read`)."""
        return cls(chunk, [read(start, end) for start, end in chunk.spans])

    @classmethod
    def of(cls, chunk: Chunk, mono: np.ndarray) -> ChunkAudio:
        """``chunk``'s spans cut from a whole signal held in memory."""
        return cls(chunk, [mono[start:end] for start, end in chunk.spans])

    def __getitem__(self, where: slice) -> np.ndarray:
        start, end = int(where.start), int(where.stop)
        for (lo, hi), piece in zip(self.chunk.spans, self.pieces, strict=True):
            if lo <= start and end <= hi:
                return piece[start - lo: end - lo]
        raise IndexError(f"samples {start}-{end} are not within one span of the chunk")


def noise_floor_db(mix_db: np.ndarray) -> float:
    """The room's noise level: the quietest 5 % of the recording's 10-ms frames."""
    return float(np.percentile(mix_db, 5)) if mix_db.size else -90.0


def voiced_frames(mix_db: np.ndarray, *, margin_db: float = FLOOR_MARGIN_DB) -> np.ndarray:
    """One flag per 10-ms frame: louder than the noise floor by ``margin_db``, in a burst
    of at least :data:`MIN_VOICED_MS`."""
    loud = mix_db > noise_floor_db(mix_db) + margin_db
    runs = _runs(loud)
    keep = np.zeros_like(loud)
    for lo, hi in runs:
        if (hi - lo) * FRAME_MS >= MIN_VOICED_MS:
            keep[lo:hi] = True
    return keep


def energy_regions(voiced: np.ndarray, total: int) -> list[tuple[int, int]]:
    """Voiced stretches as (start, end) samples, joined across gaps shorter than
    :data:`JOIN_S` and padded by :data:`PAD_S`, clipped to ``total`` samples."""
    pad = round(PAD_S * SAMPLE_RATE)
    join = round(JOIN_S * 1000 / FRAME_MS)
    regions: list[list[int]] = []
    for lo, hi in _runs(voiced):
        if regions and lo - regions[-1][1] < join:
            regions[-1][1] = hi
        else:
            regions.append([lo, hi])
    return _merge([(max(0, lo * HOP - pad), min(total, hi * HOP + pad)) for lo, hi in regions])


VAD_BLOCK_S = 60.0
"""The voice filter hears the file in blocks of this length: its memory is the block's (with
blocks of five minutes its runtime's grew from one block to the next)."""


def speech_regions(mono: np.ndarray) -> list[tuple[int, int]]:
    """Speech in ``mono`` (16 kHz) as (start, end) samples, by faster-whisper's Silero VAD
    with its ``vad_filter=True`` defaults, regions at most :data:`CHUNK_S` long."""
    if mono.size == 0:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(mono, VadOptions(max_speech_duration_s=CHUNK_S),
                                  sampling_rate=SAMPLE_RATE)
    return [(int(r["start"]), int(r["end"])) for r in found if r["end"] > r["start"]]


class SpeechFinder:
    """The voice filter over a whole file that arrives block by block: it hears
    :data:`VAD_BLOCK_S` at a time, so its memory does not grow with the file. A region
    cut by a block's end is two that touch, and :func:`plan_chunks` joins them."""

    def __init__(self) -> None:
        self.block = round(VAD_BLOCK_S * SAMPLE_RATE)
        self.pending: list[np.ndarray] = []
        self.waiting = 0
        self.offset = 0
        self.found: list[tuple[int, int]] = []

    def feed(self, mono: np.ndarray) -> None:
        self.pending.append(mono)
        self.waiting += len(mono)
        while self.waiting >= self.block:
            joined = np.concatenate(self.pending)
            self._hear(joined[: self.block])
            rest = joined[self.block:]
            self.pending, self.waiting = [rest], len(rest)

    def _hear(self, block: np.ndarray) -> None:
        self.found += [(self.offset + start, self.offset + end)
                       for start, end in speech_regions(block)]
        self.offset += len(block)

    def regions(self) -> list[tuple[int, int]]:
        """Every region heard, once the whole file has been fed."""
        if self.waiting:
            self._hear(np.concatenate(self.pending))
            self.pending, self.waiting = [], 0
        return self.found


def split_long(start: int, end: int, silent: np.ndarray,
               limit: int = round(CHUNK_S * SAMPLE_RATE)) -> list[tuple[int, int]]:
    """(start, end) in pieces of at most ``limit`` samples, each cut in the middle of the
    longest silent run (``silent``: one flag per 10-ms frame) in the second half of the
    piece; a hard cut at ``limit`` only when that half has no silent frame at all."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        lo, hi = (start + limit // 2) // HOP, (start + limit) // HOP
        runs = _runs(silent[lo:hi])
        if runs:
            # the longest run; the later one on a tie, for fuller chunks
            run_lo, run_hi = max(runs, key=lambda r: (r[1] - r[0], r[0]))
            cut = (lo + (run_lo + run_hi) // 2) * HOP
        else:
            cut = start + limit
        cut = min(max(cut, start + HOP), start + limit)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def plan_chunks(samples: int, silent: np.ndarray, *,
                speech: Sequence[tuple[int, int]] = (), limit_s: float | None = None,
                mix_db: np.ndarray | None = None) -> tuple[Chunk, ...]:
    """The chunks of a file of ``samples`` (16 kHz): its voiced regions (and the voice
    filter's ``speech`` regions, see :class:`SpeechFinder`), each cut in its silences to
    at most ``limit_s``, joined in file order while the joined audio is at most
    ``limit_s`` long. Nothing voiced is left out.

    ``mix_db`` (the 10-ms levels) decides what is voiced; without it, every frame that is
    not ``silent`` is.
    """
    limit = round((CHUNK_S if limit_s is None else limit_s) * SAMPLE_RATE)
    voiced = voiced_frames(mix_db) if mix_db is not None else ~silent
    regions = energy_regions(voiced, samples) if samples else []
    if speech and samples:
        regions = _merge(regions + [(start, min(end, samples)) for start, end in speech])
    pieces = [piece for start, end in regions for piece in split_long(start, end, silent, limit)]
    chunks: list[Chunk] = []
    spans: list[tuple[int, int]] = []
    for start, end in pieces:
        if spans and sum(e - s for s, e in spans) + end - start > limit:
            chunks.append(Chunk(tuple(spans)))
            spans = []
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)  # a long region cut in two, then rejoined
        else:
            spans.append((start, end))
    if spans:
        chunks.append(Chunk(tuple(spans)))
    return tuple(chunks)


def _merge(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is true."""
    if mask.size == 0:
        return []
    padded = np.concatenate([[False], mask.astype(bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
