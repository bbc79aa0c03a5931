"""What came back from analysis software (``import-qdpx``): imports, their codes, codings
and memos, and which sessions each import's texts matched.

An import is *active* until a later export of the same project replaces it (its rows are
kept, so undoing the later import brings it back) or it is undone (its rows are deleted;
the audit entry of the undo keeps what they were). Readers count active imports only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

ACTIVE = "active"
REPLACED = "replaced"
UNDONE = "undone"


@dataclass(frozen=True)
class StoredImport:
    id: int
    file_name: str
    origin: str | None
    tool: str | None
    project_name: str | None
    coder: str
    imported_at: str
    status: str
    replaced_by: int | None
    foreign_project: bool
    sessions: tuple[int, ...]
    codes: int
    codings: int
    memos: int


def add_import(db: sqlite_utils.Database, *, file_name: str, origin: str | None,
               sha256: str, imported_at: str, project_name: str | None, tool: str,
               coder: str, foreign_project: bool) -> int:
    cursor = db.execute(
        "INSERT INTO qda_imports (file_name, origin, sha256, imported_at, project_name, tool, "
        "coder, foreign_project) VALUES (?,?,?,?,?,?,?,?)",
        [file_name, origin, sha256, imported_at, project_name, tool, coder,
         int(foreign_project)])
    return int(cursor.lastrowid or 0)


def add_import_session(db: sqlite_utils.Database, import_id: int, session_id: int,
                       matched_by: str) -> None:
    db.execute("INSERT OR IGNORE INTO qda_import_sessions (import_id, session_id, matched_by) "
               "VALUES (?,?,?)", [import_id, session_id, matched_by])


def add_code(db: sqlite_utils.Database, import_id: int, *, guid: str, name: str,
             parent_guid: str | None, description: str | None, codable: bool) -> int:
    """The import's code (one row per import and GUID); returns its id."""
    db.execute(
        "INSERT INTO qda_codes (import_id, guid, name, parent_guid, description, codable) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT(import_id, guid) DO UPDATE SET name = excluded.name",
        [import_id, guid, name, parent_guid, description, int(codable)])
    return int(db.execute("SELECT id FROM qda_codes WHERE import_id = ? AND guid = ?",
                          [import_id, guid]).fetchone()[0])


def add_coding(db: sqlite_utils.Database, import_id: int, code_id: int, *, session_id: int,
               selection_guid: str, start_pos: int, end_pos: int, start_ms: int | None,
               end_ms: int | None, quote: str, memo: str | None, matched_by: str, coder: str,
               created_at: str | None, segment_ids: Iterable[int]) -> bool:
    """One coding; False when the import already has it (same code, place and coder)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO qda_codings (session_id, code_id, selection_guid, start_pos, "
        "end_pos, start_ms, end_ms, quote, memo, matched_by, coder, created_at, import_id, "
        "segment_ids) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [session_id, code_id, selection_guid, start_pos, end_pos, start_ms, end_ms, quote,
         memo, matched_by, coder, created_at, import_id, json.dumps(list(segment_ids))])
    return cursor.rowcount > 0


def add_memo(db: sqlite_utils.Database, import_id: int, *, guid: str,
             session_id: int | None, name: str | None, text: str) -> None:
    db.execute("INSERT OR IGNORE INTO qda_memos (import_id, guid, session_id, name, text) "
               "VALUES (?,?,?,?,?)", [import_id, guid, session_id, name, text])


def same_project(db: sqlite_utils.Database, *, tool: str, project_name: str | None,
                 coder: str, session_ids: Iterable[int]) -> list[int]:
    """Active imports of the same project: the same tool, project name and coder, and at
    least one session in common (the sources' content, which a tool cannot renumber)."""
    wanted = set(session_ids)
    out = []
    for row in db.query(
            "SELECT id FROM qda_imports WHERE status = ? AND tool IS ? AND project_name IS ? "
            "AND coder = ? AND foreign_project = 0 ORDER BY id",
            [ACTIVE, tool, project_name, coder]):
        sessions = {r["session_id"] for r in db.query(
            "SELECT session_id FROM qda_import_sessions WHERE import_id = ?", [row["id"]])}
        if sessions & wanted:
            out.append(int(row["id"]))
    return out


def set_status(db: sqlite_utils.Database, import_id: int, status: str,
               replaced_by: int | None = None) -> None:
    db.execute("UPDATE qda_imports SET status = ?, replaced_by = ? WHERE id = ?",
               [status, replaced_by, import_id])


def replaced_by(db: sqlite_utils.Database, import_id: int) -> list[int]:
    """The imports this one replaced."""
    return [int(r["id"]) for r in db.query(
        "SELECT id FROM qda_imports WHERE replaced_by = ? AND status = ? ORDER BY id",
        [import_id, REPLACED])]


def import_content(db: sqlite_utils.Database, import_id: int) -> dict[str, Any]:
    """An import's codings and memos as the audit keeps an earlier version: code, session,
    place, time, quote, memo and coder of each coding; each memo's name and text."""
    codings = [dict(r) for r in db.query(
        "SELECT c.name AS code, k.session_id, k.start_pos, k.end_pos, k.start_ms, k.end_ms, "
        "k.quote, k.memo, k.coder FROM qda_codings k JOIN qda_codes c ON c.id = k.code_id "
        "WHERE k.import_id = ? ORDER BY k.session_id, k.start_pos, k.id", [import_id])]
    memos = [dict(r) for r in db.query(
        "SELECT name, session_id, text FROM qda_memos WHERE import_id = ? ORDER BY id",
        [import_id])]
    return {"import": import_id, "codings": codings, "memos": memos}


def delete_content(db: sqlite_utils.Database, import_id: int) -> None:
    """An undone import's codings, memos and codes (the import's row stays, as undone)."""
    for table in ("qda_codings", "qda_memos", "qda_codes"):
        db.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])


