"""WAI-ReD ratings: one per session and target (the most and the least positive alliance)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.limits import printable_name
from companion.store.audit import log_change
from companion.store.db import now_iso, transaction

TARGETS = ("most", "least")


@dataclass(frozen=True)
class StoredRating:
    session_id: int
    target: str
    role: str
    entered_as: str
    items: tuple[float | None, ...] | None
    task: float | None
    goal: float | None
    bond: float | None
    total: float | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = None if self.items is None else list(self.items)
        return data

    @property
    def domains(self) -> dict[str, float | None]:
        return {"task": self.task, "goal": self.goal, "bond": self.bond}


def save_rating(
    db: sqlite_utils.Database,
    session_id: int,
    *,
    target: str,
    role: str,
    items: list[float | None] | tuple[float | None, ...] | None,
    domains: dict[str, float | None],
    total: float | None,
) -> StoredRating:
    """Store a scored rating, replacing the session's earlier one for the same target."""
    if target not in TARGETS:
        raise InputError("target", target, "most or least")
    role = printable_name("role", role or "")
    if not role:
        raise InputError("role", role, "the professional's role, such as physiotherapist")
    before = get_rating(db, session_id, target)
    row = {
        "session_id": session_id, "target": target, "role": role,
        "entered_as": "items" if items is not None else "domains",
        "items": None if items is None else json.dumps(list(items)),
        "task": domains.get("task"), "goal": domains.get("goal"), "bond": domains.get("bond"),
        "total": total, "created_at": now_iso(),
    }
    with transaction(db):
        db.execute("DELETE FROM wai_ratings WHERE session_id = ? AND target = ?",
                   [session_id, target])
        db.table("wai_ratings").insert(row)
        after = get_rating(db, session_id, target)
        assert after is not None
        log_change(db, entity="wai_rating", entity_id=None, session_id=session_id,
                   action="replace" if before else "create",
                   before=before.to_dict() if before else None, after=after.to_dict())
    return after


def _from_row(row: dict[str, Any]) -> StoredRating:
    row = dict(row)
    row.pop("id", None)
    row["items"] = None if row["items"] is None else tuple(json.loads(row["items"]))
    return StoredRating(**row)


def get_rating(db: sqlite_utils.Database, session_id: int, target: str) -> StoredRating | None:
    rows = list(db.query("SELECT * FROM wai_ratings WHERE session_id = ? AND target = ?",
                         [session_id, target]))
    return _from_row(rows[0]) if rows else None


def list_ratings(db: sqlite_utils.Database, session_id: int) -> list[StoredRating]:
    rows = db.query("SELECT * FROM wai_ratings WHERE session_id = ? ORDER BY target DESC",
                    [session_id])
    return [_from_row(row) for row in rows]
