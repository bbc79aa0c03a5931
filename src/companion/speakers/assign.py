"""Which voice spoke each word of a mono recording.

1. Every word's frames (from the stored word times) get cepstra; silent frames are left out.
2. A first split of the utterances (words between pauses): with an enrolled interviewer,
   each utterance's likelihood under that voice against the recording as a whole, cut
   where the scores fall apart; without one, two clusters of utterance means.
3. Each side then gets a voice adapted from the recording's own background model to its
   words (so a different microphone or room than at enrolment matters little, and both
   voices are equally detailed), and every word is scored again, three times over.
4. A two-state path over the words (Viterbi) joins the scores: changing speaker costs more
   between words spoken without a gap than across a pause, so a lone word changes speaker
   only when its voice clearly says so, and a short interjection still gets its own run.

Returns 0 for the interviewer and 1 for the other voice, per word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from companion.speakers.features import mfcc, voiced
from companion.speakers.voice import Voice, adapt, fit_voice

INTERVIEWER, OTHER = 0, 1
ROUNDS = 3
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
                     interviewer: Voice | None = None,
                     questions: Sequence[bool] | None = None) -> list[int]:
    """As :func:`attribute`, from each word's frames. ``questions`` (per word: does it end
    a question?) seeds the split when no voice is enrolled: an interviewer asks."""
    usable = [i for i, f in enumerate(frames) if len(f)]
    if len(usable) < 2:
        return [INTERVIEWER] * len(spans)
    background = fit_voice(np.concatenate([frames[i] for i in usable]))
    groups = _utterances(spans, usable)
    pooled = [np.concatenate([frames[i] for i in group]) for group in groups]
    weights = np.array([len(p) for p in pooled], float)
    if interviewer is not None:
        scores = np.array([_mean_llr(p, interviewer, background) for p in pooled])
        seed = (scores < _split_point(scores, weights)).astype(int)
    elif questions is not None and any(questions[i] for i in usable):
        asked = [any(questions[i] for i in group) for group in groups]
        seed = np.array([INTERVIEWER if a else OTHER for a in asked])
        if (seed == INTERVIEWER).all():
            seed = _two_clusters(np.array([p.mean(0) for p in pooled]), weights)
    else:
        seed = _two_clusters(np.array([p.mean(0) for p in pooled]), weights)
    labels = np.full(len(spans), -1)
    for group, side in zip(groups, seed, strict=True):
        labels[group] = side
    labels = _refine(frames, spans, usable, labels, background)
    if interviewer is not None and _enrolled_is_other(frames, labels, interviewer,
                                                       background):
        labels = np.where(labels >= 0, 1 - labels, labels)
    return [int(v) if v >= 0 else INTERVIEWER for v in labels]


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


def _enrolled_is_other(frames: list[np.ndarray], labels: np.ndarray, voice: Voice,
                       background: Voice) -> bool:
    """After self-training, the side whose frames the enrolled voice fits better is the
    interviewer's (the rounds keep the sides, but check rather than trust)."""
    fit = []
    for side in (INTERVIEWER, OTHER):
        chosen = [f for f, lab in zip(frames, labels, strict=True) if lab == side and len(f)]
        if chosen:
            both = np.concatenate(chosen)
            fit.append(float(np.mean(voice.frame_loglik(both) - background.frame_loglik(both))))
        else:
            fit.append(-np.inf)
    return fit[OTHER] > fit[INTERVIEWER]


def _utterances(spans: Sequence[Span], usable: Sequence[int]) -> list[list[int]]:
    """The usable words grouped into stretches without a pause of :data:`PAUSE_MS`."""
    groups: list[list[int]] = []
    for i in usable:
        if groups and spans[i].start_ms - spans[groups[-1][-1]].end_ms < PAUSE_MS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _sample(voice: Voice, count: int = 4000) -> np.ndarray:
    """Frames drawn (seeded) from a stored voice: the enrolled model holds no audio, so
    adapting to it goes through samples of it."""
    rng = np.random.default_rng(7)
    which = rng.choice(len(voice.weights), size=count, p=voice.weights / voice.weights.sum())
    noise = rng.standard_normal((count, voice.means.shape[1]))
    return voice.means[which] + noise * np.sqrt(voice.variances[which])


def _mean_llr(frames: np.ndarray, voice: Voice, background: Voice) -> float:
    return float(np.clip(voice.frame_loglik(frames) - background.frame_loglik(frames),
                         -CLIP, CLIP).mean())


def _split_point(scores: np.ndarray, weights: np.ndarray) -> float:
    """The threshold that best splits the word scores in two groups (Otsu, by duration)."""
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


def _two_clusters(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted 2-means on word means, started from the two most distant long words."""
    z = (points - points.mean(0)) / (points.std(0) + 1e-6)
    long_words = np.argsort(-weights)[: max(2, len(weights) // 3)]
    cand = z[long_words]
    dist = ((cand[:, None, :] - cand[None, :, :]) ** 2).sum(-1)
    a, b = np.unravel_index(np.argmax(dist), dist.shape)
    centres = np.stack([cand[a], cand[b]])
    side = np.zeros(len(z), int)
    for _ in range(20):
        d = ((z[:, None, :] - centres[None]) ** 2).sum(-1)
        side = d.argmin(1)
        for c in (0, 1):
            if (side == c).any():
                centres[c] = np.average(z[side == c], axis=0, weights=weights[side == c])
    return side


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
