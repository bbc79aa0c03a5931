"""Participants: add one, read them, and enrol one for an interview in a single save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from companion.errors import InputError
from companion.models.choice import check_protocol_model
from companion.operations._base import acting, reading
from companion.operations.protocols import protocol_for
from companion.operations.ratings import RatingEntry, Scored, rate_in
from companion.store import participants as store
from companion.store import sessions as session_store
from companion.store.participants import Participant
from companion.store.sessions import Session
from companion.study.folder import Study

__all__ = ["Enrolled", "Enrolment", "Participant", "add", "enrol", "find", "get", "list_all"]


def add(study: Study, code: str, **characteristics: Any) -> Participant:
    """Add a participant under a pseudonym code (characteristics as typed; None skipped)."""
    given = {k: v for k, v in characteristics.items() if v is not None}
    with acting(study, entity="participant", action="create") as act:
        return store.add_participant(act.db, code, **given)


def get(study: Study, code: str) -> Participant:
    with reading(study) as db:
        return store.get_participant(db, code)


def find(study: Study, code: str) -> Participant | None:
    with reading(study) as db:
        return store.find_participant(db, code)


def list_all(study: Study) -> list[Participant]:
    with reading(study) as db:
        return store.list_participants(db)


@dataclass(frozen=True)
class Enrolment:
    """Everything the set-up form saves at once.

    ``existing``: the form was opened on this participant (their characteristics are
    updated); otherwise ``code`` must be new. ``session_id``: the session the form was
    opened on; None plans a new one with ``protocol_id``, ``interviewer`` and ``pilot``.
    ``consent``: written consent is signed (dated today, unless it already has a date).
    """

    code: str
    characteristics: Mapping[str, Any] = field(default_factory=dict)
    consent: bool = False
    existing: bool = False
    session_id: int | None = None
    protocol_id: str | None = None
    interviewer: str | None = None
    pilot: bool = False
    ratings: Sequence[RatingEntry] = ()
    today: dt.date | None = None


@dataclass(frozen=True)
class Enrolled:
    participant: Participant
    session: Session
    ratings: tuple[Scored, ...]


def enrol(study: Study, enrolment: Enrolment) -> Enrolled:
    """Save participant, consent, session and ratings: all of it, or nothing."""
    code = enrolment.code.strip()
    values = dict(enrolment.characteristics)
    today = (enrolment.today or dt.date.today()).isoformat()
    protocol = protocol_for(study, enrolment.protocol_id) if enrolment.session_id is None \
        else None
    if protocol is not None:  # never plan a Dutch interview on tiny.en: before any write
        check_protocol_model(study, protocol)
    with acting(study, entity="participant", action="enrol") as act:
        db = act.db
        existing = store.find_participant(db, code) if enrolment.existing else None
        if existing is None:
            if enrolment.consent:
                values["consent_date"] = today
            person = store.add_participant(db, code, **values)
        else:
            if enrolment.consent and not existing.consented:
                values["consent_date"] = today
            person = store.update_participant(db, existing.code, **values)
        if enrolment.session_id is None:
            assert protocol is not None
            interviewer = enrolment.interviewer
            if interviewer is None:
                interviewer = study.settings.study.interviewer
            session = session_store.new_session(
                db, person.code, protocol_id=protocol.id, protocol_hash=protocol.content_hash,
                interviewer=interviewer, pilot=enrolment.pilot)
        else:
            session = session_store.get_session(db, enrolment.session_id)
            if session.participant_id != person.id:
                raise InputError("session", enrolment.session_id,
                                 f"a session of participant {person.code}")
        scored = tuple(rate_in(study, db, session, entry) for entry in enrolment.ratings)
        act.entry.entity_id = person.id
        act.entry.session_id = session.id
        act.entry.after = {"code": person.code, "session": session.id,
                           "consent_date": person.consent_date,
                           "ratings": [s.rating.target for s in scored]}
    return Enrolled(participant=person, session=session, ratings=scored)
