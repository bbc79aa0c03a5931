"""Pilot tests: the app on a study, waiting on a condition (checked between rounds of the
app's messages), the set-up screen filled in for a participant."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.sessions import SessionsScreen
from companion.tui.screens.setup import SetupScreen
from tests.support.fakes import FakeRecorder


async def wait_for(pilot: Pilot, condition: Callable[[], bool],  # type: ignore[type-arg]
                   timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app process messages until ``condition()`` holds (fails after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        await pilot.pause()


async def sessions_loaded(pilot: Pilot) -> SessionsScreen:  # type: ignore[type-arg]
    """The sessions screen, once its worker has put the rows in the table."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen)
                   and pilot.app.screen.loaded, what="sessions rows loaded")
    screen = pilot.app.screen
    assert isinstance(screen, SessionsScreen)
    return screen


def companion_app(study: Study, recorder: FakeRecorder | None = None) -> CompanionApp:
    """The app on ``study`` with a fixed recorder (a new one unless given), no recovery
    check at start."""
    rec = recorder or FakeRecorder()
    return CompanionApp(study, recorder_factory=lambda s, i: rec, check_recovery=False)


async def open_setup(pilot: Pilot, code: str) -> SetupScreen:  # type: ignore[type-arg]
    """Press ``n`` for a new interview and fill in a participant ``code`` who consents."""
    await pilot.press("n")
    screen = pilot.app.screen
    assert isinstance(screen, SetupScreen)
    screen.query_one("#code", Input).value = code
    screen.query_one("#consent", Checkbox).value = True
    return screen


def count_rows(study: Study, table: str) -> int:
    db = study.db()
    try:
        return db[table].count
    finally:
        db.conn.close()


async def stop_interview(pilot: Pilot, timeout: float = 60.0) -> None:  # type: ignore[type-arg]
    """On the live screen: F10, confirm with y, and wait until the live screen has gone (the
    recorder stopped and the summary opened)."""
    from companion.tui.screens.dialogs import ConfirmScreen
    from companion.tui.screens.live import LiveScreen

    app = pilot.app
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
    await pilot.press("y")
    await wait_for(pilot, lambda: not isinstance(app.screen, LiveScreen), timeout=timeout,
                   what="the summary")


async def live_screen(pilot: Pilot, app: CompanionApp,  # type: ignore[type-arg]
                      session_id: int) -> LiveScreen:
    """Go live on ``session_id`` and wait until the live screen is up and settled."""
    app.start_live(session_id)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LiveScreen)
    return app.screen
