"""A transcription process killed (SIGKILL) in the middle of a chunk's transaction."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import textwrap

import pytest

from companion.store.transcripts import get_transcript, list_pauses, list_segments
from companion.transcribe import chunks, transcribe_session
from tests.support.speech import Interview, add_recording, new_session

pytestmark = pytest.mark.model

# The child kills itself inside the 2nd chunk's transaction (of the two that chunks of at
# most 15 s of audio make of this interview): after that chunk's rows were inserted,
# before COMMIT. Nothing of it may survive; the first chunk must, whole.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from companion.store import transcripts
    from companion.transcribe import chunks
    from companion.study import open_study
    from companion.transcribe import transcribe_session

    calls = 0
    original = transcripts.set_done_ms

    def set_done_ms(db, session_id, done_ms):
        global calls
        calls += 1
        if calls == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        original(db, session_id, done_ms)

    transcripts.set_done_ms = set_done_ms
    chunks.CHUNK_S = 15.0
    transcribe_session(open_study(sys.argv[1]), int(sys.argv[2]))
""")


def test_a_killed_run_keeps_whole_segments_and_resumes(
    study, db, interview: Interview, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_S", 15.0)  # as in the child: two chunks
    sid = new_session(db)
    add_recording(db, sid, interview.stereo)
    child = subprocess.run([sys.executable, "-c", CHILD, str(study.root), str(sid)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    survived = list_segments(db, sid)
    transcript = get_transcript(db, sid)
    assert transcript["status"] == "running"  # it never got to say otherwise
    assert len(survived) >= 3  # the first chunk: five utterances, in three or more segments
    assert "doctor" not in " ".join(s.text for s in survived).lower()  # the second chunk's
    # the resume point is the first chunk's end, in the silence after its last segment
    assert survived[-1].end_ms <= transcript["done_ms"] < transcript["total_ms"]
    assert all(p.end_ms <= transcript["done_ms"] for p in list_pauses(db, sid))
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

    # The resumed transcript is the one an uninterrupted run makes of the same audio.
    whole = new_session(db, "P06")
    add_recording(db, whole, interview.stereo)
    assert transcribe_session(study, whole, engine=engine).status == "done"
    reference = list_segments(db, whole)
    assert [(s.text, s.speaker.replace("P06", "P05")) for s in reference] == [
        (s.text, s.speaker) for s in segments]
    assert [(p.start_ms, p.end_ms) for p in list_pauses(db, whole)] == [
        (p.start_ms, p.end_ms) for p in list_pauses(db, sid)]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
