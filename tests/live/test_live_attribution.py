"""One microphone and no enrolled voice: the live lines carry no speaker, and the room
still never shows the interviewer's words as the participant's.

The interviewer reads a card's question aloud (it names both professionals); the
participant answers naming one. Recorded in real time from the PulseAudio microphone,
transcribed by the real tiny.en in the live transcriber's process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.operations import ratings
from companion.store import notes
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.recording import default_recorder_factory
from companion.tui.screens.live import LiveScreen
from companion.tui.widgets.live_transcript import LiveLines
from companion.tui.widgets.prompt_list import SuggestionList
from tests.support.speech import build_interview, write
from tests.support.tui import stop_interview, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.pulse, pytest.mark.model]

HEARD_TIMEOUT = 120.0  # the model loads and decodes on a shared, busy machine
ANSWER = "The psychologist never really listened to me."


@pytest.fixture
def mono_interview(study: Study, rated_session: int, tmp_path: Path) -> Path:
    """The interviewer reads the first card from the scores (both professionals named),
    then the participant answers: one channel, two voices."""
    question = ratings.suggestions(study, rated_session)[0].text
    assert "psychologist" in question and "physiotherapist" in question
    stereo, _ = build_interview([("I", question, 0.5), ("P", ANSWER, 1.2)])
    study.config_path.write_text('[audio]\nchannels = 1\ndevice = "pulse"\n',
                                 encoding="utf-8")
    return write(tmp_path / "mono.wav", stereo.sum(axis=1) * 0.7)


def _raised(screen: LiveScreen) -> list[tuple[str, tuple[str, ...]]]:
    return [(e.key, e.details) for e in screen.query_one(SuggestionList).entries
            if e.extra["kind"] == "mention"]


async def test_the_interviewer_reading_a_card_raises_nothing_and_pins_a_note(
        study: Study, rated_session: int, pulse_mic, mono_interview: Path) -> None:
    app = CompanionApp(study, recorder_factory=default_recorder_factory(None),
                       check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_live(rated_session)
        await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                       and app.screen.recorder is not None
                       and app.screen.recorder.status().state == "recording",
                       timeout=30, what="recording")
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.transcript.live is not None
        panel = screen.query_one(LiveLines)
        pulse_mic.play(mono_interview)

        def said(word: str) -> list[int]:
            return [i for i, (_at, _who, text) in enumerate(panel.lines)
                    if word in text.lower()]

        await wait_for(pilot, lambda: bool(said("listened")), timeout=HEARD_TIMEOUT,
                       what="the participant's answer")
        assert all(who is None for _at, who, _text in panel.lines)  # nobody's voice known
        question_lines = said("difference") + said("physiotherapist")
        assert question_lines, panel.lines
        # Only the answer raised cards, and each says which line and whose.
        raised = _raised(screen)
        assert raised
        for _key, details in raised:
            assert details[1].startswith("speaker unknown: “") and "listened" in details[1]
        assert not any("physiotherapist" in d for _k, details in raised for d in details[:2])

        # F7 on the interviewer's line keeps a note of it, not a quote card.
        while panel.current_index != question_lines[0]:
            await pilot.press("ctrl+up")
        await pilot.press("f7")
        await wait_for(pilot, lambda: panel.cursor is None, what="following again")
        await pilot.press("f2")  # the deepening phase shows quote cards: none
        await pilot.pause()
        kinds = {e.extra["kind"] for e in screen.query_one(SuggestionList).entries}
        assert "quote" not in kinds
        await stop_interview(pilot)

    db = study.db()
    try:
        quotes = notes.list_notes(db, rated_session, kind="quote")
        [note] = notes.list_notes(db, rated_session, kind="note")
    finally:
        db.conn.close()
    assert quotes == []
    assert note.text.startswith("I said: “") and note.at_ms is not None
