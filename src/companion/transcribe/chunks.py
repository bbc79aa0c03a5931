"""The decoding chunks of a recording file, decided once from the whole file.

Whisper's output for a stretch of audio depends on where its 30-s window starts and, with
``condition_on_previous_text``, on the text before it. A run that resumed at its last
committed segment therefore heard different windows than an uninterrupted run and wrote a
different transcript. So the chunks are fixed up front, from the file alone: the voice
activity detector runs over the whole file, its speech regions are grouped into chunks of
at most :data:`CHUNK_S` seconds that begin and end in silence, and each chunk is decoded
on its own. Every run, whole or resumed, decodes exactly these chunks with the same input,
and a resumed run skips the chunks already committed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion.transcribe.audiofile import HOP, SAMPLE_RATE

CHUNK_S = 30.0
"""Longest chunk: Whisper's window, so that a chunk is (nearly always) one encoder pass."""


@dataclass(frozen=True)
class Chunk:
    """A span of one recording file, in 16 kHz samples from the start of the file."""

    start: int
    end: int

    @property
    def start_ms(self) -> int:
        return self.start * 1000 // SAMPLE_RATE

    @property
    def end_ms(self) -> int:
        return self.end * 1000 // SAMPLE_RATE

    def clip(self, mono: np.ndarray) -> np.ndarray:
        return mono[self.start:self.end]


def speech_regions(mono: np.ndarray) -> list[tuple[int, int]]:
    """Speech in ``mono`` (16 kHz) as (start, end) samples, by faster-whisper's Silero VAD.

    The options are faster-whisper's defaults for ``vad_filter=True`` (2 s of silence ends
    a region; 400 ms of padding, which puts every edge inside the silence), except that a
    region is at most :data:`CHUNK_S` long: a longer one is split at its last silence of
    at least 100 ms, as faster-whisper's own batched pipeline does, so a long answer with
    only short breaths still fits a window without being cut inside a word.
    """
    if mono.size == 0:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(mono, VadOptions(max_speech_duration_s=CHUNK_S),
                                  sampling_rate=SAMPLE_RATE)
    return [(int(r["start"]), int(r["end"])) for r in found if r["end"] > r["start"]]


def split_long(start: int, end: int, silent: np.ndarray,
               limit: int = round(CHUNK_S * SAMPLE_RATE)) -> list[tuple[int, int]]:
    """(start, end) in pieces of at most ``limit`` samples, each cut in the middle of the
    longest silent run (``silent``: one flag per 10-ms frame) in the second half of the
    piece; a hard cut at ``limit`` only when that half has no silent frame at all."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        lo, hi = (start + limit // 2) // HOP, (start + limit) // HOP
        window = np.concatenate([[False], silent[lo:hi], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(window))
        runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
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


def plan_chunks(mono: np.ndarray, silent: np.ndarray, *, vad_filter: bool = True,
                limit_s: float = CHUNK_S) -> tuple[Chunk, ...]:
    """The chunks of one file: consecutive speech regions grouped while the chunk spans at
    most ``limit_s`` seconds; the silence between two chunks is not decoded.

    A chunk is the span of the file from its first region's start to its last region's
    end, silences between its regions included: the transcript's times are then plain
    offsets into the file, and Whisper's word times around those silences are checked
    against the audio's energy anyway (see :mod:`companion.transcribe.pauses`). Without
    the VAD (``vad_filter=False``) the whole file is one region, cut in its silences.
    """
    limit = round(limit_s * SAMPLE_RATE)
    regions = speech_regions(mono) if vad_filter else [(0, len(mono))] if mono.size else []
    pieces = [piece for start, end in regions for piece in split_long(start, end, silent, limit)]
    chunks: list[Chunk] = []
    first = last = None
    for start, end in pieces:
        if first is not None and last is not None and end - first > limit:
            chunks.append(Chunk(first, last))
            first = None
        if first is None:
            first = start
        last = end
    if first is not None and last is not None:
        chunks.append(Chunk(first, last))
    return tuple(chunks)
