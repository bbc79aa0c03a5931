"""The transcription view, end to end: espeak-ng speech imported into a session, the real
tiny.en model (loaded once for the module), the runner in the view's thread worker.

Nothing may reach the terminal while it runs: the file descriptors 1 and 2 are captured
(pytest's ``capfd``), so a progress bar, a print or a native library's log line would show
up there, and the screen would be corrupted by it in a real terminal.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import TypeVar

import pytest
from textual import events
from textual.notifications import Notify
from textual.widgets import ProgressBar

from companion.operations.recording import import_audio
from companion.operations.transcription import ModelLoading, Progress, SessionStarted
from companion.store import transcripts
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.transcription import QueueRow, TranscriptionScreen
from tests.support.tui import sessions_loaded, wait_for

pytestmark = pytest.mark.model

Event = TypeVar("Event")

SPEECH = ("My physiotherapist listened to me, but the psychologist never asked how the pain "
          "changed my work. I felt that the team did not talk to each other.")


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About eight seconds of synthetic speech."""
    path = tmp_path_factory.mktemp("speech") / "answer.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SPEECH], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    """The offline tiny.en model, loaded once and handed to every app in this module."""
    from companion.transcribe import load_engine

    loaded = load_engine()
    assert loaded.label.startswith("tiny.en")
    return loaded


@pytest.fixture
def recorded(study: Study, planned_session: int, speech_wav: Path) -> int:
    """The planned session with the speech imported as its audio (so: completed)."""
    import_audio(study, planned_session, speech_wav)
    return planned_session


def _segments(study: Study, session_id: int) -> tuple[str | None, list[transcripts.Segment]]:
    db = study.db()
    try:
        transcript = transcripts.get_transcript(db, session_id)
        return (transcript["status"] if transcript else None,
                transcripts.list_segments(db, session_id))
    finally:
        db.conn.close()


async def _open_view(pilot) -> TranscriptionScreen:  # type: ignore[no-untyped-def]
    await sessions_loaded(pilot)
    await pilot.press("t")  # one key from the sessions screen
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TranscriptionScreen)
                   and pilot.app.screen.loaded, what="transcription queue read")
    screen = pilot.app.screen
    assert isinstance(screen, TranscriptionScreen)
    return screen


def _keys_at_once(app: CompanionApp, *keys: str) -> None:
    """Keys through the driver as a fast typist sends them: Pilot's ``press`` waits for the
    app to go idle after each key, and with the model busy that can be a whole run."""
    assert app._driver is not None
    for key in keys:
        event = events.Key(key, key)
        event.set_sender(app)
        app._driver.send_message(event)


def _events(said: list[object], kind: type[Event]) -> list[Event]:
    """The queue's events of ``kind`` the view received, in order (the CLI's same ones)."""
    return [m.event for m in said
            if isinstance(m, TranscriptionScreen.QueueReport) and isinstance(m.event, kind)]


async def _run_to_the_end(pilot, said: list[object], runs: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Wait until the view has handled the end of its ``runs``-th run."""

    def ended() -> int:
        return sum(isinstance(m, TranscriptionScreen.RunEnded) for m in said)

    await wait_for(pilot, lambda: ended() >= runs, timeout=60, what="run ended")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_transcribe_a_session_in_the_view(
        study: Study, recorded: int, engine, capfd: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    app = CompanionApp(study, check_recovery=False, engine=engine)
    said: list[object] = []
    ticks: list[float] = []
    async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
        screen = await _open_view(pilot)
        row = screen.row(recorded)
        assert isinstance(row, QueueRow) and row.state == "not started"
        # Not "waiting": nothing runs until t is pressed, and the line below says so.
        assert "t starts" in str(screen.query_one("#transcription-status").render())
        bar = row.query_one(ProgressBar)
        assert bar.percentage == 0.0
        # The UI thread keeps ticking while the model decodes in the worker.
        app.set_interval(0.05, lambda: ticks.append(time.monotonic()))
        capfd.readouterr()
        await pilot.press("t")
        await _run_to_the_end(pilot, said)
        assert not screen.running
        out, err = capfd.readouterr()
        assert (out, err) == ("", "")  # no tqdm bar, no log line, no print on the terminal
        assert screen.stray_output == []
        assert bar.percentage == 1.0
        assert row.state == "done"
        assert "done" in str(row.query_one(".queue-state").render())
        assert row.eta.startswith("took")
        # Idle again: start is offered, cancel greyed out.
        assert screen.check_action("start", ()) and screen.check_action("cancel", ()) is None
        started = _events(said, SessionStarted)
        assert [(e.session_id, e.model[:7]) for e in started] == [(recorded, "tiny.en")]
        progress = _events(said, Progress)
        assert progress and progress[-1].fraction == 1.0 and progress[-1].state == "done"
        # The UI loop kept running while the worker decoded (counted, not timed: how
        # smooth it stays under load is for benchmarks, not a pass/fail here).
        assert len(ticks) > 5
        # The finished line says what comes next, and Enter does it: the review opens.
        status_line = str(screen.query_one("#transcription-status").render())
        assert "Enter opens" in status_line and "review" in status_line
        await pilot.press("enter")
        # The review opens (the speakers' "Is this you?" offer may stand over it).
        await wait_for(pilot, lambda: any(isinstance(s, ReviewScreen)
                                          for s in app.screen_stack), what="review")
        [review] = [s for s in app.screen_stack if isinstance(s, ReviewScreen)]
        assert any("psychologist" in r.entry.text.lower() for r in review.transcript_rows)
    status, segments = _segments(study, recorded)
    assert status == "done"
    text = " ".join(s.text for s in segments).lower()
    assert "psychologist" in text and "team" in text


async def test_cancel_at_once_then_start_again_resumes(
        study: Study, recorded: int, engine) -> None:  # type: ignore[no-untyped-def]
    app = CompanionApp(study, check_recovery=False, engine=engine)
    said: list[object] = []
    async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
        screen = await _open_view(pilot)
        row = screen.row(recorded)
        assert row is not None
        _keys_at_once(app, "t", "c")  # start, and cancel straight away
        await _run_to_the_end(pilot, said)
        assert row.state == "cancelled"
        assert row.query_one(ProgressBar).percentage < 1.0
        status, first = _segments(study, recorded)
        assert status == "cancelled"
        # Leaving and coming back shows what the database says: cancelled, resumable.
        await pilot.press("escape")
        await sessions_loaded(pilot)
        screen = await _open_view(pilot)
        row = screen.row(recorded)
        assert row is not None and row.state == "cancelled"
        await pilot.press("t")
        await _run_to_the_end(pilot, said, runs=2)
        assert row.state == "done" and row.query_one(ProgressBar).percentage == 1.0
    status, segments = _segments(study, recorded)
    assert status == "done"
    assert [s.id for s in segments[:len(first)]] == [s.id for s in first]  # kept, resumed
    starts = [s.start_ms for s in segments]
    assert starts == sorted(set(starts))  # nothing transcribed twice
    assert "psychologist" in " ".join(s.text for s in segments).lower()


async def test_view_is_in_the_palette_and_leaving_it_does_not_stop_a_run(
        study: Study, recorded: int, engine) -> None:  # type: ignore[no-untyped-def]
    # No engine handed in: the worker resolves the study's model itself, as in real use
    # (load_engine keeps one per process, so this is the module's engine again).
    app = CompanionApp(study, check_recovery=False)
    said: list[object] = []
    async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
        await sessions_loaded(pilot)
        app.open_summary(recorded)
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Transcription" in commands
        app.call_later(commands["Transcription"].callback)  # as the palette runs it
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptionScreen)
                       and app.screen.loaded, what="view from the palette")
        screen = app.screen
        assert isinstance(screen, TranscriptionScreen)
        await pilot.press("a")
        await pilot.press("escape")  # back while it runs: the run goes on
        await _run_to_the_end(pilot, said)
        assert screen.row(recorded).state == "done"  # type: ignore[union-attr]
        assert _events(said, ModelLoading)
    assert _segments(study, recorded)[0] == "done"


