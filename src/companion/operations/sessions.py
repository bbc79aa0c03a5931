"""Sessions: plan one, read one or all, complete one, reopen one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from companion.errors import InputError
from companion.models.choice import check_protocol_model
from companion.operations._base import acting, reading
from companion.operations.protocols import protocol_for, session_protocol
from companion.operations.ratings import Scored, scored_ratings
from companion.protocol.model import Protocol
from companion.session.timeline import Interruption, PhaseSpan, load_timeline
from companion.speakers.talktime import talk_time_data
from companion.store import events, notes, ratings, recordings
from companion.store import sessions as store
from companion.store.backup import backup_quietly
from companion.store.live import list_live_segments
from companion.store.notes import Note
from companion.store.sessions import STATUSES, Session, parse_session_id
from companion.study.folder import Study

__all__ = ["STATUSES", "Interruption", "Session", "SessionOverview", "complete", "get",
           "list_all", "overview", "parse_session_id", "plan", "reopen"]


def plan(study: Study, participant_code: str, *, protocol_id: str | None = None,
         interviewer: str | None = None, pilot: bool = False) -> Session:
    """A new planned session for a participant (protocol and interviewer: the study's by
    default); refused, before anything is written, when the protocol's language has no
    model that can transcribe it (an English-only model for a Dutch protocol)."""
    protocol = protocol_for(study, protocol_id)
    check_protocol_model(study, protocol)  # never plan a Dutch interview on tiny.en
    if interviewer is None:
        interviewer = study.settings.study.interviewer
    with acting(study, entity="session", action="create") as act:
        return store.new_session(act.db, participant_code, protocol_id=protocol.id,
                                 protocol_hash=protocol.content_hash,
                                 interviewer=interviewer, pilot=pilot)


def get(study: Study, session_id: int | str) -> Session:
    with reading(study) as db:
        return store.get_session(db, session_id)


def list_all(study: Study, participant_code: str | None = None) -> list[Session]:
    with reading(study) as db:
        return store.list_sessions(db, participant_code)


def complete(study: Study, session_id: int | str) -> Session:
    """Mark a session completed (nothing more to record); it can be reopened."""
    with acting(study, entity="session", action="status") as act:
        session = store.get_session(act.db, session_id)
        if session.status == "completed":
            return session
        done = store.set_status(act.db, session.id, "completed")
    backup_quietly(study.root)  # a session's end: keep a backup (see store.backup)
    return done


def reopen(study: Study, session_id: int | str) -> Session:
    """Take a completed session back: continuable if it has audio, else planned again."""
    with acting(study, entity="session", action="status") as act:
        session = store.get_session(act.db, session_id)
        if session.status != "completed":
            raise InputError("session", session.id, f"a completed session (it is "
                             f"{session.status})")
        has_audio = bool(recordings.list_segments(act.db, session.id))
        paused = "stopped" if "stopped" in STATUSES else "interrupted"
        return store.set_status(act.db, session.id, paused if has_audio else "planned")


@dataclass(frozen=True)
class SessionOverview:
    session: Session
    protocol: Protocol
    ratings: list[Scored]
    phases: list[dict[str, Any]]
    prompts: list[dict[str, Any]]
    notes: list[Note]
    phase_spans: list[PhaseSpan] = field(default_factory=list)
    """Each phase's span on the session timeline (the report's and exports' too)."""
    end_ms: int = 0
    """The session's end, by the timeline's one rule."""
    live_segments: list[dict[str, Any]] = field(default_factory=list)
    """What the live transcript showed (until the full transcription replaces it)."""
    talk_time: dict[str, Any] = field(default_factory=dict)
    """Who talked how much, overall and per phase span (empty before a transcript)."""
    interruptions: list[Interruption] = field(default_factory=list)
    """Where the recording broke off: pauses, stops and continues, a lost microphone."""

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.session.to_dict(),
            "protocol_title": self.protocol.title,
            "ratings": [{**s.rating.to_dict(), "prorated": s.score.prorated}
                        for s in self.ratings],
            "phases": self.phases,
            "prompt_events": self.prompts,
            "notes": [n.to_dict() for n in self.notes],
            "live_segments": self.live_segments,
            "talk_time": self.talk_time,
            "interruptions": [{"kind": i.kind, "at_ms": i.start_ms, "end_ms": i.end_ms,
                               "lasted_ms": i.lasted_ms, "text": i.describe()}
                              for i in self.interruptions],
        }


def overview(study: Study, session_id: int | str) -> SessionOverview:
    """One session with its ratings, phase starts, prompts and notes."""
    with reading(study) as db:
        session = store.get_session(db, session_id)
        protocol = session_protocol(study, session)
        return SessionOverview(
            session=session, protocol=protocol,
            ratings=scored_ratings(protocol, ratings.list_ratings(db, session.id)),
            phases=events.list_phase_events(db, session.id),
            prompts=events.list_prompt_events(db, session.id),
            notes=notes.list_notes(db, session.id),
            phase_spans=(tl := load_timeline(study, db, session.id)).phase_spans(),
            end_ms=tl.end_ms,
            live_segments=[s.to_dict() for s in list_live_segments(db, session.id)],
            talk_time=talk_time_data(tl.segments, tl.phase_spans()) if tl.segments else {},
            interruptions=tl.interruptions(),
        )
