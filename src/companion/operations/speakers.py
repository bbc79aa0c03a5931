"""The interviewer's enrolled voice: learn it once per study, or forget it.

The voice model stays in the study folder (``voices/``); see :mod:`companion.speakers.enrol`.
Enrolling writes no database row, so these actions have no audit entry of their own; the
separation that uses the voice logs its pass with the transcript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.errors import InputError
from companion.speakers import enrol
from companion.store.sessions import parse_session_id
from companion.study.folder import Study

__all__ = ["enrol_interviewer", "forget_interviewer", "interviewer_enrolled"]


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
