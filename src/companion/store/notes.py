"""Notes, bookmarks and reflections: stamped on the session timeline, edited as versions.

An edit never overwrites silently: the earlier text stays in the audit log, so a note's
history is always recoverable.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError, NotFoundError
from companion.store.audit import entity_trail, log_change
from companion.store.db import insert_row, now_iso, transaction
from companion.store.search import index_text

NOTE_KINDS = ("note", "bookmark", "reflection", "quote")
MAX_NOTE_CHARS = 20_000


@dataclass(frozen=True)
class Note:
    id: int
    session_id: int
    kind: str
    at_ms: int | None
    text: str
    codes: tuple[str, ...]
    version: int
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["codes"] = list(self.codes)
        return data


def clean_text(text: str, *, field: str = "text") -> str:
    """Check a note's text: bounded length, no control characters.

    A pasted terminal escape sequence would corrupt screens and exports, so it is refused
    with a message rather than stored; newlines and tabs are fine.
    """
    if len(text) > MAX_NOTE_CHARS:
        raise InputError(field, f"{text[:20]}… ({len(text)} characters)",
                         f"at most {MAX_NOTE_CHARS} characters")
    for position, ch in enumerate(text, start=1):
        # Characters XML cannot carry (U+FFFE, U+FFFF, surrogates) would make docx and
        # qdpx exports unreadable: refused here, at input.
        if ch not in "\n\t" and (unicodedata.category(ch) in ("Cc", "Cs")
                                  or ch in "\ufffe\uffff"):
            raise InputError(field, f"{text[:40]!r}", "printable text; control character "
                             f"U+{ord(ch):04X} at position {position} is not allowed")
    return text.strip()


def _from_row(row: dict[str, Any]) -> Note:
    row = dict(row)
    row["codes"] = tuple(json.loads(row["codes"]))
    return Note(**row)


def add_note(
    db: sqlite_utils.Database,
    session_id: int,
    *,
    kind: str = "note",
    text: str = "",
    at_ms: int | None,
    codes: list[str] | tuple[str, ...] = (),
) -> Note:
    if kind not in NOTE_KINDS:
        raise InputError("kind", kind, "one of " + ", ".join(NOTE_KINDS))
    if at_ms is not None and at_ms < 0:
        raise InputError("at", at_ms, "a session time of 0 or later")
    text = clean_text(text)
    if kind == "note" and not text and not codes:
        raise InputError("text", text, "some text or a code")
    now = now_iso()
    with transaction(db):
        note_id = insert_row(db, "notes", {
            "session_id": session_id, "kind": kind, "at_ms": at_ms, "text": text,
            "codes": json.dumps(list(codes)), "version": 1, "created_at": now, "updated_at": now,
        })
        note = get_note(db, note_id)
        if text:
            index_text(db, kind="note", ref_id=note.id, session_id=session_id, at_ms=at_ms,
                       text=text)
        log_change(db, entity="note", entity_id=note.id, session_id=session_id,
                   action="create", after=note.to_dict())
    return note


def edit_note(
    db: sqlite_utils.Database, note_id: int, *, text: str | None = None,
    codes: list[str] | None = None, at_ms: int | None = None,
) -> Note:
    before = get_note(db, note_id)
    changes: dict[str, Any] = {}
    if text is not None:
        changes["text"] = clean_text(text)
    if codes is not None:
        changes["codes"] = json.dumps(list(codes))
    if at_ms is not None:
        if at_ms < 0:
            raise InputError("at", at_ms, "a session time of 0 or later")
        changes["at_ms"] = at_ms
    if not changes:
        return before
    changes["version"] = before.version + 1
    changes["updated_at"] = now_iso()
    with transaction(db):
        db.table("notes").update(note_id, changes)
        after = get_note(db, note_id)
        index_text(db, kind="note", ref_id=note_id, session_id=after.session_id,
                   at_ms=after.at_ms, text=after.text)
        log_change(db, entity="note", entity_id=note_id, session_id=after.session_id,
                   action="edit", before=before.to_dict(), after=after.to_dict())
    return after


def get_note(db: sqlite_utils.Database, note_id: int) -> Note:
    rows = list(db.query("SELECT * FROM notes WHERE id = ?", [note_id]))
    if not rows:
        raise NotFoundError("note", note_id, "an existing note id")
    return _from_row(rows[0])


def list_notes(
    db: sqlite_utils.Database, session_id: int, kind: str | None = None
) -> list[Note]:
    sql = "SELECT * FROM notes WHERE session_id = ?"
    params: list[Any] = [session_id]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    sql += " ORDER BY at_ms IS NULL, at_ms, id"
    return [_from_row(row) for row in db.query(sql, params)]


def note_versions(db: sqlite_utils.Database, note_id: int) -> list[dict[str, Any]]:
    """Every version of a note, oldest first, from the audit log."""
    versions = []
    for entry in entity_trail(db, "note", note_id):
        if entry["action"] in ("create", "edit") and entry["after"]:
            versions.append(entry["after"])
    return versions
