"""Corrections made while reviewing a session: segment text and speaker, notes.

Every edit is a new version: the row's ``version`` goes up and the audit log keeps what
it was before, so the original transcript and note text can always be recovered (the
study's dependability trail). The search index follows every edit.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.store.audit import entity_trail, log_change
from companion.store.db import transaction
from companion.store.notes import clean_text
from companion.store.search import index_text
from companion.store.transcripts import Segment, get_segment, set_speaker

_UNSET: Any = object()


def edit_segment(db: sqlite_utils.Database, segment_id: int, *, text: str | None = None,
                 speaker: str | None = _UNSET) -> Segment:
    """Correct what was said (``text``) and/or who said it (``speaker``; None = unknown)."""
    segment = get_segment(db, segment_id)
    if text is not None:
        new_text = clean_text(text)
        if not new_text:
            raise InputError("text", text, "the words spoken (use a pause mark or '(inaudible)'"
                             " rather than an empty segment)")
        if new_text != segment.text:
            with transaction(db):
                db["transcript_segments"].update(
                    segment_id, {"text": new_text, "version": segment.version + 1})
                index_text(db, kind="segment", ref_id=segment_id,
                           session_id=segment.session_id, at_ms=segment.start_ms,
                           text=new_text)
                log_change(db, entity="transcript_segment", entity_id=segment_id,
                           session_id=segment.session_id, action="edit",
                           before={"text": segment.text, "version": segment.version},
                           after={"text": new_text, "version": segment.version + 1})
            segment = get_segment(db, segment_id)
    if speaker is not _UNSET:
        label = (speaker or "").strip() or None
        if label != segment.speaker:
            segment = set_speaker(db, segment_id, label)
    return segment


def segment_history(db: sqlite_utils.Database, segment_id: int) -> list[dict[str, Any]]:
    """The audit entries of a segment, oldest first (its earlier texts and speakers)."""
    return [e for e in entity_trail(db, "transcript_segment", segment_id)
            if e["action"] in ("edit", "speaker", "split", "speakers-auto")]


def original_text(db: sqlite_utils.Database, segment_id: int) -> str:
    """The segment's text as transcribed, before any edit."""
    for entry in segment_history(db, segment_id):
        if entry["action"] == "edit":
            return str(entry["before"]["text"])
    return get_segment(db, segment_id).text
