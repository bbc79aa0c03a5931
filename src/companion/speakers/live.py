"""Who said a live line on one microphone: the enrolled interviewer's voice, line by line.

The live transcript (:mod:`companion.live.speakers`) calls :func:`label_line` for each line
of a mono recording, in its own process, for the whole session. Each line's voiced frames
are scored by how much better the enrolled voice explains them than a model of everything
the session has sounded like so far (refitted as the session grows); the cut between the
two voices' scores is where the lines heard so far fall apart best (as the final separation
does, :mod:`companion.speakers.assign`). Until two voices have been heard a line stays
unlabelled, and without an enrolled voice every line does: the final transcript decides.

The study folder comes from :data:`STUDY_ENV`, set by the live transcript's owner; the
voice never leaves it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from companion.speakers.assign import _mean_llr, _split_point
from companion.speakers.enrol import FILE, VOICES_DIR
from companion.speakers.features import mfcc, voiced
from companion.speakers.voice import Voice, fit_voice

STUDY_ENV = "COMPANION_STUDY"
MIN_FRAMES = 30
"""A line with less voiced speech than this (0.3 s) is not labelled."""
MIN_LINES = 2
"""Lines heard before any is labelled: from the second line on, the lines heard can fall
apart in two voices (the first line alone cannot tell whose voice the enrolled one is
not), so the talk-time bar shows from the first answer."""
KEEP_FRAMES = 60_000
"""Frames kept for the background (10 minutes of speech; older lines are let go)."""
SEPARATED = 0.5
"""The two groups of scores must lie this far apart (mean log-likelihood per frame) to
tell who spoke; closer, the line stays unlabelled."""


class LiveVoices:
    """The state of one session's live labelling."""

    def __init__(self, interviewer: Voice | None) -> None:
        self.interviewer = interviewer
        self.lines: list[np.ndarray] = []
        self.background: Voice | None = None
        self._fitted_frames = 0

    def label(self, audio: np.ndarray, labels: tuple[str, str]) -> str | None:
        if self.interviewer is None:
            return None
        cepstra, level = mfcc(np.asarray(audio, np.float32))
        frames = cepstra[voiced(level)]
        if len(frames) < MIN_FRAMES:
            return None
        self.lines.append(frames)
        while sum(len(f) for f in self.lines) > KEEP_FRAMES and len(self.lines) > 1:
            self.lines.pop(0)
        total = sum(len(f) for f in self.lines)
        if self.background is None or total >= 1.3 * self._fitted_frames:
            self.background = fit_voice(np.concatenate(self.lines))
            self._fitted_frames = total
        if len(self.lines) < MIN_LINES:
            return None
        scores = np.array([_mean_llr(f, self.interviewer, self.background)
                           for f in self.lines])
        weights = np.array([len(f) for f in self.lines], float)
        cut = _split_point(scores, weights)
        low, high = scores < cut, scores >= cut
        if not low.any() or not high.any():
            return None
        gap = (np.average(scores[high], weights=weights[high])
               - np.average(scores[low], weights=weights[low]))
        if gap < SEPARATED:
            return None
        return labels[0] if scores[-1] >= cut else labels[1]


_state: LiveVoices | None = None


def _load() -> LiveVoices:
    from companion.speakers.enrol import load_interviewer_at

    root = os.environ.get(STUDY_ENV)
    voice = load_interviewer_at(Path(root) / VOICES_DIR / FILE) if root else None
    return LiveVoices(voice)


def label_line(audio_16k: np.ndarray, start_ms: int, labels: tuple[str, str]) -> str | None:
    """The speaker of one live line of mono audio (16 kHz), or None when not clear."""
    global _state
    if _state is None:
        _state = _load()
    return _state.label(audio_16k, labels)
