"""Opening the study database: WAL, foreign keys, private file, forward migrations.

A sqlite-utils ``Database`` is bound to the thread that opened it (sqlite3's
``check_same_thread``): every thread that writes (the UI, the recorder's bookkeeping, a
transcription worker) opens its own with :func:`open_db`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError, InputError
from companion.files import ensure_private_file, make_private
from companion.store import identity
from companion.store.backup import backup_study
from companion.store.health import (
    DB_NAME,
    LOST_WAL_HINT,
    REPAIR_HINT,
    lost_wal_frames,
    store_problem,
    unavailable_reason,
)
from companion.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    # Imported where a database is opened: sqlite-utils (with numpy, which it loads when
    # installed) takes about 0.3 s, and the TUI paints its first frame before that.
    import sqlite_utils

__all__ = ["DB_NAME", "DamagedStoreError", "NewerDatabaseError", "StoreUnavailableError",
           "check_store", "checkpoint", "insert_row", "migrate", "now_iso", "open_db",
           "schema_version", "transaction"]


class NewerDatabaseError(InputError):
    """The database was written by a newer companion; we refuse to touch it."""


class DamagedStoreError(CompanionError):
    """The study database is damaged or emptied: named, never written to."""

    exit_code = 2


class StoreUnavailableError(CompanionError):
    """The database is sound but cannot be opened here and now (a full disk, read-only)."""

    exit_code = 2


# Paths (with inode) already checked by this process: a quick_check reads every page, so
# it runs once per process, not on every one of an operation's connections.
_CHECKED: set[tuple[str, int, int]] = set()


def check_store(path: Path) -> None:
    """Refuse a damaged or emptied database before anything opens it for writing."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return
    key = (str(path.resolve()), st.st_ino, st.st_dev)
    if key in _CHECKED and st.st_size > 0:
        return
    try:
        problem = store_problem(path)
    except sqlite3.OperationalError as exc:
        raise StoreUnavailableError(f"cannot open {path.name}: {unavailable_reason(path, exc)}"
                                    "; nothing was changed") from None
    if problem is not None:
        hint = LOST_WAL_HINT if lost_wal_frames(path) else REPAIR_HINT
        raise DamagedStoreError(f"{problem}; nothing was changed: {hint}")
    if st.st_size > 0:
        _CHECKED.add(key)


def now_iso() -> str:
    """Wall-clock time in UTC, ISO 8601 with milliseconds (for created_at columns)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def insert_row(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int:
    """Insert one row into a table keyed by an integer ``id``; return the new id."""
    new_id = db.table(table).insert(dict(row)).last_pk
    if not isinstance(new_id, int):  # a table without a rowid key: a schema mistake
        raise TypeError(f"{table} gave no integer id for a new row: {new_id!r}")
    return new_id


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise NewerDatabaseError(
            "database schema version",
            version,
            f"at most {SCHEMA_VERSION} (this version of companion)",
            hint="upgrade companion to open this study",
        )


def migrate(db: sqlite_utils.Database, *, upto: int = SCHEMA_VERSION) -> int:
    """Apply the migrations the database has not seen; return the new version."""
    current = schema_version(db)
    _refuse_newer(current)
    conn = db.conn
    # A migration may rebuild a table others point at (SQLite's way to change a CHECK):
    # foreign keys are off while it runs (the pragma is ignored inside a transaction) and
    # checked before each commit instead.
    enforced = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    if current < upto:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in range(current, upto):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(MIGRATIONS[version]):
                    conn.execute(statement)
                if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise sqlite3.IntegrityError(f"migration {version + 1} broke a reference")
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise
    finally:
        if enforced:
            conn.execute("PRAGMA foreign_keys = ON")
    return schema_version(db)


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit behind our back)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def open_db(
    path: Path, *, create: bool = False, upto: int = SCHEMA_VERSION
) -> sqlite_utils.Database:
    """Open (and migrate) the study database at ``path``.

    ``create`` allows making a new file; otherwise a missing file is an error, because a
    missing database means the wrong folder, not an empty study.
    """
    path = Path(path)
    if not path.exists():
        problem = store_problem(path)  # a study that had a database is not a new one
        if problem is not None:
            raise DamagedStoreError(f"{problem}; nothing was changed: {REPAIR_HINT}")
        if not create:
            raise CompanionError(f"no study database at {path}")
        ensure_private_file(path)
    if not os.access(path, os.R_OK):
        raise InputError("study", str(path.parent), "a study folder you can read and write",
                         hint="you have no permission to read its database")
    # SQLite in WAL mode writes beside the database (-wal, -shm), so the folder must be
    # writable too; say so plainly instead of failing later in the middle of a command.
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise InputError("study", str(path.parent), "a study folder you can write to",
                         hint="it is read-only: copy it or change its permissions")
    check_store(path)
    import sqlite_utils  # deferred: see the import block at the top

    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
    db = sqlite_utils.Database(conn)
    try:
        version = schema_version(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InputError("study database", str(path), "a companion study database",
                         hint=str(exc)) from None
    if version > SCHEMA_VERSION:
        conn.close()
        # Checked before any pragma: switching to WAL would already change the file.
        _refuse_newer(version)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    # NORMAL is durable across application crashes in WAL mode; only a power cut can lose
    # the last transactions, and the recorder keeps its own files for that.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 10000")
    if 0 < version < upto:
        # Before a migration: a backup of the database as this version left it.
        backup_study(path.parent)
    migrate(db, upto=upto)
    if version != schema_version(db) or identity.read_marker(path.parent) is None \
            or identity.database_id(conn) is None:
        identity.remember(path, conn)
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            make_private(side)
    return db


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy what the WAL holds into the database file, without waiting for readers.

    After each completed action: a ``-wal`` file lost afterwards (deleted, or left
    behind by a killed process and then removed) then holds nothing that is not in the
    database too. A checkpoint that cannot finish now (a reader on an older snapshot, a
    full disk) leaves the rest to the next one; the commit itself stands either way."""
    with contextlib.suppress(sqlite3.Error):
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """Run several writes as one: all land or none (the connection is in autocommit)."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
