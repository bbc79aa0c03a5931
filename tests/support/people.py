"""A consented participant with a session: what most tests need before they start."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlite_utils

from companion.protocol.registry import DEFAULT_PROTOCOL_ID, get_protocol
from companion.store.participants import add_participant, find_participant
from companion.store.sessions import Session, new_session
from companion.study.folder import Study

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


# The ratings of a rated session: the most positive alliance item by item, the least
# positive by domain (its psychologist is the one the live tests' participant names).
MOST_ITEMS = [90, 85, 88, 92, 95, 90, 93, 91, 87, 89, 94, 90]
LEAST_DOMAINS = {"task": 250.0, "goal": 300.0, "bond": 280.0}


def rated_session(study: Study, code: str = "P05") -> int:
    """``code`` (consented) with a session planned on the default protocol and both WAI-ReD
    ratings entered through the operations, as the set-up screen leaves it."""
    from companion.operations.ratings import RatingEntry, rate
    from companion.operations.sessions import plan

    db = study.db()
    try:
        if find_participant(db, code) is None:
            add_participant(db, code, gender="female", age_band="35-55",
                            consent_date=CONSENT_DATE)
    finally:
        db.conn.close()
    session = plan(study, code, interviewer="AB")
    rate(study, session.id, RatingEntry("most", "physiotherapist", items=MOST_ITEMS))
    rate(study, session.id, RatingEntry("least", "psychologist", domains=LEAST_DOMAINS))
    return session.id
