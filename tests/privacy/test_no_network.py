"""Participant data stay local: the whole chain runs with socket creation refused.

A child process replaces ``socket.socket`` (and the helpers built on it) with one that
refuses, then records from the virtual microphone, transcribes with the local model,
exports and builds the report, all through the real CLI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf

SCRIPT = r"""
import socket, sys, json

class Refused(OSError):
    pass

class NoSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        raise Refused("network access is refused in this test")

def refuse(*args, **kwargs):
    raise Refused("network access is refused in this test")

socket.socket = NoSocket
socket.create_connection = refuse
socket.getaddrinfo = refuse
socket.socketpair = refuse

from companion.cli import main

study = sys.argv[1]
steps = json.loads(sys.argv[2])
for args in steps:
    try:
        main(["--study", study, *args], standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            print("step failed:", args, exc.code, file=sys.stderr)
            sys.exit(3)
print("refused sockets:", socket.socket is NoSocket)
"""


def _fakemic_raw() -> Path:
    asoundrc = Path(os.environ["HOME"]) / ".asoundrc"
    found = re.search(r'infile\s+"([^"]+)"', asoundrc.read_text())
    assert found
    return Path(found.group(1))


def test_record_transcribe_export_report_without_network(tmp_path: Path) -> None:
    speech22k = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech22k),
                    "The physiotherapist explained the exercises very clearly."], check=True)
    speech48k = tmp_path / "speech48k.wav"
    subprocess.run(["sox", str(speech22k), "-r", "48000", "-c", "1", "-b", "16",
                    str(speech48k)], check=True)
    samples, _ = sf.read(speech48k, dtype="int16")
    _fakemic_raw().write_bytes(np.ascontiguousarray(samples, dtype="<i2").tobytes())
    seconds = len(samples) / 48_000 + 0.5

    study = tmp_path / "study"
    out = tmp_path / "out"
    out.mkdir()
    steps = [
        ["init"],
        ["participant", "add", "P09", "--consent-date", "2026-02-01"],
        ["session", "new", "P09"],
        ["record", "1", "--device", "fakemic", "--seconds", f"{seconds:.1f}"],
        ["transcribe", "1"],
        ["export", "1", "--format", "txt", "-o", str(out / "t.txt")],
        ["export", "1", "--format", "qdpx", "-o", str(out / "p.qdpx")],
        ["report", "--format", "html", "-o", str(out / "report.html")],
    ]
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(study), json.dumps(steps)],
                            capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "refused sockets: True" in result.stdout
    transcript = (out / "t.txt").read_text(encoding="utf-8").lower()
    assert "physiotherapist" in transcript or "exercises" in transcript, transcript
    assert "project.qde" in zipfile.ZipFile(out / "p.qdpx").namelist()
    assert "<html" in (out / "report.html").read_text(encoding="utf-8").lower()
