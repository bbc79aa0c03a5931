"""Sessions home, summary screen, keymap overrides, command palette, themes."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, TextArea

from companion.store import notes, sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.sessions import SessionsScreen
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.fakes import FakeRecorder
from tests.support.tui import sessions_loaded, wait_for


def screen_text(app: CompanionApp) -> str:
    """The screen as plain text, as a person reads it."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


def _app(study: Study, recorder: FakeRecorder | None = None) -> CompanionApp:
    rec = recorder or FakeRecorder()
    return CompanionApp(study, recorder_factory=lambda s, i: rec, check_recovery=False)


async def test_sessions_list_opens_setup_live_and_summary(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=0)
    app = _app(study, recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await sessions_loaded(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[:3] == ["P05", "1", "planned"] and row[5] == "none"
        await pilot.press("enter")  # a planned session opens its set-up, ratings filled in
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen) and app.screen.session_id == planned_session
        assert app.screen.query_one("#role-most").value == "physiotherapist"
        assert app.screen.query_one("#mode-least").value == "domains"
        await pilot.press("escape")
        await sessions_loaded(pilot)
        await pilot.press("l")  # go live
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen) and recorder.calls == ["start"]
        recorder.ms = 61_000
        await pilot.press("f10", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("escape")
        await sessions_loaded(pilot)
        await pilot.press("s")  # a second session for the same participant
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert app.screen.query_one("#code").value == "P05"
        assert app.screen.query_one("#code").disabled


async def test_interrupted_session_is_flagged_and_recovered(
        study: Study, planned_session: int) -> None:
    db = study.db()
    sessions.set_status(db, planned_session, "interrupted")
    db.conn.close()
    app = _app(study)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await sessions_loaded(pilot)
        assert "did not stop cleanly" in str(screen.query_one("#sessions-hint").render())
        assert screen.active_bindings["r"].binding.description == "Recover"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        # The success line exactly (the failure line "could not be recovered" would also
        # contain the word), and the offer to continue that follows a recovery.
        assert f"Session {planned_session} recovered." in messages
        assert not any("could not be recovered" in m for m in messages)
        assert "Continue the interview?" in str(app.screen.query_one(".confirm--title")
                                                 .render())


async def test_first_frame_comes_before_the_rows(study: Study, planned_session: int) -> None:
    """The screen is drawn with a loading line; a worker reads the study and posts rows."""
    said: list[object] = []
    hint_before_rows: list[str] = []

    def hook(message: object) -> None:
        # Called before the message's handler: what the screen showed until the rows came.
        said.append(message)
        if isinstance(message, SessionsScreen.RowsLoaded):
            hint = app.screen.query_one("#sessions-hint")
            hint_before_rows.append(str(hint.render()))

    app = _app(study)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen), what="screen")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        await sessions_loaded(pilot)
        assert hint_before_rows == ["Loading the sessions…"]
        [loaded] = [m for m in said if isinstance(m, SessionsScreen.RowsLoaded)]
        assert [(r.participant_code, r.session_id) for r in loaded.rows] == [
            ("P05", planned_session)]
        assert screen.query_one(DataTable).row_count == 1
        assert "Loading" not in str(screen.query_one("#sessions-hint").render())


async def test_enter_reviews_a_recorded_session_and_sets_up_a_planned_one(
        study: Study, planned_session: int, tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    from companion.operations.recording import import_audio
    from companion.operations.sessions import plan
    from companion.tui.screens.review import ReviewScreen

    db = study.db()
    recorded = plan(study, "P05").id
    db.conn.close()
    tone = np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000).astype("float32") * 0.3
    sf.write(tmp_path / "tone.wav", tone, 16_000)
    import_audio(study, recorded, tmp_path / "tone.wav")  # audio: the session is completed
    app = _app(study)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await sessions_loaded(pilot)

        def footer_enter() -> str:
            return screen.active_bindings["enter"].binding.description

        table = screen.query_one(DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(2)] == [
            str(planned_session), str(recorded)]
        assert footer_enter() == "Open"
        await pilot.press("down")
        assert footer_enter() == "Review"
        assert "r" not in screen.active_bindings  # Recover: only for an interrupted session
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Review  (⏎)" in titles and not any(t.startswith("Open") for t in titles)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="review")
        assert app.screen.session_id == recorded  # type: ignore[attr-defined]
        await pilot.press("escape")
        screen = await sessions_loaded(pilot)
        await pilot.press("up", "enter")  # the planned one still opens its set-up
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert app.screen.session_id == planned_session


