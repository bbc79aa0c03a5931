"""The store: schema versions, forward migration, privacy of files, append-only audit."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from companion.store.db import NewerDatabaseError, open_db, schema_version
from companion.store.schema import SCHEMA_VERSION


def test_a_first_version_database_is_migrated_forward_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "companion.db"
    old = open_db(path, create=True, upto=1)
    assert schema_version(old) == 1
    old["participants"].insert({"code": "P01", "created_at": "2026-01-01T00:00:00"})
    old.conn.close()

    db = open_db(path)
    assert schema_version(db) == SCHEMA_VERSION > 1
    # Data written by version 1 survive, and the later tables are usable.
    assert [r["code"] for r in db.query("SELECT code FROM participants")] == ["P01"]
    assert "recording_segments" in db.table_names()
    assert "transcript_segments" in db.table_names()


def test_database_is_wal_with_foreign_keys_and_private(tmp_path: Path) -> None:
    db = open_db(tmp_path / "companion.db", create=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO sessions (participant_id, protocol_id, protocol_hash, created_at)"
                    " VALUES (999, 'x', 'h', 'now')")
    assert os.stat(tmp_path / "companion.db").st_mode & 0o777 == 0o600


def test_a_database_from_a_newer_companion_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "companion.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError) as info:
        open_db(path)
    assert "upgrade companion" in str(info.value)
    assert path.read_bytes() == before


def test_audit_log_rows_cannot_be_changed(db) -> None:
    db.execute("INSERT INTO audit_log (at, entity, action) VALUES ('t', 'x', 'create')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET action = 'forged'")


def test_an_edited_note_keeps_its_earlier_versions(db) -> None:
    from companion.store.notes import add_note, edit_note, get_note, note_versions
    from companion.store.participants import add_participant
    from companion.store.sessions import new_session

    add_participant(db, "P05")
    session = new_session(db, "P05", protocol_id="pain-alliance", protocol_hash="h")
    note = add_note(db, session.id, text="hesitates about the physio", at_ms=61_000)
    edit_note(db, note.id, text="hesitates when the physiotherapist comes up", codes=["C1"])
    assert get_note(db, note.id).version == 2
    texts = [v["text"] for v in note_versions(db, note.id)]
    assert texts == ["hesitates about the physio", "hesitates when the physiotherapist comes up"]
