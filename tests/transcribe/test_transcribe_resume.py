"""Cancel, resume, and sessions recorded in several pieces."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import soundfile as sf

from companion.operations.transcription import transcribe_queue
from companion.store.search import search
from companion.store.transcripts import (
    begin_transcript,
    finish_transcript,
    get_transcript,
    list_pauses,
    list_segments,
    set_done_ms,
)
from companion.transcribe import Progress, chunks, transcribe_session
from tests.support.speech import (
    RATE,
    Interview,
    add_recording,
    cancelled_after_first_chunk,
    cut,
    new_session,
)

pytestmark = pytest.mark.model


@pytest.fixture(autouse=True)
def two_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of at most 15 s of audio: this 35-s interview is decoded in two (at 30 s it
    fits in one), so a run can stop between them."""
    monkeypatch.setattr(chunks, "CHUNK_S", 15.0)


def test_a_cancelled_run_resumes_after_its_last_chunk_as_if_never_stopped(
    study, db, interview: Interview, engine, uninterrupted
) -> None:
    sid = new_session(db)
    add_recording(db, sid, interview.stereo)
    first = cancelled_after_first_chunk(study, sid, engine)
    assert first.status == "cancelled"
    kept = list_segments(db, sid)
    reference = uninterrupted(interview.stereo)
    assert 1 <= len(kept) < len(reference.segments)
    transcript = get_transcript(db, sid)
    assert transcript["status"] == "cancelled"
    # the resume point is the end of the committed chunk: in the silence after its last
    # segment, before anything of the next chunk
    assert kept[-1].end_ms <= transcript["done_ms"] < transcript["total_ms"]
    assert all(p.end_ms <= transcript["done_ms"] for p in list_pauses(db, sid))

    seen: list[Progress] = []
    second = transcribe_session(study, sid, engine=engine, on_progress=seen.append)
    assert second.status == "done"
    # the rerun started at the resume point: it never decoded the first chunk again
    assert seen[0].done_ms == transcript["done_ms"]
    assert second.new_segments == second.segments - len(kept)
    segments = list_segments(db, sid)
    assert [s.id for s in segments[: len(kept)]] == [s.id for s in kept]
    for a, b in itertools.pairwise(segments):
        assert a.end_ms <= b.start_ms, (a, b)
    text = " ".join(s.text for s in segments).lower()
    for word in ("history", "friendly", "dare", "doctor", "everything"):
        assert text.count(word) == 1, word
    assert len([h for h in search(db, "history chronic") if h["session_id"] == sid]) == 1
    # the 6 s silence straddling the cut was found once, at its place
    pauses = list_pauses(db, sid)
    for start, end in interview.pauses:
        assert sum(abs(p.start_ms - start) <= 300 and abs(p.end_ms - end) <= 300
                   for p in pauses) == 1, (start, end, pauses)
    assert len(pauses) == len(interview.pauses)
    # and the whole is what an uninterrupted run of the same audio writes
    assert [(s.text, s.speaker) for s in segments] == reference.segments
    assert [(p.start_ms, p.end_ms) for p in pauses] == reference.pauses
    # a third run has nothing left to do
    third = transcribe_session(study, sid, engine=engine)
    assert third.status == "already-done" and third.segments == len(segments)


def test_ctrl_c_in_the_middle_of_a_chunk_stores_none_of_it(
    study, db, interview: Interview, engine, uninterrupted
) -> None:
    sid = new_session(db)
    add_recording(db, sid, interview.mono)
    committed: list[Progress] = []

    def interrupt(progress: Progress) -> None:
        # the report after the first chunk's commit, then the first segment of the next
        if committed:
            raise KeyboardInterrupt
        if progress.new_segments > 0:
            committed.append(progress)

    with pytest.raises(KeyboardInterrupt):
        transcribe_session(study, sid, engine=engine, on_progress=interrupt)
    transcript = get_transcript(db, sid)
    assert transcript["status"] == "cancelled"
    count = len(list_segments(db, sid))
    assert count == committed[0].segments >= 1
    assert transcript["done_ms"] == committed[0].done_ms  # the decoded segment: not stored
    done = transcribe_session(study, sid, engine=engine)
    assert done.status == "done" and done.new_segments == done.segments - count
    reference = uninterrupted(interview.mono)
    assert [(s.text, s.speaker) for s in list_segments(db, sid)] == reference.segments
    assert [(p.start_ms, p.end_ms) for p in list_pauses(db, sid)] == reference.pauses


