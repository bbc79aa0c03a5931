"""Where every export was written, so a withdrawal can name the copies it cannot erase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from companion.store.db import now_iso


def record_export(db: sqlite_utils.Database, *, path: Path, study_root: Path, kind: str,
                  session_id: int | None = None, participant_id: int | None = None) -> None:
    """Remember one written file: relative to the study folder when inside it (so a
    study folder that is moved still finds its exports), else absolute."""
    if "exports" not in db.table_names():
        return  # a database opened below this migration (tests of old versions)
    absolute = Path(path).resolve()
    root = Path(study_root).resolve()
    inside = root in absolute.parents
    stored = str(absolute.relative_to(root)) if inside else str(absolute)
    db.execute(
        "INSERT INTO exports (session_id, participant_id, kind, path, inside_study, written_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [session_id, participant_id, kind, stored, int(inside), now_iso()])


def where_now(stored: str, inside: bool, study_root: Path) -> Path:
    """Where a recorded path is today. Relative paths are inside the study folder. An
    absolute path recorded inside it by an older version names the folder where the study
    was then: if the folder has moved, the longest tail of that path that exists under
    the study folder now is taken (``exports/mine.txt`` of ``/old/study/exports/...``)."""
    root = Path(study_root).resolve()
    path = Path(stored)
    if not path.is_absolute():
        return root / path
    if not inside or root in path.parents or path.exists():
        return path
    parts = path.parts[1:]
    for start in range(len(parts)):
        candidate = root.joinpath(*parts[start:])
        if candidate.is_file():
            return candidate
    return path


def exports_of(db: sqlite_utils.Database, session_ids: list[int],
               participant_id: int | None) -> list[dict[str, Any]]:
    """Exports of these sessions (and study-wide reports, which hold everyone)."""
    marks = ",".join("?" * len(session_ids)) or "NULL"
    return list(db.query(
        f"SELECT * FROM exports WHERE session_id IN ({marks}) OR participant_id = ? "
        f"OR (session_id IS NULL AND participant_id IS NULL) ORDER BY id",
        [*session_ids, participant_id]))
