"""Words the transcription's hallucination guard left out, kept for review and the audit.

The guard itself (which words, and why) is :mod:`companion.transcribe.guard`; this module
only stores its verdicts, on the session's timeline, beside the transcript they belong to.
A transcript thrown away (:func:`companion.store.transcripts.delete_transcript`) takes its
dropped words with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Dropped:
    word: str
    start_ms: int  # on the file's timeline until stored, then the session's
    end_ms: int
    probability: float | None
    reason: str  # silence | tag | loop


def store_dropped(db: sqlite_utils.Database, session_id: int,
                  dropped: Iterable[Dropped]) -> int:
    """Record dropped words (session-timeline times); a rerun of a chunk writes no
    duplicates. Call inside the chunk's transaction."""
    rows = [[session_id, d.start_ms, d.end_ms, d.word.strip(), d.probability, d.reason]
            for d in dropped]
    for row in rows:
        db.execute("INSERT OR IGNORE INTO transcript_dropped (session_id, start_ms, end_ms, "
                   "word, probability, reason) VALUES (?, ?, ?, ?, ?, ?)", row)
    return len(rows)


def list_dropped(db: sqlite_utils.Database, session_id: int) -> list[Dropped]:
    """What the guard dropped from a session's transcript, in time order."""
    return [Dropped(r["word"], r["start_ms"], r["end_ms"], r["probability"], r["reason"])
            for r in db.query("SELECT * FROM transcript_dropped WHERE session_id = ? "
                              "ORDER BY start_ms", [session_id])]


def forget_dropped(db: sqlite_utils.Database, session_id: int) -> None:
    db.execute("DELETE FROM transcript_dropped WHERE session_id = ?", [session_id])
