"""`export -o` / `report -o` never destroy: existing files need --force, the study's own
database and audio are refused whatever --force says, symlinks are not followed, and a
trailing slash names a folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import Result

from companion.operations.recording import import_audio
from tests.support.cli import cli_runner
from tests.support.people import consented_session


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            out[key] = "-> " + os.readlink(path)
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[key] = "dir"
    return out


def _cli(study_dir: Path, *args: str) -> Result:
    """The real command, in this process (a traceback fails the test)."""
    return cli_runner(study_dir)(*args)


@pytest.fixture
def interview(study, db, tmp_path):
    session = consented_session(db, "P05", consent_date="2026-01-05", interviewer="DP")
    wav = tmp_path / "in.wav"
    sf.write(wav, (np.sin(np.arange(16_000) / 8) * 8000).astype(np.int16), 16_000)
    import_audio(study, session.id, wav)
    db.conn.close()
    return session.id


def _audio(study) -> list[Path]:
    return sorted(p for p in study.recordings_dir.rglob("*") if p.is_file()
                  and not p.name.startswith("."))


def _refused(study_dir: Path, tmp_path: Path, *args: str, hint: str) -> None:
    before = _snapshot(tmp_path)
    result = _cli(study_dir, *args)
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and hint in lines[0], result.stderr
    assert _snapshot(tmp_path) == before


def test_existing_file_needs_force(study, interview, study_dir, tmp_path):
    target = tmp_path / "mine.txt"
    target.write_text("my thesis chapter\n")
    _refused(study_dir, tmp_path, "export", str(interview), "--format", "txt",
             "-o", str(target), hint="--force")
    _refused(study_dir, tmp_path, "report", "-o", str(target), hint="--force")
    assert _cli(study_dir, "export", str(interview), "--format", "txt", "-o", str(target),
                "--force").exit_code == 0
    assert "P05" in target.read_text()


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_study_database_and_audio_are_never_targets(study, interview, study_dir,
                                                       tmp_path, force):
    audio = _audio(study)
    assert any("original" in p.name for p in audio)  # the kept original is there too
    for target in [study.db_path, Path(str(study.db_path) + "-wal"), *audio]:
        _refused(study_dir, tmp_path, "export", str(interview), "--format", "txt",
                 "-o", str(target), *force, hint="study's")
        _refused(study_dir, tmp_path, "report", "-o", str(target), *force, hint="study's")
    # Through another spelling of the same path, too.
    sneaky = study_dir / "exports" / ".." / "companion.db"
    _refused(study_dir, tmp_path, "report", "-o", str(sneaky), *force, hint="study's")
    # And into the recordings folder itself.
    _refused(study_dir, tmp_path, "report", "-o", str(study.recordings_dir) + "/", *force,
             hint="audio")


def test_symlink_is_not_followed(study, interview, study_dir, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    for force in ([], ["--force"]):
        _refused(study_dir, tmp_path, "export", str(interview), "--format", "txt",
                 "-o", str(link), *force, hint="symbolic link")
        _refused(study_dir, tmp_path, "report", "-o", str(link), *force,
                 hint="symbolic link")
    assert victim.read_text() == "precious\n" and link.is_symlink()


def test_trailing_slash_means_a_folder(study, interview, study_dir, tmp_path):
    folder = tmp_path / "missing"
    result = _cli(study_dir, "export", str(interview), "--format", "txt",
                  "-o", str(folder) + "/")
    assert result.exit_code == 0, result.stderr
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == [
        f"P05_session-{interview}.txt"]
    # Written outside the study: said so, because a withdrawal cannot erase this copy.
    assert "outside the study folder" in result.stdout
    result = _cli(study_dir, "report", "-o", str(tmp_path / "reports") + "/")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "reports" / "report.md").is_file()
    # --all into a new folder, and again: refused without --force, per file.
    result = _cli(study_dir, "export", "--all", "--format", "md", "-o", str(tmp_path / "all") + "/")
    assert result.exit_code == 0, result.stderr
    _refused(study_dir, tmp_path, "export", "--all", "--format", "md",
             "-o", str(tmp_path / "all") + "/", hint="--force")


def test_every_export_path_is_recorded(study, interview, study_dir, tmp_path):
    _cli(study_dir, "export", str(interview), "--format", "docx", "-o", str(tmp_path) + "/")
    _cli(study_dir, "report", "-o", str(tmp_path / "r.md"))
    db = study.db()
    rows = list(db.query("SELECT session_id, path, inside_study FROM exports ORDER BY id"))
    assert rows == [
        {"session_id": interview, "path": str((tmp_path / f"P05_session-{interview}.docx")
                                              .resolve()), "inside_study": 0},
        {"session_id": None, "path": str((tmp_path / "r.md").resolve()), "inside_study": 0}]
