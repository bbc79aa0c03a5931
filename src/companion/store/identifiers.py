"""Identifiers found in a session, the researcher's decisions, and the study's replacement
list that grows from them (see :mod:`companion.identifiers`).

A decision is audited: accepting or rejecting a finding and adding a name to the
replacement list each log a change (an operation folds them into its one entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso

ENTITY = "identifier"
STATUSES = ("open", "accepted", "rejected")


@dataclass(frozen=True)
class NewFinding:
    """A finding about to be stored: where it stands and what it is."""

    source: str
    ref_id: int
    start_char: int
    end_char: int
    text: str
    kind: str
    detail: str | None
    at_ms: int | None
    found_by: str

    @property
    def place(self) -> tuple[str, int, int, int, str]:
        return (self.source, self.ref_id, self.start_char, self.end_char, self.text)


@dataclass(frozen=True)
class Finding(NewFinding):
    """A stored finding with its decision."""

    id: int
    session_id: int
    status: str
    found_at: str
    decided_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Replacement:
    id: int
    session_id: int
    name_key: str
    text: str
    label: str
    kind: str
    whole_study: bool
    created_at: str


def _finding(row: dict[str, Any]) -> Finding:
    return Finding(**row)


def _replacement(row: dict[str, Any]) -> Replacement:
    return Replacement(**{**row, "whole_study": bool(row["whole_study"])})


def has_tables(db: sqlite_utils.Database) -> bool:
    return "identifier_findings" in db.table_names()


def list_findings(db: sqlite_utils.Database, session_id: int,
                  status: str | None = None) -> list[Finding]:
    sql = "SELECT * FROM identifier_findings WHERE session_id = ?"
    args: list[Any] = [session_id]
    if status is not None:
        sql += " AND status = ?"
        args.append(status)
    return [_finding(r) for r in db.query(sql + " ORDER BY at_ms, source, ref_id, start_char",
                                          args)]


def get_findings(db: sqlite_utils.Database, ids: Iterable[int]) -> list[Finding]:
    wanted = list(ids)
    marks = ",".join("?" * len(wanted)) or "NULL"
    return [_finding(r) for r in db.query(
        f"SELECT * FROM identifier_findings WHERE id IN ({marks}) ORDER BY id", wanted)]


def insert_finding(db: sqlite_utils.Database, session_id: int, new: NewFinding,
                   status: str = "open") -> int:
    fields = {k: getattr(new, k) for k in NewFinding.__dataclass_fields__}
    row = {**fields, "session_id": session_id, "status": status, "found_at": now_iso(),
           "decided_at": now_iso() if status != "open" else None}
    return insert_row(db, "identifier_findings", row)


def delete_findings(db: sqlite_utils.Database, ids: Sequence[int]) -> None:
    marks = ",".join("?" * len(ids)) or "NULL"
    db.execute(f"DELETE FROM identifier_findings WHERE id IN ({marks})", list(ids))


def decide(db: sqlite_utils.Database, finding: Finding, status: str,
           label: str | None = None) -> None:
    """Accept or reject one finding (or open it again), audited."""
    db.execute("UPDATE identifier_findings SET status = ?, decided_at = ? WHERE id = ?",
               [status, now_iso() if status != "open" else None, finding.id])
    after: dict[str, Any] = {"status": status, "text": finding.text, "kind": finding.kind}
    if label:
        after["label"] = label
    log_change(db, entity=ENTITY, entity_id=finding.id, action=status,
               session_id=finding.session_id, before={"status": finding.status}, after=after)


# --- the replacement list -----------------------------------------------------------------

def list_replacements(db: sqlite_utils.Database) -> list[Replacement]:
    """Every row of the study's decided replacement list."""
    if not has_tables(db):
        return []
    return [_replacement(r) for r in db.query(
        "SELECT * FROM identifier_replacements ORDER BY id")]


def replacements_for(db: sqlite_utils.Database, session_id: int) -> dict[str, str]:
    """What a session's pseudonymised export replaces: its own names and every name
    accepted for the whole study (name as said -> label)."""
    if not has_tables(db):
        return {}
    rows = db.query("SELECT text, label FROM identifier_replacements "
                    "WHERE session_id = ? OR whole_study = 1 ORDER BY id", [session_id])
    return {r["text"]: r["label"] for r in rows}


