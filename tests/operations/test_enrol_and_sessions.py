"""Enrolling, planning, rating, completing and reopening: one transaction, one audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from companion.errors import InputError, NotFoundError
from companion.operations import participants, sessions
from companion.operations.ratings import RatingEntry, rate
from companion.store.audit import session_trail
from companion.study.folder import Study

ITEMS = [90, 85, 88, 92, 95, 90, 93, 91, 87, 89, 94, 90]
DOMAINS = {"task": 250.0, "goal": 300.0, "bond": 280.0}
DAY = dt.date(2026, 3, 2)


def _audit(db) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM audit_log ORDER BY id"))


def _enrolment(code: str = "P07", **changes: Any) -> participants.Enrolment:
    values: dict[str, Any] = dict(
        code=code, characteristics={"gender": "female", "age_band": "35-55", "pdi": "30"},
        consent=True, protocol_id="pain-alliance", interviewer="AB", today=DAY,
        ratings=(RatingEntry("most", "physiotherapist", items=ITEMS),
                 RatingEntry("least", "psychologist", domains=DOMAINS)))
    values.update(changes)
    return participants.Enrolment(**values)


def test_enrol_saves_everyone_at_once_with_one_audit_entry(study: Study, db) -> None:
    enrolled = participants.enrol(study, _enrolment())

    person = db["participants"].get(enrolled.participant.id)
    assert person["code"] == "P07" and person["consent_date"] == "2026-03-02"
    assert person["pdi"] == 30
    session = db["sessions"].get(enrolled.session.id)
    assert session["status"] == "planned" and session["interviewer"] == "AB"
    stored = {r["target"]: r for r in db.query("SELECT * FROM wai_ratings")}
    assert stored["most"]["role"] == "physiotherapist" and stored["most"]["total"] is not None
    assert stored["least"]["goal"] == 300
    [entry] = _audit(db)
    assert (entry["entity"], entry["action"]) == ("participant", "enrol")
    assert entry["entity_id"] == person["id"] and entry["session_id"] == session["id"]
    assert [r.rating.target for r in enrolled.ratings] == ["most", "least"]
    # The one entry still says what each write was, for the trail.
    [trail] = session_trail(db, session["id"])
    parts = [(c["entity"], c["action"]) for c in trail["after"]["changes"]]
    assert parts == [("participant", "create"), ("session", "create"),
                     ("wai_rating", "create"), ("wai_rating", "create")]


def test_a_bad_rating_leaves_no_participant_and_no_entry(study: Study, db) -> None:
    bad = _enrolment(ratings=(RatingEntry("most", "  ", items=ITEMS),))
    with pytest.raises(InputError) as raised:
        participants.enrol(study, bad)
    assert raised.value.field == "role"
    assert db["participants"].count == 0 and db["sessions"].count == 0
    assert _audit(db) == []


def test_enrol_again_updates_the_participant_and_rates_the_same_session(
        study: Study, db) -> None:
    first = participants.enrol(study, _enrolment(consent=False, ratings=()))
    assert first.participant.consent_date is None
    again = participants.enrol(study, _enrolment(
        existing=True, session_id=first.session.id, consent=True,
        characteristics={"education": "high"},
        ratings=(RatingEntry("most", "physician", domains=DOMAINS),)))
    assert again.session.id == first.session.id and db["sessions"].count == 1
    assert again.participant.education == "high" and again.participant.consent_date == \
        "2026-03-02"
    assert [e["action"] for e in _audit(db)] == ["enrol", "enrol"]


def test_a_used_code_is_refused_for_a_new_participant(study: Study, db) -> None:
    participants.add(study, "P07")
    with pytest.raises(InputError) as raised:
        participants.enrol(study, _enrolment())
    assert raised.value.field == "code"
    assert db["sessions"].count == 0 and len(_audit(db)) == 1


def test_add_plan_and_rate_each_leave_one_entry(study: Study, db) -> None:
    participants.add(study, "P01", gender="male", pdi=None)
    session = sessions.plan(study, "P01", pilot=True)
    rate(study, session.id, RatingEntry("most", "physiotherapist", items=ITEMS))
    rate(study, session.id, RatingEntry("most", "physician", items=ITEMS))
    assert [(e["entity"], e["action"]) for e in _audit(db)] == [
        ("participant", "create"), ("session", "create"), ("wai_rating", "create"),
        ("wai_rating", "replace")]
    assert db["wai_ratings"].count == 1 and session.pilot
    assert db["sessions"].get(session.id)["protocol_id"] == "pain-alliance"


def test_complete_and_reopen_move_the_status_with_one_entry_each(study: Study, db) -> None:
    participants.add(study, "P02")
    planned = sessions.plan(study, "P02")
    before = len(_audit(db))
    done = sessions.complete(study, planned.id)
    assert done.status == "completed" == db["sessions"].get(planned.id)["status"]
    assert sessions.complete(study, planned.id).status == "completed"  # no second entry
    again = sessions.reopen(study, planned.id)
    assert again.status == "planned"  # no audio: back to planned
    entries = _audit(db)[before:]
    assert [(e["entity"], e["action"]) for e in entries] == [("session", "status")] * 2
    with pytest.raises(InputError):
        sessions.reopen(study, planned.id)  # only a completed session can be reopened
    with pytest.raises(NotFoundError):
        sessions.complete(study, 99)
    assert len(_audit(db)) == before + 2
