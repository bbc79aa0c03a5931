"""Recording as the fronts see it: the recorder for a session and the audio it left.

The recorder (:mod:`companion.audio.recorder`) keeps its own bookkeeping in its own thread
and connection while it runs. Each of the user's actions leaves one audit entry: start
(the session's status goes to ``live``), pause and resume (at their session time), stop
(the status it ends in; a crash leaves ``interrupted``). The files it opens and closes
are recorded in ``recording_segments`` (start, end, frames, why it ended), not in the
audit log. These are the reads around it.
"""

from __future__ import annotations

from companion.operations._base import reading
from companion.store import recordings
from companion.store.recordings import Segment as AudioSegment
from companion.study.folder import Study

__all__ = ["AudioSegment", "audio_segments", "recorded_ms"]


def audio_segments(study: Study, session_id: int) -> list[AudioSegment]:
    """The session's recording files in order, each placed on the session timeline."""
    with reading(study) as db:
        return recordings.list_segments(db, session_id)


def recorded_ms(study: Study, session_id: int) -> int:
    """Where the session timeline ends so far (a new recording continues from here)."""
    with reading(study) as db:
        return recordings.session_end_ms(db, session_id)
