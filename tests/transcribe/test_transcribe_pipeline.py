"""A two-voice stereo interview, transcribed once by the real tiny.en model, checked
against what was said, by whom, when, and the silences between."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from companion.session.timeline import load_timeline
from companion.store.events import add_phase_event
from companion.store.notes import add_note
from companion.store.search import search
from companion.store.transcripts import (
    Segment,
    get_transcript,
    list_pauses,
    list_segments,
    segment_at,
)
from companion.study.folder import Study
from companion.transcribe import Progress, TranscribeResult, transcribe_session
from tests.support.speech import Interview, add_recording, new_session

pytestmark = pytest.mark.model

PHASES = [("opening", 0), ("deepening", 12_000), ("critical-reflection", 22_000)]


@dataclass
class Run:
    study: Study
    db: object
    session_id: int
    result: TranscribeResult
    segments: list[Segment]
    progress: list[Progress]
    notes: dict[str, int]


@pytest.fixture(scope="module")
def run(tmp_path_factory, interview: Interview, engine) -> Run:
    from companion.study import init_study

    study, _ = init_study(tmp_path_factory.mktemp("pipeline") / "study")
    db = study.db()
    sid = new_session(db)
    add_recording(db, sid, interview.stereo)
    for phase_id, at_ms in PHASES:
        add_phase_event(db, sid, phase_id, at_ms)
    notes = {
        "friendly": add_note(db, sid, text="smiles when praising the therapist",
                             at_ms=15_000).id,
        "silence": add_note(db, sid, text="long silence, looks away", at_ms=21_000).id,
    }
    progress: list[Progress] = []
    result = transcribe_session(study, sid, engine=engine, on_progress=progress.append)
    return Run(study, db, sid, result, list_segments(db, sid), progress, notes)


def _text(run: Run) -> str:
    return " ".join(s.text for s in run.segments).lower()


def test_the_run_finishes_and_records_model_and_language(run: Run) -> None:
    assert run.result.status == "done"
    transcript = get_transcript(run.db, run.session_id)
    assert transcript["status"] == "done"
    assert transcript["model"].startswith("tiny.en")
    assert transcript["language"] == "en"
    assert transcript["done_ms"] == transcript["total_ms"] == run.result.total_ms
    assert run.result.segments == len(run.segments) >= 8


def test_key_words_are_in_the_transcript(run: Run) -> None:
    text = _text(run)
    for word in ("history", "chronic", "pain", "years", "friendly", "listened", "dare",
                 "meetings", "doctor", "decided", "everything"):
        assert word in text, word


def test_segment_times_are_within_half_a_second_of_the_utterances(
    run: Run, interview: Interview
) -> None:
    # a segment is a turn or a sentence: inside one utterance, never across two
    for seg in run.segments:
        assert any(u.start_ms - 500 <= seg.start_ms and seg.end_ms <= u.end_ms + 500
                   for u in interview.truth), seg
    starts = [u.start_ms for u in interview.truth]
    ends = [u.end_ms for u in interview.truth]
    for seg in run.segments:
        if not seg.text.rstrip().endswith((".", "?", "!")):
            assert min(abs(seg.end_ms - e) for e in ends) <= 500, seg
    for seg in run.segments[:1]:
        assert min(abs(seg.start_ms - s) for s in starts) <= 500, seg
    # and every utterance begins a segment, or sits inside one of the same speaker
    for u in interview.truth:
        assert any(abs(seg.start_ms - u.start_ms) <= 500 or
                   seg.start_ms < u.start_ms < seg.end_ms for seg in run.segments), u


def test_every_pause_is_found_where_it_is(run: Run, interview: Interview) -> None:
    found = list_pauses(run.db, run.session_id)
    assert sorted(round((e - s) / 1000, 1) for s, e in interview.pauses) == [1.0, 1.5, 3.0, 6.0]
    for start, end in interview.pauses:
        assert any(abs(p.start_ms - start) <= 300 and abs(p.end_ms - end) <= 300
                   for p in found), (start, end, found)
    # nothing else is reported as a pause
    for pause in found:
        assert any(abs(pause.start_ms - s) <= 300 for s, _ in interview.pauses), pause


def test_speakers_follow_the_channels(run: Run, interview: Interview) -> None:
    speakers = {s.speaker for s in run.segments}
    assert speakers == {"I", "P05"}
    right = 0
    for seg in run.segments:
        u = interview.utterance_at((seg.start_ms + seg.end_ms) // 2) or interview.utterance_at(
            seg.start_ms + 100)
        expected = "I" if u and u.speaker == "I" else "P05"
        right += seg.speaker == expected
    assert right / len(run.segments) >= 0.9
    for seg in run.segments:
        assert all(w.speaker == seg.speaker for w in seg.words)


def test_words_are_stored_with_times_and_log_probability(run: Run) -> None:
    for seg in run.segments:
        assert seg.words, seg
        assert seg.words[0].start_ms == seg.start_ms and seg.words[-1].end_ms == seg.end_ms
        assert all(w.start_ms < w.end_ms for w in seg.words)
        assert [w.start_ms for w in seg.words] == sorted(w.start_ms for w in seg.words)
        assert seg.avg_logprob is not None and seg.avg_logprob < 0
        assert re.sub(r"\W", "", seg.text) == re.sub(r"\W", "", "".join(w.word for w in seg.words))


def test_each_segment_carries_the_phase_active_at_its_start(run: Run) -> None:
    for seg in run.segments:
        expected = [p for p, at in PHASES if at <= seg.start_ms][-1]
        assert seg.phase_id == expected, seg
    assert {s.phase_id for s in run.segments} == {p for p, _ in PHASES}


def test_notes_land_on_the_segments_of_their_moment(run: Run) -> None:
    during = segment_at(run.db, run.session_id, 15_000)
    assert "friendly" in during.text.lower()
    after = segment_at(run.db, run.session_id, 21_000)  # inside the 6 s silence
    assert "tell her" in after.text.lower()
    # On the one session timeline each note follows the speech of its segment: inside a
    # segment it cuts it at its moment, in a silence it follows the segment before.
    placed = {}
    last_segment = None
    for entry in load_timeline(run.study, run.db, run.session_id).entries():
        if entry.speech is not None:
            last_segment = entry.speech.segment.id
        elif entry.kind == "note":
            assert entry.event is not None
            placed[entry.event.ref_id] = last_segment
    assert placed == {run.notes["friendly"]: during.id, run.notes["silence"]: after.id}


def test_full_text_search_finds_a_spoken_phrase_and_a_note(run: Run) -> None:
    hits = search(run.db, "never really listened")
    segment_hits = [h for h in hits if h["kind"] == "segment"]
    assert len(segment_hits) == 1
    hit = segment_hits[0]
    assert hit["session_id"] == run.session_id and hit["participant_code"] == "P05"
    assert abs(hit["at_ms"] - 13_345) <= 500
    assert [h["kind"] for h in search(run.db, "looks away")] == ["note"]


def test_progress_is_reported_up_to_done(run: Run) -> None:
    assert run.progress[0].state == "running" and run.progress[0].done_ms == 0
    done = [p.done_ms for p in run.progress]
    assert done == sorted(done)
    assert run.progress[-1].state == "done" and run.progress[-1].fraction == 1.0
    assert len(run.progress) >= len(run.segments) // 2
    assert "P05" in run.progress[1].message and "of 00:00:3" in run.progress[1].message
    assert any(p.eta_s is not None for p in run.progress)


def test_the_rendered_transcript_shows_pauses_speakers_phases_and_notes(run: Run) -> None:
    from companion.export.pseudonymise import build_document
    from companion.export.text import LF, render_txt

    text = render_txt(build_document(run.study, run.db, run.session_id), newline=LF).text
    assert "(6 s)" in text and "(...)" in text and "(.)" in text
    assert re.search(r"^\[00:00:24\] P05: No\b", text, flags=re.M), text
    assert re.search(r"^\[00:00:00\] I: Welcome", text, flags=re.M), text
    assert "--- Phase: " in text and text.count("--- Phase: ") == len(PHASES)
    assert "[Note at 00:00:21: long silence, looks away]" in text
    # the 1.5 s silence inside the answer is marked inside it or between its two parts
    assert re.search(r"No[,.]? \(\.\) I did not|\(\.\)\n\[00:00:2\d\] P05: I did", text), text
