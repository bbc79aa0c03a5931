"""The set-up screen refuses to start a Dutch interview on an English-only model: a clear
message before the live screen opens, and nothing recorded or saved."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from companion.study.folder import Study
from companion.tui.screens.setup import SetupScreen
from tests.support.tui import companion_app, count_rows, open_setup


async def test_start_with_an_english_only_model_is_refused_for_dutch(
        study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_WHISPER_MODEL", "tiny.en")
    app = companion_app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_setup(pilot, "P11")
        screen.query_one("#protocol", Select).value = "pain-alliance-nl"
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)  # the live screen did not open
        messages = [n.message for n in app._notifications]
        assert any("English-only" in m and "pain-alliance-nl" in m for m in messages), messages
        assert count_rows(study, "sessions") == 0 and count_rows(study, "recording_segments") == 0
        # Without the English-only choice the same set-up starts.
        monkeypatch.delenv("COMPANION_WHISPER_MODEL")
        await pilot.press("f5")
        await pilot.pause()
        assert count_rows(study, "sessions") == 1


async def test_a_planned_dutch_session_does_not_start_on_an_english_only_model(
        study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    from companion.operations import participants, sessions

    participants.add(study, "P12", consent_date="2024-05-01")
    sid = sessions.plan(study, "P12", protocol_id="pain-alliance-nl").id
    monkeypatch.setenv("COMPANION_WHISPER_MODEL", "tiny.en")  # chosen after planning
    app = companion_app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_setup(participant="P12", session_id=sid)
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert any(n.message.startswith("Recording not started") and "English-only" in n.message
                   for n in app._notifications)
        assert count_rows(study, "recording_segments") == 0


async def test_continuing_a_dutch_session_on_an_english_only_model_is_refused(
        study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sessions list's l and the summary's continue go through ``start_live`` too."""
    from companion.operations import participants, sessions
    from companion.tui.screens.live import LiveScreen

    participants.add(study, "P13", consent_date="2024-05-01")
    sid = sessions.plan(study, "P13", protocol_id="pain-alliance-nl").id
    monkeypatch.setenv("COMPANION_WHISPER_MODEL", "tiny.en")
    app = companion_app(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.start_live(sid)
        await pilot.pause()
        assert not isinstance(app.screen, LiveScreen)
        assert any(n.message.startswith("Recording not started") and "English-only" in n.message
                   for n in app._notifications)
        assert count_rows(study, "recording_segments") == 0
        monkeypatch.delenv("COMPANION_WHISPER_MODEL")
        app.start_live(sid)
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
