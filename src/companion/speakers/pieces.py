"""A mono recording as pieces of one voice each, read in two streaming passes.

Nobody changes speaker in the middle of a sound: a turn ends in a pause, however short
(a quick answer still leaves a fifth of a second). So the recording is cut where its voiced
frames stop for :data:`HOLE_MS` or more (an *island* of speech), and long islands into
pieces of at most :data:`PIECE_MS`; every later decision is about pieces, and a word takes
the decision of the piece it is spoken in. The word times Whisper gives (which spread over
the pauses around a word) only point to a piece.

1. :func:`survey`: the levels of every frame (a histogram: the voice threshold) and a
   spread sample of frames, from which a model of the whole recording (a Gaussian
   mixture, the *background*) is fitted.
2. :func:`collect`: per piece, its frames' statistics against the background (how many
   frames each component takes, and their sum: the sufficient statistics of a MAP
   adaptation), and, with an enrolled voice, how much better that voice explains them.

Only the statistics stay in memory (a few kilobytes per piece), never the frames, so the
memory a separation needs does not grow with the recording's length beyond them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from companion.speakers.features import (
    CEPSTRA,
    FeatureStream,
    LevelHistogram,
    voice_threshold,
)
from companion.speakers.voice import Voice, fit_voice, posteriors

HOLE_MS = 150
"""Voiceless this long ends an island: shorter than any pause between two speakers' turns,
longer than the stops inside a word."""
PIECE_MS = 1500
MIN_FRAMES = 8
"""A piece with fewer voiced frames than this (80 ms) decides nothing on its own."""
SAMPLE_FRAMES = 40_000
BACKGROUND_COMPONENTS = 16
CLIP = 4.0
"""A frame's log-likelihood ratio against the enrolled voice is clipped: a cough or a
click cannot decide a piece."""

Blocks = Callable[[], Iterable[np.ndarray]]
"""A way to read the recording from its start, block by block (called once per pass)."""


@dataclass
class Pieces:
    """The statistics of every piece of one recording (times on the recording's own
    timeline, ms)."""

    start_ms: np.ndarray  # (P,)
    end_ms: np.ndarray  # (P,)
    island: np.ndarray  # (P,) the island each piece belongs to
    frames: np.ndarray  # (P,) voiced frames
    n: np.ndarray  # (P, K) frames per background component
    f: np.ndarray  # (P, K, D) their sum
    sq: np.ndarray  # (P, D) the sum of the frames' squares (a Gaussian of each piece)
    enrolled: np.ndarray | None  # (P,) summed clipped log-likelihood ratio, or None
    background: Voice

    def __len__(self) -> int:
        return len(self.start_ms)

    @classmethod
    def join(cls, parts: list[Pieces], offsets_ms: list[int]) -> Pieces:
        """Pieces of several recordings (of one background) on one timeline."""
        islands = 0
        shifted = []
        for part in parts:
            shifted.append(part.island + islands)
            islands += int(part.island.max()) + 1 if len(part) else 0
        have_enrolled = all(p.enrolled is not None for p in parts)
        return cls(
            np.concatenate([p.start_ms + o for p, o in zip(parts, offsets_ms, strict=True)]),
            np.concatenate([p.end_ms + o for p, o in zip(parts, offsets_ms, strict=True)]),
            np.concatenate(shifted) if shifted else np.zeros(0, int),
            np.concatenate([p.frames for p in parts]),
            np.concatenate([p.n for p in parts]),
            np.concatenate([p.f for p in parts]),
            np.concatenate([p.sq for p in parts]),
            np.concatenate([p.enrolled for p in parts if p.enrolled is not None])
            if have_enrolled else None,
            parts[0].background)


def array_blocks(audio: np.ndarray, seconds: float = 20.0) -> Blocks:
    """:data:`Blocks` of audio already in memory (tests, the live transcript)."""
    size = int(seconds * 16_000)

    def blocks() -> Iterator[np.ndarray]:
        for lo in range(0, len(audio), size):
            yield audio[lo: lo + size]

    return blocks


def _features(blocks: Blocks) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    stream = FeatureStream()
    for block in blocks():
        cepstra, level = stream.push(block)
        if len(level):
            yield cepstra, level


class Survey:
    """What the first pass learns: the voice threshold and a sample of voiced frames."""

    def __init__(self) -> None:
        self.levels = LevelHistogram()
        self._sample: list[np.ndarray] = []
        self._sample_level: list[np.ndarray] = []
        self._seen = 0
        self._rng = np.random.default_rng(0)

    def add(self, cepstra: np.ndarray, level: np.ndarray) -> None:
        self.levels.add(level)
        self._seen += len(level)
        self._sample.append(cepstra)
        self._sample_level.append(level)
        held = sum(len(s) for s in self._sample)
        if held > 2 * SAMPLE_FRAMES:  # keep a uniform sample of everything seen so far
            frames = np.concatenate(self._sample)
            levels = np.concatenate(self._sample_level)
            keep = np.sort(self._rng.choice(len(frames), SAMPLE_FRAMES, replace=False))
            self._sample, self._sample_level = [frames[keep]], [levels[keep]]

    @property
    def threshold(self) -> float:
        return voice_threshold(self.levels)

    def voiced_sample(self) -> np.ndarray:
        if not self._sample:
            return np.zeros((0, CEPSTRA), np.float32)
        frames = np.concatenate(self._sample)
        return frames[np.concatenate(self._sample_level) > self.threshold]


def survey(blocks: Blocks) -> Survey:
    found = Survey()
    for cepstra, level in _features(blocks):
        found.add(cepstra, level)
    return found


def background_of(found: Survey) -> Voice | None:
    sample = found.voiced_sample()
    if len(sample) < 2 * MIN_FRAMES:
        return None
    return fit_voice(sample, components=BACKGROUND_COMPONENTS)


class _Cutter:
    """Assigns voiced frames to pieces as they stream past."""

    def __init__(self) -> None:
        self.piece = -1
        self.island = -1
        self.hole = HOLE_MS // 10  # as if after a pause: the first voice opens an island
        self.piece_start = 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.islands: list[int] = []

    def cut(self, voiced: np.ndarray, first: int) -> np.ndarray:
        """The piece of each voiced frame of a block whose first frame is ``first``."""
        out = np.full(len(voiced), -1)
        hole_frames, piece_frames = HOLE_MS // 10, PIECE_MS // 10
        for i in np.flatnonzero(voiced):
            at = first + int(i)
            gap = at - (self.ends[-1] if self.ends else -hole_frames - 1) - 1
            if self.piece < 0 or gap >= hole_frames:
                self.island += 1
                self._open(at)
            elif at - self.piece_start >= piece_frames:
                self._open(at)
            self.ends[-1] = at
            out[i] = self.piece
        return out

    def _open(self, at: int) -> None:
        self.piece += 1
        self.piece_start = at
        self.starts.append(at)
        self.ends.append(at)
        self.islands.append(self.island)


def collect(blocks: Blocks, threshold: float, background: Voice,
            enrolled: Voice | None = None) -> Pieces:
    """The second pass: every piece's statistics against ``background``."""
    cutter = _Cutter()
    k = len(background.weights)
    n_parts: list[np.ndarray] = []
    f_parts: list[np.ndarray] = []
    e_parts: list[float] = []
    q_parts: list[np.ndarray] = []
    done = 0  # pieces whose statistics are complete in the lists above
    acc_n: dict[int, np.ndarray] = {}
    acc_f: dict[int, np.ndarray] = {}
    acc_e: dict[int, float] = {}
    acc_q: dict[int, np.ndarray] = {}
    first = 0

    def _close(piece: int) -> None:
        n_parts.append(acc_n.pop(piece, np.zeros(k)).astype(np.float32))
        f_parts.append(acc_f.pop(piece, np.zeros((k, CEPSTRA))).astype(np.float32))
        q_parts.append(acc_q.pop(piece, np.zeros(CEPSTRA)))
        e_parts.append(acc_e.pop(piece, 0.0))

    for cepstra, level in _features(blocks):
        ids = cutter.cut(level > threshold, first)
        first += len(level)
        chosen = ids >= 0
        if chosen.any():
            x = cepstra[chosen].astype(float)
            owner = ids[chosen]
            post = posteriors(background, x)
            llr = (np.clip(enrolled.frame_loglik(x) - background.frame_loglik(x), -CLIP, CLIP)
                   if enrolled is not None else None)
            # frames of one piece are contiguous: sum each run
            bounds = np.flatnonzero(np.diff(owner)) + 1
            starts = np.concatenate([[0], bounds])
            for lo, hi in zip(starts, np.append(bounds, len(owner)), strict=True):
                piece = int(owner[lo])
                part_n = post[lo:hi].sum(0)
                part_f = post[lo:hi].T @ x[lo:hi]
                part_q = (x[lo:hi] ** 2).sum(0)
                if piece in acc_n:
                    acc_n[piece] += part_n
                    acc_f[piece] += part_f
                    acc_q[piece] += part_q
                else:
                    acc_n[piece], acc_f[piece], acc_e[piece] = part_n, part_f, 0.0
                    acc_q[piece] = part_q
                if llr is not None:
                    acc_e[piece] += float(llr[lo:hi].sum())
        # pieces before the current one are complete: move them to the compact lists
        while done < cutter.piece:
            _close(done)
            done += 1
    while done <= cutter.piece:
        _close(done)
        done += 1
    n = np.stack(n_parts) if n_parts else np.zeros((0, k), np.float32)
    return Pieces(
        np.array(cutter.starts, int) * 10, np.array(cutter.ends, int) * 10 + 25,
        np.array(cutter.islands, int), n.sum(1).round().astype(int), n,
        np.stack(f_parts) if f_parts else np.zeros((0, k, CEPSTRA), np.float32),
        np.stack(q_parts) if q_parts else np.zeros((0, CEPSTRA)),
        np.array(e_parts, float) if enrolled is not None else None, background)


def read_pieces(blocks: Blocks, enrolled: Voice | None = None,
                background: Voice | None = None) -> Pieces | None:
    """Both passes over one recording (None: no voice in it). ``background`` shares one
    model between several recordings of a session."""
    found = survey(blocks)
    model = background or background_of(found)
    if model is None:
        return None
    return collect(blocks, found.threshold, model, enrolled)
