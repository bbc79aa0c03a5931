"""Speakers of stored transcript segments: new speakers per word, splitting a segment into
runs, renaming a speaker for a whole session (a split at a word chosen in review is
:func:`companion.store.corrections.split_segment`).

Every change bumps the segment's ``version`` and writes the before/after in the audit log,
as text corrections do; a split keeps the original segment (shortened, next version) and
adds the rest as a new segment whose audit entry names the segment it came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.limits import printable_name
from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso, transaction
from companion.store.events import phase_at
from companion.store.search import index_text
from companion.store.transcripts import (
    Segment,
    Word,
    _words_json,
    get_segment,
    list_segments,
)


def _text(words: Sequence[Word]) -> str:
    return "".join(w.word for w in words).strip()


def _runs(words: Sequence[Word]) -> list[list[Word]]:
    runs: list[list[Word]] = []
    for word in words:
        if runs and runs[-1][-1].speaker == word.speaker:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _insert(db: sqlite_utils.Database, template: Segment, words: Sequence[Word],
            text: str, version: int) -> int:
    start = words[0].start_ms
    row = {
        "session_id": template.session_id, "recording_segment_id": template.recording_segment_id,
        "start_ms": start, "end_ms": words[-1].end_ms, "text": text,
        "speaker": words[0].speaker, "avg_logprob": template.avg_logprob,
        "words": _words_json(words), "phase_id": phase_at(db, template.session_id, start),
        "version": version,
    }
    new_id = insert_row(db, "transcript_segments", row)
    index_text(db, kind="segment", ref_id=new_id, session_id=template.session_id,
               at_ms=start, text=text)
    return new_id


def _rewrite(db: sqlite_utils.Database, segment: Segment, words: Sequence[Word], *,
             action: str, keep_text: str | None = None) -> list[int]:
    """Store ``segment`` with ``words`` (each carrying its speaker): split into runs of one
    speaker. Runs in the caller's transaction. Returns the ids, the original's first."""
    runs = _runs(words)
    first = runs[0]
    text = keep_text if keep_text is not None and len(runs) == 1 else _text(first)
    db.table("transcript_segments").update(segment.id, {
        "start_ms": first[0].start_ms, "end_ms": first[-1].end_ms, "text": text,
        "speaker": first[0].speaker, "words": _words_json(first),
        "version": segment.version + 1})
    index_text(db, kind="segment", ref_id=segment.id, session_id=segment.session_id,
               at_ms=first[0].start_ms, text=text)
    log_change(db, entity="transcript_segment", entity_id=segment.id,
               session_id=segment.session_id, action=action,
               before={"text": segment.text, "speaker": segment.speaker,
                       "start_ms": segment.start_ms, "end_ms": segment.end_ms,
                       "version": segment.version},
               after={"text": text, "speaker": first[0].speaker,
                      "start_ms": first[0].start_ms, "end_ms": first[-1].end_ms,
                      "version": segment.version + 1})
    ids = [segment.id]
    for run in runs[1:]:
        new_id = _insert(db, segment, run, _text(run), 1)
        log_change(db, entity="transcript_segment", entity_id=new_id,
                   session_id=segment.session_id, action="split",
                   before={"from_segment": segment.id},
                   after={"text": _text(run), "speaker": run[0].speaker,
                          "start_ms": run[0].start_ms, "end_ms": run[-1].end_ms})
        ids.append(new_id)
    # A pause that now falls between two segments is a pause between turns.
    for run in runs[1:]:
        db.execute("UPDATE pauses SET within_segment = 0 WHERE session_id = ? "
                   "AND start_ms >= ? AND start_ms < ?",
                   [segment.session_id, _prev_end(words, run[0]), run[0].start_ms])
    return ids


def _prev_end(words: Sequence[Word], first: Word) -> int:
    index = list(words).index(first)
    return words[index - 1].end_ms if index else first.start_ms


def apply_word_speakers(db: sqlite_utils.Database, session_id: int,
                        words: Mapping[int, Sequence[Word]], *, engine: str) -> int:
    """Give the given segments new words (id -> the segment's words, each carrying its
    speaker, and the times the separation found for it) and split segments where the
    speaker changes. Returns the number of segments afterwards that were touched. Logged
    once for the session (an automatic pass, version kept)."""
    touched = 0
    with transaction(db):
        for segment_id, new in words.items():
            segment = get_segment(db, segment_id)
            if len(new) != len(segment.words) or not new:
                continue
            if all(w.speaker == segment.speaker for w in new) and tuple(new) == segment.words:
                continue
            touched += len(_rewrite(db, segment, new, action="speakers-auto",
                                    keep_text=segment.text))
        log_change(db, entity="transcript", entity_id=session_id, session_id=session_id,
                   action="speakers", after={"engine": engine, "segments": touched})
    return touched


def set_run_speaker(db: sqlite_utils.Database, segment_id: int, first: int, last: int,
                    speaker: str) -> list[int]:
    """Give words ``first..last`` (inclusive) of a segment to ``speaker``, splitting the
    segment around them when they are not the whole of it."""
    segment = get_segment(db, segment_id)
    name = _check_name(speaker)
    if not (0 <= first <= last < len(segment.words)):
        raise InputError("words", f"{first}-{last}",
                         f"positions within the segment's {len(segment.words)} words")
    words = [replace(w, speaker=name if first <= i <= last else (w.speaker or segment.speaker))
             for i, w in enumerate(segment.words)]
    with transaction(db):
        return _rewrite(db, segment, words, action="speaker", keep_text=segment.text)


def swap_speakers(db: sqlite_utils.Database, session_id: int, segment_ids: Sequence[int],
                  ) -> list[Segment]:
    """Swap the two speakers of a session on the given segments (the separation mixed them
    up there): each segment's speaker becomes the other one."""
    names = session_speakers(db, session_id)
    if len(names) != 2:
        raise InputError("speakers", ", ".join(names) or "none",
                         "exactly two speakers in the session to swap")
    other = {names[0]: names[1], names[1]: names[0]}
    with transaction(db):
        for segment_id in segment_ids:
            segment = get_segment(db, segment_id)
            if segment.speaker not in other:
                continue
            new = other[segment.speaker]
            words = [replace(w, speaker=new) for w in segment.words]
            _rewrite(db, segment, words or [Word(segment.text, segment.start_ms,
                                                 segment.end_ms, None, new)],
                     action="speaker", keep_text=segment.text)
    return [get_segment(db, i) for i in segment_ids]


