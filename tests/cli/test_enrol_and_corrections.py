"""`companion enrol`, `session complete|reopen` and `segment correct|speaker|split`."""

from __future__ import annotations

from companion.store.transcripts import NewSegment, Word, commit_segments
from companion.study import open_study
from tests.support.cli import as_json

ITEMS = "90,85,88,92,95,90,93,91,87,89,94,90"


def test_enrol_saves_participant_session_and_ratings(run) -> None:
    saved = as_json(run("enrol", "P07", "--pdi", "30", "--consent", "--interviewer", "AB",
                        "--most-role", "physiotherapist", "--most-items", ITEMS,
                        "--least-role", "psychologist", "--least-items", ITEMS, "--json"))
    assert saved["participant"]["code"] == "P07" and saved["participant"]["consent_date"]
    assert saved["session"]["status"] == "planned" and saved["session"]["interviewer"] == "AB"
    assert [r["target"] for r in saved["ratings"]] == ["most", "least"]
    shown = as_json(run("session", "show", str(saved["session"]["id"]), "--json"))
    assert [r["role"] for r in shown["ratings"]] == ["physiotherapist", "psychologist"]


def test_enrol_refuses_half_a_rating_and_a_bad_item_and_writes_nothing(run, dump) -> None:
    before = dump()
    result = run("enrol", "P07", "--most-role", "physiotherapist")
    assert result.exit_code == 2 and "--most-items" in result.output
    result = run("enrol", "P07", "--most-role", "physio", "--most-items", "90,abc")
    assert result.exit_code == 2 and "items[2]" in result.output and "'abc'" in result.output
    result = run("enrol", "P07", "--pdi", "71")
    assert result.exit_code == 2 and "pdi" in result.output
    assert dump() == before


def test_complete_and_reopen(run) -> None:
    run("participant", "add", "P01")
    sid = run("session", "new", "P01").output.strip()
    result = run("session", "reopen", sid)
    assert result.exit_code == 2 and "a completed session" in result.output
    assert run("session", "complete", sid).output.strip() == f"Session {sid} is completed"
    assert run("session", "reopen", sid).output.strip() == f"Session {sid} is planned"


def test_segment_corrections_and_split(run, study_dir) -> None:
    run("participant", "add", "P01")
    sid = int(run("session", "new", "P01").output)
    db = open_study(study_dir).db()
    words = (Word(" It", 0, 400), Word(" hurt.", 400, 900), Word(" Yes.", 2_000, 2_400))
    [seg] = commit_segments(db, sid, [NewSegment(None, 0, 2_400, "It hurt. Yes.", None, -0.1,
                                                 words)], [], done_ms=2_400)
    db.conn.close()
    assert run("segment", "speaker", str(seg), "P01").output.strip() == (
        f"Segment {seg}: speaker P01")
    result = run("segment", "split", str(seg), "--at-word", "x")
    assert result.exit_code == 2 and "--at-word" in result.output
    result = run("segment", "split", str(seg), "--at-word", "3")
    assert result.exit_code == 2 and "1 to 2" in result.output
    out = run("segment", "split", str(seg), "--at-word", "2").output
    assert "ends at 00:00:00" in out and "starts at 00:00:02" in out
    result = run("segment", "correct", str(seg), "")
    assert result.exit_code == 2 and "text" in result.output
    assert run("segment", "correct", str(seg), "It hurt a lot.").output.strip() == (
        f"Segment {seg} is at version 4")
    trail = as_json(run("audit", str(sid), "--json"))
    assert [t["action"] for t in trail if t["entity"] == "transcript_segment"] == [
        "speaker", "split", "edit"]
    result = run("segment", "split", "abc", "--at-word", "1")
    assert result.exit_code == 2 and "segment" in result.output
