"""Speakers of a transcribed mono session: the separation applied to the store.

Two-channel recordings keep the channel rule of :mod:`companion.transcribe.speakers`. The
session's mono recordings are read twice each, block by block (:mod:`.pieces`): once for
their levels and a sample of frames (one background model for the whole session), once
for every piece's statistics. The voices are separated over all pieces together (the same
two people in every file; started from the pieces the interview points to as the
interviewer's, :mod:`.seeds`, when the blind start cuts through them), each word takes its
piece's voice, and the sides are named: by
the enrolled voice when there is one, otherwise from the interview
(:mod:`companion.speakers.naming`: the protocol's words, the prompts marked asked, the
questions, who spoke first). How sure the result is goes to the store with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from companion.speakers.assign import (
    INTERVIEWER,
    Span,
    piece_of_words,
    separate,
    voiced_edges,
)
from companion.speakers.enrol import load_interviewer
from companion.speakers.naming import SpokenWord, name_sides
from companion.speakers.pieces import (
    BACKGROUND_COMPONENTS,
    SAMPLE_FRAMES,
    Pieces,
    collect,
    survey,
)
from companion.speakers.seeds import interviewer_pieces
from companion.speakers.stream import mono_blocks
from companion.speakers.voice import fit_voice
from companion.store.events import list_prompt_events
from companion.store.sessions import get_session
from companion.store.speakers import apply_word_speakers, get_separation, save_separation
from companion.store.transcripts import Word, list_segments
from companion.study.folder import Study

ENGINE = "mfcc-pieces"
MODES = ("auto", "none")


def _recording(study: Study, path: str) -> Path:
    found = Path(path)
    return found if found.is_absolute() else study.root / found


def _protocol_texts(study: Study, protocol_id: str | None) -> list[str]:
    """The prompts and follow-ups of the session's protocol (none when it is gone)."""
    from companion.protocol.registry import get_protocol

    try:
        protocol = get_protocol(protocol_id or "", study.root)
    except Exception:  # a session whose protocol was removed still gets its speakers
        return []
    texts = []
    for phase in protocol.phases:
        for prompt in phase.prompts:
            texts += [prompt.text, *prompt.follow_ups]
    return texts


@dataclass(frozen=True)
class Separation:
    """Who spoke each word of a session's mono recordings, not yet stored."""

    words: dict[int, list[Word]]  # segment id -> its words, each with speaker and times
    enrolled: bool
    confidence: float
    naming: float | None
    doubtful: list[tuple[int, int]]  # the words it was unsure of, as (start_ms, end_ms)


def attribute_session(study: Study, db: Any, session_id: int) -> Separation | None:
    """Separate the voices of the session's mono recordings; None when there is no mono
    speech to separate. Reads only, so the slow part holds no write lock
    (:func:`store_separation` stores the result)."""
    session = get_session(db, session_id)
    interviewer = load_interviewer(study)
    names = ("I", session.participant_code)
    segments = list_segments(db, session_id)
    rows = list(db.query("SELECT id, path, offset_ms, channels FROM recording_segments "
                         "WHERE session_id = ? ORDER BY offset_ms, seq", [session_id]))
    chosen = [(row, [s for s in segments if s.recording_segment_id == row["id"] and s.words])
              for row in rows if (row["channels"] or 1) == 1]
    chosen = [(row, mine) for row, mine in chosen if mine]
    if not chosen:
        return None

    def blocks_of(row: Any) -> Any:
        return lambda: mono_blocks(_recording(study, row["path"]))

    # one background for the session: the voices are the same in every file
    surveys = [survey(blocks_of(row)) for row, _ in chosen]
    sample = np.concatenate([s.voiced_sample() for s in surveys])
    if len(sample) > SAMPLE_FRAMES:
        sample = sample[np.linspace(0, len(sample) - 1, SAMPLE_FRAMES).astype(int)]
    if len(sample) < 32:
        return None
    background = fit_voice(sample, components=BACKGROUND_COMPONENTS)
    parts = [collect(blocks_of(row), found.threshold, background, interviewer)
             for (row, _), found in zip(chosen, surveys, strict=True)]
    pieces = Pieces.join(parts, [int(row["offset_ms"]) for row, _ in chosen])
    words: list[tuple[int, Word]] = [(s.id, w) for _, mine in chosen for s in mine
                                     for w in s.words]
    spans = [Span(w.start_ms, w.end_ms) for _, w in words]
    at = piece_of_words(pieces, spans)
    events = list_prompt_events(db, session_id)
    read = _protocol_texts(study, session.protocol_id) + [e["text"] for e in events]
    marks = [int(e["at_ms"]) for e in events]
    hints = interviewer_pieces(pieces, [w.word for _, w in words],
                               [w.start_ms for _, w in words], at, read, marks)
    result = separate(pieces, enrolled=interviewer is not None, hints=hints)
    edges = voiced_edges(pieces, spans, at)
    sides = [int(result.sides[p]) if p >= 0 else INTERVIEWER for p in at]
    naming = None
    if interviewer is None:
        named = name_sides([SpokenWord(w.word, w.start_ms, side)
                            for (_, w), side in zip(words, sides, strict=True)], read, marks)
        if named.interviewer_side != INTERVIEWER:
            sides = [1 - s for s in sides]
        naming = named.certainty
    doubtful_pieces = result.doubtful(pieces)
    doubtful = [(w.start_ms, w.end_ms) for (_, w), p in zip(words, at, strict=True)
                if p >= 0 and doubtful_pieces[p]]
    given: dict[int, list[Word]] = {}
    for (segment_id, word), side, edge in zip(words, sides, edges, strict=True):
        given.setdefault(segment_id, []).append(replace(
            word, start_ms=edge.start_ms, end_ms=edge.end_ms,
            speaker=names[0] if side == INTERVIEWER else names[1]))
    return Separation(words=given, enrolled=interviewer is not None,
                      confidence=result.confidence(pieces), naming=naming, doubtful=doubtful)


def store_separation(db: Any, session_id: int, separation: Separation) -> int:
    """The separation's speakers onto the words, and how sure it was; returns the number
    of segments touched."""
    touched = apply_word_speakers(db, session_id, separation.words, engine=ENGINE)
    save_separation(db, session_id, engine=ENGINE, enrolled=separation.enrolled,
                    confidence=separation.confidence, naming=separation.naming,
                    doubtful=_spans(separation.doubtful))
    return touched


def separate_session(study: Study, db: Any, session_id: int) -> dict[str, Any]:
    """Attribute every word of the session's mono recordings and store it; returns a short
    summary (``confidence``, ``uncertain``, ``naming``, ``doubtful_words`` among it)."""
    separation = attribute_session(study, db, session_id)
    if separation is None:
        return {"engine": ENGINE, "enrolled": load_interviewer(study) is not None,
                "segments": 0}
    touched = store_separation(db, session_id, separation)
    stored = get_separation(db, session_id) or {}
    return {"engine": ENGINE, "enrolled": separation.enrolled, "segments": touched,
            "confidence": separation.confidence, "naming": separation.naming,
            "uncertain": bool(stored.get("uncertain")),
            "doubtful_words": len(separation.doubtful)}


def _spans(words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Doubtful words joined into stretches (words less than a second apart)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(words):
        if out and start - out[-1][1] < 1000:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
