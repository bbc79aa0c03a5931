"""A Dutch interview end to end: espeak-ng Dutch played into the PulseAudio microphone,
recorded by ``companion record`` under pain-alliance-nl, transcribed offline by
``companion transcribe`` with no model named (the protocol's language picks the
multilingual base), exported with Dutch pause marks.

Real time costs wall-clock seconds, so three turns around the 5 s pause are played; every
turn of the whole interview coming back is test_dutch_import's (from the file)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from tests.support.speech_nl import EXCERPT_KEY_WORDS, MORE_NEEDED, MORE_WORDS, heard

pytestmark = [pytest.mark.audio, pytest.mark.pulse, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
COMPANION = [str(ROOT / ".venv" / "bin" / "python"), "-m", "companion"]
if not Path(COMPANION[0]).exists():
    COMPANION = [sys.executable, "-m", "companion"]


def companion(study_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COMPANION_WHISPER_MODEL"}
    return subprocess.run([*COMPANION, "--study", str(study_dir), *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def _first_segment(study_dir: Path) -> bool:
    conn = sqlite3.connect(study_dir / "companion.db", timeout=5)
    try:
        return conn.execute("SELECT COUNT(*) FROM recording_segments").fetchone()[0] > 0
    finally:
        conn.close()


def test_a_dutch_interview_is_recorded_and_transcribed_in_dutch(
        study_dir: Path, pulse_mic, excerpt_nl: Path, tmp_path: Path) -> None:
    assert companion(study_dir, "participant", "add", "P07",
                     "--consent-date", "2024-05-01").returncode == 0
    made = companion(study_dir, "session", "new", "P07", "--protocol", "pain-alliance-nl")
    assert made.returncode == 0, made.stderr
    seconds = sf.info(str(excerpt_nl)).duration + 2.0
    proc = subprocess.Popen(
        [*COMPANION, "--study", str(study_dir), "record", "1", "--device", pulse_mic.device,
         "--seconds", f"{seconds:.1f}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 20
        while not _first_segment(study_dir) and proc.poll() is None:
            assert time.monotonic() < deadline, "the recorder did not start"
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        pulse_mic.play(excerpt_nl)
        proc.wait(seconds + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""

    done = companion(study_dir, "transcribe", "1", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "done" and result["language"] == "nl"
    assert result["model"].startswith("base (multilingual")

    conn = sqlite3.connect(study_dir / "companion.db")
    try:
        text = " ".join(row[0] for row in conn.execute(
            "SELECT text FROM transcript_segments ORDER BY start_ms")).lower()
    finally:
        conn.close()
    missing = [word for word in EXCERPT_KEY_WORDS if not heard(word, text)]
    assert not missing, f"{missing} not in: {text}"
    found = [word for word in MORE_WORDS if heard(word, text)]
    assert len(found) >= MORE_NEEDED, f"only {found} of {MORE_WORDS} in: {text}"

    out = tmp_path / "interview.txt"
    exported = companion(study_dir, "export", "1", "--format", "txt", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    written = out.read_text(encoding="utf-8")
    assert "(N sec.) from 4 sec." in written
    assert "sec.)" in written.split("pauses:", 1)[1].split("\n", 1)[1], written  # the 5 s pause
    assert " s)" not in written.split("pauses:", 1)[1]