def get_import(db: sqlite_utils.Database, import_id: int) -> StoredImport | None:
    found = list_imports(db, import_id=import_id)
    return found[0] if found else None


def list_imports(db: sqlite_utils.Database, *, import_id: int | None = None
                 ) -> list[StoredImport]:
    """Every import, oldest first, with its sessions and counts."""
    where, args = ("WHERE i.id = ?", [import_id]) if import_id is not None else ("", [])
    out = []
    for row in db.query(
            "SELECT i.*, (SELECT count(*) FROM qda_codes WHERE import_id = i.id) AS n_codes, "
            "(SELECT count(*) FROM qda_codings WHERE import_id = i.id) AS n_codings, "
            "(SELECT count(*) FROM qda_memos WHERE import_id = i.id) AS n_memos "
            f"FROM qda_imports i {where} ORDER BY i.id", args):
        sessions = tuple(int(r["session_id"]) for r in db.query(
            "SELECT session_id FROM qda_import_sessions WHERE import_id = ? ORDER BY session_id",
            [row["id"]]))
        out.append(StoredImport(
            int(row["id"]), row["file_name"], row["origin"], row["tool"], row["project_name"],
            row["coder"], row["imported_at"], row["status"], row["replaced_by"],
            bool(row["foreign_project"]), sessions, int(row["n_codes"]),
            int(row["n_codings"]), int(row["n_memos"])))
    return out


@dataclass(frozen=True)
class ActiveCoding:
    """An analyst's coding counted by the report: from an active import."""

    import_id: int
    session_id: int
    code: str
    coder: str
    start_pos: int
    end_pos: int
    start_ms: int | None
    end_ms: int | None
    quote: str
    segment_ids: tuple[int, ...]


def active_codings(db: sqlite_utils.Database, session_ids: Iterable[int]) -> list[ActiveCoding]:
    """The codings of active imports on these sessions, in time order per session."""
    ids = list(session_ids)
    if not ids or "qda_codings" not in db.table_names():
        return []
    rows = db.query(
        f"SELECT k.import_id, k.session_id, c.name, k.coder, k.start_pos, k.end_pos, "
        f"k.start_ms, k.end_ms, k.quote, k.segment_ids FROM qda_codings k "
        f"JOIN qda_codes c ON c.id = k.code_id JOIN qda_imports i ON i.id = k.import_id "
        f"WHERE i.status = 'active' AND k.session_id IN ({','.join('?' * len(ids))}) "
        f"ORDER BY k.session_id, k.start_ms IS NULL, k.start_ms, k.start_pos, k.id", ids)
    return [ActiveCoding(r["import_id"], r["session_id"], r["name"], r["coder"],
                         r["start_pos"], r["end_pos"], r["start_ms"], r["end_ms"], r["quote"],
                         tuple(json.loads(r["segment_ids"] or "[]"))) for r in rows]


def sessions_seen(db: sqlite_utils.Database) -> dict[str, set[int]]:
    """Coder -> the sessions whose text was in one of their active imports (coded or not:
    a coder who saw a passage and left it uncoded decided it was not that code)."""
    out: dict[str, set[int]] = {}
    for row in db.query(
            "SELECT DISTINCT k.coder, s.session_id FROM qda_import_sessions s "
            "JOIN qda_imports i ON i.id = s.import_id "
            "JOIN (SELECT DISTINCT import_id, coder FROM qda_codings UNION "
            "      SELECT id, coder FROM qda_imports) k ON k.import_id = i.id "
            "WHERE i.status = 'active'"):
        out.setdefault(row["coder"], set()).add(int(row["session_id"]))
    return out
