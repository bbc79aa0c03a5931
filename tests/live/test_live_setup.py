"""The set-up screen turns the live transcript off for one session (audio-only consent)."""

from __future__ import annotations

from textual.widgets import Checkbox

from companion.operations.live import live_wanted, session_choice
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.setup import SetupScreen
from tests.support.tui import wait_for


async def test_the_setup_checkbox_turns_the_live_transcript_off_for_the_session(
        study: Study, rated_session: int) -> None:
    assert live_wanted(study, rated_session)  # on by default
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(SetupScreen(participant="P05", session_id=rated_session))
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen), what="set-up")
        box = app.screen.query_one("#live-transcript", Checkbox)
        assert box.value is True
        box.value = False
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: session_choice(study, rated_session) is not None,
                       what="the session's choice saved")
    assert live_wanted(study, rated_session) is False
    study.config_path.write_text("[live]\ntranscript = true\n", encoding="utf-8")
    assert live_wanted(study, rated_session) is False  # the session's choice wins


def test_the_cli_turns_it_off_and_names_a_bad_state(study: Study, rated_session: int, run,
                                                    dump) -> None:
    before = dump()
    bad = run("session", "live", str(rated_session), "maybe")
    assert bad.exit_code == 2
    assert "state" in bad.output and "'maybe'" in bad.output and "on or off" in bad.output
    assert dump() == before
    done = run("session", "live", str(rated_session), "off")
    assert done.exit_code == 0, done.output
    assert live_wanted(study, rated_session) is False
