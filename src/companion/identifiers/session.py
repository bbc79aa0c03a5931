"""Searching one session for identifiers: its transcript segments and its notes, with the
protocol's language and vocabulary and the study's local names, merged with what was found
and decided before.

A search is repeated when what it read has changed (a corrected segment, an edited note, a
new local name): decisions stay with the findings that are still there, a name rejected or
accepted in the session keeps that decision where it is found again, and findings no longer
found go unless they were decided and still stand where they did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from companion.identifiers.detect import context_for, detector, find_identifiers
from companion.identifiers.finding import name_key
from companion.protocol.registry import get_protocol
from companion.session.timeline import timed_tokens
from companion.store import identifiers as store
from companion.store import notes, sessions, transcripts
from companion.study.folder import Study

# Bump when the detectors change what they find: every session is then searched again.
SEARCH_VERSION = "1"


@dataclass(frozen=True)
class Searched:
    session_id: int
    language: str
    found: int
    new: int
    open: int
    skipped: bool = False
    """True when nothing had changed since the last search."""


@dataclass(frozen=True)
class SessionTexts:
    language: str
    segments: list[transcripts.Segment]
    notes: list[notes.Note]
    fingerprint: str


def session_texts(study: Study, db: sqlite_utils.Database, session_id: int) -> SessionTexts:
    session = sessions.get_session(db, session_id)
    protocol = get_protocol(session.protocol_id, study.root)
    segs = transcripts.list_segments(db, session.id)
    written = [n for n in notes.list_notes(db, session.id) if n.text.strip()]
    digest = hashlib.sha256(json.dumps({
        "v": SEARCH_VERSION, "language": protocol.language,
        "names": sorted(study.settings.privacy.names.items()),
        "segments": [(s.id, s.text) for s in segs], "notes": [(n.id, n.text) for n in written],
    }, ensure_ascii=False).encode()).hexdigest()
    return SessionTexts(protocol.language, segs, written, digest)


def is_current(study: Study, db: sqlite_utils.Database, session_id: int) -> bool:
    """Was the session searched since what it says last changed?"""
    last = store.last_search(db, session_id)
    return last is not None and last["texts_hash"] == session_texts(
        study, db, session_id).fingerprint


def segment_time(seg: transcripts.Segment, start_char: int) -> int:
    """The session time of the word at ``start_char`` of the segment's text."""
    toks = timed_tokens(seg)[0]
    if toks:
        joined = "".join(t.word for t in toks)
        lead = len(joined) - len(joined.lstrip())
        position = 0
        for tok in toks:
            position += len(tok.word)
            if position - lead > start_char:
                return tok.start_ms
        return toks[-1].start_ms
    span = max(1, len(seg.text))
    return seg.start_ms + round((seg.end_ms - seg.start_ms) * start_char / span)


def search_session(study: Study, db: sqlite_utils.Database, session_id: int, *,
                   force: bool = False,
                   progress: Callable[[str], None] | None = None) -> Searched:
    """Find the identifiers of one session and store them (see the module); nothing is
    searched again when nothing changed, unless ``force``."""
    texts = session_texts(study, db, session_id)
    last = store.last_search(db, session_id)
    if not force and last is not None and last["texts_hash"] == texts.fingerprint:
        still_open = len(store.list_findings(db, session_id, "open"))
        return Searched(session_id, texts.language, last["found"], 0, still_open, True)
    session = sessions.get_session(db, session_id)
    context = context_for(get_protocol(session.protocol_id, study.root),
                          study.settings.privacy.names)
    names = detector(context.language, progress)
    new: list[store.NewFinding] = []
    for seg in texts.segments:
        for f in find_identifiers(seg.text, context, names):
            new.append(store.NewFinding("segment", seg.id, f.start, f.end, f.text, f.kind,
                                        f.detail, segment_time(seg, f.start), f.by))
    for note in texts.notes:
        for f in find_identifiers(note.text, context, names):
            new.append(store.NewFinding("note", note.id, f.start, f.end, f.text, f.kind,
                                        f.detail, note.at_ms, f.by))
    added = merge(study, db, session_id, new, texts)
    store.record_search(db, session_id, language=context.language,
                        texts_hash=texts.fingerprint, found=len(new))
    return Searched(session_id, context.language, len(new), added,
                    len(store.list_findings(db, session_id, "open")))


def merge(study: Study, db: sqlite_utils.Database, session_id: int,
          new: list[store.NewFinding], texts: SessionTexts) -> int:
    """Store ``new`` beside the findings already there; returns how many were added."""
    existing = store.list_findings(db, session_id)
    by_place = {(f.source, f.ref_id, f.start_char, f.end_char, f.text): f for f in existing}
    replaced = {name_key(t) for t in study.settings.privacy.replacements}
    replaced |= {name_key(t) for t in store.replacements_for(db, session_id)}
    rejected = {name_key(f.text) for f in existing if f.status == "rejected"}
    wanted = {n.place for n in new}
    source_text = {("segment", s.id): s.text for s in texts.segments}
    source_text.update({("note", n.id): n.text for n in texts.notes})
    gone = [f.id for f in existing if f.place not in wanted and (
        f.status == "open"
        or source_text.get((f.source, f.ref_id), "")[f.start_char:f.end_char] != f.text)]
    store.delete_findings(db, gone)
    added = 0
    for finding in new:
        if finding.place in by_place:
            continue
        key = name_key(finding.text)
        status = "accepted" if key in replaced else "rejected" if key in rejected else "open"
        store.insert_finding(db, session_id, finding, status)
        added += 1
    return added
