"""What every export applies before it writes: the study's pseudonymisation.

An export never renders a session as read (:func:`companion.session.document.read_session`)
but the copy :func:`build_document` makes: every free text in it replaced from the study's
list (:class:`~companion.privacy.pseudonymise.Pseudonymiser`), so a renderer cannot leak a
name by forgetting a step. Speech is pseudonymised as words before its pause marks go in,
so a name spoken across two words is still one match.
"""

from __future__ import annotations

import dataclasses

import sqlite_utils

from companion.privacy.pseudonymise import Pseudonymiser, study_pseudonymiser
from companion.session.document import (
    Entry,
    SessionDocument,
    pauses_inside,
    read_session,
    speech_text,
)
from companion.session.timeline import timed_tokens
from companion.store import transcripts
from companion.study.folder import Study

__all__ = ["applied", "build_document", "pseudonymised"]


def build_document(study: Study, db: sqlite_utils.Database, session_id: int | str,
                   *, pseudonymiser: Pseudonymiser | None = None,
                   bleep: bool = False) -> SessionDocument:
    """The document an export writes: the session read from the store, pseudonymised
    (with the study's list unless ``pseudonymiser`` is given); NotFoundError for an
    unknown session. ``bleep``: the times of the replaced words go with it, for the
    audio."""
    pseudo = pseudonymiser if pseudonymiser is not None else study_pseudonymiser(study)
    return pseudonymised(read_session(study, db, session_id), pseudo, bleep=bleep)


def pseudonymised(doc: SessionDocument, pseudo: Pseudonymiser, *,
                  bleep: bool = False) -> SessionDocument:
    """A copy of ``doc`` with every free text passed through ``pseudo`` (which counts the
    replacements the export then reports); with ``bleep`` the session times of every
    replaced word as its ``bleeps``."""
    tl = doc.timeline
    stretches = {(s.segment.id, s.part): s for s in tl.speech()}
    # Pseudonymised as one text, so a two-word name is found across tokens.
    tokens = {}
    bleeps: list[tuple[int, int]] = []
    for seg in tl.segments:
        timed = timed_tokens(seg)[0]
        said = [t.word for t in timed]
        tokens[seg.id] = pseudo.apply_words(said)
        if bleep:
            bleeps += [(t.start_ms, t.end_ms) for t, before, after
                       in zip(timed, said, tokens[seg.id], strict=True) if before != after]
    inner = {seg.id: pauses_inside(tl, seg) for seg in tl.segments}
    entries: list[Entry] = []
    rendered: dict[int, list[str]] = {}
    for entry in doc.entries:
        if entry.kind == "segment":
            assert entry.ref_id is not None
            speech = stretches[(entry.ref_id, entry.part)]
            text = speech_text(speech, tokens[entry.ref_id], inner[entry.ref_id], doc.language)
            rendered.setdefault(entry.ref_id, []).append(text)
            entries.append(dataclasses.replace(entry, text=text))
        elif entry.kind in ("prompt", "note"):
            entries.append(dataclasses.replace(entry, text=pseudo.apply(entry.text)))
        else:
            entries.append(entry)
    return dataclasses.replace(
        doc, entries=entries,
        prompts=[{**event, "text": pseudo.apply(event["text"])} for event in doc.prompts],
        notes=[dataclasses.replace(note, text=pseudo.apply(note.text)) for note in doc.notes],
        # A role is free text: someone may have typed a professional's name there.
        ratings=[dataclasses.replace(r, role=pseudo.apply(r.role)) for r in doc.ratings],
        segments=[_clean_segment(seg, pseudo) for seg in doc.segments],
        interviewer=pseudo.apply(doc.interviewer) if doc.interviewer else None,
        rendered={sid: " ".join(t for t in texts if t) for sid, texts in rendered.items()},
        pseudonymiser=pseudo,
        bleeps=tuple(bleeps),
    )


def applied(doc: SessionDocument) -> Pseudonymiser:
    """The replacements ``doc``'s text went through, for a renderer to report; a session
    as read (never pseudonymised) is refused, so it cannot be written by mistake."""
    if doc.pseudonymiser is None:
        raise ValueError(f"session {doc.session.id} as read, not pseudonymised: an export "
                         "writes the copy build_document makes")
    return doc.pseudonymiser


def _clean_segment(seg: transcripts.Segment, pseudo: Pseudonymiser) -> transcripts.Segment:
    """The segment with its text and words pseudonymised (for the json export)."""
    words = [dict(w.__dict__) for w in seg.words]
    if words:
        replaced = pseudo.apply_words([w["word"] for w in words])
        for word, new in zip(words, replaced, strict=True):
            word["word"] = new
    return dataclasses.replace(seg, text=pseudo.apply(seg.text).strip(),
                               words=tuple(transcripts.Word(**w) for w in words))
