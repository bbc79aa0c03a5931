"""Interview sessions: who, which protocol (id and content hash), status and times."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError, NotFoundError
from companion.limits import parse_id, printable_name
from companion.store.audit import log_change
from companion.store.db import insert_row, now_iso, transaction
from companion.store.participants import get_participant

STATUSES = ("planned", "live", "interrupted", "stopped", "completed")
"""``stopped``: F10 ended the recording; it can be continued. Only F8 sets ``completed``."""


@dataclass(frozen=True)
class Session:
    id: int
    participant_id: int
    participant_code: str
    protocol_id: str
    protocol_hash: str
    interviewer: str | None
    pilot: bool
    status: str
    created_at: str
    started_at: str | None
    ended_at: str | None
    duration_ms: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SELECT = (
    "SELECT s.*, p.code AS participant_code FROM sessions s "
    "JOIN participants p ON p.id = s.participant_id"
)


def _from_row(row: dict[str, Any]) -> Session:
    row = dict(row)
    row["pilot"] = bool(row["pilot"])
    return Session(**row)


def parse_session_id(value: object) -> int:
    """A session id as typed by the user ("12"), or an InputError."""
    return parse_id("session", value, "a session id",
                    hint="see 'companion session list'")


def new_session(
    db: sqlite_utils.Database,
    participant_code: str,
    *,
    protocol_id: str,
    protocol_hash: str,
    interviewer: str | None = None,
    pilot: bool = False,
) -> Session:
    participant = get_participant(db, participant_code)
    if interviewer:
        interviewer = printable_name("interviewer", interviewer)
    with transaction(db):
        session_id = insert_row(
            db, "sessions",
            {
                "participant_id": participant.id,
                "protocol_id": protocol_id,
                "protocol_hash": protocol_hash,
                "interviewer": interviewer or None,
                "pilot": int(pilot),
                "status": "planned",
                "created_at": now_iso(),
            },
        )
        session = get_session(db, session_id)
        log_change(db, entity="session", entity_id=session.id, session_id=session.id,
                   action="create", after=session.to_dict())
    return session


def find_session(db: sqlite_utils.Database, session_id: int) -> Session | None:
    rows = list(db.query(_SELECT + " WHERE s.id = ?", [session_id]))
    return _from_row(rows[0]) if rows else None


def get_session(db: sqlite_utils.Database, session_id: int | str) -> Session:
    sid = parse_session_id(session_id)
    session = find_session(db, sid)
    if session is None:
        raise NotFoundError("session", session_id, "an existing session id; see 'companion "
                            "session list'")
    return session


def list_sessions(db: sqlite_utils.Database, participant_code: str | None = None) -> list[Session]:
    if participant_code:
        participant = get_participant(db, participant_code)
        rows = db.query(_SELECT + " WHERE s.participant_id = ? ORDER BY s.id", [participant.id])
    else:
        rows = db.query(_SELECT + " ORDER BY s.id")
    return [_from_row(row) for row in rows]


def set_status(db: sqlite_utils.Database, session_id: int, status: str, **times: Any) -> Session:
    """Move a session to ``status``; ``times`` may set started_at, ended_at, duration_ms."""
    if status not in STATUSES:
        raise InputError("status", status, "one of " + ", ".join(STATUSES))
    allowed = {"started_at", "ended_at", "duration_ms"}
    unknown = set(times) - allowed
    if unknown:
        raise ValueError(f"unknown session fields {sorted(unknown)}")
    before = get_session(db, session_id)
    with transaction(db):
        db.table("sessions").update(session_id, {"status": status, **times})
        after = get_session(db, session_id)
        log_change(db, entity="session", entity_id=session_id, session_id=session_id,
                   action="status", before={"status": before.status},
                   after={"status": status, **times})
    return after
