"""Going live while a transcription is decoding: the interviewer never waits for it.

The run is held inside a chunk at a gate (the real tiny.en engine, whose decoding starts
only when the test opens the gate), so the order of events is certain without any sleep:
the recording and its clock must start while the chunk is still being decoded, and the
run must stop by itself, in the background, once the chunk is done.
"""

from __future__ import annotations

import pytest
from textual.notifications import Notify
from textual.widgets import Static

from companion.study.folder import Study
from companion.tui.app import CompanionApp
from tests.support.gated import GatedEngine
from tests.support.tui import wait_for
from tests.tui.test_transcription import (  # noqa: F401  (fixtures used by name)
    _keys_at_once,
    _open_view,
    _run_to_the_end,
    _segments,
    engine,
    recorded,
    speech_wav,
)

pytestmark = pytest.mark.model


async def test_recording_starts_at_once_while_a_transcription_is_decoding(
        study: Study, recorded: int, engine) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from companion.operations.sessions import plan
    from companion.tui.screens.live import LiveScreen
    from tests.support.fakes import FakeRecorder

    next_interview = plan(study, "P05").id
    recorder = FakeRecorder(ms=0)
    gated = GatedEngine(engine)
    app = CompanionApp(study, check_recovery=False, engine=gated,  # type: ignore[arg-type]
                       recorder_factory=lambda s, i: recorder)
    said: list[object] = []
    try:
        async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
            view = await _open_view(pilot)
            _keys_at_once(app, "t")
            await wait_for(pilot, gated.entered.is_set, what="a chunk being decoded")
            app.start_live(next_interview)
            # The recording starts while the chunk is still held in the decoder.
            await wait_for(pilot, lambda: recorder.calls == ["start"], what="recording")
            live = app.screen
            assert isinstance(live, LiveScreen)
            recorder.ms = 65_000  # the recorder's clock runs on: the screen shows it
            await wait_for(pilot, lambda: "00:01:05" in str(
                live.query_one("#rec-elapsed", Static).render()), what="clock shown")
            assert view.running and not gated.gate.is_set()  # nobody waited for the run
            assert any(isinstance(m, Notify) and "Transcription stop" in m.notification.message
                       and "background" in m.notification.message for m in said)
            gated.gate.set()  # the chunk decodes; the run then stops by itself
            await _run_to_the_end(pilot, said)
            assert not view.running and recorder.calls == ["start"]
            assert isinstance(app.screen, LiveScreen)
    finally:
        gated.gate.set()
    assert _segments(study, recorded)[0] == "cancelled"
