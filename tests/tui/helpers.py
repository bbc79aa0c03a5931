"""Waiting in Pilot tests: on a condition, checked between rounds of the app's messages."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from companion.tui.screens.sessions import SessionsScreen


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
