"""One transcription queue for both fronts: a session that fails does not stop the others.

Two sessions with espeak-ng speech imported; the first one's audio file is then emptied
(a damaged recording). ``companion transcribe --all`` and the TUI's "transcribe all" both
go past it, transcribe the second with the real tiny.en model, and name the failed one.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from companion.operations.recording import import_audio
from companion.operations.sessions import plan
from companion.operations.transcription import (
    SessionFinished,
    SessionStarted,
    transcribe_queue,
)
from companion.store import participants, recordings, transcripts
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.transcription import TranscriptionScreen
from tests.support.cli import cli_runner
from tests.support.tui import sessions_loaded, wait_for

pytestmark = pytest.mark.model

SPEECH = "The physiotherapist listened to me and asked how the pain changed my work."


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speech") / "answer.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SPEECH], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    from companion.transcribe import load_engine

    return load_engine()


@pytest.fixture
def damaged_then_good(study: Study, speech_wav: Path) -> tuple[int, int]:
    """(damaged, good): two recorded sessions; the first one's audio file emptied."""
    ids = []
    db = study.db()
    try:
        for code in ("P01", "P02"):
            participants.add_participant(db, code, consent_date=dt.date(2024, 3, 1).isoformat())
            session = plan(study, code, interviewer="AB")
            import_audio(study, session.id, speech_wav)
            ids.append(session.id)
        [segment] = recordings.list_segments(db, ids[0])
        segment.abspath(study.root).write_bytes(b"")
    finally:
        db.conn.close()
    return ids[0], ids[1]


def _status(study: Study, session_id: int) -> str | None:
    db = study.db()
    try:
        transcript = transcripts.get_transcript(db, session_id)
        return transcript["status"] if transcript else None
    finally:
        db.conn.close()


def test_the_queue_goes_on_past_a_failing_session(
        study: Study, damaged_then_good: tuple[int, int], engine) -> None:  # type: ignore[no-untyped-def]
    damaged, good = damaged_then_good
    seen: list[object] = []
    outcome = transcribe_queue(study, engine=engine, on_event=seen.append)
    assert [f.session_id for f in outcome.failures] == [damaged], outcome
    assert [r.session_id for r in outcome.results] == [good]
    assert outcome.results[0].status == "done" and not outcome.cancelled
    # The same events, in order, for whichever front listens.
    assert [(type(e).__name__, e.session_id) for e in seen
            if isinstance(e, SessionStarted | SessionFinished)] == [
        ("SessionStarted", damaged), ("SessionFinished", damaged),
        ("SessionStarted", good), ("SessionFinished", good)]
    finished = [e for e in seen if isinstance(e, SessionFinished)]
    assert [e.status for e in finished] == ["failed", "done"]
    assert finished[0].error == outcome.failures[0].reason


def test_cli_all_transcribes_the_rest_and_names_the_failure(
        study: Study, damaged_then_good: tuple[int, int]) -> None:
    damaged, good = damaged_then_good
    result = cli_runner(study.root)("transcribe", "--all")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    failed = [line for line in result.stderr.splitlines() if "Not transcribed" in line]
    assert len(failed) == 1 and f"session {damaged} " in failed[0]
    assert f"session {good} " not in failed[0]
    assert f"Session {good} (P02): done" in result.stdout
    assert _status(study, good) == "done"


async def test_tui_queue_goes_on_like_the_cli(
        study: Study, damaged_then_good: tuple[int, int], engine) -> None:  # type: ignore[no-untyped-def]
    damaged, good = damaged_then_good
    app = CompanionApp(study, check_recovery=False, engine=engine)
    said: list[object] = []
    async with app.run_test(size=(100, 30), message_hook=said.append) as pilot:
        await sessions_loaded(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptionScreen)
                       and app.screen.loaded, what="transcription queue read")
        screen = app.screen
        assert isinstance(screen, TranscriptionScreen)
        await pilot.press("a")
        await wait_for(pilot, lambda: any(isinstance(m, TranscriptionScreen.RunEnded)
                                          for m in said), timeout=60, what="run ended")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.row(damaged).state == "failed"  # type: ignore[union-attr]
        assert screen.row(good).state == "done"  # type: ignore[union-attr]
        finished = [(m.event.session_id, m.event.status) for m in said
                    if isinstance(m, TranscriptionScreen.QueueReport)
                    and isinstance(m.event, SessionFinished)]
        assert finished == [(damaged, "failed"), (good, "done")]
    assert _status(study, good) == "done"
