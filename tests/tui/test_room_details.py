"""The interview room in its details: what can be read at 80x24, which keys stay in the
footer, where quote cards go, and the small things an interviewer noticed (a check box,
a chart's names, a drop-down, a tag's name, a quote's mark, the play sign)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Select, Static
from textual.widgets._footer import FooterKey

from companion.audio.devices import refresh_devices
from companion.audio.play import Player
from companion.live.client import LiveLine
from companion.operations import live as live_ops
from companion.operations.notes import add_note
from companion.operations.recording import audio_segments
from companion.store import sessions
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.review import ReviewScreen
from companion.tui.widgets.live_transcript import LiveLines
from companion.tui.widgets.note_log import NoteLog
from companion.tui.widgets.profile_chart import ProfileChart
from companion.tui.widgets.prompt_list import CursorList, PromptList, SuggestionList
from companion.tui.widgets.tick_box import TickBox
from tests.support.fakes import FakeRecorder, clocked_factory, feed_fakemic
from tests.support.interview import make_interview
from tests.support.tui import companion_app, live_screen, sessions_loaded, wait_for


def _footer(app: App[None]) -> list[str]:
    return [key.key_display for key in app.screen.query(FooterKey)]


def _whole_and_the_others_short(items: CursorList) -> None:
    """The highlighted entry is in view from its first row to its last; every other
    entry is one row."""
    rows = list(items.query("_Row"))
    assert len(rows) == len(items.entries) > 1
    view = items.content_region
    for index, row in enumerate(rows):
        if index == items.cursor:
            assert view.contains_region(row.region), (row.region, view)
            full = row.render()
            assert row.size.height >= len(str(full).splitlines()) > 1
        else:
            assert row.size.height == 1


@pytest.mark.audio
async def test_at_80x24_the_highlighted_prompt_and_card_read_whole(
        study: Study, planned_session: int) -> None:
    """With the live transcript on the screen too (the real recorder on the file
    microphone, the real transcriber beside it)."""
    feed_fakemic(2.0)
    app = CompanionApp(study, recorder_factory=clocked_factory, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_live(planned_session)
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                       and app.screen.transcript.live is not None
                       and app.screen.transcript.display, timeout=30,
                       what="the live transcript panel")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await pilot.press("f2")  # deepening: long prompts, many cards
        for step in ("", "down", "pagedown", "pagedown"):
            if step:
                await pilot.press(step)
            await pilot.pause()
            await pilot.pause()
            _whole_and_the_others_short(screen.query_one(PromptList))
            _whole_and_the_others_short(screen.query_one(SuggestionList))
        assert {"f2", "f5", "f6", "^t", "f10", "^q"} <= set(_footer(app))
        await pilot.press("f10", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, LiveScreen), timeout=20,
                       what="the summary")


async def test_every_screens_essential_keys_stay_in_the_footer_at_80_columns(
        study: Study) -> None:
    made = make_interview(study, study.db())
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await sessions_loaded(pilot)
        assert {"n", "l", "t", "^q"} <= set(_footer(app))
        app.open_review(made.session_id)
        await pilot.pause()
        await pilot.pause()
        assert {"e", "w", "R", "esc", "^q"} <= set(_footer(app))


async def test_the_live_transcript_says_how_many_newer_lines_are_below() -> None:
    class Lines(App[None]):
        def compose(self) -> ComposeResult:
            yield LiveLines()

    app = Lines()
    async with app.run_test(size=(80, 3)) as pilot:
        lines = app.query_one(LiveLines)
        said = [(i * 1000, None, f"line {i}") for i in range(6)]
        lines.set_lines(said, "")
        lines.move(-3)  # Ctrl+Up three times
        await pilot.pause()
        shown = str(lines.render())
        assert "line 2" in shown and "↓ 2 newer lines below" in shown
        lines.set_lines([*said, (7000, None, "line 6")], "")  # more is said meanwhile
        assert "↓ 3 newer lines below" in str(lines.render())
        lines.follow()  # as a pin does
        shown = str(lines.render())
        assert "line 6" in shown and "newer" not in shown


async def test_quote_cards_have_their_own_place_and_keep_their_mark(
        study: Study, planned_session: int) -> None:
    said = "I never told anyone how tired I was"
    live_ops.pin_quote(study, planned_session,
                       LiveLine(65_000, 68_000, said, "P05", 68_500))
    add_note(study, planned_session, "", at_ms=70_000, codes=["C1"])
    db = study.db()
    sessions.set_status(db, planned_session, "stopped", duration_ms=80_000)
    db.conn.close()
    app = companion_app(study, FakeRecorder(ms=80_000))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await live_screen(pilot, app, planned_session)  # continued
        log = "\n".join(str(line) for line in screen.query_one(NoteLog).lines)
        assert f"❝ “{said}”" in log
        await pilot.press("f2")  # deepening returns to the quotes
        await pilot.pause()
        cards = screen.query_one(SuggestionList)
        headings = [str(h.render()) for h in cards.query("_Heading")]
        assert headings == ["Quotes you pinned", "From the scores"]
        [quote] = [e for e in cards.entries if e.extra["kind"] == "quote"]
        assert quote.group == "Quotes you pinned" and said in quote.text
        await pilot.press("f10", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, LiveScreen), what="left")
        notes = str(app.screen.query_one("#summary-notes", Static).render())
        assert "# C1 Avoidance in the alliance" in notes


async def test_the_set_up_reads_plainly(study: Study, planned_session: int) -> None:
    app = companion_app(study)
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_setup(session_id=planned_session)
        await pilot.pause()
        await pilot.pause()
        consent = app.screen.query_one("#consent", TickBox)
        unticked = consent.render().plain
        consent.value = not consent.value
        await pilot.pause()
        ticked = consent.render().plain
        assert {unticked[:3], ticked[:3]} == {"▐ ▌", "▐✓▌"}
        chart = str(app.screen.query_one(ProfileChart).render())
        assert "physiotherapist " in chart and "psychologist " in chart
        protocol = app.screen.query_one("#protocol", Select)
        label = protocol.query_one("SelectCurrent #label", Static)
        assert label.size.height == 1 and protocol.size.height == 3


@pytest.mark.audio
@pytest.mark.pulse
async def test_playback_shows_the_play_sign_only_while_it_plays(study: Study,
                                                                pulse_mic) -> None:
    """Played in real time into the PulseAudio null sink."""
    refresh_devices()  # PortAudio may have listed its devices before the daemon ran
    made = make_interview(study, study.db())

    def player(screen: ReviewScreen) -> Player:
        return Player.for_session(study.root, audio_segments(study, made.session_id),
                                  device=pulse_mic.device)

    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(ReviewScreen(made.session_id, player_factory=player))
        await pilot.pause()
        head = app.screen.query_one("#review-head", Static)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "▶" in str(head.render()), what="playing")
        await pilot.press("space")
        await wait_for(pilot, lambda: "⏸" in str(head.render()), what="paused")
        assert "▶" not in str(head.render())
        await pilot.press("escape")
