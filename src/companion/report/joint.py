"""The coding side of the report: saturation from real codings and the joint display.

*Real codings* are the analyst's codings imported with ``import-qdpx`` (those of the
imports in use: a later export of a project replaces the earlier one, and companion's own
codings never come back as the analyst's); *code tags* are the codes tagged on notes
during or after an interview. Both are occurrences of a code at a moment of a session.

The **joint display** links the questionnaire and the coding: how often each code occurs
per interview phase (the phase running at the occurrence's moment) and per WAI-ReD group.
A participant is in the *low alliance* group when a domain (task, goal or bond) of their
least positive alliance lies below the 25th percentile of that domain in the protocol's
published reference sample (for pain-alliance: the n = 26 study, least positive task
223.0, goal 286.0, bond 292.0) — the same yardstick the suggestions use, so a card and the
report agree on who scored low. A protocol without reference values falls back to this
study's own 25th percentile (type 6, as Table 2); then "at or below", so that in a small
study the lowest score counts. The others form the second group. Participants without a
least-positive rating are in neither group. Pilot interviews are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from companion.protocol.model import Reference
from companion.protocol.stats import quantile
from companion.session.timeline import PhaseSpan, load_timeline
from companion.store import qda, ratings
from companion.store.sessions import Session

GROUP_DOMAINS = ("task", "goal", "bond")
NO_PHASE = ""


@dataclass(frozen=True)
class Occurrence:
    session_id: int
    participant: str
    code: str
    at_ms: int | None
    source: str  # "coding" or "tag"


@dataclass
class JointRow:
    code: str
    per_phase: dict[str, int]
    low: int
    other: int
    codings: int
    tags: int

    @property
    def total(self) -> int:
        return self.codings + self.tags


@dataclass
class JointDisplay:
    phases: list[str]
    phase_titles: dict[str, str]
    thresholds: dict[str, float]
    low: list[str]
    other: list[str]
    unrated: list[str]
    rows: list[JointRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "phases": self.phases, "phase_titles": self.phase_titles,
            "thresholds_p25": self.thresholds,
            "groups": {"low": self.low, "other": self.other, "unrated": self.unrated},
            "rows": [{"code": r.code, "per_phase": r.per_phase, "low": r.low,
                      "other": r.other, "codings": r.codings, "tags": r.tags,
                      "total": r.total} for r in self.rows],
        }


def imported_codings(db: sqlite_utils.Database, sessions: list[Session]) -> list[Occurrence]:
    """The analyst's codings of these sessions (imports in use), in time order within each
    session."""
    by_id = {s.id: s for s in sessions}
    return [Occurrence(c.session_id, by_id[c.session_id].participant_code, c.code,
                       c.start_ms, "coding") for c in qda.active_codings(db, by_id)]


def code_tags(db: sqlite_utils.Database, sessions: list[Session],
              labels: dict[str, str]) -> list[Occurrence]:
    """Code tags on notes, named as in the codebook (``A1 History and context``)."""
    out = []
    for session in sessions:
        for row in db.query("SELECT at_ms, codes FROM notes WHERE session_id = ? "
                            "ORDER BY at_ms IS NULL, at_ms, id", [session.id]):
            for code in json.loads(row["codes"]):
                out.append(Occurrence(session.id, session.participant_code,
                                      labels.get(code, code), row["at_ms"], "tag"))
    return out


def low_alliance_groups(db: sqlite_utils.Database, sessions: list[Session],
                        reference: Reference | None = None,
                        ) -> tuple[dict[str, float], list[str], list[str], list[str]]:
    """(25th percentile per domain, low group, other group, unrated), participants by code.

    One least-positive rating per participant: from their first interview that has one
    (as Table 2)."""
    chosen: dict[str, ratings.StoredRating] = {}
    participants: list[str] = []
    for session in sessions:
        if session.participant_code not in participants:
            participants.append(session.participant_code)
        for rating in ratings.list_ratings(db, session.id):
            if rating.target == "least":
                chosen.setdefault(session.participant_code, rating)
    thresholds: dict[str, float] = {}
    published = reference is not None and all(
        reference.get("least", d) is not None for d in GROUP_DOMAINS)
    for domain in GROUP_DOMAINS:
        if published and reference is not None:
            stat = reference.get("least", domain)
            assert stat is not None
            thresholds[domain] = stat.p25
            continue
        values = [float(getattr(r, domain)) for r in chosen.values()
                  if getattr(r, domain) is not None]
        if values:
            thresholds[domain] = quantile(values, 0.25)

    def below(value: float, limit: float) -> bool:
        return value < limit if published else value <= limit

    low: list[str] = []
    other: list[str] = []
    for code, rating in sorted(chosen.items()):
        is_low = any(getattr(rating, d) is not None and d in thresholds
                     and below(float(getattr(rating, d)), thresholds[d])
                     for d in GROUP_DOMAINS)
        (low if is_low else other).append(code)
    unrated = sorted(p for p in participants if p not in chosen)
    return thresholds, low, other, unrated


def phase_of(spans: list[PhaseSpan], at_ms: int | None) -> str:
    """The phase whose span holds ``at_ms``: the session timeline's spans, the same the
    report's phase lengths add up. Spans cover the session from the first mark to its end,
    so a moment before the first mark is in no phase, and one at or past the session's end
    in the phase that was running when it ended (a phase of no length gets nothing)."""
    if at_ms is None or not spans or at_ms < spans[0].start_ms:
        return NO_PHASE
    for span in spans:
        if span.start_ms <= at_ms < span.end_ms:
            return span.phase_id
    running = [s for s in spans if s.duration_ms > 0]
    return (running or spans)[-1].phase_id


def joint_display(db: sqlite_utils.Database, sessions: list[Session],
                  occurrences: list[Occurrence], phase_titles: dict[str, str],
                  reference: Reference | None = None) -> JointDisplay:
    thresholds, low, other, unrated = low_alliance_groups(db, sessions, reference)
    spans = {s.id: load_timeline(None, db, s.id).phase_spans() for s in sessions}
    phases = list(phase_titles)
    rows: dict[str, JointRow] = {}
    for occ in occurrences:
        phase = phase_of(spans.get(occ.session_id, []), occ.at_ms)
        if phase not in phases:
            phases.append(phase)
        row = rows.setdefault(occ.code, JointRow(occ.code, {}, 0, 0, 0, 0))
        row.per_phase[phase] = row.per_phase.get(phase, 0) + 1
        if occ.participant in low:
            row.low += 1
        elif occ.participant in other:
            row.other += 1
        if occ.source == "coding":
            row.codings += 1
        else:
            row.tags += 1
    for row in rows.values():
        row.per_phase = {p: row.per_phase.get(p, 0) for p in phases}
    titles = {p: phase_titles.get(p, p or "No phase") for p in phases}
    return JointDisplay(phases, titles, thresholds, low, other, unrated,
                        sorted(rows.values(), key=lambda r: (-r.total, r.code)))
