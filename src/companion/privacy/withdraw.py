"""Withdrawal as a journal: erase every trace of a participant, and finish after any crash.

The plan comes first. Every row (per table, by the participant's id and their session ids,
never by a substring of the code) and every file (the audio paths the database holds, the
session folders, the exports the store recorded, exports/ files named exactly after their
sessions) is written to the ``withdrawals`` table before anything is erased. Then the files
go, then the rows in one transaction, then the database is compacted so no erased page
survives. A kill at any moment leaves the journal behind: the next ``withdraw`` (or
``doctor --repair``) reads it and carries on from the start, which is safe because every
step can be repeated.

The tombstone in the audit log holds no fingerprint of the code: codes are short (P01…
P999), so any hash of one is reversed by trying them all unless its key is kept away from
the study, and a key kept in the study folder protects nothing from whoever holds the
folder. The tombstone says when, how many sessions, and which tables and files were erased.

The plan and the schema rules it follows are in :mod:`companion.privacy.withdrawal_plan`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.errors import CompanionError, InputError
from companion.privacy.withdrawal_plan import (
    NO_SESSION_DATA,
    UncoveredTableError,
    export_name_pattern,
    names_code,
    plan_withdrawal,
    table_columns,
    table_rules,
    where_clause,
)
from companion.store.audit import log_change
from companion.store.backup import backup_study, list_backups
from companion.store.db import now_iso, transaction
from companion.store.participants import find_participant
from companion.study.folder import Study

# An empty file in the study folder while a finished withdrawal still owes its fresh
# backup: the journal is gone by then (a backup must not hold it), so a kill between the
# two would otherwise leave the study without any backup.
BACKUP_OWED = ".withdrawal-backup-owed"

__all__ = ["NO_SESSION_DATA", "ErasureReceipt", "UncoveredTableError", "backup_owed",
           "plan_withdrawal", "withdraw"]

# Written by older versions beside their salted fingerprints; removing it makes those
# fingerprints impossible to check.
_OLD_SALT = "privacy.salt"


@dataclass
class ErasureReceipt:
    code: str
    sessions: list[int]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    resumed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        head = "Completed the interrupted withdrawal of" if self.resumed else "Erased"
        out = [f"{head} participant {self.code}: sessions {self.sessions or 'none'}"]
        out += [f"  {table}: {count} rows" for table, count in sorted(self.rows.items()) if count]
        out += [f"  file: {name}" for name in self.files]
        if self.outside:
            out.append("  NOT erased (written outside the study folder; delete these yourself):")
            out += [f"    {path}" for path in self.outside]
        if self.reports:
            out.append("  Study reports written before still include them; write them again:")
            out += [f"    {path}" for path in self.reports]
        if self.projects:
            out.append("  NOT erased (coded projects imported back, written by your analysis "
                       "software; they hold them: delete them, or remove them there):")
            out += [f"    {path}" for path in self.projects]
        return out


def _journal(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    if "withdrawals" not in db.table_names():
        return []
    return [{"id": r["id"], **json.loads(r["plan"])}
            for r in db.query("SELECT id, plan FROM withdrawals ORDER BY id")]


def unfinished(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Withdrawals that were started and not completed (their plans)."""
    return _journal(db)


def pending_code(db: sqlite_utils.Database, code: str) -> str | None:
    """The exact code of an unfinished withdrawal of ``code`` (any case), if any."""
    for plan in _journal(db):
        if plan.get("code", "").upper() == code.upper():
            return str(plan["code"])
    return None


def _erase_files(study: Study, plan: dict[str, Any], receipt: ErasureReceipt) -> None:
    root = study.root.resolve()
    for rel in plan["files"]:
        path = root / rel
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # erased by the run that was interrupted
        except OSError as exc:
            raise CompanionError(f"could not erase {rel}: {exc.strerror or exc}; the "
                                 "withdrawal is recorded: fix it and run withdraw again") from None
        receipt.files.append(rel)
    for rel in plan["dirs"]:
        shutil.rmtree(root / rel, ignore_errors=True)
    participant_dir = root / plan["participant_dir"]
    with contextlib.suppress(OSError):
        participant_dir.rmdir()  # only when empty: it is named after the code


