"""Where every export was written, so a withdrawal can name the copies it cannot erase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from companion.store.db import now_iso


def record_export(db: sqlite_utils.Database, *, path: Path, study_root: Path, kind: str,
                  session_id: int | None = None, participant_id: int | None = None) -> None:
    """Remember one written file (absolute path; inside or outside the study folder)."""
    if "exports" not in db.table_names():
        return  # a database opened below this migration (tests of old versions)
    absolute = Path(path).resolve()
    root = Path(study_root).resolve()
    db.execute(
        "INSERT INTO exports (session_id, participant_id, kind, path, inside_study, written_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [session_id, participant_id, kind, str(absolute), int(root in absolute.parents),
         now_iso()])


def exports_of(db: sqlite_utils.Database, session_ids: list[int],
               participant_id: int | None) -> list[dict[str, Any]]:
    """Exports of these sessions (and study-wide reports, which hold everyone)."""
    marks = ",".join("?" * len(session_ids)) or "NULL"
    return list(db.query(
        f"SELECT * FROM exports WHERE session_id IN ({marks}) OR participant_id = ? "
        f"OR (session_id IS NULL AND participant_id IS NULL) ORDER BY id",
        [*session_ids, participant_id]))
