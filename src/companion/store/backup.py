"""Automatic backups of the study database, and restoring the newest sound one.

A backup is taken with SQLite's online backup API (a consistent copy while the study is
open) when a session ends, into ``.backups/`` in the study folder (0700, files 0600). Only
the newest :data:`KEEP` are kept: they hold the same participant data as the database, so
withdrawal erases them and takes a fresh one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Protocol

from companion.files import atomic_path, make_private_dir
from companion.store import identity
from companion.store.health import DB_NAME, store_problem


class StudyFolder(Protocol):
    """What restoring needs of a study: its folder (the store never imports the study)."""

    @property
    def root(self) -> Path: ...


BACKUP_DIR = ".backups"
KEEP = 3


def backup_dir(study_root: Path) -> Path:
    return Path(study_root) / BACKUP_DIR


def list_backups(study_root: Path) -> list[Path]:
    """Backups, newest first (names sort by their UTC time stamp)."""
    folder = backup_dir(study_root)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("companion-*.db"), reverse=True)


def backup_study(study_root: Path) -> Path | None:
    """Copy the study database into the rotation; None when it is damaged (a damaged copy
    must not push a sound one out of the rotation) or missing."""
    root = Path(study_root)
    source = root / DB_NAME
    if not source.is_file() or source.stat().st_size == 0 or store_problem(source):
        return None
    folder = make_private_dir(backup_dir(root))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"companion-{stamp}.db"
    with atomic_path(target, replace=False, named=True) as tmp:
        src = sqlite3.connect(str(source), timeout=10.0)
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            # A backup is one self-contained file, not a WAL pair.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
            src.close()
    for old in list_backups(root)[KEEP:]:
        old.unlink(missing_ok=True)
    identity.refresh(source)
    return target


def remove_backups(study_root: Path) -> list[Path]:
    """Erase every backup (withdrawal: they still hold the withdrawn participant)."""
    gone = []
    for path in list_backups(study_root):
        path.unlink(missing_ok=True)
        gone.append(path)
    return gone


def restore_newest(study: StudyFolder) -> str | None:
    """Replace a damaged ``companion.db`` with the newest sound backup.

    The damaged file (and its WAL and SHM, which must not be replayed onto the backup) is
    kept beside it as ``companion.db.damaged-<time>``. Returns what was done, or None when
    no sound backup exists.
    """
    root = Path(study.root)
    marker = identity.read_marker(root)
    for candidate in list_backups(root):
        if (candidate.stat().st_size > 0 and store_problem(candidate) is None
                and _same_study(candidate, marker)):
            break
    else:
        return None
    db_path = root / DB_NAME
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = db_path.with_name(f"{DB_NAME}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(db_path) + suffix)
        if side.exists():
            os.replace(side, Path(str(kept) + suffix))
    with atomic_path(db_path, replace=False) as tmp:
        tmp.write_bytes(candidate.read_bytes())
    when = candidate.stem.removeprefix("companion-")
    return (f"restored from the backup of {when[:8]} {when[9:11]}:{when[11:13]} UTC; "
            f"changes made after it are lost; the damaged file is kept as {kept.name}")


def _same_study(candidate: Path, marker: identity.Marker | None) -> bool:
    """A backup of this study (or of one made before studies had ids), never another's
    copied into .backups/."""
    if marker is None:
        return True
    conn = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    try:
        found = identity.database_id(conn)
    finally:
        conn.close()
    return found is None or found == marker.study_id


def backup_quietly(study_root: Path) -> Path | None:
    """Take a backup at a session's end; a failure (full disk) never stops that end."""
    try:
        return backup_study(study_root)
    except (OSError, sqlite3.Error):
        return None
