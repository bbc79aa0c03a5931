"""`companion doctor`: is this machine and this study ready to record an interview?

Each check says what is wrong and how to fix it. Permissions are repaired on the spot
(study folders 0700, files 0600), because that is always safe to do.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass

from companion.study.folder import Study

LOW_DISK_MINUTES = 180  # three interviews of FLAC at 48 kHz mono


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = f"[{mark}] {self.check}: {self.detail}"
        return f"{text}\n       fix: {self.fix}" if self.fix and not self.ok else text


def _portaudio() -> Finding:
    try:
        import sounddevice as sd

        version = sd.get_portaudio_version()[1]
    except OSError as exc:
        return Finding("PortAudio", False, str(exc),
                       "install the Debian package libportaudio2 (make run does this as root)")
    return Finding("PortAudio", True, version)


def _devices() -> Finding:
    try:
        from companion.audio.devices import list_input_devices

        devices = list_input_devices()
    except Exception as exc:  # any PortAudio failure is the finding itself
        return Finding("input devices", False, str(exc), "check that a microphone is connected")
    if not devices:
        return Finding("input devices", False, "no microphone found",
                       "connect a microphone, then run 'companion devices'")
    default = next((d.name for d in devices if d.is_default), devices[0].name)
    return Finding("input devices", True, f"{len(devices)} found; default {default!r}")


def _model(study: Study) -> Finding:
    from companion.study.config import load_config
    from companion.transcribe.model import resolve_model

    try:
        configured = load_config(study.config_path).get("transcribe.model")
        choice = resolve_model(None, configured=configured)
    except Exception as exc:
        return Finding("transcription model", False, str(exc).splitlines()[0],
                       "install the 'models' extra or pass --model to 'companion transcribe'")
    where = "on this machine" if choice.is_local else "downloaded on first use (asked by name)"
    return Finding("transcription model", True, f"{choice.label}, {where}")


def _disk(study: Study) -> Finding:
    from companion.audio.status import estimated_bytes_per_minute

    free = shutil.disk_usage(study.root).free
    minutes = free / estimated_bytes_per_minute(48_000, 1, "flac")
    detail = f"{free / 1e9:.1f} GB free, about {minutes / 60:.0f} hours of recording"
    if minutes < LOW_DISK_MINUTES:
        return Finding("disk space", False, detail, "free space before the next interview")
    return Finding("disk space", True, detail)


def _permissions(study: Study) -> Finding:
    repaired = []
    for path in [study.root, *study.root.rglob("*")]:
        if path.is_symlink():
            continue
        want = 0o700 if path.is_dir() else 0o600
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 or (mode & want) != want:
            os.chmod(path, want)
            repaired.append(f"{path.relative_to(study.root.parent)} {oct(mode)}")
    if repaired:
        return Finding("permissions", True,
                       f"repaired {len(repaired)}: " + ", ".join(repaired[:5])
                       + (" …" if len(repaired) > 5 else ""))
    return Finding("permissions", True, "study folder 0700, files 0600")


def _integrity(study: Study) -> Finding:
    db = study.db()
    try:
        result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    finally:
        db.conn.close()
    if result != ["ok"]:
        return Finding("database", False, "; ".join(result[:3]),
                       "restore companion.db from a backup; keep the damaged file")
    return Finding("database", True, "integrity check ok")


def _interrupted(study: Study) -> Finding:
    from companion.audio.recover import find_interrupted

    ids = find_interrupted(study)
    if ids:
        return Finding("interrupted sessions", False, f"sessions {ids} were cut off",
                       "run 'companion recover' to repair their audio")
    return Finding("interrupted sessions", True, "none")


def _multilingual_model() -> Finding:
    from companion.models import bundled

    ok, detail = bundled.status()
    return Finding("multilingual model", ok, detail,
                   "delete that folder: companion joins it again from its packages")


def run_checks(study: Study) -> list[Finding]:
    checks: list[Callable[[], Finding]] = [
        _portaudio, _devices, lambda: _model(study), _multilingual_model, lambda: _disk(study),
        lambda: _permissions(study), lambda: _integrity(study), lambda: _interrupted(study),
    ]
    return [check() for check in checks]
