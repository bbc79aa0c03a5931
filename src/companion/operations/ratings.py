"""WAI-ReD ratings (the most and the least positive alliance) and the suggestions they drive."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlite_utils

from companion.errors import InputError
from companion.operations._base import acting, reading
from companion.operations.protocols import session_protocol
from companion.protocol.model import Protocol, as_target
from companion.protocol.scoring import Score, score_rating
from companion.protocol.suggestions import RatingInput, Suggestion, suggest
from companion.store import ratings as store
from companion.store import sessions as session_store
from companion.store.ratings import TARGETS, StoredRating
from companion.store.sessions import Session
from companion.study.folder import Study

__all__ = ["TARGETS", "RatingEntry", "Score", "Scored", "StoredRating", "list_scored",
           "list_stored", "parse_items", "rate", "stored", "suggestions"]


@dataclass(frozen=True)
class RatingEntry:
    """One rating as entered: 12 item scores, or the three domain scores."""

    target: str
    role: str
    items: Sequence[float | None] | None = None
    domains: Mapping[str, float | None] | None = None


@dataclass(frozen=True)
class Scored:
    rating: StoredRating
    score: Score


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


def rate_in(study: Study, db: sqlite_utils.Database, session: Session,
            entry: RatingEntry) -> Scored:
    """Score and store a rating inside an action that is already running (see enrol)."""
    protocol = session_protocol(study, session)
    if protocol.instrument is None:
        raise InputError("session", session.id, f"a session whose protocol has an instrument "
                         f"({protocol.id} has none)")
    if entry.target not in TARGETS:
        raise InputError("target", entry.target, "most or least")
    if not (entry.role or "").strip():
        raise InputError("role", entry.role, "the professional's role, such as "
                         "physiotherapist")
    score = score_rating(protocol.instrument,
                         items=None if entry.items is None else list(entry.items),
                         domains=None if entry.domains is None else dict(entry.domains))
    saved = store.save_rating(db, session.id, target=entry.target, role=entry.role,
                              items=score.items, domains=score.domains, total=score.total)
    return Scored(saved, score)


def rate(study: Study, session_id: int | str, entry: RatingEntry) -> Scored:
    """Score and store one rating for a session (replacing its earlier one)."""
    with acting(study, entity="wai_rating", action="create") as act:
        session = session_store.get_session(act.db, session_id)
        return rate_in(study, act.db, session, entry)


def stored(protocol: Protocol, rating: StoredRating) -> Score:
    """Re-score a stored rating with the protocol's instrument (keeps prorating flags)."""
    assert protocol.instrument is not None
    if rating.items is not None:
        return score_rating(protocol.instrument, items=list(rating.items))
    return score_rating(protocol.instrument, domains=rating.domains)


def scored_ratings(protocol: Protocol, ratings: Sequence[StoredRating]) -> list[Scored]:
    if protocol.instrument is None:
        return []
    return [Scored(r, stored(protocol, r)) for r in ratings]


def list_stored(study: Study, session_id: int | str) -> list[StoredRating]:
    """The session's ratings as entered (most, then least)."""
    with reading(study) as db:
        return store.list_ratings(db, session_store.get_session(db, session_id).id)


def list_scored(study: Study, session_id: int | str) -> list[Scored]:
    """The session's ratings, each with its score."""
    with reading(study) as db:
        session = session_store.get_session(db, session_id)
        return scored_ratings(session_protocol(study, session),
                              store.list_ratings(db, session.id))


def suggestions(study: Study, session_id: int | str) -> list[Suggestion]:
    """Deepening questions proposed from the session's ratings, best first."""
    with reading(study) as db:
        session = session_store.get_session(db, session_id)
        protocol = session_protocol(study, session)
        if protocol.instrument is None:
            return []
        inputs = [RatingInput(target=as_target(r.target), role=r.role, score=stored(protocol, r))
                  for r in store.list_ratings(db, session.id)]
        return suggest(protocol, inputs)
