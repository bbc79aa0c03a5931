"""Pictures of every screen at 80x24 and 120x36, each driven by Pilot before it is taken.

Nothing in them depends on the clock or the machine: the recorder is a fake with a fixed
session time and status, the app's session clock is fixed, dates in the study are set,
the study is reached through a fixed path, cursors do not blink and toasts are cleared.
Update with ``--snapshot-update`` only after looking at the new pictures.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from companion.operations.marks import mark_phase
from companion.operations.notes import add_note
from companion.store import events, sessions, transcripts
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from tests.support.fakes import FakeRecorder
from tests.support.interview import make_interview

SIZES = [(80, 24), (120, 36)]
NOW_MS = 23 * 60_000 + 17_000  # 00:23:17
FIXED_DAY = "2026-03-02T10:00:00+00:00"

Before = Callable[[Pilot], Awaitable[None]]  # type: ignore[type-arg]
sized = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


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


def _turns(db, session_id: int) -> None:  # type: ignore[no-untyped-def]
    """A transcript of alternating turns over both phases (talk-time on the summary)."""
    code = sessions.get_session(db, session_id).participant_code
    turns = [transcripts.NewSegment(None, start * 1000, (start + length) * 1000,
                                    f"turn {i}", "I" if i % 2 == 0 else code, -0.2, ())
             for i, (start, length) in enumerate(
                 [(30, 20), (50, 300), (400, 40), (440, 500), (960, 30), (990, 600),
                  (1700, 60), (1760, 400)])]
    transcripts.commit_segments(db, session_id, turns, [], done_ms=41 * 60_000)


def _fixed_dates(study: Study) -> None:
    db = study.db()
    try:
        db.execute("UPDATE sessions SET created_at = ?, started_at = COALESCE(started_at, "
                   "NULL)", [FIXED_DAY])
        db.execute("UPDATE sessions SET started_at = ? WHERE started_at IS NOT NULL",
                   [FIXED_DAY])
    finally:
        db.conn.close()


@pytest.fixture
def pictured(study: Study, request: pytest.FixtureRequest) -> Study:
    """The study through a fixed path (the sessions screen shows where the study is)."""
    link = Path("/tmp/companion-snapshots") / request.node.name.split("[")[0]
    link.parent.mkdir(exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(study.root, link)
    return Study(link)


def _app(study: Study, recorder: FakeRecorder | None = None) -> CompanionApp:
    recorder = recorder or FakeRecorder(ms=NOW_MS)
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
    await pilot.wait_for_scheduled_animations()
    # A full repaint: the picture is the screen as a whole, not the last partial update.
    pilot.app.screen.refresh(layout=True)
    await pilot.pause()
    await pilot.pause()


# -- sessions, set-up --------------------------------------------------------------------


@sized
def test_sessions_screen(snap_compare, pictured: Study, planned_session: int,
                         size: tuple[int, int]) -> None:
    make_interview(pictured, pictured.db(), "P06")
    _fixed_dates(pictured)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        from tests.support.tui import sessions_loaded

        await sessions_loaded(pilot)
        await pilot.press("down")  # the recorded session: Enter reads Review
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


@sized
def test_setup_screen_with_the_wai_items_in_view(snap_compare, pictured: Study,
                                                 planned_session: int,
                                                 size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.open_setup(session_id=planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)
        item = pilot.app.screen.query_one("#item-most-4", Input)
        item.focus(scroll_visible=False)
        pilot.app.screen.query_one("#setup-form").scroll_to_widget(item, animate=False)
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


# -- live, in each of its states ----------------------------------------------------------

LIVE_STATES: dict[str, dict[str, object]] = {
    "recording": {},
    "paused": {"state": "paused"},
    "silence_warning": {"silence_warning": True, "silent_seconds": (25.0,),
                        "rms_dbfs": (-90.0,), "peak_dbfs": (-80.0,)},
    "clipping": {"clipping": True, "rms_dbfs": (-3.0,), "peak_dbfs": (0.0,)},
    "device_lost": {"device_lost": True, "state": "reconnecting"},
    "disk_low": {"disk_warning": True, "disk_minutes_left": 4.0},
}


@sized
@pytest.mark.parametrize("state", list(LIVE_STATES))
def test_live_screen(snap_compare, pictured: Study, planned_session: int,
                     size: tuple[int, int], state: str) -> None:
    _history(pictured, planned_session)
    recorder = FakeRecorder(ms=NOW_MS)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.start_live(planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)
        recorder.set(**LIVE_STATES[state])  # type: ignore[arg-type]
        # One key starts the note (and stamps it); the rest is set at once, since a picture
        # taken while a loaded machine is still drawing thirty keystrokes can catch the
        # input box half scrolled. Typing itself is tested in test_live.py.
        await pilot.press("L")
        note = pilot.app.screen.query_one("#note-input", Input)
        note.value = "Long silence after the question"
        note.cursor_position = len(note.value)
        screen = pilot.app.screen
        screen.recorder_panel.poll()  # type: ignore[attr-defined]  # as the 0.1 s poll would
        await _settle(pilot)

    assert snap_compare(_app(pictured, recorder), terminal_size=size, run_before=run_before)


# -- after the interview --------------------------------------------------------------------


@sized
def test_summary_screen(snap_compare, pictured: Study, planned_session: int,
                        size: tuple[int, int]) -> None:
    _history(pictured, planned_session)
    db = pictured.db()
    sessions.set_status(db, planned_session, "stopped", duration_ms=41 * 60_000)
    _turns(db, planned_session)
    db.conn.close()
    add_note(pictured, planned_session, "Calmer at the end; check the intake story.",
             at_ms=None, kind="reflection")

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.open_summary(planned_session)  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


@sized
def test_transcription_screen(snap_compare, pictured: Study, size: tuple[int, int]) -> None:
    make_interview(pictured, pictured.db(), "P07", transcript=False)
    _fixed_dates(pictured)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        from tests.support.tui import sessions_loaded

        await sessions_loaded(pilot)
        pilot.app.action_open_transcription()  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


@sized
def test_review_screen(snap_compare, pictured: Study, size: tuple[int, int]) -> None:
    made = make_interview(pictured, pictured.db())
    _fixed_dates(pictured)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.open_review(made.session_id)  # type: ignore[attr-defined]
        await _settle(pilot)
        await pilot.press("down", "down")
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


@sized
def test_search_screen(snap_compare, pictured: Study, size: tuple[int, int]) -> None:
    make_interview(pictured, pictured.db())
    _fixed_dates(pictured)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.action_open_search()  # type: ignore[attr-defined]
        await _settle(pilot)
        await pilot.press(*"pain", "enter")
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)


@sized
def test_report_screen(snap_compare, pictured: Study, size: tuple[int, int]) -> None:
    make_interview(pictured, pictured.db())
    _fixed_dates(pictured)

    async def run_before(pilot: Pilot) -> None:  # type: ignore[type-arg]
        pilot.app.action_open_report()  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(_app(pictured), terminal_size=size, run_before=run_before)
