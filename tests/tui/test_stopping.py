"""Stopping: the summary comes as soon as the recording is closed, and a recording that
has stopped is never offered to be stopped again.

The real recorder records the ALSA file microphone, paced to real time; the live
transcript runs beside it in its own process with the real tiny.en.
"""

from __future__ import annotations

import threading

import pytest

from companion.operations.live import set_session_live
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.dialogs import ConfirmScreen
from companion.tui.screens.live import LiveScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.fakes import ClockedRecorder, clocked_factory, feed_fakemic
from tests.support.tui import wait_for

pytestmark = pytest.mark.audio


def _footer_keys(screen: LiveScreen) -> set[str]:
    return {b.binding.key for b in screen.active_bindings.values() if b.binding.show}


@pytest.mark.model
async def test_the_summary_does_not_wait_for_the_live_transcript_to_wind_down(
        study: Study, planned_session: int) -> None:
    feed_fakemic(3.0)
    app = CompanionApp(study, recorder_factory=clocked_factory, check_recovery=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.start_live(planned_session)
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                       and app.screen.recorder is not None
                       and app.screen.recorder.session_ms() >= 600, timeout=30,
                       what="recording")
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.transcript.live is not None
        # The live transcript's end (it decodes its last seconds) waits until the summary
        # is on the screen: a stop that waited for it first would reach neither.
        summary_shown = threading.Event()
        finished: list[bool] = []
        wind_down = screen.transcript.detach

        def detach_after_the_summary() -> None:
            finished.append(summary_shown.wait(30))
            wind_down()

        screen.transcript.detach = detach_after_the_summary  # type: ignore[method-assign]
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=20,
                       what="the summary")
        summary_shown.set()
        assert "status: stopped" in str(app.screen.query_one("#summary-title").render())
    assert finished == [True]  # the app waited for it as it ended
    assert screen.transcript.live.process is not None
    assert screen.transcript.live.process.poll() is not None  # and it did end


async def test_a_recording_that_ended_is_not_offered_to_be_stopped_again(
        study: Study, planned_session: int) -> None:
    set_session_live(study, planned_session, False)
    feed_fakemic(3.0)

    def ends_by_itself(study: Study, session_id: int) -> ClockedRecorder:
        return ClockedRecorder(study, session_id, device="fakemic", stopped_status="stopped",
                               max_seconds=2.0)

    app = CompanionApp(study, recorder_factory=ends_by_itself, check_recovery=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_live(planned_session)
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                       and app.screen.recorder is not None
                       and app.screen.recorder.status().state == "recording", timeout=30,
                       what="recording")
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        assert {"f6", "f10"} <= _footer_keys(screen)
        await wait_for(pilot, lambda: screen.recorder_panel.ended, timeout=20,
                       what="the recording's own end")
        await wait_for(pilot, lambda: "f6" not in _footer_keys(screen),
                       what="pause gone from the footer")
        [f10] = [b.binding for b in screen.active_bindings.values()
                 if b.binding.key == "f10"]
        assert f10.description == "Summary"  # not Stop
        await pilot.press("f10")
        await wait_for(pilot, lambda: not isinstance(app.screen, LiveScreen), what="left")
        assert isinstance(app.screen, SummaryScreen)  # not "Stop the recording?"
