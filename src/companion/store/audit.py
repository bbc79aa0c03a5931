"""The append-only audit log: every change to study content, with what it was before."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from companion.store.db import now_iso


def log_change(
    db: sqlite_utils.Database,
    *,
    entity: str,
    entity_id: int | None,
    action: str,
    session_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    db.execute(
        "INSERT INTO audit_log (at, session_id, entity, entity_id, action, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now_iso(),
            session_id,
            entity,
            entity_id,
            action,
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        ],
    )


def session_trail(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT * FROM audit_log WHERE session_id = ? ORDER BY id", [session_id]
    )
    return [_decode(row) for row in rows]


def entity_trail(db: sqlite_utils.Database, entity: str, entity_id: int) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, entity_id],
    )
    return [_decode(row) for row in rows]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("before", "after"):
        if row[key] is not None:
            row[key] = json.loads(row[key])
    return row
