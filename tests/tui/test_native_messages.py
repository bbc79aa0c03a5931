"""The microphone goes away mid-interview and comes back: the sound libraries' own
messages go to their log (named by ``companion doctor``), not over the screen, and the app
says it in one line of its own each time.

The real recorder records the PulseAudio null-sink microphone; unplugging unloads the
sink, as pulling the cable does. What reaches the terminal is file descriptor 2 of this
process (pytest's capfd), where PortAudio and ALSA write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.notifications import Notification

from companion.operations.doctor import check
from companion.operations.live import set_session_live
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.native_messages import native_messages_to
from companion.tui.recording import default_recorder_factory
from companion.tui.screens.live import LiveScreen
from companion.tui.widgets.note_log import NoteLog
from tests.support.tui import stop_interview, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.pulse]

FOREIGN = ("ALSA lib", "Expression '", "pa_linux_alsa", "PulseAudio")


def _said(app: CompanionApp, start: str) -> list[str]:
    shown: list[Notification] = list(app._notifications)
    return [n.message for n in shown if n.message.startswith(start)]


async def test_a_lost_microphone_is_told_in_the_apps_words_not_the_libraries(
        study: Study, planned_session: int, pulse_mic, capfd, tmp_path: Path,
        monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    study.config_path.write_text('[audio]\ndevice = "pulse"\n', encoding="utf-8")
    set_session_live(study, planned_session, False)  # the sound, not the transcript
    log = tmp_path / "state" / "companion" / "native-messages.log"
    app = CompanionApp(study, recorder_factory=default_recorder_factory(None),
                       check_recovery=False)
    with native_messages_to(log):
        async with app.run_test(size=(80, 24)) as pilot:
            app.start_live(planned_session)
            await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                           and app.screen.recorder is not None
                           and app.screen.recorder.session_ms() >= 1000, timeout=30,
                           what="a second recorded")
            screen = app.screen
            assert isinstance(screen, LiveScreen)
            pulse_mic.unplug()
            await wait_for(pilot, lambda: bool(_said(app, "Microphone lost at ")),
                           timeout=20, what="the app saying the microphone is gone")
            pulse_mic.replug()
            await wait_for(pilot, lambda: bool(_said(app, "Microphone back at ")),
                           timeout=30, what="the app saying it is back")
            [back] = _said(app, "Microphone back at ")
            assert back.endswith(". Recording goes on.")
            log_lines = [str(line) for line in screen.query_one(NoteLog).lines]
            assert any("microphone lost" in line for line in log_lines)
            assert any("microphone back" in line for line in log_lines)
            await stop_interview(pilot)
    terminal = capfd.readouterr().err
    assert not [word for word in FOREIGN if word in terminal], terminal
    kept = log.read_text(encoding="utf-8", errors="replace")
    assert any(word in kept for word in FOREIGN)  # the libraries did speak: to the log
    assert log.stat().st_mode & 0o777 == 0o600

    [named] = [f for f in check(study) if f.check == "native messages"]
    assert str(log) in named.detail
