"""No voiced stretch left without words: what one decoding pass skipped is decoded again.

Whisper decodes a chunk window by window, and after each window it moves on from the end
of the last word it wrote. When its timestamps drift (a prompt makes it write long
segments with few timestamps), that last word can be placed seconds too late, and the
speech in between is never looked at again: a turn, or the end of one, goes missing
without a trace. So after a chunk is decoded, each of its spans (the voiced stretches it
was made of) is checked: if Whisper's words cover less than :data:`MIN_COVERED` of the
span's voiced frames, or leave :data:`MAX_UNHEARD_S` of voice in a row without a word,
the span is decoded once more on its own, and its words replace
those of the first pass when they cover more. The check and the retry depend on the
chunk's audio only, so a resumed run still writes what an uninterrupted one does.

Only words that can be speech count: a subtitle tag ("MUZIEK", see
:func:`companion.transcribe.guard.is_sound_tag`) covers nothing, and a word covers at most
:data:`WORD_S_PER_CHAR` a character of its span (Whisper stretched three invented words
over nine seconds of a Dutch turn, which then looked decoded). When the retry with the
prompt still leaves a span uncovered, it is decoded once more without the prompt: the
prompt is what made Whisper skip it (see :mod:`companion.transcribe.verbatim`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from companion.audio.decode import FRAME_MS, HOP, SAMPLE_RATE
from companion.transcribe.chunks import Chunk, ChunkAudio
from companion.transcribe.engine import RawSegment, RawWord
from companion.transcribe.guard import is_sound_tag

MIN_COVERED = 0.6
"""Share of a span's voiced frames that words must cover for it to count as decoded."""

MIN_VOICED_S = 0.5
"""Spans with less voiced audio than this are not checked (a cough, a breath)."""

MAX_UNHEARD_S = 0.8
"""This much voice in a row without a word leaves a span undecoded, however much of it the
words cover (a greeting before a decoded question)."""

EDGE_S = 0.15
"""Word times are good to about this much: a frame this close to a word is covered."""

WORD_S_PER_CHAR = 0.2
"""Longest time one character of a word can take (slow speech is about 0.1 s)."""
WORD_MIN_S = 0.6
"""A word, however short, may take this long (a drawn-out "eh")."""

Decode = Callable[[np.ndarray], list[RawSegment]]
Samples = np.ndarray | ChunkAudio
"""The file's signal, sliced by file samples: whole, or only the chunk's spans."""


def _span_offsets(chunk: Chunk) -> list[float]:
    """Where each span of ``chunk`` starts in the decoded clip, in seconds."""
    offsets, at = [], 0
    for start, end in chunk.spans:
        offsets.append(at / SAMPLE_RATE)
        at += end - start
    return offsets


def _words(raws: Sequence[RawSegment]) -> list[RawWord]:
    return [w for raw in raws for w in raw.words if w.word.strip()]


def _covered(words: Sequence[RawWord], voiced: np.ndarray, offset_s: float) -> np.ndarray:
    """One flag per frame of ``voiced`` (one span, from ``offset_s`` in the clip): within
    :data:`EDGE_S` of a word that can be speech."""
    hit = np.zeros(len(voiced), dtype=bool)
    per_s = 1000 / FRAME_MS
    for w in words:
        if is_sound_tag(w.word):
            continue
        # a stretched word covers its end (where Whisper's next word takes over) only
        longest = max(WORD_MIN_S, WORD_S_PER_CHAR * len(w.word.strip()))
        start = max(w.start, w.end - longest)
        lo = max(0, int((start - EDGE_S - offset_s) * per_s))
        hi = min(len(hit), int(np.ceil((w.end + EDGE_S - offset_s) * per_s)))
        if hi > lo:
            hit[lo:hi] = True
    return hit


def covered_share(words: Sequence[RawWord], voiced: np.ndarray, offset_s: float) -> float:
    """Share of ``voiced`` (frames of one span, from ``offset_s`` in the clip) that lies
    within :data:`EDGE_S` of a word."""
    total = int(voiced.sum())
    if total == 0:
        return 1.0
    return float((_covered(words, voiced, offset_s) & voiced).sum()) / total


