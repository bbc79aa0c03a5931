"""The live transcript on the interview screen, recording a real-time PulseAudio microphone
that plays an espeak-ng interview, transcribed by the real tiny.en in its own process."""

from __future__ import annotations

import json
import os
import signal
import zipfile
from pathlib import Path

import pytest

from companion.operations.export import export
from companion.store import live as live_store
from companion.store import notes, recordings
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.recording import default_recorder_factory
from companion.tui.screens.live import LiveScreen
from companion.tui.widgets.live_transcript import LiveLines, TalkBar
from companion.tui.widgets.prompt_list import SuggestionList
from tests.live.conftest import two_channel_pulse
from tests.support.tui import stop_interview, wait_for

pytestmark = [pytest.mark.audio, pytest.mark.pulse]

HEARD_TIMEOUT = 120.0  # the model loads and decodes on a shared, busy machine


async def _live_screen(pilot, app: CompanionApp, session_id: int) -> LiveScreen:  # type: ignore[no-untyped-def]
    app.start_live(session_id)
    await wait_for(pilot, lambda: isinstance(app.screen, LiveScreen)
                   and app.screen.recorder is not None
                   and app.screen.recorder.status().state == "recording",
                   timeout=30, what="recording")
    screen = app.screen
    assert isinstance(screen, LiveScreen)
    return screen


def _said(screen: LiveScreen, word: str) -> bool:
    """``word`` is in a line on the screen (not only received from the transcriber)."""
    panel = screen.query_one(LiveLines)
    return any(word in said.lower() for _at, _who, said in panel.lines)


def _worker_pids() -> set[int]:
    """Live transcriber processes this test process started and are running now (not those
    of another test process on the machine, such as a second pytest worker)."""
    import psutil

    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if any("companion.live.worker" in part for part in child.cmdline()):
                found.add(child.pid)
        except psutil.Error:  # ended while we looked
            continue
    return found


