"""Operations on an interview session, shared by the CLI and the TUI.

Both fronts are thin: they parse what the user typed and call these functions, which
validate everything before writing anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.protocol.model import Protocol
from companion.protocol.registry import DEFAULT_PROTOCOL_ID, get_protocol
from companion.protocol.scoring import Score, score_rating
from companion.protocol.suggestions import RatingInput, Suggestion, suggest
from companion.store import events, notes, ratings, sessions, transcripts
from companion.study.config import load_config
from companion.study.folder import Study


def default_protocol_id(study: Study) -> str:
    return load_config(study.config_path).get("study.protocol", DEFAULT_PROTOCOL_ID)


def protocol_for(study: Study, protocol_id: str | None = None) -> Protocol:
    return get_protocol(protocol_id or default_protocol_id(study), study.root)


def session_protocol(study: Study, session: sessions.Session) -> Protocol:
    return get_protocol(session.protocol_id, study.root)


def new_session(
    study: Study,
    db: sqlite_utils.Database,
    participant_code: str,
    *,
    protocol_id: str | None = None,
    interviewer: str | None = None,
    pilot: bool = False,
) -> sessions.Session:
    protocol = protocol_for(study, protocol_id)
    from companion.models.choice import check_protocol_model

    check_protocol_model(study, protocol)  # never plan a Dutch interview on tiny.en
    if interviewer is None:
        interviewer = load_config(study.config_path).get("study.interviewer")
    return sessions.new_session(
        db, participant_code, protocol_id=protocol.id, protocol_hash=protocol.content_hash,
        interviewer=interviewer, pilot=pilot,
    )


def parse_items(text: str) -> list[float | None]:
    """``"80,75,,90,..."``: comma-separated item scores; an empty entry or '-' is missing."""
    values: list[float | None] = []
    for index, part in enumerate(str(text).split(","), start=1):
        part = part.strip()
        if part in ("", "-", "na", "NA"):
            values.append(None)
            continue
        try:
            number = float(part)
        except ValueError:
            raise InputError(f"items[{index}]", part, "a number from 0 to 100, or '-' "
                             "for a missing item") from None
        if math.isnan(number):
            raise InputError(f"items[{index}]", part, "a number from 0 to 100")
        values.append(number)
    return values


def rate(
    study: Study,
    db: sqlite_utils.Database,
    session_id: int,
    *,
    target: str,
    role: str,
    items: Sequence[float | None] | None = None,
    domains: dict[str, float | None] | None = None,
) -> tuple[ratings.StoredRating, Score]:
    """Score and store one WAI rating (most or least positive alliance) for a session."""
    session = sessions.get_session(db, session_id)
    protocol = session_protocol(study, session)
    if protocol.instrument is None:
        raise InputError("session", session_id, f"a session whose protocol has an instrument "
                         f"({protocol.id} has none)")
    if target not in ratings.TARGETS:
        raise InputError("target", target, "most or least")
    if not (role or "").strip():
        raise InputError("role", role, "the professional's role, such as physiotherapist")
    score = score_rating(protocol.instrument, items=items, domains=domains)
    stored = ratings.save_rating(
        db, session.id, target=target, role=role, items=score.items,
        domains=score.domains, total=score.total,
    )
    return stored, score


def stored_score(protocol: Protocol, stored: ratings.StoredRating) -> Score:
    """Re-score a stored rating with the protocol's instrument (keeps prorating flags)."""
    assert protocol.instrument is not None
    if stored.items is not None:
        return score_rating(protocol.instrument, items=list(stored.items))
    return score_rating(protocol.instrument, domains=stored.domains)


def rating_inputs(
    protocol: Protocol, stored: Sequence[ratings.StoredRating]
) -> list[RatingInput]:
    return [RatingInput(target=r.target, role=r.role, score=stored_score(protocol, r))
            for r in stored]


def session_suggestions(
    study: Study, db: sqlite_utils.Database, session_id: int
) -> list[Suggestion]:
    session = sessions.get_session(db, session_id)
    protocol = session_protocol(study, session)
    if protocol.instrument is None:
        return []
    return suggest(protocol, rating_inputs(protocol, ratings.list_ratings(db, session.id)))


def mark_phase(
    study: Study, db: sqlite_utils.Database, session_id: int, phase_id: str, at_ms: int
) -> int:
    session = sessions.get_session(db, session_id)
    protocol = session_protocol(study, session)
    protocol.phase(phase_id)  # raises InputError listing the phases
    event_id = events.add_phase_event(db, session.id, phase_id, at_ms)
    # A phase placed after transcription (e.g. on an imported recording) moves segments.
    transcripts.refresh_phases(db, session.id)
    return event_id


def add_note(
    study: Study,
    db: sqlite_utils.Database,
    session_id: int,
    text: str,
    *,
    at_ms: int | None,
    kind: str = "note",
    codes: Sequence[str] = (),
) -> notes.Note:
    session = sessions.get_session(db, session_id)
    if codes:
        protocol = session_protocol(study, session)
        for code_id in codes:
            protocol.code(code_id)  # raises InputError listing the codebook
    return notes.add_note(db, session.id, kind=kind, text=text, at_ms=at_ms, codes=list(codes))


@dataclass(frozen=True)
class SessionOverview:
    session: sessions.Session
    protocol: Protocol
    ratings: list[tuple[ratings.StoredRating, Score]]
    phases: list[dict[str, Any]]
    prompts: list[dict[str, Any]]
    notes: list[notes.Note]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.session.to_dict(),
            "protocol_title": self.protocol.title,
            "ratings": [
                {**stored.to_dict(), "prorated": score.prorated} for stored, score in self.ratings
            ],
            "phases": self.phases,
            "prompt_events": self.prompts,
            "notes": [n.to_dict() for n in self.notes],
        }


def overview(study: Study, db: sqlite_utils.Database, session_id: int | str) -> SessionOverview:
    session = sessions.get_session(db, session_id)
    protocol = session_protocol(study, session)
    stored = ratings.list_ratings(db, session.id)
    scored = [(r, stored_score(protocol, r)) for r in stored] if protocol.instrument else []
    return SessionOverview(
        session=session, protocol=protocol, ratings=scored,
        phases=events.list_phase_events(db, session.id),
        prompts=events.list_prompt_events(db, session.id),
        notes=notes.list_notes(db, session.id),
    )
