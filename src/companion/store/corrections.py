"""Corrections to a transcript made in review: what was said, and where a turn ends.

Every correction is a new version: the row's ``version`` goes up and the audit log keeps
what it was before, so the transcript as decoded can always be recovered (the study's
dependability trail). The search index follows every correction.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.store.audit import entity_trail, log_change
from companion.store.db import insert_row, transaction
from companion.store.events import phase_at
from companion.store.notes import clean_text
from companion.store.search import index_text
from companion.store.transcripts import Segment, Word, get_segment

SEGMENT_ENTITY = "transcript_segment"


def correct_text(db: sqlite_utils.Database, segment_id: int, text: str) -> Segment:
    """Replace what the segment says (unchanged text writes nothing)."""
    segment = get_segment(db, segment_id)
    new_text = clean_text(text)
    if not new_text:
        raise InputError("text", text, "the words spoken (use a pause mark or '(inaudible)'"
                         " rather than an empty segment)")
    if new_text == segment.text:
        return segment
    with transaction(db):
        db.table("transcript_segments").update(
            segment_id, {"text": new_text, "version": segment.version + 1})
        index_text(db, kind="segment", ref_id=segment_id, session_id=segment.session_id,
                   at_ms=segment.start_ms, text=new_text)
        log_change(db, entity=SEGMENT_ENTITY, entity_id=segment_id,
                   session_id=segment.session_id, action="edit",
                   before={"text": segment.text, "version": segment.version},
                   after={"text": new_text, "version": segment.version + 1})
    return get_segment(db, segment_id)


def _words_text(words: tuple[Word, ...]) -> str:
    return " ".join(" ".join(w.word for w in words).split())


def split_segment(db: sqlite_utils.Database, segment_id: int, at_word: int) -> tuple[
        Segment, Segment]:
    """Split a segment in two before its word number ``at_word`` (0-based).

    The first part keeps the id (its version goes up), the second is a new segment that
    starts at that word's time and takes its phase from there (a phase that began inside
    the turn now starts with the second part). When the text has as many words as the
    timings it is split at the same word, so a corrected text keeps its corrections.
    """
    segment = get_segment(db, segment_id)
    words = segment.words
    if len(words) < 2:
        raise InputError("segment", segment_id, "a segment of two or more timed words")
    if not isinstance(at_word, int) or not 1 <= at_word < len(words):
        raise InputError("word", at_word, f"a word number from 1 to {len(words) - 1} "
                         "(the first word of the second part)")
    head, tail = words[:at_word], words[at_word:]
    start = tail[0].start_ms
    if start <= segment.start_ms:
        raise InputError("word", at_word, "a word that starts after the segment does")
    tokens = segment.text.split()
    if len(tokens) == len(words):
        head_text, tail_text = " ".join(tokens[:at_word]), " ".join(tokens[at_word:])
    else:
        head_text, tail_text = _words_text(head), _words_text(tail)
    head_end = max(min(head[-1].end_ms, start), segment.start_ms)
    with transaction(db):
        db.table("transcript_segments").update(segment_id, {
            "text": head_text, "end_ms": head_end, "version": segment.version + 1,
            "words": _words_json(head)})
        new_id = insert_row(db, "transcript_segments", {
            "session_id": segment.session_id,
            "recording_segment_id": segment.recording_segment_id,
            "start_ms": start, "end_ms": segment.end_ms, "text": tail_text,
            "speaker": segment.speaker, "avg_logprob": segment.avg_logprob,
            "words": _words_json(tail), "phase_id": phase_at(db, segment.session_id, start),
            "version": 1,
        })
        index_text(db, kind="segment", ref_id=segment_id, session_id=segment.session_id,
                   at_ms=segment.start_ms, text=head_text)
        index_text(db, kind="segment", ref_id=new_id, session_id=segment.session_id,
                   at_ms=start, text=tail_text)
        # A pause that now falls between the two parts is a pause between turns.
        db.execute("UPDATE pauses SET within_segment = 0 WHERE session_id = ? "
                   "AND start_ms >= ? AND start_ms < ?",
                   [segment.session_id, head_end, start])
        first, second = get_segment(db, segment_id), get_segment(db, new_id)
        log_change(db, entity=SEGMENT_ENTITY, entity_id=segment_id,
                   session_id=segment.session_id, action="split",
                   before=_brief(segment), after={"first": _brief(first),
                                                  "second": _brief(second)})
    return first, second


def _brief(segment: Segment) -> dict[str, Any]:
    return {"id": segment.id, "start_ms": segment.start_ms, "end_ms": segment.end_ms,
            "text": segment.text, "version": segment.version, "phase_id": segment.phase_id}


def _words_json(words: tuple[Word, ...]) -> str:
    return json.dumps([asdict(w) for w in words], ensure_ascii=False)


def segment_history(db: sqlite_utils.Database, segment_id: int) -> list[dict[str, Any]]:
    """The audit entries of a segment, oldest first (its earlier texts and speakers)."""
    return [e for e in entity_trail(db, SEGMENT_ENTITY, segment_id)
            if e["action"] in ("edit", "speaker", "split", "speakers-auto")]


def original_text(db: sqlite_utils.Database, segment_id: int) -> str:
    """The segment's text as transcribed, before any edit (or split). A part split off
    another segment (by the speaker separation) has its own text as its first."""
    for entry in segment_history(db, segment_id):
        before = entry["before"] or {}
        if entry["action"] in ("edit", "split", "speakers-auto") and "text" in before:
            return str(before["text"])
    return get_segment(db, segment_id).text
