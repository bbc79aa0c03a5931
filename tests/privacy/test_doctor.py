"""`companion doctor` says what is wrong, how to fix it, and repairs permissions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from companion.store.sessions import set_status
from tests.support.cli import cli_runner
from tests.support.people import consented_session


def _doctor(study_dir: Path):
    return cli_runner(study_dir)("doctor")


def test_doctor_repairs_loose_permissions_and_checks_the_database(study_dir: Path) -> None:
    loose = study_dir / "exports" / "P01.txt"
    loose.write_text("x")
    os.chmod(loose, 0o644)
    os.chmod(study_dir / "recordings", 0o755)
    result = _doctor(study_dir)
    assert "[ok  ] permissions: repaired 2" in result.output, result.output
    assert os.stat(loose).st_mode & 0o777 == 0o600
    assert os.stat(study_dir / "recordings").st_mode & 0o777 == 0o700
    assert "[ok  ] database: integrity check ok" in result.output
    assert "[ok  ] PortAudio" in result.output
    # The virtual microphone of the test set-up is an input device PortAudio can see.
    assert "[ok  ] input devices" in result.output
    assert "[ok  ] transcription model: tiny.en" in result.output
    assert _doctor(study_dir).output.count("repaired") == 0


def test_doctor_fails_on_an_interrupted_session_and_names_the_fix(study_dir: Path, db) -> None:
    session = consented_session(db, "P02")
    set_status(db, session.id, "live")
    result = _doctor(study_dir)
    assert result.exit_code == 1
    assert f"[FAIL] interrupted sessions: sessions [{session.id}] were cut off" in result.output
    assert "companion recover" in result.output


def test_doctor_passes_with_a_note_on_a_machine_without_a_microphone(
        study_dir: Path, tmp_path: Path) -> None:
    """A machine that only transcribes and exports has no microphone: doctor says so as a
    note and still exits 0. The test machine has no sound card; without the test set-up's
    virtual microphone (its ~/.asoundrc) and with no PulseAudio server, PortAudio finds
    no input device at all."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PULSE_SERVER": "unix:/nonexistent",
           "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    result = subprocess.run([sys.executable, "-m", "companion.cli", "--study", str(study_dir),
                             "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert "[note] input devices: no microphone found" in result.stdout, result.stdout
    assert "transcription, review and exports work without" in result.stdout
    assert result.returncode == 0, result.stdout
