"""Which of two voices spoke each piece of a mono recording, and how sure that is.

Works on the statistics of :mod:`companion.speakers.pieces` alone (never the frames):

1. A first split of the islands of speech (pieces between pauses) into two voices: merge
   the islands one Gaussian explains best until two groups remain (agglomerative, as in
   classic diarisation; the largest few hundred islands, the others join the nearer
   group). A split by the main direction of the pieces' MAP supervectors, choosing the
   split the two voices' models fit best, measured worse on real speech (a recording's
   own changes of room or channel win over the voices there).
2. Each side then gets a voice adapted from the background to its pieces, every piece is
   scored between the two (linear scoring of the statistics), and a two-state path over
   the pieces decides; changing voice inside an island of speech costs more than across
   a pause. Repeated a few times.
3. When the interview points to pieces of the interviewer (:mod:`companion.speakers.seeds`:
   the protocol read out, prompts marked asked, the opening), a second start is tried:
   those pieces as one voice, everything else as the other, held there for the first
   rounds and then refined the same way. It replaces the blind split when it keeps those
   pieces together at least as well and either the blind split cut through the pieces
   read from the protocol while the seeded one explains the recording at least
   :data:`SEEDED_FIT` as well, or its two voices differ clearly more per frame of the
   shorter side (:data:`DISTINCT`: a speaker with a few seconds of speech against a split
   of the other's recordings by their recording conditions). A wrong hint (a mark pressed
   while the participant still spoke) then leads to a split that fits worse and is left.
   Such a short interviewer's side may still miss a turn of theirs that was recorded
   differently (quieter, in more noise) and that the voice models, trained on the few
   seconds pointed to, give to the other side. The islands of the other side that would
   make the two sides fit the recording better as the interviewer's are tried one at a
   time (:func:`_other_turn`): the first that, once refined, leaves the interviewer's
   side no less alike within itself joins them. The participant's own changes of
   condition fit better too (a split by recording conditions always gains), but they
   widen the interviewer's voice. The reverse happens as well: the voice learnt from a
   few seconds stays near the background, so it takes in stretches of the other speaker
   recorded unlike the rest of theirs, and its two voices then differ less than
   :data:`DISTINCT` times the blind split's. Such a split gets a second chance: the
   stretches more unlike the pieces the interview pointed to than the other side leave
   it (:func:`_without_strays`; the turn just found stays), and the split so completed
   replaces the blind one when its two voices differ that much more.
4. With an enrolled voice the side it fits better is the interviewer; without one, side 0
   is the side of the first piece and the caller names the sides
   (:mod:`companion.speakers.naming`).

The result carries every piece's margin (how much better its side explains it than the
other does), from which the separation's confidence and the doubtful pieces come.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion.speakers.pieces import MIN_FRAMES, Pieces
from companion.speakers.seeds import Hints
from companion.speakers.voice import Voice

INTERVIEWER, OTHER = 0, 1
RELEVANCE = 16.0
"""MAP relevance: a component moves towards a side's frames only as far as it has seen
them."""
ROUNDS = 5
SCALE = 0.2
"""Neighbouring frames are far from independent: a piece's summed log-likelihood ratio is
scaled down before it meets the costs of a change of voice."""
SWITCH_JOINED = 8.0
SWITCH_PAUSED = 0.1
DOUBT = 2.0
"""A piece whose scaled margin is below this is doubtful (about 7:1 odds)."""
SAME_VOICE = 0.9
"""Below this distance between the two sides' models (a squared Mahalanobis distance,
summed over the components by their weight) one voice was probably split in two."""
SEEDS_APART = 0.2
"""The blind split cuts through the interviewer's pieces when more than this share of their
frames is on the smaller side of them."""
SEEDED_FIT = 0.5
"""When the blind split cuts through the pieces read from the protocol, the seeded split
must gain at least this share of the blind split's gain in fit."""
DISTINCT = 1.3
"""Otherwise the seeded split's two voices must differ this much more than the blind
split's, per frame of the shorter side."""
SEED_PULL = 10.0
SEED_ROUNDS = 2
"""In the first rounds from the interview's start its pieces are held to the interviewer's
side (evidence raised by :data:`SEED_PULL`), so the first voice models are theirs."""


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Separation:
    sides: np.ndarray  # (P,) 0 or 1 per piece
    margin: np.ndarray  # (P,) scaled evidence for the side chosen (>= 0 mostly)
    distance: float  # between the two sides' voices
    enrolled_gap: float | None  # enrolled voice's fit: interviewer side minus other

    def doubtful(self, pieces: Pieces) -> np.ndarray:
        return (self.margin < DOUBT) & (pieces.frames >= MIN_FRAMES)

    def confidence(self, pieces: Pieces) -> float:
        """0..1: the share of the speech in pieces decided clearly, lowered when the two
        sides sound alike (one voice split in two) or the enrolled voice barely tells
        them apart."""
        weight = pieces.frames.astype(float)
        if not weight.sum():
            return 0.0
        clear = float(weight[~self.doubtful(pieces)].sum() / weight.sum())
        alike = min(1.0, self.distance / (2 * SAME_VOICE))
        value = clear * alike
        if self.enrolled_gap is not None:
            value *= min(1.0, max(0.0, self.enrolled_gap) / 0.3)
        return round(value, 3)


