"""Review after the interview: read the session as a document, correct its transcript.

Every correction is a new version of the segment with one audit entry, so the transcript
as decoded can always be recovered.
"""

from __future__ import annotations

from typing import Any

from companion.limits import printable_name
from companion.operations._base import acting, reading
from companion.session.document import SessionDocument, read_session
from companion.store import corrections, sessions, speakers, transcripts
from companion.store.transcripts import Segment, Word
from companion.study.folder import Study

__all__ = ["Segment", "SessionDocument", "Word", "correct_segment", "document",
           "get_segment", "original_text", "rename_speaker", "segment_history",
           "session_speakers", "set_speaker", "split_segment", "swap_speaker"]


def document(study: Study, session_id: int | str) -> SessionDocument:
    """The session as one document, its text as stored (what review shows; an export
    writes a pseudonymised copy of the same document)."""
    with reading(study) as db:
        return read_session(study, db, session_id)


def get_segment(study: Study, segment_id: int) -> Segment:
    with reading(study) as db:
        return transcripts.get_segment(db, segment_id)


def correct_segment(study: Study, segment_id: int, text: str) -> Segment:
    """Correct what was said in a segment."""
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="edit") as act:
        return corrections.correct_text(act.db, segment_id, text)


def set_speaker(study: Study, segment_id: int, speaker: str | None) -> Segment:
    """Say who spoke a segment (None or blank: unknown)."""
    label = printable_name("speaker", speaker or "", max_chars=40) or None
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="speaker") as act:
        segment = transcripts.get_segment(act.db, segment_id)
        if label == segment.speaker:
            return segment
        return transcripts.set_speaker(act.db, segment_id, label)


def split_segment(study: Study, segment_id: int, at_word: int) -> tuple[Segment, Segment]:
    """Split a segment before its word number ``at_word`` (0-based): two turns."""
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="split") as act:
        return corrections.split_segment(act.db, segment_id, at_word)


def swap_speaker(study: Study, segment_id: int) -> Segment:
    """Give the segment to the session's other speaker (the separation mixed them up)."""
    with acting(study, entity=corrections.SEGMENT_ENTITY, action="speaker") as act:
        segment = transcripts.get_segment(act.db, segment_id)
        act.entry.entity_id, act.entry.session_id = segment_id, segment.session_id
        return speakers.swap_speakers(act.db, segment.session_id, [segment_id])[0]


def rename_speaker(study: Study, session_id: int | str, old: str, new: str) -> int:
    """Call speaker ``old`` by ``new`` in the whole session; returns the segments changed.
    One audit entry names the rename and lists every segment's before and after."""
    with acting(study, entity="transcript", action="speaker") as act:
        sid = sessions.get_session(act.db, session_id).id
        changed = speakers.rename_speaker(act.db, sid, old, new)
        act.entry.entity_id, act.entry.session_id = sid, sid
        act.entry.after = {"renamed": {"from": old, "to": " ".join(new.split())}}
        return changed


def session_speakers(study: Study, session_id: int | str) -> list[str]:
    """The session's speaker names, by first appearance."""
    with reading(study) as db:
        return speakers.session_speakers(db, sessions.get_session(db, session_id).id)


def segment_history(study: Study, segment_id: int) -> list[dict[str, Any]]:
    """The segment's audit entries, oldest first (earlier texts, speakers, splits)."""
    with reading(study) as db:
        return corrections.segment_history(db, segment_id)


def original_text(study: Study, segment_id: int) -> str:
    """The segment's text as transcribed, before any correction."""
    with reading(study) as db:
        return corrections.original_text(db, segment_id)
