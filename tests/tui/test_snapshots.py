"""Pictures of the set-up, live and summary screens at 80x24 and 160x48.

Nothing in them depends on the clock: the recorder is a fake with a fixed session time,
the app's session clock is fixed, cursors do not blink and toasts are cleared.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from companion.operations.marks import mark_phase
from companion.operations.notes import add_note
from companion.store import events, sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from tests.support.fakes import FakeRecorder

SIZES = [(80, 24), (160, 48)]
NOW_MS = 23 * 60_000 + 17_000  # 00:23:17


def _history(study: Study, session_id: int) -> None:
    db = study.db()
    try:
        mark_phase(study, session_id, "opening", 0)
        mark_phase(study, session_id, "deepening", 16 * 60_000 + 4_000)
        events.add_prompt_event(db, session_id, kind="asked", prompt_id="pain-history",
                                text="How did the pain start?", at_ms=45_000)
        add_note(study, session_id, "Says all is fine, then talks of the back",
                 at_ms=5 * 60_000 + 12_000)
        add_note(study, session_id, "", at_ms=11 * 60_000, kind="bookmark")
        add_note(study, session_id, "", at_ms=19 * 60_000 + 30_000,
                 codes=["C1"])
    finally:
        db.conn.close()


def _app(study: Study) -> CompanionApp:
    recorder = FakeRecorder(ms=NOW_MS)
    return CompanionApp(study, recorder_factory=lambda s, i: recorder,
                        check_recovery=False, clock=lambda: NOW_MS)


async def _settle(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_setup_screen(snap_compare, study: Study, planned_session: int,
                      size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.open_setup(session_id=planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(_app(study), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_live_screen(snap_compare, study: Study, planned_session: int,
                     size: tuple[int, int]) -> None:
    _history(study, planned_session)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.start_live(planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)
        await pilot.press(*"Long silence after the question")
        await _settle(pilot)

    assert snap_compare(_app(study), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summary_screen(snap_compare, study: Study, planned_session: int,
                        size: tuple[int, int]) -> None:
    _history(study, planned_session)
    db = study.db()
    sessions.set_status(db, planned_session, "completed", duration_ms=41 * 60_000)
    add_note(study, planned_session, "Calmer at the end; check the intake story.",
             at_ms=None, kind="reflection")
    db.conn.close()

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.open_summary(planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(_app(study), terminal_size=size, run_before=run_before)