def rename_speaker(db: sqlite_utils.Database, session_id: int, old: str, new: str) -> int:
    """Call ``old`` by ``new`` in every segment of the session; returns segments changed."""
    name = _check_name(new)
    changed = 0
    with transaction(db):
        for segment in list_segments(db, session_id):
            if segment.speaker != old and not any(w.speaker == old for w in segment.words):
                continue
            words = [replace(w, speaker=name if w.speaker == old else w.speaker)
                     for w in segment.words]
            speaker = name if segment.speaker == old else segment.speaker
            db.table("transcript_segments").update(segment.id, {
                "speaker": speaker, "words": _words_json(words),
                "version": segment.version + 1})
            log_change(db, entity="transcript_segment", entity_id=segment.id,
                       session_id=session_id, action="speaker",
                       before={"speaker": segment.speaker, "version": segment.version},
                       after={"speaker": speaker, "version": segment.version + 1,
                              "renamed": {"from": old, "to": name}})
            changed += 1
        if not changed:
            raise InputError("speaker", old, "a speaker of this session: "
                             + ", ".join(session_speakers(db, session_id)))
    return changed


def session_speakers(db: sqlite_utils.Database, session_id: int) -> list[str]:
    """The session's speaker names, by first appearance."""
    seen: list[str] = []
    for segment in list_segments(db, session_id):
        if segment.speaker and segment.speaker not in seen:
            seen.append(segment.speaker)
    return seen


def _check_name(name: str) -> str:
    clean = " ".join(printable_name("speaker", name or "", max_chars=400).split())
    if not clean or len(clean) > 40:
        raise InputError("speaker", name, "a name or code of 1 to 40 characters")
    return clean



UNCERTAIN = 0.6
"""A separation below this confidence (or naming below :data:`UNCERTAIN_NAMING`) is shown
as uncertain."""
UNCERTAIN_NAMING = 0.25


def save_separation(db: sqlite_utils.Database, session_id: int, *, engine: str,
                    enrolled: bool, confidence: float, naming: float | None,
                    doubtful: Sequence[tuple[int, int]]) -> None:
    """How sure the session's separation was (one row per session, the latest pass)."""
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO speaker_separations (session_id, engine, enrolled,"
                   " confidence, naming, doubtful, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [session_id, engine, int(enrolled), confidence, naming,
                    json.dumps([list(d) for d in doubtful]), now_iso()])


def get_separation(db: sqlite_utils.Database, session_id: int) -> dict[str, Any] | None:
    """The stored separation of a mono session with ``uncertain`` (True when its speakers
    may be wrong) and ``doubtful`` spans as (start_ms, end_ms); None when there was none."""
    rows = list(db.query("SELECT * FROM speaker_separations WHERE session_id = ?",
                         [session_id]))
    if not rows:
        return None
    row = dict(rows[0])
    row["doubtful"] = [tuple(d) for d in json.loads(row["doubtful"] or "[]")]
    row["enrolled"] = bool(row["enrolled"])
    row["uncertain"] = bool(row["confidence"] < UNCERTAIN or (
        row["naming"] is not None and row["naming"] < UNCERTAIN_NAMING))
    return row
