"""The bad-input matrix: every case gets one clear line (what, where, what is allowed),
exit status 2, and leaves the study exactly as it was.

Hostile files are part of it: a REFI-QDA project nested thousands deep, with a time stamp
that is no number, a zip bomb (by its headers, by its ratio, by headers that lie), a TOML
file nested hundreds deep, a damaged Whisper model; and ids past SQLite's 64-bit range
for every command that takes one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.store.schema import SCHEMA_VERSION
from tests.support.cli import Run, cli_runner
from tests.support.models import damaged_tiny_en


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
    files["good"] = good
    files["truncated"] = folder / "truncated.wav"
    files["truncated"].write_bytes(good.read_bytes()[:30])
    files["not-audio"] = folder / "notes.wav"
    files["not-audio"].write_text("These are my interview notes, not a recording.\n" * 20)
    files["rate"] = folder / "slow.wav"
    sf.write(files["rate"], np.zeros(4_000, dtype=np.int16), 4_000, subtype="PCM_16")
    return files


QDA = "urn:QDA-XML:project:1.0"


def _qdpx(path: Path, project: bytes, *, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _patch_sizes(path: Path, member: str, size: int) -> Path:
    """Rewrite what the zip's headers say ``member`` inflates to (the data stay)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def _hostile_files(folder: Path) -> dict[str, Path]:
    """Files built to hurt a reader: each must be refused in one line."""
    folder.mkdir(exist_ok=True)
    files: dict[str, Path] = {}
    codes = "".join(f'<Code guid="{i:08d}-0000-4000-8000-000000000000" name="c{i}" '
                    'isCodable="true">' for i in range(5000)) + "</Code>" * 5000
    files["qdpx-deep"] = _qdpx(folder / "deep.qdpx", (
        f'<?xml version="1.0"?><Project xmlns="{QDA}" name="x"><CodeBook><Codes>{codes}'
        "</Codes></CodeBook></Project>").encode())
    files["qdpx-time"] = _qdpx(folder / "time.qdpx", (
        f'<?xml version="1.0"?><Project xmlns="{QDA}" name="x"><Sources><AudioSource '
        'guid="a" name="P05_session-1"><Transcript guid="t"><SyncPoint guid="s" '
        'position="0" timeStamp="abc"/></Transcript></AudioSource></Sources>'
        "</Project>").encode())
    small = f'<?xml version="1.0"?><Project xmlns="{QDA}" name="x"/>'.encode()
    # A source text that claims 4 GB (the headers of an 8 GB bomb in 8 MB say as much).
    files["qdpx-claims-gigabytes"] = _patch_sizes(_qdpx(
        folder / "claims.qdpx", small, extra={"sources/a.txt": b"x" * 1000}),
        "sources/a.txt", 0xFFFFFF00)
    # 64 MB of one byte in 64 kB: the ratio of a bomb.
    files["qdpx-ratio"] = _qdpx(folder / "ratio.qdpx", small,
                                extra={"sources/a.txt": b"\0" * (64 << 20)})
    # Headers that lie the other way: 64 MB said to be a kilobyte.
    files["qdpx-lying"] = _patch_sizes(_qdpx(
        folder / "lying.qdpx", small, extra={"sources/a.txt": b"\0" * (64 << 20)}),
        "sources/a.txt", 1000)
    files["qdpx-doctype"] = _qdpx(folder / "doctype.qdpx", (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        f'<Project xmlns="{QDA}" name="&a;"/>').encode())
    deep = "x = " + "[" * 600 + "]" * 600 + "\n"
    files["toml-deep"] = folder / "deep.toml"
    files["toml-deep"].write_text("[study]\n" + deep.replace("x =", "interviewer ="))
    files["model-damaged"] = damaged_tiny_en(folder / "damaged-model")
    files["toml-inline-deep"] = folder / "inline.toml"
    files["toml-inline-deep"].write_text("x = " + "{a = " * 600 + "1" + "}" * 600 + "\n")
    return files


def _settings(name: str) -> Callable[[Path, dict[str, Path]], None]:
    """Put one of the hostile TOML files in place as the study's companion.toml."""
    def put(study_dir: Path, files: dict[str, Path]) -> None:
        shutil.copy(files[name], study_dir / "companion.toml")

    return put


