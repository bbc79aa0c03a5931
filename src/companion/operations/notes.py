"""Notes: the draft being typed, committing it, tagging a code, bookmarks, editing later.

A draft is kept in the study's settings as it is typed, so a crash loses nothing; it is
bookkeeping, not study content, and takes no audit entry. Everything else does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from companion.operations._base import acting, reading
from companion.operations.protocols import session_protocol
from companion.store import notes as store
from companion.store import sessions as session_store
from companion.store.notes import NOTE_KINDS, Note
from companion.store.settings import get_setting, set_setting
from companion.study.folder import Study

__all__ = ["NOTE_KINDS", "Draft", "Note", "add_note", "clear_draft", "commit_draft",
           "edit_note", "get_note", "load_draft", "save_draft"]


def _add(study: Study, db: sqlite_utils.Database, session_id: int | str, text: str, *,
         at_ms: int | None, kind: str, codes: Sequence[str]) -> Note:
    session = session_store.get_session(db, session_id)
    if codes:
        protocol = session_protocol(study, session)
        for code_id in codes:
            protocol.code(code_id)  # InputError listing the codebook
    return store.add_note(db, session.id, kind=kind, text=text, at_ms=at_ms, codes=list(codes))


def add_note(study: Study, session_id: int | str, text: str, *, at_ms: int | None,
             kind: str = "note", codes: Sequence[str] = ()) -> Note:
    """A note, bookmark (``kind="bookmark"``) or reflection, optionally tagged with codes
    of the session's codebook (a code alone, with no text, is a code tag)."""
    with acting(study, entity="note", action="create") as act:
        return _add(study, act.db, session_id, text, at_ms=at_ms, kind=kind, codes=codes)


def get_note(study: Study, note_id: int) -> Note:
    with reading(study) as db:
        return store.get_note(db, note_id)


def edit_note(study: Study, note_id: int, *, text: str | None = None,
              codes: Sequence[str] | None = None, at_ms: int | None = None) -> Note:
    """A new version of a note (its earlier text stays in the audit trail)."""
    with acting(study, entity="note", action="edit") as act:
        if codes:
            note = store.get_note(act.db, note_id)
            protocol = session_protocol(study, session_store.get_session(act.db,
                                                                         note.session_id))
            for code_id in codes:
                protocol.code(code_id)
        return store.edit_note(act.db, note_id, text=text,
                               codes=None if codes is None else list(codes), at_ms=at_ms)


@dataclass(frozen=True)
class Draft:
    at_ms: int | None
    text: str


def _draft_key(session_id: int) -> str:
    return f"tui.draft-note.{session_id}"


def save_draft(study: Study, session_id: int, draft: Draft | None) -> None:
    """Keep the note being typed (None or empty text: there is none)."""
    value = json.dumps({"at_ms": draft.at_ms, "text": draft.text}) if (
        draft is not None and draft.text) else ""
    with reading(study) as db:
        set_setting(db, _draft_key(session_id), value)


def clear_draft(study: Study, session_id: int) -> None:
    save_draft(study, session_id, None)


def load_draft(study: Study, session_id: int) -> Draft | None:
    with reading(study) as db:
        raw = get_setting(db, _draft_key(session_id))
    if not raw:
        return None
    data = json.loads(raw)
    return Draft(at_ms=data["at_ms"], text=data["text"])


def commit_draft(study: Study, session_id: int, text: str, *, at_ms: int | None) -> Note:
    """Save the typed note and forget its draft, in one transaction."""
    with acting(study, entity="note", action="create") as act:
        note = _add(study, act.db, session_id, text, at_ms=at_ms, kind="note", codes=())
        set_setting(act.db, _draft_key(note.session_id), "")
        return note
