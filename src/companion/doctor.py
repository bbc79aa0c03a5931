"""The health check (`companion doctor`): is this machine and this study ready to record
an interview?

It looks at the sound system (PortAudio, microphones, and where the app keeps their own
messages), the Whisper models, the disk, the study folder's permissions, its database,
unfinished withdrawals and recordings a crash cut off. Each check says what is wrong and
how to fix it. Permissions are repaired on the spot (study folders 0700, files 0600),
because that is always safe to do.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.files import DIR_MODE, FILE_MODE, make_private
from companion.notation import format_duration
from companion.study.folder import Study

LOW_DISK_MINUTES = 180  # three interviews of FLAC at 48 kHz mono


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""
    note: bool = False  # worth knowing, not a failure (no microphone on a machine that
    # only transcribes)

    def line(self) -> str:
        mark = "note" if self.note else "ok  " if self.ok else "FAIL"
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
        # A machine that only transcribes, exports and reports needs none: a note, not a
        # failure (recording says so itself when it cannot start).
        return Finding("input devices", True, "no microphone found: recording needs one "
                       "(connect it, then run 'companion devices'); transcription, review "
                       "and exports work without", note=True)
    default = next((d.name for d in devices if d.is_default), devices[0].name)
    return Finding("input devices", True, f"{len(devices)} found; default {default!r}")


def _model(study: Study) -> Finding:
    from companion.models.resolve import resolve_model

    try:
        configured = study.settings.transcribe.model
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
    detail = f"{free / 1e9:.1f} GB free, about {format_duration(minutes * 60)} of recording"
    if minutes < LOW_DISK_MINUTES:
        return Finding("disk space", False, detail, "free space before the next interview")
    return Finding("disk space", True, detail)


def _permissions(study: Study) -> Finding:
    repaired = []
    for path in [study.root, *study.root.rglob("*")]:
        if path.is_symlink():
            continue
        want = DIR_MODE if path.is_dir() else FILE_MODE
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 or (mode & want) != want:
            make_private(path)
            repaired.append(f"{path.relative_to(study.root.parent)} {oct(mode)}")
    if repaired:
        return Finding("permissions", True,
                       f"repaired {len(repaired)}: " + ", ".join(repaired[:5])
                       + (" …" if len(repaired) > 5 else ""))
    return Finding("permissions", True, "study folder 0700, files 0600")


def _integrity(study: Study, repair: bool) -> Finding:
    from companion.store.backup import list_backups, restore_newest
    from companion.store.health import lost_wal_frames, store_problem, unavailable_reason
    from companion.store.identity import MARKER

    try:
        problem = store_problem(study.db_path)
    except sqlite3.OperationalError as exc:
        return Finding("database", False, f"cannot open it: "
                       f"{unavailable_reason(study.db_path, exc)}")
    if problem is None:
        return Finding("database", True, "integrity check ok")
    lost = lost_wal_frames(study.db_path)
    if lost:
        # Nothing can bring those changes back; the database itself is sound as it was at
        # its last checkpoint. Repairing means going on from there: the stale index goes.
        if repair:
            Path(f"{study.db_path}-shm").unlink(missing_ok=True)
            return Finding("database", True, f"{problem}; going on with the database as "
                           "it was at its last checkpoint")
        return Finding("database", False, problem, "run 'companion doctor --repair' to go on "
                       "with the database as it was at its last checkpoint")
    if repair:
        restored = restore_newest(study)
        if restored is not None:
            return Finding("database", True, restored)
        if not list_backups(study.root):
            return Finding("database", False, f"{problem}; there is no backup to restore",
                           "put a copy of companion.db back if you have one; to begin this "
                           f"folder anew as an empty study, remove {MARKER} first")
    return Finding("database", False, problem,
                   "run 'companion doctor --repair' to restore the newest automatic backup "
                   "(the damaged file is kept beside it)")


def _withdrawals(study: Study, repair: bool) -> Finding:
    from companion.privacy.withdraw import backup_owed, resume_all, unfinished

    with study.connected() as db:
        plans = unfinished(db)
        owed = backup_owed(study)
        if (plans or owed) and repair:
            receipts = resume_all(study, db)  # also takes a backup a withdrawal still owes
            if backup_owed(study):
                return Finding("withdrawal", False, "a finished withdrawal still owes its "
                               "fresh backup, and it could not be taken",
                               "free some disk space and run 'companion doctor --repair'")
            done = ("completed the interrupted withdrawal of "
                    + ", ".join(r.code for r in receipts)) if receipts else \
                "took the fresh backup a finished withdrawal owed"
            return Finding("withdrawal", True, done)
    if plans:
        return Finding("withdrawal", False,
                       f"an unfinished withdrawal ({len(plans)}): erased in part",
                       "run 'companion doctor --repair' (or 'companion withdraw CODE' again)"
                       " to complete it")
    if owed:
        return Finding("withdrawal", False, "a finished withdrawal was stopped before its "
                       "fresh backup: the study has no backup without the withdrawn data",
                       "run 'companion doctor --repair' to take it")
    return Finding("withdrawal", True, "none unfinished")


def _interrupted(study: Study) -> Finding:
    from companion.audio.recover import find_interrupted

    with study.connected() as db:
        ids = find_interrupted(study, db)
    if ids:
        return Finding("interrupted sessions", False, f"sessions {ids} were cut off",
                       "run 'companion recover' to repair their audio")
    return Finding("interrupted sessions", True, "none")


def _guarded(name: str, check: Callable[[], Finding]) -> Finding:
    """Run one check; a failure inside it is its finding, never a traceback."""
    from companion.errors import CompanionError

    try:
        return check()
    except CompanionError as exc:
        return Finding(name, False, f"not checked: {exc}")
    except (OSError, sqlite3.Error) as exc:
        return Finding(name, False, f"not checked: {type(exc).__name__}: {exc}")


def _multilingual_model() -> Finding:
    from companion.models import bundled

    ok, detail = bundled.status()
    return Finding("multilingual model", ok, detail,
                   "delete that folder: companion joins it again from its packages")


def _native_messages() -> Finding:
    """Where the app keeps what the sound libraries print (never over its screen)."""
    from companion.files import native_log_path

    path = native_log_path()
    if not path.exists():
        return Finding("native messages", True,
                       f"none yet; while the app runs they are written to {path}")
    text = path.read_text(encoding="utf-8", errors="replace")
    last_run = text.rsplit("--- companion started", 1)[-1].splitlines()[1:]
    said = [line for line in last_run if line.strip()]
    detail = f"{path}: {len(said)} line(s) from the last run of the app"
    if said:
        detail += f", the last: {said[-1][:120]}"
    return Finding("native messages", True, detail)


def run_checks(study: Study, *, repair: bool = False) -> list[Finding]:
    """Every check; with ``repair``, also what can be repaired (a damaged database from its
    newest backup, an interrupted withdrawal). Permissions are always repaired."""
    database = _guarded("database", lambda: _integrity(study, repair))
    checks: list[tuple[str, Callable[[], Finding]]] = [
        ("PortAudio", _portaudio), ("input devices", _devices),
        ("transcription model", lambda: _model(study)),
        ("multilingual model", _multilingual_model), ("disk space", lambda: _disk(study)),
        ("permissions", lambda: _permissions(study)),
        ("native messages", _native_messages),
    ]
    findings = [_guarded(name, check) for name, check in checks] + [database]
    if database.ok:  # the other checks read the database
        findings += [_guarded("withdrawal", lambda: _withdrawals(study, repair)),
                     _guarded("interrupted sessions", lambda: _interrupted(study))]
    return findings
