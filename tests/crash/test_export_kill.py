"""Crash matrix, export: a killed export never leaves a half file under the target name,
and the study database stays intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.operations.recording import import_audio
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


def _unfinished_size(pid: int, folder: Path) -> int | None:
    """Bytes written so far to the export the child has open in ``folder`` but not yet
    named (an O_TMPFILE or a ``.part``), or None while it has none open."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = list(fd_dir.iterdir())
    except OSError:
        return None
    for link in links:
        try:
            where = os.readlink(link)
        except OSError:
            continue
        if where.startswith(str(folder)) and ("(deleted)" in where or where.endswith(".part")
                                              or "/#" in where):
            try:
                return os.stat(link).st_size
            except OSError:
                return None
    return None


def test_a_killed_export_leaves_no_partial_file(study_dir: Path, db, long_session: int,
                                               tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "whole.qdpx"
    assert _export(study_dir, long_session, target).wait(timeout=300) == 0
    assert zipfile.ZipFile(target).testzip() is None
    whole = target.stat().st_size

    # Each kill is placed by what the export has written, not by the clock: once the
    # child's unnamed file holds this share of the finished one. The first (0 %: the file
    # has just been opened) always lands; a later share can be missed when one large write
    # carries the file past it and the export finishes first, and then the finished file
    # must be whole.
    landed = []
    for fraction in (0.0, 0.1, 0.3, 0.5, 0.7):
        target = out / f"killed-{fraction}.qdpx"
        child = _export(study_dir, long_session, target)
        while child.poll() is None:
            written = _unfinished_size(child.pid, out)
            if written is not None and written >= whole * fraction:
                child.send_signal(signal.SIGKILL)
                break
        if child.wait(timeout=60) == -signal.SIGKILL:
            landed.append(fraction)
            assert not target.exists(), f"a half export stands under its name at {fraction:.0%}"
        else:
            with zipfile.ZipFile(target) as done, zipfile.ZipFile(out / "whole.qdpx") as ref:
                assert done.testzip() is None
                assert [i.filename for i in done.infolist()] == [
                    i.filename for i in ref.infolist()]
            target.unlink()
    assert 0.0 in landed
    # Nothing else: not even a hidden .part (the file has no name until it is whole).
    assert {p.name for p in out.iterdir()} == {"whole.qdpx"}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
