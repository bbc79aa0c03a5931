"""Timeline events of a session: phase starts and prompts asked or suggestions used.

Times are session-timeline milliseconds (the recording's clock), not wall time, so every
event points at the same instant in the audio whatever segments the recording has.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso, transaction

PROMPT_KINDS = ("asked", "suggestion_used")


def _check_at(at_ms: int) -> int:
    if not isinstance(at_ms, int) or at_ms < 0:
        raise InputError("at", at_ms, "a session time of 0 or later")
    return at_ms


def add_phase_event(db: sqlite_utils.Database, session_id: int, phase_id: str, at_ms: int) -> int:
    with transaction(db):
        event_id = insert_row(
            db, "phase_events",
            {"session_id": session_id, "phase_id": phase_id, "at_ms": _check_at(at_ms),
             "created_at": now_iso()})
        log_change(db, entity="phase_event", entity_id=event_id, session_id=session_id,
                   action="create", after={"phase_id": phase_id, "at_ms": at_ms})
    return event_id


def list_phase_events(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT * FROM phase_events WHERE session_id = ? ORDER BY at_ms, id", [session_id]))


def phase_at(db: sqlite_utils.Database, session_id: int, at_ms: int) -> str | None:
    """The phase active at ``at_ms`` (the last phase start at or before it)."""
    rows = list(db.query(
        "SELECT phase_id FROM phase_events WHERE session_id = ? AND at_ms <= ? "
        "ORDER BY at_ms DESC, id DESC LIMIT 1", [session_id, at_ms]))
    return rows[0]["phase_id"] if rows else None


def add_prompt_event(
    db: sqlite_utils.Database,
    session_id: int,
    *,
    kind: str,
    text: str,
    at_ms: int,
    prompt_id: str | None = None,
    rule_id: str | None = None,
) -> int:
    if kind not in PROMPT_KINDS:
        raise InputError("kind", kind, "one of " + ", ".join(PROMPT_KINDS))
    with transaction(db):
        event_id = insert_row(
            db, "prompt_events",
            {"session_id": session_id, "kind": kind, "prompt_id": prompt_id, "rule_id": rule_id,
             "text": text, "at_ms": _check_at(at_ms), "created_at": now_iso()})
        log_change(db, entity="prompt_event", entity_id=event_id, session_id=session_id,
                   action="create", after={"kind": kind, "prompt_id": prompt_id,
                                           "rule_id": rule_id, "at_ms": at_ms})
    return event_id


def list_prompt_events(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT * FROM prompt_events WHERE session_id = ? ORDER BY at_ms, id", [session_id]))
