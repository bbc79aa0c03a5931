"""Fixtures for the TUI tests: a study with one participant and a rated, planned session."""

from __future__ import annotations

import datetime as dt

import pytest

from companion.operations.ratings import RatingEntry, rate
from companion.operations.sessions import plan
from companion.store import participants
from companion.study.folder import Study

MOST_ITEMS = [90, 85, 88, 92, 95, 90, 93, 91, 87, 89, 94, 90]
LEAST_DOMAINS = {"task": 250.0, "goal": 300.0, "bond": 280.0}


@pytest.fixture
def planned_session(study: Study) -> int:
    """P05 (consented) with a planned session and both WAI ratings entered."""
    db = study.db()
    try:
        participants.add_participant(db, "P05", gender="female", age_band="35-55",
                                     consent_date=dt.date(2024, 3, 1).isoformat())
        session = plan(study, "P05", interviewer="AB")
        rate(study, session.id, RatingEntry("most", "physiotherapist",
                                            items=MOST_ITEMS))
        rate(study, session.id, RatingEntry("least", "psychologist",
                                            domains=LEAST_DOMAINS))
        return session.id
    finally:
        db.conn.close()
