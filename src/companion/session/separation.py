"""What the app says about a session's mono speaker separation: how sure it was, and what
to do about it.

One wording for the transcribe summary, the review header and every export's header (all
readers of the session), so the user reads the same advice wherever the speakers are
shown. The separation itself (:mod:`companion.speakers`) reads sessions, so the wording
lives here, beside the session's read model.
"""

from __future__ import annotations

from typing import Any


def uncertain_text(separation: dict[str, Any] | None, session_id: int) -> str | None:
    """One line when the stored separation is uncertain (see
    :func:`companion.store.speakers.get_separation`), else None."""
    if not separation or not separation.get("uncertain"):
        return None
    percent = round(100 * float(separation["confidence"]))
    why = (f"separation confidence {percent} %" if float(separation["confidence"]) < 0.6
           else "which voice is the interviewer's was unclear")
    fix = ("correct them in review (w gives a turn to the other speaker)"
           if separation.get("enrolled") else
           f"correct them in review, or enrol your voice (companion speaker enrol "
           f"--from-session {session_id} once the transcript is right) and transcribe again")
    return f"Speakers uncertain ({why}): {fix}."


def enrol_hint(session_id: int) -> str:
    """How to teach the app the interviewer's voice from this session."""
    return (f"  speakers: told apart without an enrolled voice; if I is you, enrol it "
            f"with `companion speaker enrol --from-session {session_id}` (later mono "
            "sessions are then named by it)")
