"""Live lines: what the live transcriber showed during the interview, and when.

Each line keeps the session time of its words (``start_ms``/``end_ms``) and the session
time at which it appeared on screen (``shown_at_ms``), so the lag is on record. Once the
full transcription is done the lines are dropped (the transcript is the record), after the
pinned quotes have moved onto its words (:mod:`companion.live.final`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.store.db import insert_row, transaction


@dataclass(frozen=True)
class LiveSegment:
    id: int
    session_id: int
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    shown_at_ms: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["session_id"]
        return data


def add_live_segment(
    db: sqlite_utils.Database, session_id: int, *, start_ms: int, end_ms: int, text: str,
    speaker: str | None, shown_at_ms: int,
) -> LiveSegment:
    with transaction(db):
        row_id = insert_row(db, "live_segments", {
            "session_id": session_id, "start_ms": max(0, int(start_ms)),
            "end_ms": max(int(start_ms), int(end_ms)), "text": text.strip(),
            "speaker": speaker, "shown_at_ms": int(shown_at_ms),
        })
    return get_live_segment(db, row_id)


def get_live_segment(db: sqlite_utils.Database, segment_id: int) -> LiveSegment:
    row = db.table("live_segments").get(segment_id)
    return LiveSegment(**row)


def list_live_segments(db: sqlite_utils.Database, session_id: int) -> list[LiveSegment]:
    rows = db.query("SELECT * FROM live_segments WHERE session_id = ? ORDER BY start_ms, id",
                    [session_id])
    return [LiveSegment(**row) for row in rows]


def delete_live_segments(db: sqlite_utils.Database, session_id: int) -> None:
    """Drop a session's live lines (the full transcript has replaced them)."""
    db.execute("DELETE FROM live_segments WHERE session_id = ?", [session_id])
