"""Review after the interview: read the session as a document, correct its transcript.

Every correction is a new version of the segment with one audit entry, so the transcript
as decoded can always be recovered.
"""

from __future__ import annotations

from typing import Any

from companion.export.document import SessionDocument, build_document
from companion.export.pseudonymise import Pseudonymiser
from companion.operations._base import acting, reading
from companion.store import corrections, transcripts
from companion.store.transcripts import Segment, Word
from companion.study.folder import Study

__all__ = ["Segment", "SessionDocument", "Word", "correct_segment", "document",
           "get_segment", "original_text", "segment_history", "set_speaker", "split_segment"]


def document(study: Study, session_id: int | str,
             pseudonymiser: Pseudonymiser | None = None) -> SessionDocument:
    """The session as one document (what review shows and every export writes)."""
    with reading(study) as db:
        return build_document(study, db, session_id, pseudonymiser=pseudonymiser)


def get_segment(study: Study, segment_id: int) -> Segment:
    with reading(study) as db:
        return transcripts.get_segment(db, segment_id)


def correct_segment(study: Study, segment_id: int, text: str) -> Segment:
    """Correct what was said in a segment."""
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="edit") as act:
        return corrections.correct_text(act.db, segment_id, text)


def set_speaker(study: Study, segment_id: int, speaker: str | None) -> Segment:
    """Say who spoke a segment (None or blank: unknown)."""
    label = (speaker or "").strip() or None
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="speaker") as act:
        segment = transcripts.get_segment(act.db, segment_id)
        if label == segment.speaker:
            return segment
        return transcripts.set_speaker(act.db, segment_id, label)


def split_segment(study: Study, segment_id: int, at_word: int) -> tuple[Segment, Segment]:
    """Split a segment before its word number ``at_word`` (0-based): two turns."""
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="split") as act:
        return corrections.split_segment(act.db, segment_id, at_word)


def segment_history(study: Study, segment_id: int) -> list[dict[str, Any]]:
    """The segment's audit entries, oldest first (earlier texts, speakers, splits)."""
    with reading(study) as db:
        return corrections.segment_history(db, segment_id)


def original_text(study: Study, segment_id: int) -> str:
    """The segment's text as transcribed, before any correction."""
    with reading(study) as db:
        return corrections.original_text(db, segment_id)
