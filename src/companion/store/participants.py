"""Participants: pseudonym codes and the characteristics of the study's Table 1."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.characteristics import CATEGORIES, SCALES, validate_characteristics
from companion.errors import InputError, NotFoundError
from companion.store.audit import log_change
from companion.store.db import now_iso, transaction


@dataclass(frozen=True)
class Participant:
    id: int
    code: str
    gender: str | None = None
    age_band: str | None = None
    education: str | None = None
    pain_duration: str | None = None
    work_status: str | None = None
    pdi: int | None = None
    csi: int | None = None
    consent_date: str | None = None
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def consented(self) -> bool:
        return bool(self.consent_date)


CHARACTERISTIC_COLUMNS = (*CATEGORIES, *SCALES, "consent_date")


def add_participant(db: sqlite_utils.Database, code: str, **characteristics: Any) -> Participant:
    values = validate_characteristics({"code": code, **characteristics})
    if find_participant(db, values["code"]) is not None:
        raise InputError(
            "code", values["code"], "a pseudonym code not used yet in this study",
            hint="see 'companion participant list'",
        )
    row = {"created_at": now_iso(), **values}
    with transaction(db):
        db.table("participants").insert(row)
        participant = get_participant(db, values["code"])
        log_change(db, entity="participant", entity_id=participant.id, action="create",
                   after=participant.to_dict())
    return participant


def update_participant(db: sqlite_utils.Database, code: str, **characteristics: Any) -> Participant:
    before = get_participant(db, code)
    values = validate_characteristics(characteristics)
    if not values:
        return before
    with transaction(db):
        db.table("participants").update(before.id, values)
        after = get_participant(db, code)
        log_change(db, entity="participant", entity_id=before.id, action="update",
                   before=before.to_dict(), after=after.to_dict())
    return after


def find_participant(db: sqlite_utils.Database, code: str) -> Participant | None:
    rows = list(db.query("SELECT * FROM participants WHERE code = ? COLLATE NOCASE", [code]))
    return Participant(**rows[0]) if rows else None


def get_participant(db: sqlite_utils.Database, code: str) -> Participant:
    participant = find_participant(db, code)
    if participant is None:
        known = [p.code for p in list_participants(db)]
        raise NotFoundError(
            "participant", code,
            ("one of " + ", ".join(known)) if known else "none yet: add one with "
            "'companion participant add CODE'",
        )
    return participant


def list_participants(db: sqlite_utils.Database) -> list[Participant]:
    return [Participant(**row) for row in db.query("SELECT * FROM participants ORDER BY code")]
