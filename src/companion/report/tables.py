"""The numbers of the study report: sample (Table 1), WAI-ReD (Table 2), durations, saturation.

Pilot sessions are listed apart and left out of every table: a participant counts in the
sample when they have at least one session that is not a pilot. Quantiles are type 6
(SPSS), via :func:`companion.protocol.stats.median_iqr`, like the study's own tables.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from companion.characteristics import CATEGORIES, SCALES
from companion.protocol.model import code_name
from companion.protocol.stats import median_iqr
from companion.report.agreement import CoderAgreement, coder_agreement
from companion.report.joint import JointDisplay, code_tags, imported_codings, joint_display
from companion.session.timeline import load_timeline
from companion.store import ratings
from companion.store.participants import Participant
from companion.store.sessions import Session, list_sessions
from companion.study.folder import Study

CATEGORY_TITLES = {
    "gender": "Gender", "age_band": "Age", "education": "Education",
    "pain_duration": "Duration of chronic pain", "work_status": "Working status",
}
DOMAINS = ("task", "goal", "bond", "total")


@dataclass(frozen=True)
class Summary:
    """Median with 25th and 75th percentile (type 6) of ``n`` values."""

    n: int
    median: float
    p25: float
    p75: float

    @classmethod
    def of(cls, values: list[float]) -> Summary | None:
        if not values:
            return None
        median, p25, p75 = median_iqr(values)
        return cls(len(values), median, p25, p75)

    def text(self, digits: int = 1) -> str:
        return f"{self.median:.{digits}f} ({self.p25:.{digits}f}; {self.p75:.{digits}f})"


@dataclass(frozen=True)
class CategoryRow:
    value: str | None
    label: str
    n: int
    percent: float


@dataclass
class Table1:
    n: int
    categories: dict[str, list[CategoryRow]] = field(default_factory=dict)
    scales: dict[str, Summary | None] = field(default_factory=dict)
    scale_missing: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Table2Row:
    domain: str
    most: Summary | None
    least: Summary | None
    reference_most: str | None = None
    reference_least: str | None = None


@dataclass(frozen=True)
class SessionDuration:
    session_id: int
    participant: str
    duration_ms: int
    phases: dict[str, int]


@dataclass(frozen=True)
class SaturationRow:
    order: int
    session_id: int
    participant: str
    date: str
    codes: tuple[str, ...]
    new_codes: tuple[str, ...]
    cumulative: int

    @property
    def new(self) -> int:
        return len(self.new_codes)


@dataclass
class StudyReport:
    title: str
    generated_at: str
    protocol_id: str | None
    sessions: list[Session]
    pilots: list[Session]
    table1: Table1
    table2: list[Table2Row]
    durations: list[SessionDuration]
    duration_summary: Summary | None
    phase_summary: dict[str, Summary | None]
    phase_titles: dict[str, str]
    saturation: list[SaturationRow]
    codebook: dict[str, str]
    # From the analyst's codings (import-qdpx) and the joint display (report/joint.py).
    coded_saturation: list[SaturationRow] = field(default_factory=list)
    joint: JointDisplay | None = None
    talk_time: list[dict[str, Any]] = field(default_factory=list)
    # Two coders of the same transcripts (report/agreement.py), one entry per pair.
    agreement: list[CoderAgreement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def conv(obj: Any) -> Any:
            return asdict(obj) if obj is not None else None

        return {
            "format": "companion-report/1",
            "title": self.title,
            "generated_at": self.generated_at,
            "protocol": self.protocol_id,
            "sessions": [s.id for s in self.sessions],
            "pilot_sessions": [{"id": s.id, "participant": s.participant_code,
                                "status": s.status, "duration_ms": s.duration_ms}
                               for s in self.pilots],
            "table1": {
                "n": self.table1.n,
                "categories": {k: [asdict(r) for r in rows]
                               for k, rows in self.table1.categories.items()},
                "scales": {k: conv(v) for k, v in self.table1.scales.items()},
                "scale_missing": self.table1.scale_missing,
            },
            "table2": [{"domain": r.domain, "most": conv(r.most), "least": conv(r.least),
                        "reference_most": r.reference_most,
                        "reference_least": r.reference_least} for r in self.table2],
            "durations": [asdict(d) for d in self.durations],
            "duration_summary": conv(self.duration_summary),
            "phase_summary": {k: conv(v) for k, v in self.phase_summary.items()},
            "phase_titles": self.phase_titles,
            "saturation": [asdict(r) | {"new": r.new} for r in self.saturation],
            "saturation_codings": [asdict(r) | {"new": r.new} for r in self.coded_saturation],
            "joint_display": self.joint.to_dict() if self.joint else None,
            "codebook": self.codebook,
            "talk_time": self.talk_time,
            "agreement": [a.to_dict() for a in self.agreement],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _sort_key(session: Session) -> tuple[str, int]:
    return (session.started_at or session.created_at or "", session.id)


def table1(participants: list[Participant]) -> Table1:
    n = len(participants)
    table = Table1(n=n)
    for key, labels in CATEGORIES.items():
        rows = []
        for value, label in labels.items():
            count = sum(1 for p in participants if getattr(p, key) == value)
            rows.append(CategoryRow(value, label, count, 100.0 * count / n if n else 0.0))
        missing = sum(1 for p in participants if getattr(p, key) is None)
        if missing:
            rows.append(CategoryRow(None, "Missing", missing, 100.0 * missing / n))
        table.categories[key] = rows
    for key in SCALES:
        values = [float(getattr(p, key)) for p in participants if getattr(p, key) is not None]
        table.scales[key] = Summary.of(values)
        table.scale_missing[key] = n - len(values)
    return table


def table2(db: sqlite_utils.Database, sessions: list[Session], reference: Any = None
           ) -> list[Table2Row]:
    """WAI-ReD per domain and total: one rating per participant and target (the first
    non-pilot session of that participant that has it)."""
    chosen: dict[tuple[str, str], ratings.StoredRating] = {}
    for session in sorted(sessions, key=_sort_key):
        for rating in ratings.list_ratings(db, session.id):
            chosen.setdefault((session.participant_code, rating.target), rating)
    rows = []
    for domain in DOMAINS:
        per_target: dict[str, list[float]] = {"most": [], "least": []}
        for (_, target), rating in chosen.items():
            value = getattr(rating, domain)
            if value is not None:
                per_target[target].append(float(value))
        ref_most = ref_least = None
        if reference is not None:
            for target in ("most", "least"):
                stat = reference.get(target, domain)
                if stat is not None:
                    text = f"{stat.median:.1f} ({stat.p25:.1f}; {stat.p75:.1f})"
                    if target == "most":
                        ref_most = text
                    else:
                        ref_least = text
        rows.append(Table2Row(domain, Summary.of(per_target["most"]),
                              Summary.of(per_target["least"]), ref_most, ref_least))
    return rows


def session_duration(db: sqlite_utils.Database, session: Session) -> SessionDuration:
    """The session's length and time per phase, as the session timeline has them (the
    same end and spans as the summary and every export)."""
    tl = load_timeline(None, db, session.id)
    return SessionDuration(session.id, session.participant_code, tl.end_ms,
                           tl.phase_totals())


def saturation(db: sqlite_utils.Database, sessions: list[Session]) -> list[SaturationRow]:
    """New codes per interview, in interview order (code tags on notes and bookmarks)."""
    per_session: dict[int, list[str]] = {}
    for session in sessions:
        codes: list[str] = []
        for row in db.query("SELECT codes FROM notes WHERE session_id = ? "
                            "ORDER BY at_ms IS NULL, at_ms, id", [session.id]):
            for code in json.loads(row["codes"]):
                if code not in codes:
                    codes.append(code)
        per_session[session.id] = codes
    return saturation_of(sessions, per_session)


def saturation_of(sessions: list[Session], per_session: dict[int, list[str]]
                  ) -> list[SaturationRow]:
    """New codes per interview, in interview order, from each session's codes."""
    seen: set[str] = set()
    rows = []
    for order, session in enumerate(sorted(sessions, key=_sort_key), start=1):
        codes = list(dict.fromkeys(per_session.get(session.id, [])))
        new = tuple(c for c in codes if c not in seen)
        seen.update(codes)
        rows.append(SaturationRow(order, session.id, session.participant_code,
                                  (session.started_at or session.created_at or "")[:10],
                                  tuple(codes), new, len(seen)))
    return rows


