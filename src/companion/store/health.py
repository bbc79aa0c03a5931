"""Is the study database sound? Checked before anything opens it for writing.

One line says what is wrong: a damaged file, a file that is not a companion database, an
emptied or missing database of a study that had one, another study's database, or a WAL
removed while it held changes. The study's identity file (:mod:`companion.store.identity`)
is what tells a lost database from a new study.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
from pathlib import Path

# DB_NAME lives with the study's file names; the store's modules take it from here.
from companion.files import DB_NAME as DB_NAME
from companion.store.identity import database_id, read_marker

SQLITE_HEADER = b"SQLite format 3\x00"
REPAIR_HINT = "run 'companion doctor --repair' to restore the newest automatic backup"
LOST_WAL_HINT = ("run 'companion doctor --repair' to go on with the database as it was "
                 "at its last checkpoint")


def has_audio(study_root: Path) -> bool:
    recordings = Path(study_root) / "recordings"
    return recordings.is_dir() and any(p.is_file() for p in recordings.rglob("*"))


def _had_backups(study_root: Path) -> bool:
    return any((Path(study_root) / ".backups").glob("companion-*.db"))


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024))} kB"


def lost_wal_frames(path: Path) -> int:
    """Changes (WAL frames) lost with a removed ``-wal`` file: read from the ``-shm``
    index a killed or still-running process left behind, before any connection rebuilds
    it. 0 when nothing is known to be lost."""
    shm = Path(f"{path}-shm")
    wal = Path(f"{path}-wal")
    if not shm.is_file() or (wal.is_file() and wal.stat().st_size > 0):
        return 0
    try:
        with shm.open("rb") as handle:
            head = handle.read(136)
    except OSError:
        return 0
    if len(head) < 100 or not head[12]:  # isInit: SQLite's own index, filled in
        return 0
    # The index header (twice, 48 bytes each), then the checkpoint info: mxFrame is the
    # last frame in the WAL, nBackfill the last one copied into the database.
    frames: int = struct.unpack_from("=I", head, 16)[0]
    copied: int = struct.unpack_from("=I", head, 96)[0]
    return max(0, frames - copied)


def store_problem(path: Path) -> str | None:
    """What is wrong with the database at ``path`` (one line), or None if it looks sound.

    Checks the header, that a non-empty file is a companion database of this study, and
    SQLite's ``quick_check``. A missing or empty file is a new study only in a folder that
    never had a database: the study's identity file, its backups or audio in recordings/
    say it had one, and taking it for a new study would orphan the interviews.
    """
    path = Path(path)
    name = path.name
    root = path.parent
    marker = read_marker(root)
    try:
        if not path.exists():
            if marker is not None:
                return (f"{name} is missing from this study (it held "
                        f"{_kb(marker.db_bytes)})")
            if _had_backups(root):
                return f"{name} is missing although .backups/ holds this study's backups"
            if has_audio(root):
                return f"{name} is missing although recordings/ holds audio"
            return None
        size = path.stat().st_size
        if size == 0:
            if marker is not None:
                return (f"{name} is empty although this study's database held "
                        f"{_kb(marker.db_bytes)} (the database was lost)")
            if has_audio(root):
                return f"{name} is empty although recordings/ holds audio (the database " \
                    "was lost)"
            if _had_backups(root):
                return f"{name} is empty although .backups/ holds this study's backups " \
                    "(the database was lost)"
            return None
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return f"{name} is damaged: it does not start with an SQLite header"
    except OSError as exc:
        return f"{name} cannot be read: {exc.strerror or exc}"
    lost = lost_wal_frames(path)
    if lost:
        return (f"{name}-wal was removed while it held {lost} change(s) not yet in "
                f"{name}: they are lost")
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables:
            return f"{name} is not a companion database (it has tables but no schema version)"
        if marker is not None:
            found = database_id(conn)
            if found is not None and found != marker.study_id:
                return (f"{name} belongs to another study (id {found[:8]}…, this study is "
                        f"{marker.study_id[:8]}…)")
            if version < marker.schema or (version == 0 and marker.schema):
                return (f"{name} is not this study's database (schema {version}; this "
                        f"study's was at {marker.schema})")
        result = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
        if result != ["ok"]:
            # SQLite's report can span lines ("*** in database main ***\nPage 23: ..."):
            # the error stays one line.
            return f"{name} is damaged (quick_check: {' '.join(result[0].split())})"
    except sqlite3.OperationalError:
        raise  # the machine (a full disk, a read-only folder), not the file: see check_store
    except sqlite3.DatabaseError as exc:
        return f"{name} is damaged ({exc})"
    finally:
        conn.close()
    return None


def unavailable_reason(path: Path, exc: BaseException) -> str:
    """Why a sound database cannot be opened, in words (not "disk I/O error")."""
    import shutil

    with contextlib.suppress(OSError):
        if shutil.disk_usage(Path(path).parent).free < 256 * 1024:
            return "the disk is full: free some space and try again"
    if not os.access(Path(path).parent, os.W_OK) or "readonly" in str(exc):
        return "its folder is read-only"
    return str(exc)
