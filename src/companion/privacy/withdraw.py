"""Withdrawal: erase every trace of a participant from a study.

Rows in every table that belongs to their sessions, their full-text index entries, audio,
transcripts and exports inside the study folder. The audit log keeps one tombstone (a
salted fingerprint of the code, the date, what was erased) and no content.
``secure_delete`` overwrites freed pages and a ``VACUUM`` rewrites the file, so no erased
text survives in the database, its WAL or a journal.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.store.audit import log_change
from companion.store.participants import get_participant
from companion.store.settings import get_setting, set_setting
from companion.study.folder import Study


@dataclass
class ErasureReceipt:
    code: str
    sessions: list[int]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"Erased participant {self.code}: sessions {self.sessions or 'none'}"]
        out += [f"  {table}: {count} rows" for table, count in sorted(self.rows.items()) if count]
        out += [f"  file: {name}" for name in self.files]
        return out


def code_fingerprint(db: sqlite_utils.Database, code: str) -> str:
    """A salted hash of a pseudonym code for the tombstone.

    The tombstone must prove that a withdrawal happened without keeping the code itself in
    the file; anyone who knows the code can still check it against the fingerprint.
    """
    salt = get_setting(db, "privacy.salt")
    if salt is None:
        salt = secrets.token_hex(16)
        set_setting(db, "privacy.salt", salt)
    return hashlib.sha256(f"{salt}:{code.upper()}".encode()).hexdigest()


def _session_tables(db: sqlite_utils.Database) -> list[str]:
    """Every table (present now or added by a later migration) keyed by session_id."""
    tables = []
    for name in db.table_names():
        if name.startswith("search_index") or name in ("sessions", "audit_log"):
            continue
        if "session_id" in db[name].columns_dict:
            tables.append(name)
    # transcript segments point at recording segments: erase them first (foreign keys)
    return sorted(tables, key=lambda name: name == "recording_segments")


def _mentions(path: Path, needles: list[bytes]) -> bool:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return any(
                    any(n in archive.read(info) for n in needles) for info in archive.infolist()
                )
        data = path.read_bytes()
    except OSError:
        return False
    return any(n in data for n in needles)


def withdraw(study: Study, db: sqlite_utils.Database, code: str) -> ErasureReceipt:
    participant = get_participant(db, code)
    session_ids = [r["id"] for r in db.query(
        "SELECT id FROM sessions WHERE participant_id = ?", [participant.id])]
    receipt = ErasureReceipt(code=participant.code, sessions=session_ids)
    marks = ",".join("?" * len(session_ids)) or "NULL"

    # Files first: the database rows tell us where they are.
    root = study.root.resolve()
    doomed: set[Path] = set()
    if "recording_segments" in db.table_names():
        for row in db.query(f"SELECT path, original_path FROM recording_segments "
                            f"WHERE session_id IN ({marks})", session_ids):
            for rel in (row["path"], row["original_path"]):
                if rel:
                    doomed.add((root / rel).resolve())
    participant_audio = study.recordings_dir / participant.code
    needles = [participant.code.encode()] + [
        f"session {sid}".encode() for sid in session_ids]
    exports = [p for p in study.exports_dir.rglob("*") if p.is_file()] if (
        study.exports_dir.exists()) else []
    for path in exports:
        if participant.code in path.name or _mentions(path, needles[:1]):
            doomed.add(path.resolve())

    db.execute("PRAGMA secure_delete = ON")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        for table in _session_tables(db):
            cursor = db.execute(f"DELETE FROM [{table}] WHERE session_id IN ({marks})",
                                session_ids)
            receipt.rows[table] = cursor.rowcount
        cursor = db.execute(f"DELETE FROM search_index WHERE session_id IN ({marks})",
                            session_ids)
        receipt.rows["search_index"] = cursor.rowcount
        cursor = db.execute(
            f"DELETE FROM audit_log WHERE session_id IN ({marks}) "
            f"OR (entity = 'participant' AND entity_id = ?)", [*session_ids, participant.id])
        receipt.rows["audit_log"] = cursor.rowcount
        receipt.rows["sessions"] = db.execute(
            f"DELETE FROM sessions WHERE id IN ({marks})", session_ids).rowcount
        receipt.rows["participants"] = db.execute(
            "DELETE FROM participants WHERE id = ?", [participant.id]).rowcount
        log_change(db, entity="participant", entity_id=None, action="withdrawn",
                   after={"code_hash": code_fingerprint(db, participant.code),
                          "sessions": session_ids,
                          "erased": sorted(k for k, v in receipt.rows.items() if v)})
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    # Merge the full-text index so deleted tokens do not linger in old index segments.
    db.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")

    for path in sorted(doomed):
        if path.is_file() and root in path.parents:
            path.unlink()
            receipt.files.append(str(path.relative_to(root)))
    if participant_audio.exists():
        for path in sorted(p for p in participant_audio.rglob("*") if p.is_file()):
            receipt.files.append(str(path.resolve().relative_to(root)))
        shutil.rmtree(participant_audio)

    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return receipt


def tombstones(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.query("SELECT at, after FROM audit_log WHERE action = 'withdrawn' ORDER BY id")
    return [{"at": r["at"], **json.loads(r["after"])} for r in rows]