async def test_lines_quotes_and_a_named_professional_during_the_interview(
        study: Study, rated_session: int, pulse_mic, interview_wav: Path,
        tmp_path: Path) -> None:
    two_channel_pulse(study)
    app = CompanionApp(study, recorder_factory=default_recorder_factory(None),
                       check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _live_screen(pilot, app, rated_session)
        assert screen.transcript.live is not None and screen.transcript.live.pid in _worker_pids()
        pulse_mic.play(interview_wav)
        await wait_for(pilot, lambda: _said(screen, "psychologist"), timeout=HEARD_TIMEOUT,
                       what="the participant's line naming the psychologist")
        live = screen.transcript.live
        lines = list(live.lines)
        # Each line has its session time, on the recording's clock, and was shown after
        # its words ended; the participant's lines are on the right channel.
        now = screen.recorder.session_ms()
        assert all(0 <= ln.start_ms <= ln.end_ms <= ln.shown_at_ms <= now for ln in lines)
        # The participant's first answer ("My back has hurt ...") came from the right channel.
        back = next(ln for ln in lines if ln.start_ms > 4000)
        assert back.speaker == "P05" and "years" in back.text.lower()
        assert lines[0].speaker == "I" and "pain" in lines[0].text.lower()
        panel = screen.query_one(LiveLines)
        assert screen.query_one("#live-transcript").display
        shown = str(panel.render())
        assert "psychologist" in shown.lower() and "P05: " in shown
        # Both have spoken in this phase: the talk bar shows their shares (by channel).
        bar = screen.query_one(TalkBar)
        assert bar.display
        balance = str(bar.render())
        assert balance.startswith("Talk this phase  I ") and balance.endswith("% P05")

        # The psychologist's rating's card rose to the top, saying what was heard and when.
        [named] = [ln for ln in lines if "psychologist" in ln.text.lower()]
        top = screen.query_one(SuggestionList).entries[0]
        [card] = [s for s in screen.cards.suggestions if s.text == top.text]
        assert card.evidence["role"] == "psychologist"
        minute, second = divmod(named.start_ms // 1000, 60)
        assert top.details[0] == f"heard 'psychologist' at 00:{minute:02d}:{second:02d}"
        # "... never really listened to me": the protocol's own mention rule raised its card
        # too, among the raised cards (the same moment), saying what was heard and when.
        entries = screen.query_one(SuggestionList).entries
        [being_heard] = [e for e in entries if e.key == "mention-being-heard"]
        assert all(e.extra["kind"] == "mention" for e in entries[:entries.index(being_heard)])
        assert being_heard.details[0].startswith(
            f"heard 'listened' at 00:{minute:02d}:{second:02d} — ")

        # Pin the participant's first answer (move the cursor up to it) as a quote.
        while panel.lines[panel.current_index][2] != back.text:
            await pilot.press("ctrl+up")
        await pilot.press("f7")
        await pilot.pause()
        # A part of a line: the words typed in the note box, then the pin key.
        # The pin sent the panel back to following the newest line: up to the named one.
        target = next(i for i, said in enumerate(panel.lines) if said[2] == named.text)
        while panel.current_index != target:
            await pilot.press("ctrl+up" if panel.current_index > target else "ctrl+down")
        part = " ".join([w for w in named.text.split() if w.isalpha()][:2])
        await pilot.press(*part)
        await pilot.press("f7")
        await pilot.pause()
        assert screen.query_one("#note-input").value == ""  # the words became the quote
        # In the deepening phase the quote is a card, worded by the protocol.
        while screen.phase.id != "deepening":
            await pilot.press("f2")
        await pilot.pause()
        minute, second = divmod(back.start_ms // 1000, 60)
        texts = [e.text for e in screen.query_one(SuggestionList).entries]
        assert (f"At 00:{minute:02d}:{second:02d} you said: '{back.text}'. Could you tell me "
                "more about that?") in texts
        await stop_interview(pilot)

    db = study.db()
    try:
        quote, part_quote = notes.list_notes(db, rated_session, kind="quote")
        typed_notes = notes.list_notes(db, rated_session, kind="note")
        stored = live_store.list_live_segments(db, rated_session)
    finally:
        db.conn.close()
    assert (quote.text, quote.at_ms) == (back.text, back.start_ms)
    assert (part_quote.text, part_quote.at_ms) == (part, named.start_ms)
    assert typed_notes == []  # the typed words became the quote, not a note
    assert [(s.start_ms, s.text, s.speaker) for s in stored][:len(lines)] == [
        (ln.start_ms, ln.text, ln.speaker) for ln in lines]
    assert not _worker_pids() & {live.pid}  # ended with the recording

    [as_json] = export(study, session=rated_session, fmt="json", output=tmp_path / "s.json")
    doc = json.loads(as_json.path.read_text(encoding="utf-8"))
    assert any(n["kind"] == "quote" and n["text"] == back.text for n in doc["notes"])
    [as_qdpx] = export(study, session=rated_session, fmt="qdpx", output=tmp_path / "s.qdpx")
    project = zipfile.ZipFile(as_qdpx.path).read("project.qde").decode("utf-8")
    assert back.text in project and "Quote 00:" in project


async def test_setting_off_starts_no_transcriber(study: Study, rated_session: int,
                                                 pulse_mic) -> None:
    two_channel_pulse(study)
    with study.config_path.open("a", encoding="utf-8") as config:
        config.write("[live]\ntranscript = false\n")
    before = _worker_pids()
    app = CompanionApp(study, recorder_factory=default_recorder_factory(None),
                       check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _live_screen(pilot, app, rated_session)
        assert screen.transcript.live is None
        assert not screen.query_one("#live-transcript").display
        assert _worker_pids() - before == set()
        await stop_interview(pilot)


async def test_killing_the_transcriber_leaves_the_recording_and_notes(
        study: Study, rated_session: int, pulse_mic, interview_wav: Path) -> None:
    two_channel_pulse(study)
    app = CompanionApp(study, recorder_factory=default_recorder_factory(None),
                       check_recovery=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _live_screen(pilot, app, rated_session)
        pulse_mic.play(interview_wav)
        await wait_for(pilot, lambda: screen.query_one(LiveLines).lines,
                       timeout=HEARD_TIMEOUT, what="a first live line")
        os.kill(screen.transcript.live.pid, signal.SIGKILL)
        panel = screen.query_one(LiveLines)
        await wait_for(pilot, lambda: "live transcript stopped" in panel.status, timeout=30,
                       what="the screen saying the live transcript stopped")
        assert "recording goes on" in str(panel.render())
        recording_at = screen.recorder.session_ms()
        await pilot.press(*"still here")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.recorder.session_ms() > recording_at + 2000,
                       timeout=30, what="recording going on")
        status = screen.recorder.status()
        assert status.state == "recording" and status.overflows == 0
        await stop_interview(pilot)
    db = study.db()
    try:
        [note] = notes.list_notes(db, rated_session, kind="note")
        [segment] = recordings.list_segments(db, rated_session)
    finally:
        db.conn.close()
    assert note.text == "still here"
    assert segment.status == "closed" and segment.duration_ms >= recording_at + 2000
