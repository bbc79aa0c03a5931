"""Splitting a transcript segment from the review screen: two turns, one audit entry."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.widgets import Input, OptionList

from companion.store import transcripts
from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from tests.support.interview import make_interview


async def _wait(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


async def _split(pilot, screen: ReviewScreen, segment_id: int, typed: str) -> None:
    transcript = screen.query_one("#transcript-list", OptionList)
    transcript.focus()
    transcript.highlighted = next(i for i, r in enumerate(screen.transcript_rows)
                                  if r.key == f"segment-{segment_id}")
    await pilot.press("x")
    await _wait(pilot, lambda: pilot.app.screen is not screen)
    pilot.app.screen.query_one("#prompt-input", Input).value = typed
    await pilot.press("enter")
    await _wait(pilot, lambda: pilot.app.screen is screen)
    await pilot.pause()


async def test_x_splits_the_highlighted_segment_where_the_bar_is(study, db) -> None:
    made = make_interview(study, db)
    seg_id = made.segment_ids[0]
    original = transcripts.get_segment(db, seg_id)
    words = original.text.split()
    before_ids = {s.id for s in transcripts.list_segments(db, made.session_id)}
    before_rows = db["transcript_segments"].count
    async with CompanionApp(study, check_recovery=False).run_test(size=(160, 50)) as pilot:
        screen = ReviewScreen(made.session_id, player_factory=lambda _s: None)  # type: ignore[arg-type,return-value]
        await pilot.app.push_screen(screen)
        await pilot.pause()
        await _split(pilot, screen, seg_id, original.text)  # no bar: nothing happens
        assert db["transcript_segments"].count == before_rows
        await _split(pilot, screen, seg_id, " ".join([*words[:2], "|", *words[2:]]))
        assert db["transcript_segments"].count == before_rows + 1
        first = transcripts.get_segment(db, seg_id)
        [second] = [s for s in transcripts.list_segments(db, made.session_id)
                    if s.id not in before_ids]
        assert first.text == " ".join(words[:2]) and second.text == " ".join(words[2:])
        assert first.version == original.version + 1
        keys = [r.key for r in screen.transcript_rows]
        assert f"segment-{second.id}" in keys  # the screen shows both turns
    [entry] = list(db.query("SELECT * FROM audit_log WHERE action = 'split'"))
    assert (entry["entity"], entry["entity_id"]) == ("transcript_segment", seg_id)