def _erase_rows(db: sqlite_utils.Database, plan: dict[str, Any], journal_id: int) -> None:
    pid, sids = plan["participant_id"], plan["sessions"]
    rules = table_rules(db)
    # Children before parents: sessions and participants go last (foreign keys).
    order = sorted(rules, key=lambda t: (t in ("sessions", "participants"), t == "participants"))
    with transaction(db):
        # Rows reference each other (a transcript segment its audio segment): the foreign
        # keys are checked once, at the commit, when every row of theirs is gone.
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in order:
            cols = rules[table]
            if not cols or table == "audit_log":
                continue
            where, args = where_clause(table, cols, pid, sids)
            db.execute(f"DELETE FROM [{table}] WHERE {where}", args)
        ids = plan["audit_ids"]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            db.execute(f"DELETE FROM audit_log WHERE id IN ({','.join('?' * len(chunk))})",
                       chunk)
        for key in [*plan["settings"], _OLD_SALT]:
            db.execute("DELETE FROM settings WHERE key = ?", [key])
        _blank_import_names(db, plan)
        for memo_id in plan.get("project_memos", []):
            # A memo on the whole project that names them (no session link to go by).
            db.execute("DELETE FROM qda_memos WHERE id = ?", [memo_id])
        log_change(db, entity="participant", entity_id=None, action="withdrawn",
                   after={"sessions": len(sids), "files": len(plan["files"]),
                          "erased": sorted(k for k, v in plan["rows"].items() if v)})
        # The journal now only says "compact": the data are gone, what is left is making
        # sure no erased byte lingers, which a rerun repeats harmlessly.
        db.execute("UPDATE withdrawals SET plan = ? WHERE id = ?",
                   [json.dumps({**plan, "stage": "compact"}), journal_id])


def _blank_import_names(db: sqlite_utils.Database, plan: dict[str, Any]) -> None:
    """An imported project's file name, project name or path that names them is blanked
    (the project named in the receipt already)."""
    pattern = names_code(plan["code"])
    exported = export_name_pattern(plan["code"], plan["sessions"])
    cols = table_columns(db, "qda_imports") if plan.get("named_imports") else set()
    blank = {"file_name": "withdrawn.qdpx", "project_name": None, "path": None}
    rows = [row for import_id in plan.get("named_imports", [])
            for row in db.query("SELECT * FROM qda_imports WHERE id = ?", [import_id])]
    for row in rows:
        for col, replacement in blank.items():
            value = str(row.get(col) or "")
            if col in cols and value and (pattern.search(value)
                                          or exported.match(Path(value).name)):
                db.execute(f"UPDATE qda_imports SET [{col}] = ? WHERE id = ?",
                           [replacement, row["id"]])


def compact(db: sqlite_utils.Database, journal_id: int | None = None) -> None:
    """Leave no erased byte in the database, its WAL or its full-text index."""
    db.execute("PRAGMA secure_delete = ON")
    if "search_index" in db.table_names():
        # Merge the index so deleted tokens do not linger in old index segments.
        db.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
    if journal_id is not None:
        db.execute("DELETE FROM withdrawals WHERE id = ?", [journal_id])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _run(study: Study, db: sqlite_utils.Database, plan: dict[str, Any],
         resumed: bool, *, locks_held: bool = False) -> ErasureReceipt:
    receipt = ErasureReceipt(code=plan["code"], sessions=plan["sessions"],
                             rows=dict(plan["rows"]), outside=list(plan["outside"]),
                             reports=list(plan["reports"]),
                             projects=list(plan.get("projects", [])), resumed=resumed)
    if plan.get("project_memos"):
        receipt.rows["qda_memos"] = receipt.rows.get("qda_memos", 0) + len(
            plan["project_memos"])
    if plan.get("stage") != "compact":
        plan = _refresh(study, db, plan, locks_held=locks_held)
        _erase_files(study, plan, receipt)
        _erase_rows(db, plan, plan["id"])
    else:
        receipt.files = list(plan["files"])
    owed = study.root / BACKUP_OWED
    owed.touch(mode=0o600)
    compact(db, plan["id"])
    if backup_study(study.root) is not None:
        owed.unlink(missing_ok=True)
    return receipt


def backup_owed(study: Study) -> bool:
    """A finished withdrawal was stopped before its fresh backup (see :data:`BACKUP_OWED`)."""
    return (study.root / BACKUP_OWED).exists()