PRIOR_FRAMES = 50.0
"""Variance prior (in frames of the whole recording's spread) for a short island."""
MAX_ISLANDS = 400
"""Islands clustered pairwise at most (the largest); the rest join the nearer group."""


def _island_split(pieces: Pieces, usable: np.ndarray) -> np.ndarray:
    """Agglomerative clustering of the islands into two voices: repeatedly merge the pair
    of groups whose frames one Gaussian explains nearly as well as two (the smallest rise
    in n·log det of the variances), until two remain. Returns 0/1 per piece."""
    island = pieces.island
    ids = np.unique(island[usable])
    count_all = np.array([pieces.frames[usable & (island == i)].sum() for i in ids], float)
    s1_all = np.stack([pieces.f[usable & (island == i)].sum((0, 1)) for i in ids]).astype(float)
    s2_all = np.stack([pieces.sq[usable & (island == i)].sum(0) for i in ids]).astype(float)
    spread = np.maximum(s2_all.sum(0) / count_all.sum() - (s1_all.sum(0) / count_all.sum())
                        ** 2, 1e-6)

    def cost(count: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        mean = first / count[:, None]
        var = (second - count[:, None] * mean ** 2 + PRIOR_FRAMES * spread) / (
            count[:, None] + PRIOR_FRAMES)
        spent: np.ndarray = count * np.log(np.maximum(var, 1e-9)).sum(1)
        return spent

    chosen = np.sort(np.argsort(-count_all)[:MAX_ISLANDS])
    n, s1, s2 = count_all[chosen].copy(), s1_all[chosen].copy(), s2_all[chosen].copy()
    own = cost(n, s1, s2)

    def rises(i: int) -> np.ndarray:
        merged: np.ndarray = cost(n[i] + n, s1[i] + s1, s2[i] + s2) - own[i] - own
        return merged

    total = len(chosen)
    if total < 2:
        return np.zeros(len(pieces), int)
    rise = np.stack([rises(i) for i in range(total)])
    np.fill_diagonal(rise, np.inf)
    member = np.arange(total)
    for _ in range(total - 2):
        a, b = np.unravel_index(np.argmin(rise), rise.shape)
        n[a] += n[b]
        s1[a] += s1[b]
        s2[a] += s2[b]
        own[a] = cost(n[a:a + 1], s1[a:a + 1], s2[a:a + 1])[0]
        member[member == b] = a
        rise[b, :] = rise[:, b] = np.inf
        row = rises(int(a))
        row[a] = np.inf
        row[np.isinf(rise[:, a]) & (np.arange(total) != a)] = np.inf
        rise[a, :] = rise[:, a] = row
    groups = np.unique(member)
    group_of = {int(g): k for k, g in enumerate(groups)}
    # every island (also those left out above) joins the group it raises the cost least
    g_n = np.array([count_all[chosen][member == g].sum() for g in groups])
    g_s1 = np.stack([s1_all[chosen][member == g].sum(0) for g in groups])
    g_s2 = np.stack([s2_all[chosen][member == g].sum(0) for g in groups])
    g_own = cost(g_n, g_s1, g_s2)
    side_of_island = {}
    for k, i in enumerate(ids):
        if k in set(chosen.tolist()):
            side_of_island[int(i)] = group_of[int(member[list(chosen).index(k)])]
            continue
        rise_to = [cost(g_n[j:j + 1] + count_all[k], g_s1[j:j + 1] + s1_all[k],
                        g_s2[j:j + 1] + s2_all[k])[0] - g_own[j] for j in (0, 1)]
        side_of_island[int(i)] = int(np.argmin(rise_to))
    return np.array([side_of_island.get(int(i), 0) for i in island])


def side_means(pieces: Pieces, sides: np.ndarray) -> list[np.ndarray]:
    """Each side's voice: the background's means adapted to the side's pieces."""
    bg = pieces.background
    out = []
    for side in (INTERVIEWER, OTHER):
        chosen = sides == side
        n = pieces.n[chosen].sum(0).astype(float)
        f = pieces.f[chosen].sum(0).astype(float)
        out.append((f + RELEVANCE * bg.means) / (n + RELEVANCE)[:, None])
    return out


def score(pieces: Pieces, means: list[np.ndarray]) -> np.ndarray:
    """Per piece, the log-likelihood ratio side 0 : side 1 of its frames (linear scoring:
    the frames' shares of the components fixed by the background)."""
    inv = 1.0 / pieces.background.variances
    a, b = means
    lin = (a - b) * inv  # (K, D)
    quad = 0.5 * ((a * a - b * b) * inv).sum(1)  # (K,)
    llr: np.ndarray = np.einsum("pkd,kd->p", pieces.f.astype(float), lin) - pieces.n @ quad
    return llr


def _distance(pieces: Pieces, means: list[np.ndarray]) -> float:
    bg = pieces.background
    return float((bg.weights * (((means[0] - means[1]) ** 2) / bg.variances).sum(1)).sum())


def separate(pieces: Pieces, *, enrolled: bool = False,
             hints: Hints | None = None) -> Separation:
    """Two voices over the pieces (see the module's description); ``hints``, the pieces
    the interview points to as the interviewer's."""
    count = len(pieces)
    usable = pieces.frames >= MIN_FRAMES
    if count == 0 or usable.sum() < 2:
        return Separation(np.zeros(count, int), np.zeros(count), 0.0, None)
    sides = _refine(pieces, _island_split(pieces, usable), usable)
    if hints is not None:
        sides = _with_seeds(pieces, sides, hints, usable)
    means = side_means(pieces, np.where(usable, sides, -1))
    evidence = np.where(usable, score(pieces, means) * SCALE, 0.0)
    gap = None
    if enrolled and pieces.enrolled is not None:
        fit = []
        for side in (INTERVIEWER, OTHER):
            chosen = usable & (sides == side)
            frames = pieces.frames[chosen].sum()
            fit.append(pieces.enrolled[chosen].sum() / frames if frames else -np.inf)
        if fit[OTHER] > fit[INTERVIEWER]:
            sides, evidence = 1 - sides, -evidence
            fit.reverse()
        gap = float(fit[0] - fit[1]) if np.isfinite(fit[0] - fit[1]) else 0.0
    elif sides[0] != INTERVIEWER:
        sides, evidence = 1 - sides, -evidence
    margin = np.where(sides == INTERVIEWER, evidence, -evidence)
    return Separation(sides, margin, _distance(pieces, means), gap)


def _refine(pieces: Pieces, sides: np.ndarray, usable: np.ndarray,
            held: np.ndarray | None = None) -> np.ndarray:
    """Voice models and the best path over the pieces, in turn, until the sides settle;
    ``held`` pieces are pulled to side 0 in the first :data:`SEED_ROUNDS` rounds."""
    rounds = ROUNDS + (SEED_ROUNDS if held is not None else 0)
    for done in range(rounds):
        if sides[usable].min() == sides[usable].max():
            break
        means = side_means(pieces, np.where(usable, sides, -1))
        evidence = np.where(usable, score(pieces, means) * SCALE, 0.0)
        holding = held is not None and done < SEED_ROUNDS
        if holding and held is not None:
            evidence = np.where(held, np.maximum(evidence, 0.0) + SEED_PULL, evidence)
        new = best_path(evidence, pieces)
        if (new == sides).all() and not holding:
            break
        sides = new
    return sides


def _apart(pieces: Pieces, sides: np.ndarray, seeds: np.ndarray) -> float:
    """The share of the seeds' frames on the side that holds fewer of them."""
    weight = pieces.frames[seeds].astype(float)
    if not weight.sum():
        return 0.0
    first = float(weight[sides[seeds] == INTERVIEWER].sum() / weight.sum())
    return min(first, 1.0 - first)


class _Sums:
    """Per piece, the sums a Gaussian of its frames needs (count, first and second
    moments), and the spread of the whole recording's usable frames (the variance prior,
    as in :func:`_island_split`)."""

    def __init__(self, pieces: Pieces, usable: np.ndarray) -> None:
        self.count = pieces.frames.astype(float)
        self.first = pieces.f.sum(1).astype(float)
        self.second = pieces.sq.astype(float)
        self.total = float(self.count[usable].sum())
        self.spread = np.maximum(self.second[usable].sum(0) / self.total
                                 - (self.first[usable].sum(0) / self.total) ** 2, 1e-6)

    def of(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.asarray(self.count[chosen].sum()), self.first[chosen].sum(0),
                self.second[chosen].sum(0))

    def by_island(self, pieces: Pieces, chosen: np.ndarray
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The islands of the ``chosen`` pieces, and their sums (a leading axis per island)."""
        islands, at = np.unique(pieces.island[chosen], return_inverse=True)
        first = np.zeros((len(islands), self.first.shape[1]))
        second = np.zeros((len(islands), self.second.shape[1]))
        np.add.at(first, at, self.first[chosen])
        np.add.at(second, at, self.second[chosen])
        return islands, (np.bincount(at, self.count[chosen], len(islands)), first, second)

    def spent(self, n: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """n·log det of the variance of frames with these sums (any leading shape)."""
        mean = first / n[..., None]
        var = (second - n[..., None] * mean ** 2 + PRIOR_FRAMES * self.spread) / (
            n[..., None] + PRIOR_FRAMES)
        out: np.ndarray = n * np.log(np.maximum(var, 1e-9)).sum(-1)
        return out


def _fit_gain(pieces: Pieces, sides: np.ndarray, usable: np.ndarray) -> tuple[float, float]:
    """How much better two Gaussians (one per side) explain the frames than one (from the
    pieces' sums, the variances as in :func:`_island_split`): per frame of the recording,
    and per frame of the two sides' harmonic mean (a short voice that differs much counts
    as much as a long one that differs little)."""
    sums = _Sums(pieces, usable)
    one, other = usable & (sides == INTERVIEWER), usable & (sides != INTERVIEWER)
    if not one.any() or not other.any():
        return 0.0, 0.0
    gain = 0.5 * float(sums.spent(*sums.of(usable)) - sums.spent(*sums.of(one))
                       - sums.spent(*sums.of(other)))
    a, b, total = float(sums.count[one].sum()), float(sums.count[other].sum()), sums.total
    return gain / total, gain / (a * b / total)


def _spread(sums: _Sums, chosen: np.ndarray) -> float:
    """How unlike each other the frames of ``chosen`` are: the log-determinant of their
    own variance (no prior: a side that only grows would look tighter with it)."""
    return float(_spread_of(*sums.of(chosen)))


def _spread_of(n: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """:func:`_spread` of frames with these sums (any leading shape)."""
    mean = first / n[..., None]
    out: np.ndarray = np.log(np.maximum(second / n[..., None] - mean ** 2, 1e-9)).sum(-1)
    return out


def _other_turn(pieces: Pieces, sides: np.ndarray, usable: np.ndarray,
                pointed: np.ndarray) -> np.ndarray:
    """A short interviewer's side, completed by a turn of theirs recorded differently (see
    the module's description, 3). The candidates are the islands of the other side that
    would raise the two-voice fit of the whole recording if they were the interviewer's.
    One at a time (the largest rise first), a candidate joins the interviewer's side, is
    held there for the first rounds and the split is refined; the first whose refined
    split still fits better and leaves the interviewer's side no less alike within itself
    (its :func:`_spread` does not grow) is kept, and the split stays when none is. A
    stretch of the other speaker, or one of their recordings made in other conditions,
    widens the interviewer's voice; a turn of their own does not."""
    sums = _Sums(pieces, usable)
    one, other = usable & (sides == INTERVIEWER), usable & (sides != INTERVIEWER)
    if not one.any() or not other.any():
        return sides
    islands, moved = sums.by_island(pieces, other)
    whole, mine, theirs = sums.of(usable), sums.of(one), sums.of(other)
    left = theirs[0] - moved[0]
    keep = left > 0
    base = sums.spent(*whole)
    now = 0.5 * float(base - sums.spent(*mine) - sums.spent(*theirs))
    after = 0.5 * (base - sums.spent(mine[0] + moved[0], mine[1] + moved[1], mine[2] + moved[2])
                   - sums.spent(np.where(keep, left, 1.0), theirs[1] - moved[1],
                                theirs[2] - moved[2]))
    spread = _spread(sums, one)
    for k in np.argsort(-after):
        if not keep[k] or after[k] <= now:
            break
        joined = pieces.island == islands[k]
        held = (pointed | joined) & usable
        refined = _refine(pieces, np.where(joined, INTERVIEWER, sides), usable, held=held)
        if (_fit_gain(pieces, refined, usable)[0] > now / sums.total
                and _spread(sums, usable & (refined == INTERVIEWER)) <= spread):
            return refined
    return sides


def _without_strays(pieces: Pieces, sides: np.ndarray, usable: np.ndarray,
                    pointed: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """A short interviewer's side rid of the other speaker's stretches it took in (see the
    module's description, 3): the mirror of :func:`_other_turn`. A voice model learnt from
    a few seconds stays near the background and so fits a stretch of the other speaker
    recorded unlike the rest of theirs better than their own model does. Such a stretch
    widens the interviewer's side, makes the two sides less distinct, and is more unlike
    the pieces the interview pointed to than the other side. An island of the
    interviewer's side that the interview did not point to moves to the other side when
    all three hold (its :func:`_spread` falls; :func:`_fit_gain` per frame of the sides'
    harmonic mean rises; :func:`_apart_from` the pointed pieces exceeds that from the
    other side), one at a time, the one leaving the sides most distinct first, until none
    does; the ``kept`` islands (a turn already tested by :func:`_other_turn`) stay.
    Without the third, an interviewer's own turns recorded unlike their others would leave
    as well: the fewer and more alike a short side's frames, the more distinct it looks.
    A turn of theirs recorded much worse can meet all three too, so this only rescues a
    seeded split that does not stand apart on its own. Not refined after: the voice
    models are what took them in."""
    sums = _Sums(pieces, usable)
    sides = sides.copy()
    whole = sums.of(usable)
    base = sums.spent(*whole)
    while True:
        one, other = usable & (sides == INTERVIEWER), usable & (sides != INTERVIEWER)
        if not one.any() or not other.any():
            return sides
        own = one & ~np.isin(pieces.island, pieces.island[pointed | kept])
        if not own.any():
            return sides
        islands, own_sums = sums.by_island(pieces, own)
        count, first, second = own_sums
        mine, theirs = sums.of(one), sums.of(other)
        a, b = mine[0] - count, theirs[0] + count
        gain = 0.5 * (base - sums.spent(a, mine[1] - first, mine[2] - second)
                      - sums.spent(b, theirs[1] + first, theirs[2] + second))
        distinct = gain / (a * b / sums.total)
        spread = _spread_of(a, mine[1] - first, mine[2] - second)
        now = _fit_gain(pieces, sides, usable)[1]
        better = ((spread < _spread(sums, one)) & (distinct > now)
                  & (_apart_from(sums, own_sums, sums.of(usable & pointed))
                     > _apart_from(sums, own_sums, theirs)))
        if not better.any():
            return sides
        best = int(np.argmax(np.where(better, distinct, -np.inf)))
        sides = np.where(pieces.island == islands[best], OTHER, sides)


def _apart_from(sums: _Sums, islands: tuple[np.ndarray, np.ndarray, np.ndarray],
                group: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Per island (sums with a leading axis), how much better two Gaussians explain its
    frames and the group's than one, per frame of their harmonic mean (as
    :func:`_fit_gain`): a balanced measure, so a long group is not nearer for its size."""
    n, first, second = islands
    gain = 0.5 * (sums.spent(n + group[0], first + group[1], second + group[2])
                  - sums.spent(n, first, second) - sums.spent(*group))
    out: np.ndarray = gain / (n * group[0] / (n + group[0]))
    return out


def _with_seeds(pieces: Pieces, blind: np.ndarray, hints: Hints,
                usable: np.ndarray) -> np.ndarray:
    """The blind split, or the split started from the interview's hints, completed (see
    the module's description)."""
    pointed, read = hints.pointed & usable, hints.read & usable
    if not pointed.any() or pointed[usable].all():
        return blind
    seeded = _refine(pieces, np.where(pointed, INTERVIEWER, OTHER), usable, held=pointed)
    if _apart(pieces, seeded, pointed) > _apart(pieces, blind, pointed):
        return blind
    (blind_fit, blind_distinct), (seeded_fit, seeded_distinct) = (
        _fit_gain(pieces, blind, usable), _fit_gain(pieces, seeded, usable))
    cut = _apart(pieces, blind, read)
    if cut > SEEDS_APART and _apart(pieces, seeded, read) < cut and (
            seeded_fit >= SEEDED_FIT * blind_fit):
        return seeded
    turned = _other_turn(pieces, seeded, usable, pointed)
    if seeded_distinct >= DISTINCT * blind_distinct:
        return turned
    # the turn found there was tested already (it tightened the interviewer's side)
    found = usable & (turned == INTERVIEWER) & (seeded != INTERVIEWER)
    completed = _without_strays(pieces, turned, usable, pointed, found)
    if _fit_gain(pieces, completed, usable)[1] >= DISTINCT * blind_distinct:
        return completed
    return blind


def best_path(evidence: np.ndarray, pieces: Pieces) -> np.ndarray:
    """Viterbi over pieces; evidence > 0 favours side 0."""
    n = len(evidence)
    cost = np.zeros((n, 2))
    back = np.zeros((n, 2), int)
    emit = np.stack([-evidence / 2, evidence / 2], axis=1)  # lower is better
    cost[0] = emit[0]
    for i in range(1, n):
        joined = pieces.island[i] == pieces.island[i - 1]
        switch = SWITCH_JOINED if joined else SWITCH_PAUSED
        for s in (0, 1):
            stay, move = cost[i - 1, s], cost[i - 1, 1 - s] + switch
            back[i, s] = s if stay <= move else 1 - s
            cost[i, s] = min(stay, move) + emit[i, s]
    path = np.zeros(n, int)
    path[-1] = int(np.argmin(cost[-1]))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def piece_of_words(pieces: Pieces, spans: list[Span]) -> np.ndarray:
    """For each word, the piece it was spoken in: Whisper's word times spread over the
    pauses around a word, so the piece nearest the word's middle (inside it, or the
    closest edge) rather than the one it overlaps most (-1 when there is no piece)."""
    if not len(pieces):
        return np.full(len(spans), -1)
    starts, ends = pieces.start_ms, pieces.end_ms
    solid = pieces.frames >= MIN_FRAMES
    out = np.empty(len(spans), int)
    for i, span in enumerate(spans):
        middle = (span.start_ms + span.end_ms) / 2
        away = np.where((starts <= middle) & (middle <= ends), 0.0,
                        np.minimum(abs(starts - middle), abs(ends - middle)))
        away = away + np.where(solid, 0.0, 200.0)  # a crumb of sound decides last
        out[i] = int(np.argmin(away))
    return out


REACH_MS = 1000
"""How far a word's edge may move to meet the voice of its piece."""


def voiced_edges(pieces: Pieces, spans: list[Span], at: np.ndarray) -> list[Span]:
    """The words' times widened to the voice they were spoken in: Whisper's word edges
    fall inside the sound (a turn's first word often starts late, its last ends early),
    and a turn's length, hence talk-time, is measured from them. Where the piece of a word
    differs from its neighbour's, the word's edge on that side moves out to its piece's
    edge (at most :data:`REACH_MS`), never past the neighbouring word."""
    out = list(spans)
    solid = pieces.frames >= MIN_FRAMES
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start_ms, spans[i].end_ms))
    for k, i in enumerate(order):
        p = int(at[i])
        if p < 0 or not solid[p]:
            continue
        start, end = out[i].start_ms, out[i].end_ms
        before = order[k - 1] if k else None
        after = order[k + 1] if k + 1 < len(order) else None
        if before is None or int(at[before]) != p:
            floor = out[before].end_ms if before is not None else 0
            edge = int(pieces.start_ms[p])
            if start - REACH_MS <= edge < start:
                start = max(edge, floor)
        if after is None or int(at[after]) != p:
            ceiling = spans[after].start_ms if after is not None else int(pieces.end_ms[p])
            edge = int(pieces.end_ms[p])
            if end < edge <= end + REACH_MS:
                end = min(edge, ceiling)
        out[i] = Span(min(start, spans[i].start_ms), max(end, spans[i].end_ms))
    return out


def _mean_llr(frames: np.ndarray, voice: Voice, background: Voice, clip: float = 4.0,
              ) -> float:
    return float(np.clip(voice.frame_loglik(frames) - background.frame_loglik(frames),
                         -clip, clip).mean())


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
