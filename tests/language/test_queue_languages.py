"""The one transcription queue (``companion transcribe --all`` and the TUI's "transcribe
all") gives each session a model for its protocol's language when none is named: an
English session goes to tiny.en, a Dutch one to the multilingual base, in one run."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from companion.operations import participants, sessions
from companion.operations.recording import import_audio
from companion.operations.transcription import (
    SessionFinished,
    SessionStarted,
    transcribe_queue,
)
from companion.study.folder import Study

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def short_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("speech") / "short.wav"
    subprocess.run(["espeak-ng", "-v", "nl", "-w", str(path), "De behandeling is goed."],
                   check=True, capture_output=True)
    return path


def test_each_queued_session_gets_a_model_for_its_language(
        study: Study, short_speech: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPANION_WHISPER_MODEL", raising=False)
    participants.add(study, "P01", consent_date=dt.date(2024, 3, 1).isoformat())
    english = sessions.plan(study, "P01", protocol_id="pain-alliance").id
    dutch = sessions.plan(study, "P01", protocol_id="pain-alliance-nl").id
    for sid in (english, dutch):
        import_audio(study, sid, short_speech)
    seen: list[object] = []
    outcome = transcribe_queue(study, on_event=seen.append)
    assert outcome.ok and [r.status for r in outcome.results] == ["done", "done"], outcome
    models = {e.session_id: e.model for e in seen if isinstance(e, SessionStarted)}
    assert models[english].startswith("tiny.en"), models
    assert models[dutch].startswith("base (multilingual"), models
    assert [e.session_id for e in seen if isinstance(e, SessionFinished)] == [english, dutch]