def _settle_backup(study: Study, db: sqlite_utils.Database) -> None:
    """Take the fresh backup a killed withdrawal still owed (only with no journal left:
    a backup must never hold one)."""
    owed = study.root / BACKUP_OWED
    if not owed.exists() or _journal(db):
        return
    # Killed between taking the backup and clearing the mark: that backup is the fresh one.
    newest = list_backups(study.root)[:1]
    fresh = bool(newest) and newest[0].stat().st_mtime_ns >= owed.stat().st_mtime_ns
    if fresh or backup_study(study.root) is not None:
        owed.unlink(missing_ok=True)


def _refresh(study: Study, db: sqlite_utils.Database, plan: dict[str, Any], *,
             locks_held: bool = False) -> dict[str, Any]:
    """A resumed plan, brought up to date: anything of theirs added since is included."""
    participant = find_participant(db, plan["code"])
    if participant is None or participant.id != plan["participant_id"]:
        return plan
    # Holding their sessions' transcription locks ourselves, we would see them taken.
    fresh = plan_withdrawal(study, db, plan["code"], check_transcription=not locks_held)
    fresh["files"] = sorted(set(fresh["files"]) | set(plan["files"]))
    fresh["dirs"] = sorted(set(fresh["dirs"]) | set(plan["dirs"]))
    for key in ("outside", "reports", "projects"):
        fresh[key] = list(dict.fromkeys([*plan.get(key, []), *fresh[key]]))
    fresh["id"] = plan["id"]
    if fresh != plan:
        with transaction(db):
            db.execute("UPDATE withdrawals SET plan = ? WHERE id = ?",
                       [json.dumps(fresh), plan["id"]])
    return fresh


def withdraw(study: Study, db: sqlite_utils.Database, code: str) -> ErasureReceipt:
    """Erase participant ``code``; or finish their withdrawal if one was interrupted."""
    db.execute("PRAGMA secure_delete = ON")  # freed pages are overwritten, not left
    resume_all(study, db, except_code=code)
    for plan in _journal(db):
        if plan["code"].upper() == code.upper():
            return _run(study, db, plan, resumed=True)
    plan = plan_withdrawal(study, db, code)  # refused while a session is being transcribed
    with _no_transcription(study, plan):
        with transaction(db):
            cursor = db.execute("INSERT INTO withdrawals (participant_id, plan, started_at) "
                                "VALUES (?, ?, ?)",
                                [plan["participant_id"], json.dumps(plan), now_iso()])
        plan["id"] = cursor.lastrowid
        return _run(study, db, plan, resumed=False, locks_held=True)


@contextlib.contextmanager
def _no_transcription(study: Study, plan: dict[str, Any]) -> Iterator[None]:
    """Hold the transcription lock of each of their sessions while they are erased: a
    transcription started meanwhile is refused, as a second transcription is."""
    from companion.privacy.withdrawal_plan import session_folder
    from companion.study.session_folder import TRANSCRIBE_LOCK_NAME, SessionLock

    held: list[SessionLock] = []
    try:
        for sid in plan["sessions"]:
            folder = session_folder(study, plan["code"], sid)
            if not folder.is_dir():
                continue
            lock = SessionLock(folder, name=TRANSCRIBE_LOCK_NAME)
            if not lock.acquire():
                raise InputError("participant", plan["code"], "a participant whose sessions "
                                 "are not being transcribed", hint=f"session {sid} is being "
                                 "transcribed now: wait for it to finish or cancel it")
            held.append(lock)
        yield
    finally:
        for lock in held:
            lock.release()


def resume_all(study: Study, db: sqlite_utils.Database,
               except_code: str | None = None) -> list[ErasureReceipt]:
    """Finish every interrupted withdrawal (``doctor --repair``; before a new one)."""
    db.execute("PRAGMA secure_delete = ON")
    done = []
    for plan in _journal(db):
        if except_code is not None and plan["code"].upper() == except_code.upper():
            continue
        done.append(_run(study, db, plan, resumed=True))
    _settle_backup(study, db)
    return done


def tombstones(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.query("SELECT at, after FROM audit_log WHERE action = 'withdrawn' ORDER BY id")
    return [{"at": r["at"], **json.loads(r["after"])} for r in rows]


def pending_withdrawal(study: Study, db: sqlite_utils.Database, code: str) -> str | None:
    """The code of an interrupted withdrawal of ``code`` (any case), or None. A finished
    withdrawal that was killed before its fresh backup gets it here (the command asks
    this first, and may then find the participant gone)."""
    _settle_backup(study, db)
    return pending_code(db, code)
