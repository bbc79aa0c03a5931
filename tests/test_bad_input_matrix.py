"""The bad-input matrix: every case gets one clear line (what, where, what is allowed),
exit status 2, and leaves the study exactly as it was."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.store.schema import SCHEMA_VERSION
from tests.support.cli import Run, cli_runner


def _snapshot(study_dir: Path) -> dict[str, object]:
    """Everything a command could have written: database rows and files on disk."""
    conn = sqlite3.connect(study_dir / "companion.db")
    try:
        rows = list(conn.iterdump())
    finally:
        conn.close()
    files = sorted(str(p.relative_to(study_dir)) for p in study_dir.rglob("*")
                   if p.is_file() and not p.name.startswith("companion.db"))
    return {"rows": rows, "files": files}


@pytest.fixture
def planned(study_dir: Path, run: Run) -> Path:
    for args in (["participant", "add", "P05", "--consent-date", "2026-02-01"],
                 ["session", "new", "P05"]):
        assert run(*args).exit_code == 0
    return study_dir


def _audio_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    files = {}
    files["empty"] = folder / "empty.wav"
    files["empty"].write_bytes(b"")
    good = folder / "good.wav"
    sf.write(good, np.zeros(16_000, dtype=np.int16), 16_000, subtype="PCM_16")
    files["truncated"] = folder / "truncated.wav"
    files["truncated"].write_bytes(good.read_bytes()[:30])
    files["not-audio"] = folder / "notes.wav"
    files["not-audio"].write_text("These are my interview notes, not a recording.\n" * 20)
    files["rate"] = folder / "slow.wav"
    sf.write(files["rate"], np.zeros(4_000, dtype=np.int16), 4_000, subtype="PCM_16")
    return files


CASES = {
    # WAI-ReD values
    "wai negative": (["wai", "set", "1", "--target", "most", "--role", "physician",
                      "--task", "-1", "--goal", "200", "--bond", "200"], "task", "0 to 400"),
    "wai over range": (["wai", "set", "1", "--target", "least", "--role", "physician",
                        "--items", "90,85,101,92,80,86,90,84,91,83,87,89"], "items[3]",
                       "0 to 100"),
    "wai NaN": (["wai", "set", "1", "--target", "most", "--role", "physician",
                 "--task", "nan", "--goal", "200", "--bond", "200"], "task", "0 to 400"),
    "wai text": (["wai", "set", "1", "--target", "most", "--role", "physician",
                  "--items", "a,b,c,d,e,f,g,h,i,j,k,l"], "items[1]", "0 to 100"),
    "wai item count": (["wai", "set", "1", "--target", "most", "--role", "physician",
                        "--items", "90,85,88,92,80"], "items", "exactly 12"),
    "wai target": (["wai", "set", "1", "--target", "best", "--role", "physician",
                    "--task", "1", "--goal", "1", "--bond", "1"], "--target", "most"),
    # models
    "model folder": (["model", "add", "{empty}"], "PATH", "faster-whisper model"),
    # audio imports
    "audio empty": (["import-audio", "1", "{empty}"], "file", "audio file"),
    "audio truncated": (["import-audio", "1", "{truncated}"], "file", "audio file"),
    "audio not audio": (["import-audio", "1", "{not-audio}"], "file", "audio file"),
    "audio rate": (["import-audio", "1", "{rate}"], "sample rate", "8000 to 192000 Hz"),
    "audio missing": (["import-audio", "1", "/nonexistent/x.wav"], "file", "existing"),
    # unknown things
    "unknown session": (["session", "show", "9"], "session", "existing session"),
    "malformed session": (["suggest", "one"], "session", "positive whole number"),
    "unknown participant": (["session", "new", "P99"], "participant", "P05"),
    "unknown protocol": (["session", "new", "P05", "--protocol", "nope"], "protocol",
                         "pain-alliance"),
    "unknown phase": (["phase", "1", "closing", "--at", "00:01:00"], "phase", "opening"),
    "unknown code": (["note", "1", "x", "--code", "Z9"], "code", "A1"),
    # participants
    "duplicate pseudonym": (["participant", "add", "P05"], "code", "not used yet"),
    "real name": (["participant", "add", "Anna de Vries"], "code", "pseudonym"),
    # notes
    "note control characters": (["note", "1", "ok \x1b[31mred"], "text", "control character"),
    "note 100 kB": (["note", "1", "x" * 100_000], "text", "at most 20000 characters"),
    "note time": (["note", "1", "x", "--at", "99:99"], "at", "HH:MM:SS"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(case: str, planned: Path,
                                                            tmp_path: Path) -> None:
    args, field, allowed = CASES[case]
    files = _audio_files(tmp_path / "audio")
    args = [a.format(**{k: str(v) for k, v in files.items()}) if "{" in a else a for a in args]
    before = _snapshot(planned)
    result = cli_runner(planned)(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    # Our own errors are one line; click's usage errors are its usage line, a hint and
    # one "Error:" line. Nothing else (no traceback, no second message).
    if len(lines) == 1:
        assert lines[0].startswith("error: "), result.output
    else:
        assert lines[0].startswith("Usage: ") and lines[-1].startswith("Error: "), \
            result.output
        assert sum(line.lower().startswith("error") for line in lines) == 1, result.output
    message = lines[-1]
    assert field in message and allowed in message, message
    assert "Traceback" not in result.output
    assert _snapshot(planned) == before


def test_a_database_from_a_newer_version_is_refused(planned: Path) -> None:
    conn = sqlite3.connect(planned / "companion.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = (planned / "companion.db").read_bytes()
    result = cli_runner(planned)("session", "list")
    assert result.exit_code == 2
    assert "upgrade companion" in result.output and str(SCHEMA_VERSION) in result.output
    assert (planned / "companion.db").read_bytes() == before


def test_a_read_only_study_is_refused_with_a_hint(planned: Path, tmp_path: Path) -> None:
    # Root ignores permission bits, so the command runs as an unprivileged user.
    if os.geteuid() == 0:
        shared = Path("/tmp") / f"companion-ro-{os.getpid()}"
        shutil.rmtree(shared, ignore_errors=True)
        shutil.copytree(planned, shared)
        cmd_prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        shared, cmd_prefix = planned, []
    for path in [shared, *shared.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    before = _snapshot(shared)
    env = dict(os.environ, HOME="/tmp")
    result = subprocess.run([*cmd_prefix, sys.executable, "-m", "companion", "--study",
                             str(shared), "note", "1", "a note"], capture_output=True,
                            text=True, env=env, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "read-only" in result.stderr and "study" in result.stderr
    assert _snapshot(shared) == before
    if shared != planned:
        shutil.rmtree(shared)