def test_a_resume_point_inside_a_chunk_keeps_what_is_before_it(
    study, db, interview: Interview, engine
) -> None:
    """A transcript left by a version that committed segment by segment: its resume point
    lies inside a chunk. Nothing before it is written again."""
    sid = new_session(db)
    add_recording(db, sid, interview.mono)
    begin_transcript(db, sid, model="tiny.en", language="en", total_ms=35_000)
    set_done_ms(db, sid, 12_000)  # after "physiotherapist", before "friendly"
    finish_transcript(db, sid, "cancelled")

    assert transcribe_session(study, sid, engine=engine).status == "done"
    segments = list_segments(db, sid)
    assert segments and min(s.start_ms for s in segments) >= 12_000
    text = " ".join(s.text for s in segments).lower()
    assert "history" not in text and "physio" not in text
    assert text.count("friendly") == 1 and text.count("doctor") == 1


def test_a_session_in_pieces_is_transcribed_on_the_session_timeline(
    study, db, interview: Interview, engine, capfd: pytest.CaptureFixture[str], tmp_path
) -> None:
    """Mono, two recording segments (the second a FLAC), 60 s of reconnection between."""
    mono = interview.audio.mean(axis=1)
    split_s = 16.9  # in the short gap after "listened to me"
    first = tmp_path / "part-1.wav"
    second = tmp_path / "part-2.flac"
    sf.write(first, cut(mono, 0, split_s), RATE)
    sf.write(second, cut(mono, split_s, len(mono) / RATE), RATE, format="FLAC")
    gap_ms = 60_000
    split_ms = round(split_s * 1000)
    sid = new_session(db)
    rec1 = add_recording(db, sid, first, seq=1, offset_ms=0)
    rec2 = add_recording(db, sid, second, seq=2, offset_ms=split_ms + gap_ms)
    capfd.readouterr()

    # Through the operation both fronts use: the voices are told apart after the run.
    [result] = transcribe_queue(study, [sid], engine=engine).results

    out, err = capfd.readouterr()
    assert (out, err) == ("", ""), "transcription must print nothing (it runs under a TUI)"
    assert result.status == "done"
    expected_total = split_ms + gap_ms + round((len(mono) / RATE - split_s) * 1000)
    assert abs(result.total_ms - expected_total) <= 5
    segments = list_segments(db, sid)
    assert {s.speaker for s in segments} == {"I", "P05"}  # mono: voices told apart
    before = [s for s in segments if s.recording_segment_id == rec1]
    after = [s for s in segments if s.recording_segment_id == rec2]
    assert before and after
    assert all(s.end_ms <= split_ms for s in before)
    assert all(s.start_ms >= split_ms + gap_ms for s in after)
    tell = next(s for s in after if "tell her" in s.text.lower())
    truth = next(u for u in interview.truth if u.text.startswith("Did you"))
    assert abs(tell.start_ms - (truth.start_ms + gap_ms)) <= 500
    pauses = list_pauses(db, sid)
    # the reconnection is no speech pause; the 6 s silence is at its shifted place
    assert all(p.end_ms - p.start_ms < 10_000 for p in pauses)
    six = next((s, e) for s, e in interview.pauses if e - s > 5000)
    assert any(abs(p.start_ms - (six[0] + gap_ms)) <= 300 and
               abs(p.end_ms - (six[1] + gap_ms)) <= 300 for p in pauses), pauses
    assert np.all(np.diff([s.start_ms for s in segments]) > 0)
