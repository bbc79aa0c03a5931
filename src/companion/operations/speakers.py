"""The interviewer's enrolled voice: learn it once per study, or forget it.

The voice model stays in the study folder (``voices/``); see :mod:`companion.speakers.enrol`.
Enrolling writes no database row, so these actions have no audit entry of their own; the
separation that uses the voice logs its pass with the transcript.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import InputError
from companion.operations._base import acting, reading
from companion.session.separation import enrol_hint, uncertain_text
from companion.speakers import enrol
from companion.store.sessions import parse_session_id
from companion.store.settings import get_setting, set_setting
from companion.store.speakers import get_separation
from companion.store.transcripts import list_segments
from companion.study.folder import Study

__all__ = ["EnrolOffer", "answer_enrolment_offer", "enrol_interviewer", "enrolment_offer",
           "forget_interviewer", "interviewer_enrolled", "speakers_note"]

OFFER_ANSWERED = "speakers.enrolment_offer_answered"
"""The study setting that says the "Is this you?" question was answered (asked once)."""


@dataclass(frozen=True)
class EnrolOffer:
    """The "Is this you?" question after the first separated mono session: where the
    voice named I speaks longest, to play it."""

    session_id: int
    start_ms: int
    end_ms: int
    text: str


def enrol_interviewer(study: Study, *, session_id: str | int | None = None, channel: int = 1,
                      file: str | Path | None = None) -> dict[str, Any]:
    """From one source: a recording of the interviewer (``file``), or a session (its
    interviewer channel, or the words its transcript gives to ``I``)."""
    if (session_id is None or session_id == "") == (file is None or file == ""):
        raise InputError("--from-session/--file", session_id or file or "",
                         "one source: --from-session SESSION or --file WAV")
    if file:
        return enrol.enrol_from_file(study, file)
    return enrol.enrol_from_session(study, parse_session_id(str(session_id)), channel=channel)


def forget_interviewer(study: Study) -> bool:
    """Erase the enrolled voice (True when there was one)."""
    return enrol.forget_interviewer(study)


def interviewer_enrolled(study: Study) -> bool:
    return enrol.voice_path(study).is_file()


def enrolment_offer(study: Study, session_id: int) -> EnrolOffer | None:
    """The offer to enrol the interviewer from this session, or None: when a voice is
    enrolled already, the question was answered before in this study, or the session has
    no mono separation with words of I."""
    if interviewer_enrolled(study):
        return None
    with reading(study) as db:
        if get_setting(db, OFFER_ANSWERED):
            return None
        separation = get_separation(db, session_id)
        if not separation or separation["enrolled"]:
            return None
        mine = [s for s in list_segments(db, session_id) if s.speaker == "I" and s.words]
    if not mine:
        return None
    longest = max(mine, key=lambda s: s.end_ms - s.start_ms)
    return EnrolOffer(session_id, longest.start_ms, longest.end_ms, longest.text.strip())


def answer_enrolment_offer(study: Study, session_id: int, *, yes: bool) -> dict[str, Any]:
    """The user's answer to "Is this you?": yes enrols the voice from the words the session
    gives to I; either way the question is not asked again in this study."""
    result: dict[str, Any] = {"enrolled": False}
    if yes:
        result = {"enrolled": True,
                  **enrol.enrol_from_session(study, session_id, speaker="I")}
    with acting(study, entity="speakers", action="enrolment-offer") as act:
        set_setting(act.db, OFFER_ANSWERED, "yes" if yes else "no")
        act.entry.session_id = session_id
        act.entry.after = {"answer": "yes" if yes else "no",
                           **({"seconds": result["seconds"]} if yes else {})}
    return result


def speakers_note(study: Study, session_id: int) -> list[str]:
    """What a summary says about a mono separation: that it is uncertain and what to do,
    or, without an enrolled voice, how to enrol one."""
    with reading(study) as db:
        separation = get_separation(db, session_id)
    if separation is None:
        return []
    lines = []
    doubt = uncertain_text(separation, session_id)
    if doubt:
        lines.append(f"  {doubt}")
    if not separation["enrolled"] and not interviewer_enrolled(study):
        lines.append(enrol_hint(session_id))
    return lines
