"""Leaving while recording always asks; a confirmed quit stops cleanly and stays continuable."""

from __future__ import annotations

import pytest

from companion.store import sessions
from companion.study.folder import Study
from companion.tui.app import QUIT_QUESTION, CompanionApp
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.live import LiveScreen
from tests.support.fakes import FakeRecorder, clocked_factory, feed_fakemic
from tests.support.tui import wait_for


def _status(study: Study, session_id: int) -> str:
    db = study.db()
    try:
        return sessions.get_session(db, session_id).status
    finally:
        db.conn.close()


async def _live(pilot, app: CompanionApp, session_id: int) -> LiveScreen:  # type: ignore[no-untyped-def]
    app.start_live(session_id)
    await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                   and app.screen.recorder is not None, what="recording running")
    assert isinstance(app.screen, LiveScreen)
    return app.screen


def _asking(app: CompanionApp) -> bool:
    return isinstance(app.screen, ConfirmScreen) and app.screen.name == QUIT_QUESTION


@pytest.mark.parametrize("how", ["ctrl+q", "palette", "enter-on-focused-default"])
async def test_quitting_while_recording_asks_and_keeps_recording_by_default(
        study: Study, planned_session: int, how: str) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)
        if how == "palette":
            from textual.command import CommandList, CommandPalette

            await pilot.press("ctrl+p", *"quit")

            def quit_offered() -> bool:
                if not isinstance(app.screen, CommandPalette):
                    return False
                commands = app.screen.query_one(CommandList)
                return commands.option_count > 0 and "Quit" in str(
                    commands.get_option_at_index(0).prompt)

            await wait_for(pilot, quit_offered, what="Quit in the palette")
            await pilot.press("down", "enter")
        else:
            await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: _asking(app), what="the quit question")
        # A second Ctrl+Q does not stack a second question.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, ConfirmScreen)]) == 1
        if how == "enter-on-focused-default":
            await pilot.press("enter")  # the focused answer is "Keep recording"
        else:
            await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and app.is_running
        assert recorder.calls == ["start"]
        # Escape chains on the live screen never leave it either.
        await pilot.press("escape", "escape", "escape")
        assert app.screen is screen and recorder.calls == ["start"]


async def test_confirmed_quit_stops_cleanly_and_the_session_can_be_continued(
        study: Study, planned_session: int) -> None:
    feed_fakemic(3.0)
    app = CompanionApp(study, recorder_factory=clocked_factory, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)
        assert screen.recorder is not None
        await wait_for(pilot, lambda: screen.recorder.status().state == "recording",
                       what="audio flowing")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: _asking(app), what="the quit question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the app exits")
    assert _status(study, planned_session) == "stopped"
