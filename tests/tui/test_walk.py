"""What a keyboard walk through a whole interview at 80×24 showed, each kept fixed.

The notes list and the live transcript keep one row per line (a wrapped line pushed the
newest out of view); set-up takes the focus to what blocks it; the summary's status is
not cut off; the review marks a bookmark as the live screen does.
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Checkbox, Input
from textual.widgets._footer import FooterKey

from companion.store import notes as note_store
from companion.store import sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.review import NOTE_ICON
from companion.tui.screens.setup import SetupScreen
from companion.tui.screens.summary import SummaryScreen
from companion.tui.symbols import SYMBOLS
from companion.tui.widgets.live_transcript import LiveLines
from companion.tui.widgets.note_input import NoteInput
from companion.tui.widgets.note_log import NoteLog
from tests.support.fakes import FakeRecorder
from tests.support.tui import live_screen as _live
from tests.support.tui import wait_for

LONG_NOTE = ("she describes the first physiotherapist at length, the exercises, the waiting "
             "room, the letters from work and how her husband drove her every week")


def _rows(widget: Widget) -> list[str]:
    """The rows of ``widget`` as they are on the screen."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def test_the_newest_note_stays_in_view_after_a_long_one(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=12_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _live(pilot, app, planned_session)
        # The first words typed (the first key stamps the note), the rest pasted: a key
        # press a character would spend seconds on typing, which is not what is looked at.
        await pilot.press(*"she ")
        app.post_message(events.Paste(LONG_NOTE.removeprefix("she ")))  # as a terminal does
        await pilot.pause()
        assert screen.query_one(NoteInput).value == LONG_NOTE
        await pilot.press("enter")
        recorder.ms = 20_000
        await pilot.press("f5")
        await pilot.pause()
        rows = [row for row in _rows(screen.query_one(NoteLog)) if row.strip()]
        # Every row opens with its time, and the bookmark just dropped is the last one.
        assert all(row.lstrip()[:8].count(":") == 2 for row in rows), rows
        assert rows[-1].lstrip().startswith("00:00:20") and "bookmark" in rows[-1]
        assert any(row.lstrip().startswith("00:00:12  she describes") for row in rows)


class _PanelApp(App[None]):
    CSS = "LiveLines { height: 3; max-height: 3; }"

    def compose(self) -> ComposeResult:
        yield LiveLines()


async def test_the_highlighted_live_line_is_the_one_in_view() -> None:
    app = _PanelApp()
    async with app.run_test(size=(60, 10)) as pilot:
        panel = app.query_one(LiveLines)
        lines = [(n * 5_000, "P", f"line {n} " + "and then she said more " * 4)
                 for n in range(6)]
        panel.set_lines(lines, "")
        await pilot.pause()
        rows = _rows(panel)
        # Three rows, three lines (each cut, none wrapped), the newest, highlighted, last.
        assert [row.split()[2] for row in rows] == ["line", "line", "line"]
        assert [row.split()[3] for row in rows] == ["3", "4", "5"]
        panel.move(-4)  # up to line 1: it comes into view, not below the fold
        await pilot.pause()
        assert panel.current_index == 1
        assert _rows(panel)[0].split()[3] == "1"


async def test_start_without_consent_shows_the_consent_box(study: Study) -> None:
    app = CompanionApp(study, recorder_factory=lambda s, i: FakeRecorder(),
                       check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        await pilot.press(*"P21")
        screen.query_one("#role-most", Input).focus()  # far below the consent box
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        consent = screen.query_one("#consent", Checkbox)
        assert app.focused is consent
        assert screen.query_one("#setup-form").region.contains_region(consent.region)
        await pilot.press("space")  # consent given; now a bad item stops the save
        screen.query_one("#item-least-12", Input).value = "150"
        screen.query_one("#code", Input).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        bad = screen.query_one("#item-least-12", Input)
        assert app.focused is bad
        assert screen.query_one("#setup-form").region.contains_region(bad.region)


async def test_the_summary_status_is_not_cut_at_80_columns(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=30_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _live(pilot, app, planned_session)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="dialog")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), what="summary")
        db = study.db()
        try:  # as the real recorder leaves it (the stand-in recorder writes nothing)
            sessions.set_status(db, planned_session, "stopped")
        finally:
            db.conn.close()
        app.screen.refresh_summary()  # type: ignore[attr-defined]
        await pilot.pause()
        title = _rows(app.screen.query_one("#summary-title"))[0]
        assert "status: " in title and "F5 continues, F8 completes" in title


def test_a_bookmark_has_one_mark_on_every_screen() -> None:
    assert NOTE_ICON["bookmark"] == SYMBOLS["bookmark"].strip()
    assert NOTE_ICON["bookmark"] != SYMBOLS["used"].strip()


async def test_pause_is_in_the_footer_as_soon_as_recording_runs(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _live(pilot, app, planned_session)
        await pilot.pause()
        shown = [str(key.render()) for key in screen.query(FooterKey)]
        assert any("Pause" in key for key in shown), shown


async def test_all_ten_codes_in_view_beside_the_live_transcript(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _live(pilot, app, planned_session)
        # The panel as while a transcriber runs (its poll changes it only when one comes
        # or goes: none here).
        screen.query_one("#live-transcript").display = True
        await pilot.pause()
        legend = screen.query_one("#code-legend")
        rows = [row for row in _rows(legend) if row.strip()]
        assert [row.split()[0] for row in rows] == [*"1234567890"]
        assert screen.query_one("#live-codes").region.contains_region(legend.region)
        assert screen.query_one("#live-lines").region.height >= 3


async def test_a_pinned_quote_reads_as_the_participant_s_words_in_the_summary(
        study: Study, planned_session: int) -> None:
    db = study.db()
    try:
        note_store.add_note(db, planned_session, kind="quote", at_ms=31_000,
                            text="she really listened to me")
        note_store.add_note(db, planned_session, text="ask about the letters", at_ms=40_000)
    finally:
        db.conn.close()
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(SummaryScreen(planned_session))
        await pilot.pause()
        text = str(app.screen.query_one("#summary-notes").render())
        assert "00:00:31  ❝ “she really listened to me”" in text
        assert "00:00:40  ask about the letters" in text


def test_a_card_s_why_does_not_repeat_its_title() -> None:
    from companion.protocol.suggestions import Suggestion
    from companion.tui.widgets.suggestion_cards import _why

    trigger = "Goal 150 for the psychologist (least positive): below the 25th percentile (286)"
    card = Suggestion(rank=1, rule_id="low", signal="low", text="…", trigger=trigger,
                      reason=trigger + " (study: 25th percentile 286, median 335).")
    assert _why(card) == "study: 25th percentile 286, median 335"
    other = Suggestion(rank=2, rule_id="gap", signal="gap", text="…", trigger="Task gap 104",
                       reason="Task differs by 104 points.")
    assert _why(other) == "Task differs by 104 points."
