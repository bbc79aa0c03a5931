"""Listings, search, the audit trail, exports, the report and withdrawal, as operations."""

from __future__ import annotations

import json

import pytest

from companion.errors import InputError
from companion.operations import audit, listings, notes, participants, report, sessions
from companion.operations.export import export
from companion.operations.withdraw import withdraw
from companion.store.recordings import add_segment
from companion.study.folder import Study


@pytest.fixture
def two(study: Study) -> tuple[int, int]:
    """P01 with a session and a note, P02 with a session holding 90 s of audio, P03 none."""
    for code in ("P01", "P02", "P03"):
        participants.add(study, code, consent_date="2026-03-01")
    first = sessions.plan(study, "P01").id
    second = sessions.plan(study, "P02").id
    notes.add_note(study, first, "talks about the heliotrope garden", at_ms=2_000)
    db = study.db()
    try:
        add_segment(db, second, path="recordings/P02/1.flac", fmt="flac", samplerate=16_000,
                    channels=1, offset_ms=0, device=None, status="closed",
                    frames=90 * 16_000)
    finally:
        db.conn.close()
    return first, second


def test_listings_queue_and_search(study: Study, two: tuple[int, int]) -> None:
    first, second = two
    rows = listings.session_listing(study)
    assert [(r.participant_code, r.session_id) for r in rows] == [
        ("P01", first), ("P02", second), ("P03", None)]
    assert rows[1].has_audio and not rows[0].has_audio and rows[0].transcript == "none"
    [queued] = listings.transcription_queue(study)
    assert (queued.session_id, queued.total_ms, queued.done_ms, queued.stored) == (
        second, 90_000, 0, None)
    [hit] = listings.search(study, "heliotrope")
    assert (hit["session_id"], hit["participant_code"], hit["at_ms"]) == (first, "P01", 2_000)
    assert listings.search(study, '"') == []  # stray syntax is never an error


def test_the_audit_trail_of_a_session(study: Study, two: tuple[int, int]) -> None:
    first, _ = two
    trail = audit.trail(study, first)
    assert [(e["entity"], e["action"]) for e in trail] == [("session", "create"),
                                                          ("note", "create")]
    assert trail[1]["after"]["text"] == "talks about the heliotrope garden"


def test_export_report_and_withdraw(study: Study, two: tuple[int, int]) -> None:
    first, _ = two
    [written] = export(study, session=first, fmt="txt")
    assert written.session_id == first and written.format == "txt"
    assert written.path.parent == study.exports_dir and written.path.is_file()
    assert "heliotrope" in written.path.read_text(encoding="utf-8")
    with pytest.raises(InputError) as raised:
        export(study, session=first, fmt="pdf")
    assert raised.value.field == "--format"
    data = json.loads(report.render(study, "json"))
    assert isinstance(data, dict) and data
    receipt = withdraw(study, "P01")
    assert receipt.code == "P01" and first in receipt.sessions
    assert not written.path.exists()
    assert [p.code for p in participants.list_all(study)] == ["P02", "P03"]