def longest_unheard_s(words: Sequence[RawWord], voiced: np.ndarray, offset_s: float) -> float:
    """Seconds of voice in the longest stretch of the span between words (or before the
    first, after the last): a skipped greeting in an otherwise decoded turn."""
    gaps = np.flatnonzero(np.diff(np.concatenate(
        [[0], (~_covered(words, voiced, offset_s)).astype(np.int8), [0]])))
    counts = [int(voiced[lo:hi].sum()) for lo, hi in zip(gaps[::2], gaps[1::2], strict=True)]
    return max(counts, default=0) * FRAME_MS / 1000


def decoded(words: Sequence[RawWord], voiced: np.ndarray, offset_s: float) -> bool:
    """Whether a span counts as decoded: words cover :data:`MIN_COVERED` of its voice and
    leave no stretch of :data:`MAX_UNHEARD_S` of voice without any."""
    return (covered_share(words, voiced, offset_s) >= MIN_COVERED
            and longest_unheard_s(words, voiced, offset_s) < MAX_UNHEARD_S)


def fill_gaps(chunk: Chunk, raws: list[RawSegment], mono: Samples, voiced: np.ndarray,
              decode: Decode, bare: Decode | None = None) -> tuple[list[RawSegment], int]:
    """``raws`` (one pass over ``chunk``) with every poorly covered span decoded again on
    its own, and, if that still covers too little, once more with ``bare`` (the decoding
    without the prompt); returns (segments on the clip's timeline, spans decoded again)."""
    result = list(raws)
    retried = 0
    for (start, end), offset in zip(chunk.spans, _span_offsets(chunk), strict=True):
        frames = voiced[start // HOP: -(-end // HOP)]
        if frames.sum() * FRAME_MS / 1000 < MIN_VOICED_S:
            continue
        length = (end - start) / SAMPLE_RATE
        inside = [w for w in _words(result) if offset <= (w.start + w.end) / 2 < offset + length]
        if decoded(inside, frames, offset):
            continue
        before = covered_share(inside, frames, offset)
        best, best_share = None, before
        for how in (decode, bare):
            if how is None:
                continue
            retried += 1
            again = [_shift(raw, offset) for raw in how(mono[start:end])]
            share = covered_share(_words(again), frames, offset)
            if share > best_share:
                best, best_share = again, share
            if best is not None and decoded(_words(best), frames, offset):
                break
        if best is None:
            continue
        result = [_without(raw, offset, offset + length) for raw in result] + best
    result = [raw for raw in result if raw.words]
    result.sort(key=lambda raw: raw.words[0].start)
    return result, retried


def fill_tail(chunk: Chunk, raws: list[RawSegment], mono: Samples, voiced: np.ndarray,
              decode: Decode) -> list[RawSegment]:
    """``raws`` and, when voice is left after their last word (decoding stopped at
    :attr:`Chunk.tail_s`), the words of that rest decoded on its own."""
    last = max((w.end for w in _words(raws)), default=0.0)

    def rest_after(at_s: float) -> list[tuple[int, int]]:
        """The file samples of the clip after ``at_s`` (clip seconds)."""
        pieces = []
        for (start, end), offset in zip(chunk.spans, _span_offsets(chunk), strict=True):
            skip = round(max(0.0, at_s - offset) * SAMPLE_RATE)
            if start + skip < end:
                pieces.append((start + skip, end))
        return pieces

    heard = sum(int(voiced[a // HOP: b // HOP].sum()) for a, b in rest_after(last + EDGE_S))
    if heard * FRAME_MS / 1000 < MIN_VOICED_S / 2:
        return raws  # the closing padding: no voice left
    start_s = max(0.0, last - EDGE_S)
    rest = np.concatenate([mono[a:b] for a, b in rest_after(start_s)])
    found = []
    for raw in decode(rest):
        raw = _shift(raw, start_s)
        words = tuple(w for w in raw.words if (w.start + w.end) / 2 > last)
        if words:
            found.append(RawSegment(raw.start, raw.end, "".join(w.word for w in words),
                                    raw.avg_logprob, words))
    return list(raws) + found


def _shift(raw: RawSegment, by: float) -> RawSegment:
    return RawSegment(raw.start + by, raw.end + by, raw.text, raw.avg_logprob,
                      tuple(RawWord(w.word, w.start + by, w.end + by, w.probability)
                            for w in raw.words))


def _without(raw: RawSegment, lo: float, hi: float) -> RawSegment:
    words = tuple(w for w in raw.words if not lo <= (w.start + w.end) / 2 < hi)
    if len(words) == len(raw.words):
        return raw
    return RawSegment(raw.start, raw.end, "".join(w.word for w in words), raw.avg_logprob,
                      words)
