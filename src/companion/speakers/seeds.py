"""Where the interviewer speaks, from the interview itself: a labelled start for the
separation.

A blind first split of two close voices with short turns can go wrong before there is any
model of either voice (it then cuts across both), and a speaker with a few seconds of
speech loses to a split of the other's recordings by their recording conditions. The
interview says where the interviewer speaks, without any voice model:

- pieces whose words read the protocol (a word triple of a prompt, a follow-up or a
  suggestion, most of the piece's words),
- when a prompt was marked asked: the piece speaking at that moment or starting within
  :data:`MARK_REACH_MS` after it, and the pieces of the first few words after it,
- the first island of speech (the interviewer usually opens).

Any one of these can be wrong (a mark pressed late, the participant opening), so they only
offer a start; :func:`companion.speakers.assign.separate` keeps the split it leads to only
when that split holds up against the blind one (see there). The protocol read out is the
strongest hint and is kept apart (:attr:`Hints.read`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from companion.speakers.naming import MARK_AFTER_MS, MARK_WORDS, protocol_triples, tokens
from companion.speakers.pieces import MIN_FRAMES, Pieces

MARK_REACH_MS = 2000
"""A voice starting this soon after a prompt was marked asked is taken as the one asking."""


@dataclass(frozen=True)
class Hints:
    """Per piece (P,): ``read``, most of its words read from the protocol (the strongest
    hint); ``pointed``, any hint at all (read, at a mark, the opening)."""

    read: np.ndarray
    pointed: np.ndarray


def interviewer_pieces(pieces: Pieces, texts: Sequence[str], starts_ms: Sequence[int],
                       at: np.ndarray, protocol_texts: Iterable[str],
                       marks_ms: Sequence[int]) -> Hints:
    """The pieces the interview points to as the interviewer's: ``texts`` and
    ``starts_ms`` are the transcript's words in order, ``at`` the piece of each."""
    usable = pieces.frames >= MIN_FRAMES
    if not usable.any():
        return Hints(np.zeros(len(pieces), bool), np.zeros(len(pieces), bool))
    protocol = _protocol_words(texts, protocol_texts)
    marked = np.zeros(len(texts), bool)
    for m in marks_ms:
        after = [i for i, start in enumerate(starts_ms) if m <= start <= m + MARK_AFTER_MS]
        marked[after[:MARK_WORDS]] = True
    read = _mostly(pieces, at, protocol)
    chosen = read | _mostly(pieces, at, protocol | marked)
    for m in marks_ms:
        chosen |= ((pieces.start_ms <= m) & (m <= pieces.end_ms)) | (
            (pieces.start_ms > m) & (pieces.start_ms <= m + MARK_REACH_MS))
    first = int(np.flatnonzero(usable)[0])
    chosen |= pieces.island == pieces.island[first]
    return Hints(read & usable, chosen & usable)


def _mostly(pieces: Pieces, at: np.ndarray, chosen_words: np.ndarray) -> np.ndarray:
    """The pieces at least half of whose words are chosen."""
    hits = np.zeros(len(pieces))
    heard = np.zeros(len(pieces))
    for word, piece in enumerate(at):
        if piece >= 0:
            heard[piece] += 1
            hits[piece] += chosen_words[word]
    found: np.ndarray = (hits > 0) & (hits * 2 >= heard)
    return found


def _protocol_words(texts: Sequence[str], protocol_texts: Iterable[str]) -> np.ndarray:
    """Which words are part of a word triple of the protocol."""
    wanted = protocol_triples(protocol_texts)
    said = [(token, k) for k, text in enumerate(texts) for token in tokens(text)]
    out = np.zeros(len(texts), bool)
    for i in range(len(said) - 2):
        if tuple(token for token, _ in said[i:i + 3]) in wanted:
            out[[k for _, k in said[i:i + 3]]] = True
    return out