async def test_going_live_stops_a_running_transcription(
        study: Study, recorded: int, engine) -> None:  # type: ignore[no-untyped-def]
    from companion.operations.sessions import plan
    from companion.tui.screens.live import LiveScreen
    from tests.support.fakes import FakeRecorder
    from tests.support.gated import GatedEngine

    next_interview = plan(study, "P05").id
    recorder = FakeRecorder(ms=0)
    # Held in its chunk until the interview has started: the run is certainly running
    # when the interviewer goes live, however fast or loaded the machine.
    gated = GatedEngine(engine)
    app = CompanionApp(study, check_recovery=False, engine=gated,  # type: ignore[arg-type]
                       recorder_factory=lambda s, i: recorder)
    said: list[object] = []
    try:
        async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
            screen = await _open_view(pilot)
            _keys_at_once(app, "t")
            await wait_for(pilot, gated.entered.is_set, what="a chunk being decoded")
            assert screen.running
            app.start_live(next_interview)
            gated.gate.set()
            await _run_to_the_end(pilot, said)
            assert isinstance(app.screen, LiveScreen) and recorder.calls == ["start"]
            assert not screen.running
            # From the messages, not the toasts: a toast times out before a slow chunk ends.
            assert any(isinstance(m, Notify)
                       and "Transcription stopped for the interview" in m.notification.message
                       for m in said)
    finally:
        gated.gate.set()
    assert _segments(study, recorded)[0] == "cancelled"
