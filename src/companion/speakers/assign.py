"""Which voice spoke each word of a mono recording.

1. Every word's frames (from the stored word times) get cepstra; silent frames are left out.
2. First splits of the utterances (words between pauses) into two voices: by merging the
   utterances one Gaussian explains best until two groups remain (agglomerative, as in
   classic diarisation); with an enrolled interviewer also by how well that voice explains
   each utterance against the recording as a whole (cut where the scores fall apart).
3. Each side then gets a voice adapted from the recording's own background model to its
   words (so a different microphone or room than at enrolment matters little, and both
   voices are equally detailed), and every word is scored again, three times over.
4. A two-state path over the words (Viterbi) joins the scores: changing speaker costs more
   between words spoken without a gap than across a pause, so a lone word changes speaker
   only when its voice clearly says so, and a short interjection still gets its own run.
5. The enrolled voice names the sides; of the two results, the one whose sides it tells
   apart best is kept (each first split fails on some recordings, rarely both).

Returns 0 for the interviewer (the side the enrolled voice fits better) and 1 for the other
voice, per word; without an enrolled voice, 0 is the group of the first utterance and the
caller names the sides (see :mod:`companion.speakers.session`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from companion.speakers.features import mfcc, voiced
from companion.speakers.voice import Voice, adapt, fit_voice

INTERVIEWER, OTHER = 0, 1
ROUNDS = 3
PRIOR_FRAMES = 50.0
"""Variance prior (in frames of the whole recording's spread) for a short utterance."""
BACKGROUND_COMPONENTS = 16
CLIP = 4.0
"""A frame's log-likelihood ratio is clipped: a cough or a click cannot decide a word."""
SWITCH_JOINED = 12.0
SWITCH_PAUSED = 3.0
PAUSE_MS = 250
"""A gap this long between words makes a change of speaker cheap."""


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int


def word_frames(spans: Sequence[Span], cepstra: np.ndarray, is_voice: np.ndarray,
                offset_ms: int = 0) -> list[np.ndarray]:
    """The voiced cepstral frames of each word (times on the audio's timeline + offset)."""
    out = []
    n = len(cepstra)
    for span in spans:
        lo = max(0, min(n, (span.start_ms - offset_ms) // 10))
        hi = max(lo, min(n, (span.end_ms - offset_ms) // 10))
        if hi - lo < 3:  # a very short word: widen to 30 ms so it has some frames
            lo, hi = max(0, lo - 1), min(n, hi + 2)
        keep = is_voice[lo:hi]
        frames = cepstra[lo:hi][keep] if keep.any() else cepstra[lo:hi]
        out.append(frames)
    return out


def attribute(audio: np.ndarray, spans: Sequence[Span], *, interviewer: Voice | None = None,
              offset_ms: int = 0) -> list[int]:
    """0 (interviewer) or 1 (other) for each word span of ``audio`` (16 kHz mono)."""
    if not spans:
        return []
    cepstra, level = mfcc(audio)
    return attribute_frames(word_frames(spans, cepstra, voiced(level), offset_ms), spans,
                            interviewer=interviewer)


def attribute_frames(frames: list[np.ndarray], spans: Sequence[Span], *,
                     interviewer: Voice | None = None) -> list[int]:
    """As :func:`attribute`, from each word's frames."""
    usable = [i for i, f in enumerate(frames) if len(f)]
    if len(usable) < 2:
        return [INTERVIEWER] * len(spans)
    background = fit_voice(np.concatenate([frames[i] for i in usable]))
    groups = _utterances(spans, usable)
    pooled = [np.concatenate([frames[i] for i in group]) for group in groups]
    seeds = [_merge_to_two(pooled)]
    if interviewer is not None:
        scores = np.array([_mean_llr(p, interviewer, background) for p in pooled])
        weights = np.array([len(p) for p in pooled], float)
        seeds.append((scores < _split_point(scores, weights)).astype(int))
    best: tuple[float, np.ndarray] | None = None
    for seed in seeds:
        labels = np.full(len(spans), -1)
        for group, side in zip(groups, seed, strict=True):
            labels[group] = side
        labels = _refine(frames, spans, usable, labels, background)
        if interviewer is None:
            return [int(v) if v >= 0 else INTERVIEWER for v in labels]
        fit = _enrolled_fit(frames, labels, interviewer, background)
        if fit[OTHER] > fit[INTERVIEWER]:
            labels = np.where(labels >= 0, 1 - labels, labels)
        # the split in which the enrolled voice tells the sides apart best
        contrast = abs(fit[INTERVIEWER] - fit[OTHER])
        if best is None or contrast > best[0]:
            best = (contrast, labels)
    assert best is not None
    return [int(v) if v >= 0 else INTERVIEWER for v in best[1]]


def _refine(frames: list[np.ndarray], spans: Sequence[Span], usable: list[int],
            labels: np.ndarray, background: Voice) -> np.ndarray:
    """Rounds of: a voice for each side adapted from the recording's background (so both
    are alike in everything but what their words share), every word scored, the best
    path."""
    for _ in range(ROUNDS):
        if not (labels == INTERVIEWER).any() or not (labels == OTHER).any():
            break
        mine = adapt(background, np.concatenate([frames[i] for i in usable
                                                 if labels[i] == INTERVIEWER]))
        theirs = adapt(background, np.concatenate([frames[i] for i in usable
                                                   if labels[i] == OTHER]))
        evidence = np.zeros(len(spans))
        for i in usable:
            llr = np.clip(mine.frame_loglik(frames[i]) - theirs.frame_loglik(frames[i]),
                          -CLIP, CLIP)
            evidence[i] = llr.sum()
        labels = _best_path(evidence, spans)
    return labels


def _enrolled_fit(frames: list[np.ndarray], labels: np.ndarray, voice: Voice,
                  background: Voice) -> list[float]:
    """How much better the enrolled voice explains each side's frames than the recording's
    background does (mean log-likelihood ratio per frame; -inf for an empty side)."""
    fit = []
    for side in (INTERVIEWER, OTHER):
        chosen = [f for f, lab in zip(frames, labels, strict=True) if lab == side and len(f)]
        if chosen:
            both = np.concatenate(chosen)
            fit.append(float(np.mean(voice.frame_loglik(both) - background.frame_loglik(both))))
        else:
            fit.append(-np.inf)
    return fit


def _utterances(spans: Sequence[Span], usable: Sequence[int]) -> list[list[int]]:
    """The usable words grouped into stretches without a pause of :data:`PAUSE_MS`."""
    groups: list[list[int]] = []
    for i in usable:
        if groups and spans[i].start_ms - spans[groups[-1][-1]].end_ms < PAUSE_MS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _mean_llr(frames: np.ndarray, voice: Voice, background: Voice) -> float:
    return float(np.clip(voice.frame_loglik(frames) - background.frame_loglik(frames),
                         -CLIP, CLIP).mean())


def _split_point(scores: np.ndarray, weights: np.ndarray) -> float:
    """The threshold that best splits the scores in two groups (Otsu, by duration)."""
    order = np.argsort(scores)
    s, w = scores[order], weights[order]
    best, cut = -1.0, float(np.median(s))
    total = w.sum()
    for k in range(1, len(s)):
        w0, w1 = w[:k].sum(), w[k:].sum()
        if w0 < 0.05 * total or w1 < 0.05 * total:
            continue
        m0 = (w[:k] * s[:k]).sum() / w0
        m1 = (w[k:] * s[k:]).sum() / w1
        between = w0 * w1 * (m0 - m1) ** 2
        if between > best:
            best, cut = between, (s[k - 1] + s[k]) / 2
    return cut


def _merge_to_two(pooled: list[np.ndarray]) -> np.ndarray:
    """Agglomerative clustering of utterances into two voices: repeatedly merge the pair of
    clusters whose frames one Gaussian explains nearly as well as two (the smallest rise in
    n·log det of the variances), until two remain. Returns 0/1 per utterance."""
    spread = np.concatenate(pooled).var(0) + 1e-6
    n = np.array([len(p) for p in pooled], float)
    s1 = np.stack([p.sum(0) for p in pooled]).astype(float)
    s2 = np.stack([(p.astype(float) ** 2).sum(0) for p in pooled])

    def cost(count: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        # a short utterance's variance leans on the whole recording's (PRIOR_FRAMES)
        mean = first / count[:, None]
        var = (second - count[:, None] * mean ** 2 + PRIOR_FRAMES * spread) / (
            count[:, None] + PRIOR_FRAMES)
        spent: np.ndarray = count * np.log(np.maximum(var, 1e-9)).sum(1)
        return spent

    own = cost(n, s1, s2)

    def rises(i: int) -> np.ndarray:
        merged: np.ndarray = cost(n[i] + n, s1[i] + s1, s2[i] + s2) - own[i] - own
        return merged

    count = len(pooled)
    rise = np.stack([rises(i) for i in range(count)])
    np.fill_diagonal(rise, np.inf)
    member = np.arange(count)
    for _ in range(count - 2):
        a, b = np.unravel_index(np.argmin(rise), rise.shape)
        n[a] += n[b]
        s1[a] += s1[b]
        s2[a] += s2[b]
        own[a] = cost(n[a:a + 1], s1[a:a + 1], s2[a:a + 1])[0]
        member[member == b] = a
        rise[b, :] = rise[:, b] = np.inf
        row = rises(int(a))
        row[a] = np.inf
        row[np.isinf(rise[:, a]) & (np.arange(count) != a)] = np.inf  # merged away
        rise[a, :] = rise[:, a] = row
    first = member[0]
    sides: np.ndarray = (member != first).astype(int)
    return sides


def _best_path(evidence: np.ndarray, spans: Sequence[Span]) -> np.ndarray:
    """Viterbi over words; evidence > 0 favours the interviewer."""
    n = len(evidence)
    cost = np.zeros((n, 2))
    back = np.zeros((n, 2), int)
    emit = np.stack([-evidence / 2, evidence / 2], axis=1)  # lower is better
    cost[0] = emit[0]
    for i in range(1, n):
        gap = spans[i].start_ms - spans[i - 1].end_ms
        switch = SWITCH_PAUSED if gap >= PAUSE_MS else SWITCH_JOINED
        for s in (0, 1):
            stay, move = cost[i - 1, s], cost[i - 1, 1 - s] + switch
            back[i, s] = s if stay <= move else 1 - s
            cost[i, s] = min(stay, move) + emit[i, s]
    path = np.zeros(n, int)
    path[-1] = int(np.argmin(cost[-1]))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path
