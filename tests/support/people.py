"""A consented participant with a session: what most tests need before they start."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlite_utils

from companion.protocol.registry import DEFAULT_PROTOCOL_ID, get_protocol
from companion.store.participants import add_participant, find_participant
from companion.store.sessions import Session, new_session

CONSENT_DATE = "2024-03-01"


@cache
def _protocol_hash(protocol_id: str) -> str:
    return get_protocol(protocol_id).content_hash


def consented_session(
    db: sqlite_utils.Database,
    code: str = "P05",
    *,
    consent_date: str | None = CONSENT_DATE,
    protocol_id: str = DEFAULT_PROTOCOL_ID,
    interviewer: str | None = None,
    pilot: bool = False,
    **characteristics: Any,
) -> Session:
    """A new planned session of participant ``code``, added (with written consent on
    ``consent_date`` and ``characteristics``) unless the study has them already.
    ``consent_date=None`` makes a participant who has not consented."""
    if find_participant(db, code) is None:
        given = {"consent_date": consent_date, **characteristics}
        add_participant(db, code, **{k: v for k, v in given.items() if v is not None})
    return new_session(db, code, protocol_id=protocol_id,
                       protocol_hash=_protocol_hash(protocol_id), interviewer=interviewer,
                       pilot=pilot)
