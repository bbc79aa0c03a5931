"""The append-only audit log: every change to study content, with what it was before.

A user action is one entry: when an action makes several audited writes (enrolling writes
a participant, a session and two ratings), :func:`one_entry` folds them into a single
entry for the action that lists each write under ``after["changes"]``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
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
    gathering = _GATHERING.get()
    if gathering is not None:
        gathering.append({"entity": entity, "entity_id": entity_id, "action": action,
                          "session_id": session_id, "before": before, "after": after})
        return
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


@dataclass
class ActionEntry:
    """The one audit entry of a user action, filled in while the action runs."""

    entity: str
    action: str
    entity_id: int | None = None
    session_id: int | None = None
    before: Any = None
    after: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)


# Per thread (and per task): a TUI worker's action never gathers the UI thread's writes.
_GATHERING: ContextVar[list[dict[str, Any]] | None] = ContextVar("audit_gathering",
                                                                 default=None)


@contextlib.contextmanager
def one_entry(db: sqlite_utils.Database, entry: ActionEntry) -> Iterator[ActionEntry]:
    """Write one audit entry for the writes made inside (run it inside their transaction).

    A single audited write keeps its own entry as it is (a note's versions are read from
    its entries); several are folded into ``entry``; none leaves ``entry`` itself when it
    names what it changed (``entity_id`` or ``after``). Nothing is written on an error.
    """
    if _GATHERING.get() is not None:  # an action inside an action: the outer one writes
        yield entry
        return
    token = _GATHERING.set(entry.changes)
    try:
        yield entry
    finally:
        _GATHERING.reset(token)
    if len(entry.changes) == 1 and not entry.after:
        log_change(db, **entry.changes[0])
    elif entry.changes or entry.entity_id is not None or entry.after:
        after = {**entry.after, "changes": entry.changes} if entry.changes else entry.after
        log_change(db, entity=entry.entity, entity_id=entry.entity_id, action=entry.action,
                   session_id=entry.session_id, before=entry.before, after=after)


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
