"""F10 stops (the session is ``stopped``), F5 continues on the same clock, F8 completes."""

from __future__ import annotations

from companion.store import notes, recordings, sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.summary import SummaryScreen
from companion.tui.widgets.note_log import NoteLog
from tests.support.fakes import clocked_factory, feed_fakemic
from tests.support.tui import wait_for


def _read(study: Study, session_id: int) -> tuple[str, list[tuple[int, int]]]:
    db = study.db()
    try:
        status = sessions.get_session(db, session_id).status
        segments = [(s.offset_ms, s.frames * 1000 // s.samplerate)
                    for s in recordings.list_segments(db, session_id)]
        return status, segments
    finally:
        db.conn.close()


async def _record_until(pilot, app: CompanionApp, ms: int) -> LiveScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                   and app.screen.recorder is not None
                   and app.screen.recorder.session_ms() >= ms, timeout=20,
                   what=f"{ms} ms recorded")
    assert isinstance(app.screen, LiveScreen)
    return app.screen


async def _stop(pilot, app: CompanionApp) -> SummaryScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f10", "y")
    await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=20,
                   what="the summary")
    assert isinstance(app.screen, SummaryScreen)
    return app.screen


async def test_stop_is_not_complete_and_f5_continues_on_the_same_clock(
        study: Study, planned_session: int) -> None:
    feed_fakemic(3.0)
    app = CompanionApp(study, recorder_factory=clocked_factory, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.start_live(planned_session)
        await _record_until(pilot, app, 600)
        summary = await _stop(pilot, app)
        title = str(summary.query_one("#summary-title").render())
        assert "status: stopped" in title and "completed" not in title
        status, before = _read(study, planned_session)
        assert status == "stopped" and before
        # Where the recording so far ends (one file, or more if a starved machine made the
        # file microphone stall and the recorder reopen it).
        end = before[-1][0] + before[-1][1]

        await pilot.press("f5")  # continue: a new segment after the first
        live = await _record_until(pilot, app, end + 400)
        log = "\n".join(str(line) for line in live.query_one(NoteLog).lines)
        assert "stopped here; continued" in log
        await pilot.press(*"after the break", "enter")
        summary = await _stop(pilot, app)
        status, segments = _read(study, planned_session)
        assert status == "stopped" and len(segments) == len(before) + 1
        # The new segment starts where the recording before the stop ended: one clock.
        assert segments[-1][0] == end

        await pilot.press("f8")  # completion is its own key
        await pilot.pause()
        assert "status: completed" in str(summary.query_one("#summary-title").render())
        await pilot.press("f5")  # no continuing a completed session
        await pilot.pause()
        assert app.screen is summary
    status, _ = _read(study, planned_session)
    assert status == "completed"
    db = study.db()
    try:
        [note] = [n for n in notes.list_notes(db, planned_session) if n.text]
    finally:
        db.conn.close()
    assert note.text == "after the break" and note.at_ms is not None
    assert note.at_ms >= segments[1][0]