async def test_summary_shows_the_session_and_saves_reflections(
        study: Study, planned_session: int) -> None:
    from companion.operations.marks import mark_phase
    from companion.operations.notes import add_note

    db = study.db()
    mark_phase(study, planned_session, "opening", 0)
    mark_phase(study, planned_session, "deepening", 900_000)
    add_note(study, planned_session, "long pause", at_ms=65_000)
    sessions.set_status(db, planned_session, "interrupted", duration_ms=1_500_000)
    db.conn.close()
    said: list[object] = []
    app = _app(study)
    async with app.run_test(size=(120, 40), message_hook=said.append) as pilot:
        app.open_summary(planned_session)
        await pilot.pause()
        screen = app.screen
        shown = screen_text(app)
        # Opening ran from 00:00:00 for 15 minutes, Deepening from 00:15:00 to the end.
        assert re.search(r"Opening\s+00:00:00\s+00:15:00\s+00:15:00", shown), shown
        assert re.search(r"Deepening\s+00:15:00\s+00:10:00\s+00:\d\d:00", shown), shown
        text = str(screen.query_one("#summary-notes").render())
        assert "00:01:05" in text and "long pause" in text
        area = screen.query_one(TextArea)
        area.insert("She relaxed once the recorder was off.")
        await pilot.press("ctrl+s")
        # The saved reflection stays in the box and can be edited: saving again edits it.
        assert area.text == "She relaxed once the recorder was off."
        await pilot.press("end", *" Ask about sleep.", "ctrl+s")
        await pilot.press("f8")
        await pilot.pause()
        assert "completed" in str(screen.query_one("#summary-title").render())
    db = study.db()
    try:
        [reflection] = notes.list_notes(db, planned_session, kind="reflection")
        assert reflection.at_ms is None
        assert reflection.text == "She relaxed once the recorder was off. Ask about sleep."
        assert sessions.get_session(db, planned_session).status == "completed"
    finally:
        db.conn.close()
    assert any(getattr(m, "kind", None) == "reflection" for m in said)


async def test_keymap_from_the_study_config_overrides_bindings(
        study: Study, planned_session: int) -> None:
    study.config_path.write_text('[keymap]\n"live.bookmark" = "ctrl+b"\n', encoding="utf-8")
    recorder = FakeRecorder(ms=2_000)
    app = _app(study, recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_live(planned_session)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f5")  # no longer bound
        await pilot.press("ctrl+b")
        await pilot.pause()
    db = study.db()
    try:
        marks = notes.list_notes(db, planned_session, kind="bookmark")
    finally:
        db.conn.close()
    assert [(n.kind, n.at_ms) for n in marks] == [("bookmark", 2_000)]


async def test_every_binding_has_an_id_and_tooltip_and_is_in_the_palette(
        study: Study, planned_session: int) -> None:
    from companion.tui.screens.dialogs import ConfirmScreen
    from companion.tui.screens.summary import SummaryScreen as Summary
    from companion.tui.screens.transcription import TranscriptionScreen

    for cls in (CompanionApp, SessionsScreen, SetupScreen, LiveScreen, Summary, ConfirmScreen,
                TranscriptionScreen):
        for binding in cls.BINDINGS:
            assert binding.id and binding.tooltip, (cls.__name__, binding)  # type: ignore[union-attr]
    app = _app(study)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_live(planned_session)
        await app.workers.wait_for_complete()
        await pilot.pause()
        titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
        # Each command names its key in the title itself.
        for title in ("Next phase  (f2)", "Asked  (f3)", "Used  (f4)", "Bookmark  (f5)",
                      "Pause  (f6)", "Stop  (f10)", "Clear note  (esc)"):
            assert title in titles
        # Escaped markup: the palette shows "[f5]" and never reads it as a tag.
        assert Text.from_markup(titles["Bookmark  (f5)"]).plain.startswith("[f5] ")
        # Running a palette command does what the key does.
        from textual.command import CommandList, CommandPalette

        await pilot.press("ctrl+p", *"Bookmark")

        def bookmark_offered() -> bool:
            if not isinstance(app.screen, CommandPalette):
                return False
            found = app.screen.query_one(CommandList)
            return found.option_count > 0 and "Bookmark" in str(
                found.get_option_at_index(0).prompt)

        await wait_for(pilot, bookmark_offered, what="Bookmark in the palette")
        await pilot.press("down", "enter")

        def bookmarks() -> int:
            db = study.db()
            try:
                return len(notes.list_notes(db, planned_session, kind="bookmark"))
            finally:
                db.conn.close()

        await wait_for(pilot, lambda: bookmarks() == 1, what="the bookmark")
    db = study.db()
    try:
        assert len(notes.list_notes(db, planned_session, kind="bookmark")) == 1
    finally:
        db.conn.close()


async def test_light_and_dark_themes(study: Study) -> None:
    app = _app(study)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
