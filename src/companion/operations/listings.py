"""What the fronts list: the study's sessions, the transcription queue, search hits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.operations._base import reading
from companion.store import participants, recordings, sessions, transcripts
from companion.store.search import search as search_index
from companion.study.folder import Study

__all__ = ["QueueItem", "SessionListing", "search", "session_listing", "transcription_queue"]


@dataclass(frozen=True)
class SessionListing:
    """A session with what the sessions table shows, or (``session_id`` None) a
    participant who has no session yet."""

    participant_id: int
    participant_code: str
    session_id: int | None = None
    status: str = ""
    started_at: str | None = None  # or when it was planned
    duration_ms: int | None = None
    transcript: str = ""  # the transcript's status, "none" without one
    pilot: bool = False
    has_audio: bool = False


def session_listing(study: Study) -> list[SessionListing]:
    """Every session of the study in id order, then the participants without one."""
    with reading(study) as db:
        rows: list[SessionListing] = []
        listed: set[str] = set()
        for session in sessions.list_sessions(db):
            listed.add(session.participant_code)
            transcript = transcripts.get_transcript(db, session.id)
            rows.append(SessionListing(
                participant_id=session.participant_id,
                participant_code=session.participant_code, session_id=session.id,
                status=session.status, started_at=session.started_at or session.created_at,
                duration_ms=session.duration_ms,
                transcript=str(transcript["status"]) if transcript else "none",
                pilot=bool(session.pilot),
                has_audio=bool(recordings.list_segments(db, session.id))))
        for participant in participants.list_participants(db):
            if participant.code not in listed:
                rows.append(SessionListing(participant_id=participant.id,
                                           participant_code=participant.code))
        return rows


@dataclass(frozen=True)
class QueueItem:
    """A session waiting for (the rest of) its transcript."""

    session_id: int
    participant_code: str
    total_ms: int  # the session's audio, on its timeline
    done_ms: int  # transcribed so far (an earlier run stopped there)
    stored: str | None  # the transcript's status in the database; None: never started


def transcription_queue(study: Study) -> list[QueueItem]:
    """Sessions with audio and no finished transcript (not live), in id order, with how
    far each got."""
    with reading(study) as db:
        items = []
        for session_id in transcripts.sessions_needing_transcript(db):
            session = sessions.get_session(db, session_id)
            transcript = transcripts.get_transcript(db, session_id)
            total = int((transcript or {}).get("total_ms") or 0) or recordings.session_end_ms(
                db, session_id)
            items.append(QueueItem(
                session_id, session.participant_code, total,
                int(transcript["done_ms"]) if transcript else 0,
                str(transcript["status"]) if transcript else None))
        return items


def search(study: Study, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Hits across every session's notes and transcript, best first."""
    with reading(study) as db:
        return search_index(db, query, limit=limit)
