"""Recording segments: the audio files of a session and where each sits on its timeline.

A session's audio is one or more *segments* (pause/resume, a reconnected microphone, an
imported file). ``offset_ms`` places a segment on the session timeline, so a note stamped
at 00:41:07 points at the same instant whatever the segment layout. Paths are stored
relative to the study folder so a study can be moved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso, transaction

SEGMENT_STATUSES = ("recording", "closed", "recovered", "imported")


@dataclass(frozen=True)
class Segment:
    id: int
    session_id: int
    seq: int
    path: str
    format: str
    samplerate: int
    channels: int
    offset_ms: int
    frames: int
    device: str | None
    status: str
    end_reason: str | None
    original_path: str | None
    started_at: str
    ended_at: str | None

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.samplerate if self.samplerate else 0

    @property
    def end_ms(self) -> int:
        """Where the segment ends on the session timeline."""
        return self.offset_ms + self.duration_ms

    def abspath(self, study_root: Path) -> Path:
        return Path(study_root) / self.path

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _from_row(row: dict[str, Any]) -> Segment:
    return Segment(**row)


def get_segment(db: sqlite_utils.Database, segment_id: int) -> Segment:
    rows = list(db.query("SELECT * FROM recording_segments WHERE id = ?", [segment_id]))
    if not rows:
        raise LookupError(f"no recording segment {segment_id}")
    return _from_row(rows[0])


def list_segments(db: sqlite_utils.Database, session_id: int) -> list[Segment]:
    rows = db.query(
        "SELECT * FROM recording_segments WHERE session_id = ? ORDER BY seq", [session_id]
    )
    return [_from_row(row) for row in rows]


def open_segments(db: sqlite_utils.Database, session_id: int | None = None) -> list[Segment]:
    """Segments still marked ``recording`` (a live recorder, or one that died)."""
    sql = "SELECT * FROM recording_segments WHERE status = 'recording'"
    params: list[Any] = []
    if session_id is not None:
        sql += " AND session_id = ?"
        params.append(session_id)
    return [_from_row(row) for row in db.query(sql + " ORDER BY session_id, seq", params)]


def next_seq(db: sqlite_utils.Database, session_id: int) -> int:
    row = db.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM recording_segments WHERE session_id = ?", [session_id]
    ).fetchone()
    return int(row[0]) + 1


def session_end_ms(db: sqlite_utils.Database, session_id: int) -> int:
    """The end of the session timeline: the latest end of any segment (0 if none)."""
    return max((seg.end_ms for seg in list_segments(db, session_id)), default=0)


def add_segment(
    db: sqlite_utils.Database,
    session_id: int,
    *,
    path: str,
    fmt: str,
    samplerate: int,
    channels: int,
    offset_ms: int,
    device: str | None,
    seq: int | None = None,
    status: str = "recording",
    frames: int = 0,
    original_path: str | None = None,
    end_reason: str | None = None,
    audited: bool = True,
) -> Segment:
    """Add a recording file to a session. ``audited=False`` for the recorder's own
    bookkeeping: its segment rows are their record, and the user's action (start, pause,
    resume, stop) has its one audit entry elsewhere."""
    with transaction(db):
        if seq is None:
            seq = next_seq(db, session_id)
        row = {
            "session_id": session_id,
            "seq": seq,
            "path": path,
            "format": fmt,
            "samplerate": samplerate,
            "channels": channels,
            "offset_ms": offset_ms,
            "frames": frames,
            "device": device,
            "status": status,
            "end_reason": end_reason,
            "original_path": original_path,
            "started_at": now_iso(),
            "ended_at": now_iso() if status != "recording" else None,
        }
        segment_id = insert_row(db, "recording_segments", row)
        if audited:
            log_change(db, entity="recording_segment", entity_id=segment_id,
                       session_id=session_id, action="create", after=row)
    return get_segment(db, segment_id)


def update_frames(db: sqlite_utils.Database, segment_id: int, frames: int) -> None:
    """Bookkeeping while recording (not audited: it is progress, not a change of content)."""
    db.execute("UPDATE recording_segments SET frames = ? WHERE id = ?", [frames, segment_id])


def close_segment(
    db: sqlite_utils.Database,
    segment_id: int,
    *,
    frames: int,
    end_reason: str,
    status: str = "closed",
    audited: bool = True,
) -> Segment:
    """Close a segment (``audited`` as in :func:`add_segment`)."""
    if status not in SEGMENT_STATUSES:
        raise ValueError(f"unknown segment status {status!r}")
    before = get_segment(db, segment_id)
    with transaction(db):
        db.table("recording_segments").update(
            segment_id,
            {"frames": frames, "status": status, "end_reason": end_reason,
             "ended_at": now_iso()},
        )
        if audited:
            log_change(db, entity="recording_segment", entity_id=segment_id,
                       session_id=before.session_id, action="close",
                       before={"status": before.status, "frames": before.frames},
                       after={"status": status, "frames": frames, "end_reason": end_reason})
    return get_segment(db, segment_id)


def delete_segment(db: sqlite_utils.Database, segment_id: int, *, reason: str) -> None:
    """Remove a segment that holds no audio (e.g. a recorder killed before its first write)."""
    before = get_segment(db, segment_id)
    with transaction(db):
        db.execute("DELETE FROM recording_segments WHERE id = ?", [segment_id])
        log_change(db, entity="recording_segment", entity_id=segment_id,
                   session_id=before.session_id, action="delete", before=before.to_dict(),
                   after={"reason": reason})
