"""A study knows it exists: its identity file, and the id its database carries.

``.companion-study`` in the study folder (JSON, 0600) holds the study's id and what its
database last looked like (size, schema version). The database holds the same id (the
``settings`` row ``study.id``). Together they tell a database that was lost, emptied or
swapped for another study's from a new study: without them an emptied ``companion.db``
simply became an empty study. The file is written when the study is made (or first
opened by a version that knows it), after a backup and after a migration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from companion.files import STUDY_MARKER, atomic_write

MARKER = STUDY_MARKER
ID_KEY = "study.id"


@dataclass(frozen=True)
class Marker:
    """What the identity file says about its study."""

    study_id: str
    db_bytes: int
    schema: int


def marker_path(study_root: Path) -> Path:
    return Path(study_root) / MARKER


def read_marker(study_root: Path) -> Marker | None:
    """The identity file of the study at ``study_root``; None when there is none (or it is
    not one companion wrote: then the database's own id is taken again)."""
    try:
        data = json.loads(marker_path(study_root).read_text(encoding="utf-8"))
        database = data.get("database") or {}
        return Marker(str(data["study"]), int(database.get("bytes") or 0),
                      int(database.get("schema") or 0))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_marker(study_root: Path, marker: Marker) -> None:
    data = {"study": marker.study_id,
            "database": {"bytes": marker.db_bytes, "schema": marker.schema,
                         "seen": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
            "about": "companion's study identity: keep it with the study folder"}
    atomic_write(marker_path(study_root), json.dumps(data, indent=2) + "\n")


def database_id(conn: sqlite3.Connection) -> str | None:
    """The study id a database carries, or None (made before ids, or not a study)."""
    with contextlib.suppress(sqlite3.Error):
        row = conn.execute("SELECT value FROM settings WHERE key = ?", [ID_KEY]).fetchone()
        return str(row[0]) if row else None
    return None


def remember(db_path: Path, conn: sqlite3.Connection) -> Marker | None:
    """Give the database an id if it has none and write the identity file from it; the
    study's id is the database's. Called on an opened, migrated database; None when it
    cannot be written now (a read-only folder: the next command tries again)."""
    root = Path(db_path).parent
    study_id = database_id(conn)
    try:
        if study_id is None:
            known = read_marker(root)
            study_id = known.study_id if known is not None else uuid.uuid4().hex
            conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                         [ID_KEY, study_id])
            study_id = database_id(conn) or study_id
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        marker = Marker(study_id, Path(db_path).stat().st_size, schema)
        write_marker(root, marker)
    except (OSError, sqlite3.Error):
        return None
    return marker


def refresh(db_path: Path) -> None:
    """After a backup or a migration: the identity file notes the database's size and
    schema now (what ``doctor`` says the study had, should the database go missing)."""
    known = read_marker(Path(db_path).parent)
    if known is None:
        return
    with contextlib.suppress(OSError, sqlite3.Error):
        conn = sqlite3.connect(str(db_path), timeout=10.0)
        try:
            schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
        write_marker(Path(db_path).parent,
                     Marker(known.study_id, Path(db_path).stat().st_size, schema))
