"""Crash matrix, export: a killed export never leaves a half file under the target name,
and the study database stays intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.audio.importer import import_audio
from tests.support.people import consented_session


@pytest.fixture
def long_session(study, db, tmp_path: Path) -> int:
    session = consented_session(db, "P31", consent_date="2026-01-10")
    rng = np.random.default_rng(7)
    # Eight minutes of noise: large enough that writing the project takes a while.
    audio = (rng.standard_normal(48_000 * 480) * 3000).astype(np.int16)
    wav = tmp_path / "long.wav"
    sf.write(wav, audio, 48_000, subtype="PCM_16")
    import_audio(study, session.id, wav)
    return session.id


def _export(study_dir: Path, session_id: int, target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "companion", "--study", str(study_dir), "export",
         str(session_id), "--format", "qdpx", "-o", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))


def test_a_killed_export_leaves_no_partial_file(study_dir: Path, db, long_session: int,
                                               tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    # How long a whole export takes here, so the kills land inside it.
    target = out / "whole.qdpx"
    started = time.monotonic()
    assert _export(study_dir, long_session, target).wait(timeout=300) == 0
    whole = time.monotonic() - started
    assert zipfile.ZipFile(target).testzip() is None

    killed_inside = 0
    for fraction in (0.3, 0.5, 0.7, 0.85, 0.95):
        target = out / f"killed-{fraction}.qdpx"
        child = _export(study_dir, long_session, target)
        deadline = time.monotonic() + whole * fraction
        while time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed_inside += 1
        child.wait(timeout=60)
        if target.exists():
            # Only a finished export may stand under the target name (the kill may land
            # after the rename, while the process exits), and it is whole.
            with zipfile.ZipFile(target) as done, zipfile.ZipFile(out / "whole.qdpx") as ref:
                assert done.testzip() is None
                assert [(i.filename, i.file_size) for i in done.infolist()] == [
                    (i.filename, i.file_size) for i in ref.infolist()]
    assert killed_inside >= 3
    # Nothing else: not even a hidden .part (the file has no name until it is whole).
    assert {p.name for p in out.iterdir()} <= {
        "whole.qdpx", *(f"killed-{f}.qdpx" for f in (0.3, 0.5, 0.7, 0.85, 0.95))}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