def label_of(db: sqlite_utils.Database, name_key: str) -> str | None:
    row = next(iter(db.query("SELECT label FROM identifier_replacements WHERE name_key = ? "
                             "ORDER BY id LIMIT 1", [name_key])), None)
    return None if row is None else str(row["label"])


def add_replacement(db: sqlite_utils.Database, *, session_id: int, name_key: str, text: str,
                    label: str, kind: str, whole_study: bool = False) -> None:
    """Put a name on the list for a session (or mark it for the whole study); the same name
    keeps one label everywhere: a new label is written to every row of that name."""
    existing = next(iter(db.query(
        "SELECT * FROM identifier_replacements WHERE session_id = ? AND name_key = ?",
        [session_id, name_key])), None)
    relabelled = db.execute(
        "UPDATE identifier_replacements SET label = ? WHERE name_key = ? AND label != ?",
        [label, name_key, label]).rowcount
    if existing is None:
        insert_row(db, "identifier_replacements", {
            "session_id": session_id, "name_key": name_key, "text": text, "label": label,
            "kind": kind, "whole_study": int(whole_study), "created_at": now_iso()})
    elif whole_study and not existing["whole_study"]:
        db.execute("UPDATE identifier_replacements SET whole_study = 1 WHERE id = ?",
                   [existing["id"]])
    elif not relabelled:
        return
    log_change(db, entity="replacement", entity_id=None, action="replace",
               session_id=session_id, after={"text": text, "label": label,
                                             "whole_study": whole_study,
                                             "relabelled_rows": relabelled})


def remove_replacement(db: sqlite_utils.Database, session_id: int, name_key: str) -> None:
    """Take a name off a session's list (its last accepted finding there was rejected)."""
    row = next(iter(db.query("SELECT * FROM identifier_replacements WHERE session_id = ? "
                             "AND name_key = ?", [session_id, name_key])), None)
    if row is None:
        return
    db.execute("DELETE FROM identifier_replacements WHERE id = ?", [row["id"]])
    log_change(db, entity="replacement", entity_id=None, action="unreplace",
               session_id=session_id, before={"text": row["text"], "label": row["label"]})


def sessions_saying(db: sqlite_utils.Database, text: str) -> list[int]:
    """Sessions whose transcript or notes contain ``text`` (any case; a first filter, the
    caller checks whole words)."""
    like = f"%{text}%"
    rows = db.query("SELECT DISTINCT session_id FROM transcript_segments WHERE text LIKE ? "
                    "UNION SELECT DISTINCT session_id FROM notes WHERE text LIKE ?",
                    [like, like])
    return sorted(r["session_id"] for r in rows)


def session_texts(db: sqlite_utils.Database, session_id: int) -> list[str]:
    rows = db.query("SELECT text FROM transcript_segments WHERE session_id = ? "
                    "UNION ALL SELECT text FROM notes WHERE session_id = ?",
                    [session_id, session_id])
    return [r["text"] for r in rows]


# --- searches -----------------------------------------------------------------------------

def last_search(db: sqlite_utils.Database, session_id: int) -> dict[str, Any] | None:
    if not has_tables(db):
        return None
    return next(iter(db.query("SELECT * FROM identifier_searches WHERE session_id = ?",
                              [session_id])), None)


def record_search(db: sqlite_utils.Database, session_id: int, *, language: str,
                  texts_hash: str, found: int) -> None:
    db.execute("INSERT OR REPLACE INTO identifier_searches "
               "(session_id, searched_at, language, texts_hash, found) VALUES (?, ?, ?, ?, ?)",
               [session_id, now_iso(), language, texts_hash, found])


def counts(db: sqlite_utils.Database) -> dict[int, dict[str, int]]:
    """Per session that was searched: findings open, accepted and rejected."""
    if not has_tables(db):
        return {}
    out: dict[int, dict[str, int]] = {
        r["session_id"]: dict.fromkeys(STATUSES, 0)
        for r in db.query("SELECT session_id FROM identifier_searches")}
    for row in db.query("SELECT session_id, status, count(*) AS n FROM identifier_findings "
                        "GROUP BY session_id, status"):
        out.setdefault(row["session_id"], dict.fromkeys(STATUSES, 0))[row["status"]] = row["n"]
    return out
