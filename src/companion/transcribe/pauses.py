"""Where the silences are: word edges and pauses, checked against the audio's energy.

Whisper's word times are good to a few tenths of a second, but the last word before a
silence usually runs on into it, which would shorten every pause. So each word is trimmed
to the part of it that has sound, and a pause between two words is the longest run of
silent frames between them. Silence is relative to the recording: a level well below the
speech and near the noise floor of this file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from companion.audio.decode import FRAME_MS
from companion.notation import PAUSE_MIN_MS

MIN_GAP_MS = 100
"""Whisper gaps shorter than this are not examined as pause candidates."""

WORD_GAP_MS = 250
"""A silent run this long inside a word's span is no part of the word (the closure of a
stop consonant is much shorter): Whisper ran the word on over a silence into the next
sound, often the other speaker's first word."""


@dataclass(frozen=True)
class TimedWord:
    """A word on the file's own timeline (ms from the start of the file)."""

    word: str
    start_ms: int
    end_ms: int
    probability: float | None = None


def silence_threshold(mix_db: np.ndarray) -> float:
    """A level (dBFS) under which a 10 ms frame counts as silence in this recording."""
    if mix_db.size == 0:
        return -60.0
    floor = float(np.percentile(mix_db, 5))
    speech = float(np.percentile(mix_db, 99))
    return floor + float(np.clip(0.35 * (speech - floor), 6.0, 30.0))


SHORTEST_WORD_MS = 100
"""The length a word Whisper gave none is given (a short word takes about this long)."""


def give_length(words: Sequence[TimedWord], *, floor_ms: int = 0,
                shortest_ms: int = SHORTEST_WORD_MS) -> list[TimedWord]:
    """``words`` (in time order), each with a positive length within its neighbours.

    Whisper sometimes ends a word where it starts, usually a short word squeezed against
    the next one ("Can you…" with "Can" at 1.68-1.68 s and "you" at 1.68-1.92 s). Its start
    is where the word begins, so it takes up to ``shortest_ms`` after it: the gap before
    the next word, else a share of the next word's span; only then the gap after the
    previous word (not before ``floor_ms``), else a share of that word's span. Words of no
    length said at one instant share what they take.
    """
    out = list(words)
    last = len(out) - 1
    while last >= 0:
        at = out[last].start_ms
        if out[last].end_ms > at:
            last -= 1
            continue
        first = last
        while first > 0 and out[first - 1].start_ms == at and out[first - 1].end_ms <= at:
            first -= 1
        lo, hi = _room(out, first, last, floor_ms, shortest_ms * (last - first + 1))
        count = last - first + 1
        for k in range(count):
            out[first + k] = replace(out[first + k], start_ms=lo + (hi - lo) * k // count,
                                     end_ms=lo + (hi - lo) * (k + 1) // count)
        last = first - 1
    return out


def _room(out: list[TimedWord], first: int, last: int, floor_ms: int,
          wanted: int) -> tuple[int, int]:
    """The span words ``first``..``last`` (no length, one instant) take, taking it from a
    neighbour's span (changed in ``out``) when there is no gap."""
    at, count = out[first].start_ms, last - first + 1
    after = out[last + 1] if last + 1 < len(out) else None
    before = out[first - 1] if first > 0 else None
    if after is None or after.start_ms - at >= count:
        return at, at + wanted if after is None else min(at + wanted, after.start_ms)
    if after.start_ms == at and after.end_ms - at > count:
        take = min(wanted, (after.end_ms - at) * count // (count + 1))
        out[last + 1] = replace(after, start_ms=at + take)
        return at, at + take
    low = before.end_ms if before is not None else floor_ms
    if at - low >= count:
        return max(low, at - wanted), at
    if before is not None and before.end_ms == at and at - before.start_ms > count:
        take = min(wanted, (at - before.start_ms) * count // (count + 1))
        out[first - 1] = replace(before, end_ms=at - take)
        return at - take, at
    return at, at + count  # squeezed between words of (next to) no length: a moment each


class Silence:
    """Silent frames of one recording file."""

    def __init__(self, mix_db: np.ndarray, threshold: float | None = None) -> None:
        self.threshold = silence_threshold(mix_db) if threshold is None else threshold
        self.silent = mix_db < self.threshold

    def _frame(self, ms: int) -> int:
        return int(np.clip(ms // FRAME_MS, 0, len(self.silent)))

    def trim(self, word: TimedWord) -> TimedWord:
        """The word without silent frames at its edges (unchanged when it is all silent).

        When a silence of :data:`WORD_GAP_MS` or more splits its span, the word is the
        part with the most sound (the first, on a tie).
        """
        lo, hi = self._frame(word.start_ms), self._frame(word.end_ms)
        voiced = np.flatnonzero(~self.silent[lo:hi])
        if voiced.size == 0:
            return word
        parts = np.split(voiced, np.flatnonzero(np.diff(voiced) > WORD_GAP_MS // FRAME_MS) + 1)
        voiced = max(parts, key=len)
        start = max(word.start_ms, (lo + int(voiced[0])) * FRAME_MS)
        end = min(word.end_ms, (lo + int(voiced[-1]) + 1) * FRAME_MS)
        return replace(word, start_ms=start, end_ms=max(end, start + FRAME_MS))

    def pause(self, before: TimedWord, after: TimedWord) -> tuple[int, int] | None:
        """The silence between two consecutive words, as (start_ms, end_ms), if any.

        The longest silent run between the middle of ``before`` and the middle of
        ``after`` that touches the gap Whisper left between them.
        """
        if after.start_ms - before.end_ms < MIN_GAP_MS:
            return None
        lo = self._frame((before.start_ms + before.end_ms) // 2)
        hi = self._frame((after.start_ms + after.end_ms) // 2)
        gap_lo, gap_hi = self._frame(before.end_ms), self._frame(after.start_ms)
        best: tuple[int, int] | None = None
        for run_lo, run_hi in _runs(self.silent[lo:hi]):
            run_lo, run_hi = run_lo + lo, run_hi + lo
            if run_hi <= gap_lo or run_lo >= gap_hi:
                continue  # a silence inside a word, not the gap between them
            if best is None or run_hi - run_lo > best[1] - best[0]:
                best = (run_lo, run_hi)
        if best is None:
            return None
        # The edges lie inside the voiced frames around the run: take their middles, so
        # the length is unbiased (to within half a frame either side).
        return best[0] * FRAME_MS - FRAME_MS // 2, best[1] * FRAME_MS + FRAME_MS // 2


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is true."""
    if mask.size == 0:
        return []
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def find_pauses(
    words: Sequence[TimedWord], silence: Silence | None, *, previous: TimedWord | None = None,
    min_ms: int = PAUSE_MIN_MS,
) -> list[tuple[int, int, int]]:
    """Pauses of at least ``min_ms`` between consecutive words.

    Returns (start_ms, end_ms, index of the word after the pause); index 0 means the pause
    lies between ``previous`` (the last word before these) and the first word.
    """
    found: list[tuple[int, int, int]] = []
    chain = [previous, *words] if previous is not None else list(words)
    shift = 0 if previous is not None else 1
    for index in range(1, len(chain)):
        before, after = chain[index - 1], chain[index]
        assert before is not None
        if silence is not None:
            span = silence.pause(before, after)
        else:
            span = (before.end_ms, after.start_ms)
        if span is not None and span[1] - span[0] >= min_ms:
            found.append((span[0], span[1], index - 1 + shift))
    return found
