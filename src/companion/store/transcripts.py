"""Transcripts in the study database: segments, pauses, progress, and the merged timeline.

A transcript is written one decoding chunk at a time (see
:mod:`companion.transcribe.chunks`): a chunk's segments, their full-text rows, its pauses
and the new resume point (``transcripts.done_ms``, the chunk's end) in one transaction, so
an interrupted run loses at most the chunk being decoded and a rerun continues with the
next chunk. All times are session-timeline milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError, NotFoundError
from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso, transaction
from companion.store.events import phase_at
from companion.store.search import index_text, unindex

TRANSCRIPT_STATUSES = ("running", "cancelled", "done", "failed")


@dataclass(frozen=True)
class Word:
    word: str
    start_ms: int
    end_ms: int
    probability: float | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Segment:
    id: int
    session_id: int
    recording_segment_id: int | None
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    avg_logprob: float | None
    words: tuple[Word, ...]
    phase_id: str | None
    version: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["words"] = [asdict(w) for w in self.words]
        return data


@dataclass(frozen=True)
class NewSegment:
    """A segment about to be stored (no id yet)."""

    recording_segment_id: int | None
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    avg_logprob: float | None
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Pause:
    start_ms: int
    end_ms: int
    within_segment: bool

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


def _segment_from_row(row: dict[str, Any]) -> Segment:
    row = dict(row)
    row["words"] = tuple(Word(**w) for w in json.loads(row["words"] or "[]"))
    return Segment(**row)


def _words_json(words: Iterable[Word]) -> str:
    return json.dumps([asdict(w) for w in words], ensure_ascii=False)


# --- the transcript row (status and resume point) ---------------------------------------

def get_transcript(db: sqlite_utils.Database, session_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM transcripts WHERE session_id = ?", [session_id]))
    return dict(rows[0]) if rows else None


def begin_transcript(
    db: sqlite_utils.Database, session_id: int, *, model: str, language: str | None,
    total_ms: int,
) -> dict[str, Any]:
    """Mark the transcript running (creating it, or resuming it where it stopped)."""
    with transaction(db):
        existing = get_transcript(db, session_id)
        if existing is None:
            db.table("transcripts").insert({
                "session_id": session_id, "status": "running", "model": model,
                "language": language, "done_ms": 0, "total_ms": total_ms,
                "started_at": now_iso(), "finished_at": None,
            })
            action = "start"
        else:
            db.table("transcripts").update(session_id, {
                "status": "running", "model": model,
                "language": language or existing["language"], "total_ms": total_ms,
                "finished_at": None,
            })
            action = "resume"
        log_change(db, entity="transcript", entity_id=session_id, session_id=session_id,
                   action=action, after={"model": model, "language": language,
                                         "done_ms": existing["done_ms"] if existing else 0})
    transcript = get_transcript(db, session_id)
    assert transcript is not None
    return transcript


def finish_transcript(
    db: sqlite_utils.Database, session_id: int, status: str, *, done_ms: int | None = None,
    language: str | None = None,
) -> None:
    """Set the final status of a run: done, cancelled (resumable) or failed (resumable)."""
    if status not in TRANSCRIPT_STATUSES:
        raise InputError("status", status, "one of " + ", ".join(TRANSCRIPT_STATUSES))
    changes: dict[str, Any] = {"status": status, "finished_at": now_iso()}
    if done_ms is not None:
        changes["done_ms"] = done_ms
    if language:
        changes["language"] = language
    with transaction(db):
        db.table("transcripts").update(session_id, changes)
        log_change(db, entity="transcript", entity_id=session_id, session_id=session_id,
                   action=status, after=changes)


def set_language(db: sqlite_utils.Database, session_id: int, language: str) -> None:
    """Record the language detected at the start of a run, before anything is committed:
    a resumed run decodes the rest in that language, as an uninterrupted run would."""
    db.execute("UPDATE transcripts SET language = ? WHERE session_id = ?",
               [language, session_id])


def set_done_ms(db: sqlite_utils.Database, session_id: int, done_ms: int) -> None:
    """Move the resume point forward (never back)."""
    db.execute("UPDATE transcripts SET done_ms = MAX(done_ms, ?) WHERE session_id = ?",
               [done_ms, session_id])


def delete_transcript(db: sqlite_utils.Database, session_id: int) -> int:
    """Remove a session's transcript (segments, pauses, dropped words, index rows); returns
    segments removed."""
    with transaction(db):
        ids = [r["id"] for r in db.query(
            "SELECT id FROM transcript_segments WHERE session_id = ?", [session_id])]
        for segment_id in ids:
            unindex(db, kind="segment", ref_id=segment_id)
        db.execute("DELETE FROM transcript_segments WHERE session_id = ?", [session_id])
        db.execute("DELETE FROM pauses WHERE session_id = ?", [session_id])
        db.execute("DELETE FROM transcript_dropped WHERE session_id = ?", [session_id])
        db.execute("DELETE FROM transcripts WHERE session_id = ?", [session_id])
        log_change(db, entity="transcript", entity_id=session_id, session_id=session_id,
                   action="delete", before={"segments": len(ids)})
    return len(ids)


# --- segments and pauses ----------------------------------------------------------------

def commit_segments(
    db: sqlite_utils.Database, session_id: int, segments: Iterable[NewSegment],
    pauses: Iterable[Pause], *, done_ms: int,
) -> list[int]:
    """Store segments with their phase, index rows and pauses, and move the resume point:
    all in one transaction. Returns the new segment ids."""
    ids: list[int] = []
    with transaction(db):
        for seg in segments:
            row = {
                "session_id": session_id, "recording_segment_id": seg.recording_segment_id,
                "start_ms": seg.start_ms, "end_ms": seg.end_ms, "text": seg.text,
                "speaker": seg.speaker, "avg_logprob": seg.avg_logprob,
                "words": _words_json(seg.words),
                "phase_id": phase_at(db, session_id, seg.start_ms), "version": 1,
            }
            segment_id = insert_row(db, "transcript_segments", row)
            index_text(db, kind="segment", ref_id=segment_id, session_id=session_id,
                       at_ms=seg.start_ms, text=seg.text)
            ids.append(segment_id)
        for pause in pauses:
            db.execute(
                "INSERT OR IGNORE INTO pauses (session_id, start_ms, end_ms, within_segment) "
                "VALUES (?, ?, ?, ?)",
                [session_id, pause.start_ms, pause.end_ms, int(pause.within_segment)])
        set_done_ms(db, session_id, done_ms)
    return ids


def list_segments(db: sqlite_utils.Database, session_id: int) -> list[Segment]:
    rows = db.query("SELECT * FROM transcript_segments WHERE session_id = ? "
                    "ORDER BY start_ms, id", [session_id])
    return [_segment_from_row(row) for row in rows]


def get_segment(db: sqlite_utils.Database, segment_id: int) -> Segment:
    rows = list(db.query("SELECT * FROM transcript_segments WHERE id = ?", [segment_id]))
    if not rows:
        raise NotFoundError("segment", segment_id, "an existing transcript segment id")
    return _segment_from_row(rows[0])


def last_segment(db: sqlite_utils.Database, session_id: int) -> Segment | None:
    rows = list(db.query("SELECT * FROM transcript_segments WHERE session_id = ? "
                         "ORDER BY end_ms DESC, id DESC LIMIT 1", [session_id]))
    return _segment_from_row(rows[0]) if rows else None


def count_segments(db: sqlite_utils.Database, session_id: int) -> int:
    return int(db.execute("SELECT COUNT(*) FROM transcript_segments WHERE session_id = ?",
                          [session_id]).fetchone()[0])


def count_pauses(db: sqlite_utils.Database, session_id: int) -> int:
    return int(db.execute("SELECT COUNT(*) FROM pauses WHERE session_id = ?",
                          [session_id]).fetchone()[0])


def list_pauses(db: sqlite_utils.Database, session_id: int) -> list[Pause]:
    rows = db.query("SELECT start_ms, end_ms, within_segment FROM pauses "
                    "WHERE session_id = ? ORDER BY start_ms", [session_id])
    return [Pause(r["start_ms"], r["end_ms"], bool(r["within_segment"])) for r in rows]


def segment_at(db: sqlite_utils.Database, session_id: int, at_ms: int) -> Segment | None:
    """The segment a moment belongs to: the one spoken at ``at_ms``, else the last one
    before it (a note written during a silence belongs to what was just said), else the
    first one."""
    rows = list(db.query(
        "SELECT * FROM transcript_segments WHERE session_id = ? AND start_ms <= ? "
        "ORDER BY (end_ms >= ?) DESC, start_ms DESC, id DESC LIMIT 1",
        [session_id, at_ms, at_ms]))
    if not rows:
        rows = list(db.query("SELECT * FROM transcript_segments WHERE session_id = ? "
                             "ORDER BY start_ms, id LIMIT 1", [session_id]))
    return _segment_from_row(rows[0]) if rows else None


def set_speaker(db: sqlite_utils.Database, segment_id: int, speaker: str | None) -> Segment:
    """Set who spoke a segment (review); the earlier value stays in the audit log."""
    before = get_segment(db, segment_id)
    with transaction(db):
        db.table("transcript_segments").update(
            segment_id, {"speaker": speaker, "version": before.version + 1})
        log_change(db, entity="transcript_segment", entity_id=segment_id,
                   session_id=before.session_id, action="speaker",
                   before={"speaker": before.speaker}, after={"speaker": speaker})
    return get_segment(db, segment_id)


def refresh_phases(db: sqlite_utils.Database, session_id: int) -> int:
    """Recompute each segment's phase from the phase events (after a phase was added or
    moved); returns how many segments changed."""
    changed = 0
    with transaction(db):
        for row in db.query("SELECT id, start_ms, phase_id FROM transcript_segments "
                            "WHERE session_id = ?", [session_id]):
            phase = phase_at(db, session_id, row["start_ms"])
            if phase != row["phase_id"]:
                db.execute("UPDATE transcript_segments SET phase_id = ? WHERE id = ?",
                           [phase, row["id"]])
                changed += 1
    return changed


def sessions_needing_transcript(db: sqlite_utils.Database) -> list[int]:
    """Sessions that have audio and no finished transcript (unfinished ones resume)."""
    rows = db.query(
        "SELECT DISTINCT r.session_id FROM recording_segments r "
        "JOIN sessions s ON s.id = r.session_id "
        "LEFT JOIN transcripts t ON t.session_id = r.session_id "
        "WHERE (t.status IS NULL OR t.status != 'done') AND s.status != 'live' "
        "ORDER BY r.session_id")
    return [int(row["session_id"]) for row in rows]
