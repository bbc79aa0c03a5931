"""Marks, notes and transcript corrections (split included): rows, versions, one entry each."""

from __future__ import annotations

from typing import Any

import pytest

from companion.errors import InputError
from companion.operations import marks, notes, review, sessions
from companion.operations.listings import search
from companion.store import participants
from companion.store.transcripts import NewSegment, Word, commit_segments
from companion.study.folder import Study


def _audit(db) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM audit_log ORDER BY id"))


@pytest.fixture
def session_id(study: Study, db) -> int:
    participants.add_participant(db, "P05", consent_date="2026-03-01")
    return sessions.plan(study, "P05").id


@pytest.fixture
def segment_id(db, session_id: int) -> int:
    words = (Word(" So", 1_000, 1_300), Word(" it", 1_300, 1_500), Word(" hurt.", 1_500, 2_000),
             Word(" Then", 4_000, 4_400), Word(" better.", 4_400, 5_000))
    [seg] = commit_segments(db, session_id, [NewSegment(
        None, 1_000, 5_000, "So it hurt. Then better.", "P05", -0.2, words)], [],
        done_ms=5_000)
    return seg


def test_phase_and_prompt_marks(study: Study, db, session_id: int) -> None:
    before = len(_audit(db))
    marks.mark_phase(study, session_id, "opening", 0)
    marks.mark_prompt(study, session_id, kind="asked", text="How did it start?", at_ms=500,
                      prompt_id="pain-history")
    assert [(e["entity"], e["action"]) for e in _audit(db)[before:]] == [
        ("phase_event", "create"), ("prompt_event", "create")]
    assert [m["prompt_id"] for m in marks.prompt_marks(study, session_id)] == ["pain-history"]
    with pytest.raises(InputError) as raised:
        marks.mark_phase(study, session_id, "no-such-phase", 10)
    assert raised.value.field and "opening" in str(raised.value)
    assert db["phase_events"].count == 1 and len(_audit(db)) == before + 2


def test_a_draft_is_kept_unaudited_and_committing_it_makes_one_note(
        study: Study, db, session_id: int) -> None:
    before = len(_audit(db))
    notes.save_draft(study, session_id, notes.Draft(61_000, "half a tho"))
    assert notes.load_draft(study, session_id) == notes.Draft(61_000, "half a tho")
    assert len(_audit(db)) == before  # typing is not a change of study content
    note = notes.commit_draft(study, session_id, "half a thought", at_ms=61_000)
    assert notes.load_draft(study, session_id) is None
    assert db["notes"].get(note.id)["text"] == "half a thought"
    assert [(e["entity"], e["action"]) for e in _audit(db)[before:]] == [("note", "create")]


def test_code_tags_bookmarks_and_edits(study: Study, db, session_id: int) -> None:
    tag = notes.add_note(study, session_id, "", at_ms=3_000, codes=["C1"])
    mark = notes.add_note(study, session_id, "", at_ms=4_000, kind="bookmark")
    edited = notes.edit_note(study, tag.id, text="the back again")
    assert edited.version == 2 and edited.codes == ("C1",) and mark.kind == "bookmark"
    with pytest.raises(InputError):
        notes.add_note(study, session_id, "", at_ms=5_000, codes=["C99"])
    assert [(e["entity"], e["action"]) for e in _audit(db)[-3:]] == [
        ("note", "create"), ("note", "create"), ("note", "edit")]
    assert db["notes"].count == 2


def test_correct_and_set_speaker_are_versions(study: Study, db, segment_id: int) -> None:
    before = len(_audit(db))
    review.correct_segment(study, segment_id, "So it hurt. Then it got better.")
    review.correct_segment(study, segment_id, "So it hurt. Then it got better.")  # same
    seg = review.set_speaker(study, segment_id, "I")
    assert seg.version == 3 and seg.speaker == "I"
    assert [e["action"] for e in _audit(db)[before:]] == ["edit", "speaker"]
    assert review.original_text(study, segment_id) == "So it hurt. Then better."
    assert [h["ref_id"] for h in search(study, "got better")] == [segment_id]


def test_split_a_segment_at_a_word(study: Study, db, session_id: int, segment_id: int) -> None:
    marks.mark_phase(study, session_id, "opening", 0)
    marks.mark_phase(study, session_id, "deepening", 3_000)  # starts inside the segment
    before = len(_audit(db))
    first, second = review.split_segment(study, segment_id, 3)

    assert (first.id, first.start_ms, first.end_ms, first.text) == (
        segment_id, 1_000, 2_000, "So it hurt.")
    assert (second.start_ms, second.end_ms, second.text) == (4_000, 5_000, "Then better.")
    assert first.version == 2 and second.version == 1 and second.speaker == "P05"
    assert (first.phase_id, second.phase_id) == ("opening", "deepening")
    assert [w.word for w in second.words] == [" Then", " better."]
    [entry] = _audit(db)[before:]
    assert (entry["entity"], entry["entity_id"], entry["action"]) == (
        "transcript_segment", segment_id, "split")
    assert review.original_text(study, segment_id) == "So it hurt. Then better."
    assert [h["ref_id"] for h in search(study, "better")] == [second.id]
    assert [h["ref_id"] for h in search(study, "hurt")] == [segment_id]


def test_a_split_outside_the_words_writes_nothing(study: Study, db, segment_id: int) -> None:
    before = (len(_audit(db)), db["transcript_segments"].count)
    for word in (0, 5, -1):
        with pytest.raises(InputError) as raised:
            review.split_segment(study, segment_id, word)
        assert raised.value.field == "word" and "1 to 4" in str(raised.value)
    assert (len(_audit(db)), db["transcript_segments"].count) == before


def test_operations_run_from_worker_threads(study: Study, db, session_id: int) -> None:
    """A TUI worker calls operations from its own thread: each opens its own connection."""
    import threading

    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                notes.add_note(study, session_id, f"worker {n} note {i}", at_ms=n * 1_000 + i)
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    notes.add_note(study, session_id, "from the UI thread", at_ms=99)
    for thread in threads:
        thread.join()
    assert errors == []
    assert db["notes"].count == 16
    assert len([e for e in _audit(db) if e["entity"] == "note"]) == 16