def build_report(study: Study, db: sqlite_utils.Database) -> StudyReport:
    import datetime as dt

    from companion.privacy.pseudonymise import study_pseudonymiser
    from companion.protocol.registry import DEFAULT_PROTOCOL_ID, get_protocol
    from companion.speakers.talktime import study_talk_time

    all_sessions = list_sessions(db)
    pilots = [s for s in all_sessions if s.pilot]
    main = [s for s in all_sessions if not s.pilot]
    ids = sorted({s.participant_id for s in main})
    participants = [Participant(**row) for row in db.query(
        f"SELECT * FROM participants WHERE id IN ({','.join('?' * len(ids))}) ORDER BY code",
        ids)] if ids else []

    protocol_id = main[0].protocol_id if main else (
        study.settings.study.protocol or DEFAULT_PROTOCOL_ID)
    try:
        protocol = get_protocol(protocol_id, study.root)
    except Exception:  # a report still works when a protocol file has gone
        protocol = None
    durations = [session_duration(db, s) for s in sorted(main, key=_sort_key)]
    phase_ids: list[str] = [p.id for p in protocol.phases] if protocol else []
    for d in durations:
        phase_ids += [p for p in d.phases if p not in phase_ids]
    phase_summary = {p: Summary.of([d.phases[p] / 60000 for d in durations if p in d.phases])
                     for p in phase_ids}
    titles = {p.id: p.title for p in protocol.phases} if protocol else {}
    codebook = {c.id: c.name for c in protocol.codes} if protocol else {}
    return StudyReport(
        title=study.settings.study.title or "Study report",
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        protocol_id=protocol_id,
        sessions=main, pilots=pilots,
        table1=table1(participants),
        table2=table2(db, main, protocol.reference if protocol else None),
        durations=durations,
        duration_summary=Summary.of([d.duration_ms / 60000 for d in durations
                                     if d.duration_ms]),
        phase_summary=phase_summary,
        phase_titles={p: titles.get(p, p) for p in phase_ids},
        saturation=saturation(db, main),
        codebook=codebook,
        coded_saturation=coded_saturation(db, main),
        joint=joint_display(db, main, [
            *imported_codings(db, main),
            *code_tags(db, main, {c.id: code_name(c.id, c.name) for c in protocol.codes}
                       if protocol else {})], {p: titles.get(p, p) for p in phase_ids},
            protocol.reference if protocol else None),
        talk_time=study_talk_time(db, sorted(main, key=_sort_key)),
        agreement=coder_agreement(db, sorted(main, key=_sort_key), study_pseudonymiser(study)),
    )


def coded_saturation(db: sqlite_utils.Database, sessions: list[Session]) -> list[SaturationRow]:
    """New codes per interview from the analyst's codings; empty before any import."""
    occurrences = imported_codings(db, sessions)
    if not occurrences:
        return []
    per_session: dict[int, list[str]] = {}
    for occ in occurrences:
        per_session.setdefault(occ.session_id, []).append(occ.code)
    return saturation_of(sessions, per_session)
