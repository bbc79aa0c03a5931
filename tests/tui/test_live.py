"""Live screen with a hand-clocked recorder: stamping, quick keys, warnings, pause, stop."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from companion.store import events, notes
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.summary import SummaryScreen
from companion.tui.widgets import LevelMeter
from companion.tui.widgets.note_log import NoteLog
from tests.support.fakes import FakeRecorder
from tests.support.tui import live_screen as _live
from tests.support.tui import wait_for


def _notes(study: Study, session_id: int) -> list[notes.Note]:
    db = study.db()
    try:
        return notes.list_notes(db, session_id)
    finally:
        db.conn.close()


async def test_note_is_stamped_at_its_first_key_and_alt_digits_tag(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=10_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)
        await pilot.press("S")
        recorder.ms = 25_000  # the interviewer keeps typing for 15 s
        await pilot.press(*"ilence, then 3 tries", "enter")
        assert str(screen.query_one("#note-stamp").render()) == "new note"
        await pilot.pause()
        # The notes list keeps a gap between time and text, inside the time's span: a run
        # of spaces opening the text's span is lost in SVG renderings ("00:00:10Silence").
        svg = app.export_screenshot()
        assert ">00:00:10&#160;&#160;</text>" in svg and ">Silence,&#160;then" in svg
        recorder.ms = 30_000
        await pilot.press("alt+3")  # the quick key for A3
        recorder.ms = 31_000
        await pilot.press("alt+9")  # withdrawal marker
        recorder.ms = 32_000
        await pilot.press("f5")
    stored = _notes(study, planned_session)
    typed = [n for n in stored if n.text]
    assert [(n.text, n.at_ms) for n in typed] == [("Silence, then 3 tries", 10_000)]
    assert [(n.codes, n.at_ms) for n in stored if n.codes] == [
        (("A3",), 30_000), (("withdrawal",), 31_000)]
    assert [(n.kind, n.at_ms) for n in stored if n.kind == "bookmark"] == [("bookmark", 32_000)]


async def test_a_note_starting_with_a_digit_is_text(study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=5_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _live(pilot, app, planned_session)
        await pilot.press(*"10 years of pain, she laughs it off", "enter")
        await pilot.pause()
        # Alt+digit tags even in the middle of a note, and types nothing into it; so does
        # Ctrl+T then the digit (the same on every terminal), stamped at Ctrl+T.
        await pilot.press(*"half", "alt+1")
        assert screen.query_one("#note-input").value == "half"
        recorder.ms = 6_000
        await pilot.press("ctrl+t")
        recorder.ms = 9_000
        await pilot.press("2")
        assert screen.query_one("#note-input").value == "half"
        # The codebook and the footer name the tagging key.
        title = str(screen.query_one("#live-codes .panel-title").render())
        legend = str(screen.query_one("#code-legend").render()).splitlines()
        assert "^T then key" in title and legend[0].startswith("1 A1")
        assert legend[-2:] == ["9 withdrawal Withdrawal marker",
                               "0 confrontation Confrontation marker"]  # 9 and 0 too
        assert screen.query_one("#live-codes").content_region.height >= 1 + len(legend)
        footer = [(k.key_display, k.description) for k in screen.query(FooterKey)]
        assert ("^t", "Tag") in footer
    stored = _notes(study, planned_session)
    assert [(n.text, n.codes) for n in stored if n.text] == [
        ("10 years of pain, she laughs it off", ())]
    assert [(n.codes, n.at_ms) for n in stored if not n.text] == [(("A1",), 5_000),
                                                                  (("A2",), 6_000)]


async def test_the_codebook_stays_in_view_at_80_columns(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=5_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _live(pilot, app, planned_session)
        strip = screen.query_one("#code-strip")
        assert strip.display and strip.region.height == 1 and strip.region.width == 80
        text = str(strip.render())
        assert "^T" in text and "1 A1" in text and "0 conf" in text
        # The footer fits: its keys end before the palette hint, nothing overflows.
        keys = [k for k in screen.query(FooterKey)]
        assert keys and max(k.region.right for k in keys) <= 80
        # The phase's purpose has one row here: cut with "…", not mid-sentence as if whole.
        purpose = screen.query_one("#live-purpose")
        assert purpose.region.height == 1
        assert purpose.render_line(0).text.rstrip().endswith("…")


async def test_escape_drops_the_draft_and_restamps(study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _live(pilot, app, planned_session)
        await pilot.press(*"wrong", "escape")
        recorder.ms = 4_000
        await pilot.press(*"right", "enter")
    assert [(n.text, n.at_ms) for n in _notes(study, planned_session)] == [("right", 4_000)]


async def test_recording_warnings_cannot_be_missed(study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)
        assert not screen.query_one("#live-alert").has_class("-shown")
        recorder.set(device_lost=True, disk_warning=True, disk_minutes_left=4.0)
        alert = screen.query_one("#live-alert")
        await wait_for(pilot, lambda: alert.has_class("-shown"), what="the alert line")
        # Polls go on: the toast must still be there once, not once per poll.
        panel = screen.recorder_panel
        polls = panel.polls
        await wait_for(pilot, lambda: panel.polls >= polls + 2, what="two more polls")
        assert "microphone is gone" in str(alert.render())
        assert "DEVICE LOST" in str(screen.query_one("#rec-state").render())
        # Nothing comes in: the meter is empty, not frozen at the last level heard.
        meter = screen.query_one(LevelMeter)
        assert meter.level_db == float("-inf")
        messages = [n.message for n in app._notifications]
        # Once, not per poll, in the app's words with the moment it went.
        assert sum(m.startswith("Microphone lost at 00:00:01") for m in messages) == 1
        assert any("disk is nearly full" in m for m in messages)
        severities = {n.severity for n in app._notifications}
        assert "error" in severities
        recorder.set(device_lost=False, disk_warning=False)
        await wait_for(pilot, lambda: not alert.has_class("-shown"), what="the alert gone")
        await wait_for(pilot, lambda: meter.level_db > -60, what="the level back")
        # Lost and back stand at one session time: the line says how long it was away.
        log = [str(line) for line in screen.query_one(NoteLog).lines]
        assert any("microphone back after " in line and line.endswith(" s") for line in log), log


async def test_pause_resume_and_stop_with_confirm(study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=1_000)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)

        def f6() -> tuple[str, str]:
            """What the footer shows on f6, and what the palette offers."""
            [key] = [k for k in screen.query(FooterKey) if k.key == "f6"]
            titles = {c.title.split("  (")[0] for c in app.get_system_commands(screen)}
            return key.description, "/".join(sorted(titles & {"Pause", "Resume"}))

        assert f6() == ("Pause", "Pause")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: f6() == ("Resume", "Resume"), what="f6 reads Resume")
        assert "PAUSED" in str(screen.query_one("#rec-state").render())
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: f6() == ("Pause", "Pause"), what="f6 reads Pause")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep recording
        await pilot.pause()
        assert app.screen is screen and recorder.calls == ["start", "pause", "resume"]
        await pilot.press("f10", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert recorder.calls[-1] == "stop"


async def test_phases_advance_to_the_last_and_no_further(
        study: Study, planned_session: int) -> None:
    recorder = FakeRecorder(ms=0)
    app = CompanionApp(study, recorder_factory=lambda s, i: recorder, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _live(pilot, app, planned_session)
        for ms in (60_000, 120_000, 180_000):
            recorder.ms = ms
            await pilot.press("f2")
        assert screen.phase.id == "critical-reflection"
        assert any("last phase" in n.message for n in app._notifications)
    db = study.db()
    try:
        stamps = [(e["phase_id"], e["at_ms"]) for e in events.list_phase_events(
            db, planned_session)]
    finally:
        db.conn.close()
    assert stamps == [("opening", 0), ("deepening", 60_000), ("critical-reflection", 120_000)]


async def test_review_without_recorder_uses_a_session_clock(
        study: Study, planned_session: int) -> None:

    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_live(planned_session, record=False)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.recorder is None
        screen.clock.review = lambda: 7_000
        await pilot.press(*"later", "enter")
        assert "NO RECORDING" in str(screen.query_one("#rec-state").render())
    [note] = _notes(study, planned_session)
    assert (note.text, note.at_ms) == ("later", 7_000)  # stamped by the review clock
