"""Marks on the session timeline during (or after) the interview: phase starts, prompts
asked and suggestions used."""

from __future__ import annotations

from typing import Any

from companion.operations._base import acting, reading
from companion.operations.protocols import session_protocol
from companion.store import events, transcripts
from companion.store import sessions as session_store
from companion.store.events import PROMPT_KINDS
from companion.study.folder import Study

__all__ = ["PROMPT_KINDS", "mark_phase", "mark_prompt", "prompt_marks"]


def mark_phase(study: Study, session_id: int | str, phase_id: str, at_ms: int) -> int:
    """Place the start of a protocol phase at a session time; returns the event id."""
    with acting(study, entity="phase_event", action="create") as act:
        session = session_store.get_session(act.db, session_id)
        session_protocol(study, session).phase(phase_id)  # InputError listing the phases
        event_id = events.add_phase_event(act.db, session.id, phase_id, at_ms)
        # A phase placed after transcription (an imported recording) moves segments.
        transcripts.refresh_phases(act.db, session.id)
        return event_id


def mark_prompt(study: Study, session_id: int, *, kind: str, text: str, at_ms: int,
                prompt_id: str | None = None, rule_id: str | None = None) -> int:
    """Stamp a prompt asked (``kind="asked"``, by ``prompt_id``) or a suggestion used
    (``"suggestion_used"``, by ``rule_id``); returns the event id."""
    with acting(study, entity="prompt_event", action="create") as act:
        return events.add_prompt_event(act.db, session_id, kind=kind, text=text, at_ms=at_ms,
                                       prompt_id=prompt_id, rule_id=rule_id)


def prompt_marks(study: Study, session_id: int) -> list[dict[str, Any]]:
    """The session's prompts asked and suggestions used, in time order."""
    with reading(study) as db:
        return events.list_prompt_events(db, session_id)