# Every command that takes a session (or segment) id, given one past SQLite's 64-bit
# range: the id is refused before SQLite sees it (it would raise OverflowError).
HUGE = str(2**63)
ID_COMMANDS = {
    "session show": ["session", "show", HUGE],
    "session complete": ["session", "complete", HUGE],
    "session reopen": ["session", "reopen", HUGE],
    "session live": ["session", "live", HUGE, "on"],
    "suggest": ["suggest", HUGE],
    "audit": ["audit", HUGE],
    "export": ["export", HUGE, "--format", "txt"],
    "transcribe": ["transcribe", HUGE],
    "note": ["note", HUGE, "a thought"],
    "phase": ["phase", HUGE, "opening", "--at", "00:00:01"],
    "wai set": ["wai", "set", HUGE, "--target", "most", "--role", "physician", "--task", "1",
                "--goal", "1", "--bond", "1"],
    "recover": ["recover", HUGE],
    "import-audio": ["import-audio", HUGE, "{good}"],
    "record": ["record", HUGE, "--seconds", "1"],
    "speaker enrol": ["speaker", "enrol", "--from-session", HUGE],
    "speaker rename": ["speaker", "rename", HUGE, "P05", "P06"],
    "segment correct": ["segment", "correct", HUGE, "text"],
    "segment speaker": ["segment", "speaker", HUGE, "I"],
    "segment split": ["segment", "split", HUGE, "--at-word", "1"],
    "segment swap": ["segment", "swap", HUGE],
}


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
    "model damaged": (["model", "add", "{model-damaged}"], "PATH", "load and run"),
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
    # ids: past 2^63, and digits that are digits only to Python
    **{f"id 2^63: {name}": (args, "segment" if args[0] == "segment" else "session",
                            "at most 9223372036854775807")
       for name, args in ID_COMMANDS.items()},
    "threads past any machine": (["transcribe", "1", "--threads", str(2**70)], "--threads",
                                 "0 (automatic) to 1024"),
    "id superscript": (["session", "show", "\u00b2"], "session", "positive whole number"),
    "id arabic digits": (["note", "\u0661", "x"], "session", "positive whole number"),
    "at-word superscript": (["segment", "split", "1", "--at-word", "\u00b2"], "--at-word",
                            "word number"),
    "samplerate superscript": (["record", "1", "--samplerate", "\u00b9\u00b2"], "samplerate",
                               "8000 to 192000"),
    # short names: no terminal escape sequences stored and echoed raw
    "role with ESC": (["wai", "set", "1", "--target", "most", "--role", "phys\x1b[31mician",
                       "--task", "1", "--goal", "1", "--bond", "1"], "role", "U+001B"),
    "interviewer with ESC": (["session", "new", "P05", "--interviewer", "D\x1b]0;x\x07P"],
                             "interviewer", "U+001B"),
    "enrol role with BEL": (["enrol", "P07", "--most-role", "physio\x07",
                             "--most-items", ",".join(["50"] * 12)], "role", "U+0007"),
    # click's own option errors: one line too
    "unknown option": (["session", "list", "--colour"], "--colour", "companion session list"),
    "missing option": (["export", "1"], "--format", "companion export"),
    # hostile files
    "qdpx nested 5000 deep": (["import-qdpx", "{qdpx-deep}"], "FILE", "nested at most 32"),
    "qdpx time stamp not a number": (["import-qdpx", "{qdpx-time}"], "FILE",
                                     "SyncPoint timeStamp as a whole number"),
    "qdpx member claims gigabytes": (["import-qdpx", "{qdpx-claims-gigabytes}"], "FILE",
                                     "at most 256 MB each"),
    "qdpx zip bomb ratio": (["import-qdpx", "{qdpx-ratio}"], "FILE", "at most 200 to 1"),
    "qdpx headers that lie": (["import-qdpx", "{qdpx-lying}"], "FILE",
                              "a zip file companion can read"),
    "qdpx with a DOCTYPE": (["import-qdpx", "{qdpx-doctype}"], "FILE",
                            "without a document type declaration"),
    "protocol nested 600 deep": (["protocol", "check", "{toml-deep}"], "deep.toml",
                                 "nested deeper than 32 levels"),
    "companion.toml nested 600 deep": (["export", "1", "--format", "txt"], "companion.toml",
                                       "nested deeper than 32 levels",
                                       _settings("toml-deep")),
    "companion.toml inline tables 600 deep": (["session", "new", "P05"], "companion.toml",
                                              "nested deeper than 32 levels",
                                              _settings("toml-inline-deep")),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _hostile_files(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line_exit_2_and_writes_nothing(
        case: str, planned: Path, tmp_path: Path, hostile: dict[str, Path]) -> None:
    args, field, allowed, *setup = CASES[case]
    files = {**_audio_files(tmp_path / "audio"), **hostile}
    args = [a.format(**{k: str(v) for k, v in files.items()}) if "{" in a else a for a in args]
    for step in setup:
        step(planned, files)
    before = _snapshot(planned)
    result = cli_runner(planned)(*args)
    assert result.exit_code == 2, result.output
    # One line, ours or click's (an unknown option, a missing one), never a traceback
    # or a usage block.
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    message = lines[0]
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
