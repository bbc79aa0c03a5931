"""A transcription process killed (SIGKILL) in the middle of a segment's transaction."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import textwrap

import pytest
from transcribe_speech import Interview, add_recording, new_session

from companion.store.transcripts import get_transcript, list_pauses, list_segments
from companion.transcribe import transcribe_session

pytestmark = pytest.mark.model

# The child kills itself inside the 4th segment's transaction: after that segment's rows
# were inserted, before COMMIT. Nothing of it may survive; the first three must.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from companion.store import transcripts
    from companion.study import open_study
    from companion.transcribe import transcribe_session

    calls = 0
    original = transcripts.set_done_ms

    def set_done_ms(db, session_id, done_ms):
        global calls
        calls += 1
        if calls == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        original(db, session_id, done_ms)

    transcripts.set_done_ms = set_done_ms
    transcribe_session(open_study(sys.argv[1]), int(sys.argv[2]))
""")


def test_a_killed_run_keeps_whole_segments_and_resumes(
    study, db, interview: Interview, engine
) -> None:
    sid = new_session(db)
    add_recording(db, sid, interview.stereo)
    child = subprocess.run([sys.executable, "-c", CHILD, str(study.root), str(sid)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    survived = list_segments(db, sid)
    transcript = get_transcript(db, sid)
    assert transcript["status"] == "running"  # it never got to say otherwise
    assert 3 <= len(survived) <= 4  # three whisper segments (a split may make one two)
    assert transcript["done_ms"] == survived[-1].end_ms
    indexed = db.execute("SELECT COUNT(*) FROM search_index WHERE kind = 'segment'").fetchone()
    assert indexed[0] == len(survived)

    result = transcribe_session(study, sid, engine=engine)
    assert result.status == "done"
    segments = list_segments(db, sid)
    assert [s.id for s in segments[: len(survived)]] == [s.id for s in survived]
    for a, b in itertools.pairwise(segments):
        assert a.end_ms <= b.start_ms
    text = " ".join(s.text for s in segments).lower()
    assert text.count("friendly") == 1 and text.count("doctor") == 1
    assert len(list_pauses(db, sid)) == len(interview.pauses)
