"""Finding and deciding the identifiers in what was said and written, for pseudonymised
exports (see :mod:`companion.identifiers`).

- :func:`detect` searches sessions (after each transcript, and on demand);
- :func:`suggest` lists a session's findings, each with the label it would get and whether
  an export already replaces it (searching first when the session changed);
- :func:`accept` and :func:`reject` decide, one audit entry per action. An accepted name
  goes on the study's replacement list with one label for every session it is said in;
  accepted for the whole study, it is replaced in every session's export.
- :func:`review_state` counts findings per session for the report and for exports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from companion.errors import InputError
from companion.identifiers.detect import whole_words
from companion.identifiers.finding import name_key
from companion.identifiers.labels import clean_label, propose
from companion.identifiers.session import Searched, is_current, search_session
from companion.notation import format_hms
from companion.operations._base import acting, reading
from companion.protocol.registry import get_protocol
from companion.store import identifiers as store
from companion.store import notes, sessions, transcripts
from companion.study.folder import Study

__all__ = ["Finding", "ReviewState", "Searched", "SessionFindings", "accept", "detect",
           "prepare", "reject", "review_state", "suggest"]


@dataclass(frozen=True)
class Finding(store.Finding):
    """One finding as review shows it: the stored one with its label and context."""

    label: str
    """The label it has (accepted) or would get (open, rejected)."""
    replaced: str | None
    """The label an export puts in its place now, else None."""
    context: str

    @property
    def at(self) -> str:
        return format_hms(self.at_ms) if self.at_ms is not None else "--:--:--"

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "session": self.session_id, "source": self.source,
                "ref_id": self.ref_id, "start": self.start_char, "end": self.end_char,
                "text": self.text, "kind": self.kind, "detail": self.detail,
                "at_ms": self.at_ms, "at": self.at, "status": self.status,
                "label": self.label, "replaced": self.replaced,
                "already_replaced": self.replaced is not None, "context": self.context,
                "found_by": self.found_by}


@dataclass(frozen=True)
class SessionFindings:
    session_id: int
    participant: str
    language: str
    searched: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(store.STATUSES, 0)
        for f in self.findings:
            out[f.status] += 1
        return out


@dataclass(frozen=True)
class ReviewState:
    """Per session: searched (and current), findings open, accepted, rejected."""

    session_id: int
    participant: str
    searched: bool
    current: bool
    open: int
    accepted: int
    rejected: int

    @property
    def needs_review(self) -> bool:
        return not self.current or self.open > 0


# --- searching -----------------------------------------------------------------------------

def _with_text(db: sqlite_utils.Database) -> list[int]:
    return sorted({r["session_id"] for r in db.query(
        "SELECT session_id FROM transcript_segments UNION "
        "SELECT session_id FROM notes WHERE trim(text) != ''")})


def detect(study: Study, session_id: int | str | None = None, *, all_sessions: bool = False,
           force: bool = False,
           progress: Callable[[str], None] | None = None) -> list[Searched]:
    """Search one session (or every one with a transcript or notes) for identifiers; a
    session searched since its text last changed is not searched again unless ``force``.
    Each session searched leaves one audit entry."""
    if bool(session_id) == bool(all_sessions):
        raise InputError("SESSION", session_id or "", "a session id, or --all (not both)")
    with reading(study) as db:
        ids = _with_text(db) if all_sessions else [sessions.get_session(db, session_id or "").id]
    results = []
    for sid in ids:
        with acting(study, entity="identifiers", action="search") as act:
            searched = search_session(study, act.db, sid, force=force, progress=progress)
            if not searched.skipped:
                act.entry.entity_id = act.entry.session_id = sid
                act.entry.after = {"found": searched.found, "new": searched.new,
                                   "open": searched.open, "language": searched.language}
        results.append(searched)
    return results


def prepare(progress: Callable[[str], None] | None = None) -> float:
    """Build the Dutch detector's lookup lists now (once per installation, minutes);
    returns the seconds it took."""
    from companion.identifiers.dutch import prepare as build

    return build(progress)


# --- listing ---------------------------------------------------------------------------------

def _source_texts(db: sqlite_utils.Database, session_id: int) -> dict[tuple[str, int], str]:
    texts = {("segment", s.id): s.text for s in transcripts.list_segments(db, session_id)}
    texts.update({("note", n.id): n.text for n in notes.list_notes(db, session_id)})
    return texts


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - 30):start]
    right = text[end:end + 30]
    return (("…" if start > 30 else "") + left + "[" + text[start:end] + "]" + right
            + ("…" if end + 30 < len(text) else ""))


def _findings(study: Study, db: sqlite_utils.Database, session_id: int,
              rows: Sequence[store.Finding]) -> list[Finding]:
    session = sessions.get_session(db, session_id)
    language = get_protocol(session.protocol_id, study.root).language
    known = store.list_replacements(db)
    applied = {name_key(k): v for k, v in store.replacements_for(db, session_id).items()}
    typed = {name_key(k): v for k, v in study.settings.privacy.replacements.items()}
    texts = _source_texts(db, session_id)
    out = []
    for row in rows:
        key = name_key(row.text)
        replaced = typed.get(key) or applied.get(key)
        label = replaced or propose(key, row.kind, row.detail, language, known)
        text = texts.get((row.source, row.ref_id), "")
        out.append(Finding(**vars(row), label=label, replaced=replaced,
                           context=_context(text, row.start_char, row.end_char)))
    return out


def suggest(study: Study, session_id: int | str, *, search: bool = True) -> SessionFindings:
    """A session's findings in time order; with ``search``, the session is searched first
    if it never was or its text changed since (that search is audited like any other)."""
    with reading(study) as db:
        session = sessions.get_session(db, session_id)
        stale = not is_current(study, db, session.id)
    if search and stale:
        detect(study, session.id)
    with reading(study) as db:
        rows = store.list_findings(db, session.id)
        searched = store.last_search(db, session.id)
        language = searched["language"] if searched else ""
        return SessionFindings(session.id, session.participant_code, language,
                               searched is not None, _findings(study, db, session.id, rows))


# --- deciding --------------------------------------------------------------------------------

def _chosen(db: sqlite_utils.Database, session_id: int,
            items: Sequence[int | str]) -> list[store.Finding]:
    if not items:
        raise InputError("ITEM", "", "one or more finding ids (companion pseudonymise suggest "
                         f"{session_id} lists them)")
    own = {f.id: f for f in store.list_findings(db, session_id)}
    chosen = []
    for item in items:
        try:
            finding_id = int(str(item).strip())
        except ValueError:
            finding_id = -1
        if finding_id not in own:
            known = ", ".join(str(i) for i in sorted(own)[:12]) or "none"
            raise InputError("ITEM", item, f"a finding id of session {session_id} "
                             f"(known: {known}{', …' if len(own) > 12 else ''})",
                             hint=f"companion pseudonymise suggest {session_id} lists them")
        chosen.append(own[finding_id])
    return chosen


def _check_label(label: str | None) -> str | None:
    if label is None:
        return None
    inner = " ".join(label.strip().strip("[]").split())
    if not inner or len(inner) > 60 or any(c in inner for c in "[]\n\t"):
        raise InputError("--as", label, "a label of 1 to 60 characters without brackets "
                         "inside, e.g. 'physiotherapist 1' or '[town]'")
    return clean_label(inner)


def accept(study: Study, session_id: int | str, items: Sequence[int | str], *,
           label: str | None = None, whole_study: bool = False) -> list[Finding]:
    """Accept findings: each name goes on the study's replacement list with ``label`` (or
    the one it has, or a new one) and every open finding of the same name in the session
    is accepted with it; ``whole_study`` accepts it in every session that says it. One
    audit entry for the action, listing each decision."""
    chosen_label = _check_label(label)
    with acting(study, entity="identifier", action="accept") as act:
        db = act.db
        sid = sessions.get_session(db, session_id).id
        act.entry.session_id = sid
        language = get_protocol(sessions.get_session(db, sid).protocol_id,
                                study.root).language
        touched: set[int] = set()
        for finding in _chosen(db, sid, items):
            key = name_key(finding.text)
            new_label = chosen_label or propose(key, finding.kind, finding.detail, language,
                                                store.list_replacements(db))
            targets = [sid]
            if whole_study:
                targets += [s for s in _sessions_with(db, finding.text) if s != sid]
            for target in targets:
                store.add_replacement(db, session_id=target, name_key=key, text=finding.text,
                                      label=new_label, kind=finding.kind,
                                      whole_study=whole_study)
                for other in store.list_findings(db, target):
                    if other.status != "accepted" and (
                            other.id == finding.id
                            or (other.status == "open" and name_key(other.text) == key)):
                        store.decide(db, other, "accepted", new_label)
                        touched.add(other.id)
        act.entry.after = {"whole_study": whole_study}
        return _findings(study, db, sid, [f for f in store.list_findings(db, sid)
                                          if f.id in touched])


def _sessions_with(db: sqlite_utils.Database, text: str) -> list[int]:
    """Sessions whose transcript or notes say ``text`` as whole words."""
    return [sid for sid in store.sessions_saying(db, text)
            if any(next(iter(whole_words(t, text)), None)
                   for t in store.session_texts(db, sid))]


def reject(study: Study, session_id: int | str, items: Sequence[int | str]) -> list[Finding]:
    """Reject findings (not an identifier): every finding of the same name in the session
    is rejected with them, and the name leaves the session's replacement list."""
    with acting(study, entity="identifier", action="reject") as act:
        db = act.db
        sid = sessions.get_session(db, session_id).id
        act.entry.session_id = sid
        touched: set[int] = set()
        for finding in _chosen(db, sid, items):
            key = name_key(finding.text)
            for other in store.list_findings(db, sid):
                if other.status != "rejected" and (other.id == finding.id
                                                   or name_key(other.text) == key):
                    store.decide(db, other, "rejected")
                    touched.add(other.id)
            store.remove_replacement(db, sid, key)
        return _findings(study, db, sid, [f for f in store.list_findings(db, sid)
                                          if f.id in touched])


# --- the state of review ---------------------------------------------------------------------

def review_state(study: Study, session_ids: Sequence[int] | None = None) -> list[ReviewState]:
    """Per session (default: every one with a transcript or notes): searched, current,
    and its findings open, accepted and rejected."""
    with reading(study) as db:
        return states(study, db, session_ids)


def states(study: Study, db: sqlite_utils.Database,
           session_ids: Sequence[int] | None = None) -> list[ReviewState]:
    """:func:`review_state` on an open connection (for an export's plan)."""
    counts = store.counts(db)
    ids = list(session_ids) if session_ids is not None else _with_text(db)
    out = []
    for sid in ids:
        session = sessions.get_session(db, sid)
        c = counts.get(sid)
        searched = store.last_search(db, sid) is not None
        out.append(ReviewState(sid, session.participant_code, searched,
                               searched and is_current(study, db, sid),
                               (c or {}).get("open", 0), (c or {}).get("accepted", 0),
                               (c or {}).get("rejected", 0)))
    return out
