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

Every table is accounted for by reading the schema (:func:`table_rules`): a table holding
``session_id`` or ``participant_id`` is erased by those columns; a table with neither must be
named in :data:`NO_SESSION_DATA`, or withdrawal refuses to run rather than leave it behind.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.errors import CompanionError, InputError
from companion.store.audit import log_change
from companion.store.backup import backup_study, list_backups
from companion.store.db import now_iso, transaction
from companion.store.participants import find_participant, get_participant
from companion.study.folder import Study

# Tables without a session_id/participant_id column, and how each is handled.
NO_SESSION_DATA: dict[str, str] = {
    "participants": "the participant's row, erased by its id",
    "sessions": "their sessions, erased by id",
    "settings": "per-session keys end in '.<session id>' and are erased by key",
    "withdrawals": "this journal; its row goes when the withdrawal is complete",
    # What import-qdpx brought back that belongs to the study, not to one participant:
    # their codings (qda_codings) and memos on their sessions (qda_memos) are erased by
    # session_id.
    "qda_codes": "the analyst's codebook, shared by every participant's codings",
    "qda_imports": "which project was imported when; a file name that names one of their "
                   "sessions is blanked",
}
# An empty file in the study folder while a finished withdrawal still owes its fresh
# backup: the journal is gone by then (a backup must not hold it), so a kill between the
# two would otherwise leave the study without any backup.
BACKUP_OWED = ".withdrawal-backup-owed"
# Settings that only make sense for one session end in ".<session id>" (a draft note).
_SESSION_SETTING = re.compile(r"^[\w.-]*\.(\d+)$")
# Written by older versions beside their salted fingerprints; removing it makes those
# fingerprints impossible to check.
_OLD_SALT = "privacy.salt"


class UncoveredTableError(CompanionError):
    """A table withdrawal does not know how to erase: a schema change forgot it."""


@dataclass
class ErasureReceipt:
    code: str
    sessions: list[int]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
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
        return out


def _tables(db: sqlite_utils.Database) -> list[str]:
    rows = list(db.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    virtual = [r["name"] for r in rows if (r["sql"] or "").upper().startswith(
        "CREATE VIRTUAL TABLE")]
    names = []
    for row in rows:
        name = row["name"]
        if name.startswith("sqlite_") or any(name.startswith(v + "_") for v in virtual):
            continue  # SQLite's own tables and a full-text index's shadow tables
        names.append(name)
    return sorted(names)


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()}


def table_rules(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """For every table in the schema, the columns that tie a row to a participant.

    ``sessions`` and ``participants`` are keyed by ``id``; ``settings`` and the journal
    have none (see :data:`NO_SESSION_DATA`). A table with no rule raises
    :class:`UncoveredTableError`: withdrawal would otherwise leave its rows behind.
    """
    rules: dict[str, list[str]] = {}
    for table in _tables(db):
        cols = _columns(db, table)
        keyed = [c for c in ("session_id", "participant_id") if c in cols]
        if table in ("sessions", "participants"):
            rules[table] = ["id"]
        elif table == "withdrawals":
            rules[table] = []  # the journal: its row goes last, after compaction
        elif keyed:
            rules[table] = keyed
        elif table in NO_SESSION_DATA:
            rules[table] = []
        else:
            raise UncoveredTableError(
                f"table {table!r} has no session_id or participant_id column and withdrawal "
                "does not know it; nothing was erased (a companion bug: please report it)")
    return rules


def _where(table: str, cols: list[str], pid: int, sids: list[int]) -> tuple[str, list[Any]]:
    marks = ",".join("?" * len(sids)) or "NULL"
    parts: list[str] = []
    args: list[Any] = []
    for col in cols:
        if col == "id":
            if table == "participants":
                parts.append("id = ?")
                args.append(pid)
            else:
                parts.append(f"id IN ({marks})")
                args += sids
        elif col == "session_id":
            parts.append(f"session_id IN ({marks})")
            args += sids
        else:
            parts.append("participant_id = ?")
            args.append(pid)
    return " OR ".join(parts), args


def _mentions(value: Any, code: str, pid: int, sids: set[int]) -> bool:
    """Does an audit entry's JSON name them: the code as a whole value, or their ids?"""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("participant_id",) and item == pid:
                return True
            if key == "session_id" and item in sids:
                return True
            if _mentions(item, code, pid, sids):
                return True
        return False
    if isinstance(value, list):
        return any(_mentions(item, code, pid, sids) for item in value)
    return isinstance(value, str) and value == code


def _audit_ids(db: sqlite_utils.Database, code: str, pid: int, sids: list[int]) -> list[int]:
    ids = []
    wanted = set(sids)
    for row in db.query("SELECT id, session_id, entity, entity_id, before, after "
                        "FROM audit_log WHERE action != 'withdrawn'"):
        hit = (row["session_id"] in wanted
               or (row["entity"] == "participant" and row["entity_id"] == pid)
               or (row["entity"] == "session" and row["entity_id"] in wanted))
        if not hit:
            for text in (row["before"], row["after"]):
                with contextlib.suppress(TypeError, ValueError):
                    if text and _mentions(json.loads(text), code, pid, wanted):
                        hit = True
        if hit:
            ids.append(row["id"])
    return ids


def _session_folder(study: Study, code: str, sid: int) -> Path:
    from companion.audio.lock import _safe  # the recorder's own folder naming

    return study.recordings_dir / _safe(code) / str(sid)


def _export_name(code: str, sids: list[int]) -> re.Pattern[str]:
    # Exactly the names export gives a session's files (and their .part leftovers).
    ids = "|".join(str(s) for s in sids) or "(?!)"
    # A format may add a word: _f4, _nvivo, _text, _codebook.
    return re.compile(
        rf"^\.?{re.escape(code)}_session-(?:{ids})(?:_[a-z0-9]+)?\.\w+(?:\.\w+\.part)?$")


def plan_withdrawal(study: Study, db: sqlite_utils.Database, code: str) -> dict[str, Any]:
    """Everything to erase, found by the participant's id and session ids; writes nothing."""
    participant = get_participant(db, code)  # NotFoundError naming the known codes
    pid, code = participant.id, participant.code
    sids = [r["id"] for r in db.query(
        "SELECT id FROM sessions WHERE participant_id = ? ORDER BY id", [pid])]
    rules = table_rules(db)
    counts: dict[str, int] = {}
    for table, cols in rules.items():
        if cols and table != "audit_log":
            where, args = _where(table, cols, pid, sids)
            counts[table] = db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}",
                                       args).fetchone()[0]
    audit_ids = _audit_ids(db, code, pid, sids)
    counts["audit_log"] = len(audit_ids)
    settings = [r["key"] for r in db.query("SELECT key FROM settings")
                if (m := _SESSION_SETTING.match(r["key"])) and int(m.group(1)) in sids]
    counts["settings"] = len(settings)

    from companion.audio.lock import is_locked

    root = study.root.resolve()
    files: set[Path] = set()
    dirs: list[Path] = []
    marks = ",".join("?" * len(sids)) or "NULL"
    for row in db.query(f"SELECT path, original_path FROM recording_segments "
                        f"WHERE session_id IN ({marks})", sids):
        for rel in (row["path"], row["original_path"]):
            if rel:
                files.add((root / rel).resolve())
    for sid in sids:
        folder = _session_folder(study, code, sid)
        if is_locked(folder):
            raise InputError("participant", code, "a participant whose sessions are not "
                             "being recorded", hint=f"session {sid} is recording now")
        if folder.is_dir():
            files.update(p.resolve() for p in folder.rglob("*") if p.is_file())
            dirs.append(folder.resolve())
    outside: list[str] = []
    reports: list[str] = []
    if "exports" in rules:
        for row in db.query(f"SELECT session_id, path, inside_study FROM exports "
                            f"WHERE session_id IN ({marks}) OR participant_id = ? "
                            f"OR (session_id IS NULL AND participant_id IS NULL) "
                            f"ORDER BY id", [*sids, pid]):
            path = Path(row["path"])
            if row["session_id"] is None:
                if str(path) not in reports:
                    reports.append(str(path))
            elif row["inside_study"] and root in path.parents:
                files.add(path)
            elif str(path) not in outside:
                outside.append(str(path))
    if study.exports_dir.is_dir():
        pattern = _export_name(code, sids)
        files.update(p.resolve() for p in study.exports_dir.rglob("*")
                     if p.is_file() and pattern.match(p.name))
    # The automatic backups hold them too: all go, and a fresh one is taken at the end.
    files.update(p.resolve() for p in list_backups(study.root))
    # So do damaged databases kept aside by 'doctor --repair'.
    files.update(p.resolve() for p in study.root.glob("companion.db.damaged-*"))
    participant_dir = _session_folder(study, code, 0).parent.resolve()
    # A coded project imported back under the name companion gave its export names them.
    named_imports = [r["id"] for r in db.query("SELECT id, file_name FROM qda_imports")
                     if _export_name(code, sids).match(Path(r["file_name"]).name)
                     ] if "qda_imports" in rules else []
    return {
        "code": code, "participant_id": pid, "sessions": sids, "rows": counts,
        "audit_ids": audit_ids, "settings": settings,
        "files": sorted(str(p.relative_to(root)) for p in files if root in p.parents),
        "dirs": [str(d.relative_to(root)) for d in dirs],
        "participant_dir": str(participant_dir.relative_to(root)),
        "outside": outside, "reports": reports, "named_imports": named_imports,
    }


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
            where, args = _where(table, cols, pid, sids)
            db.execute(f"DELETE FROM [{table}] WHERE {where}", args)
        ids = plan["audit_ids"]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            db.execute(f"DELETE FROM audit_log WHERE id IN ({','.join('?' * len(chunk))})",
                       chunk)
        for key in [*plan["settings"], _OLD_SALT]:
            db.execute("DELETE FROM settings WHERE key = ?", [key])
        for import_id in plan.get("named_imports", []):
            db.execute("UPDATE qda_imports SET file_name = 'withdrawn.qdpx' WHERE id = ?",
                       [import_id])
        log_change(db, entity="participant", entity_id=None, action="withdrawn",
                   after={"sessions": len(sids), "files": len(plan["files"]),
                          "erased": sorted(k for k, v in plan["rows"].items() if v)})
        # The journal now only says "compact": the data are gone, what is left is making
        # sure no erased byte lingers, which a rerun repeats harmlessly.
        db.execute("UPDATE withdrawals SET plan = ? WHERE id = ?",
                   [json.dumps({**plan, "stage": "compact"}), journal_id])


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
         resumed: bool) -> ErasureReceipt:
    receipt = ErasureReceipt(code=plan["code"], sessions=plan["sessions"],
                             rows=dict(plan["rows"]), outside=list(plan["outside"]),
                             reports=list(plan["reports"]), resumed=resumed)
    if plan.get("stage") != "compact":
        plan = _refresh(study, db, plan)
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


def _refresh(study: Study, db: sqlite_utils.Database, plan: dict[str, Any]) -> dict[str, Any]:
    """A resumed plan, brought up to date: anything of theirs added since is included."""
    participant = find_participant(db, plan["code"])
    if participant is None or participant.id != plan["participant_id"]:
        return plan
    fresh = plan_withdrawal(study, db, plan["code"])
    fresh["files"] = sorted(set(fresh["files"]) | set(plan["files"]))
    fresh["dirs"] = sorted(set(fresh["dirs"]) | set(plan["dirs"]))
    for key in ("outside", "reports"):
        fresh[key] = list(dict.fromkeys([*plan[key], *fresh[key]]))
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
    plan = plan_withdrawal(study, db, code)
    with transaction(db):
        cursor = db.execute("INSERT INTO withdrawals (participant_id, plan, started_at) "
                            "VALUES (?, ?, ?)",
                            [plan["participant_id"], json.dumps(plan), now_iso()])
    plan["id"] = cursor.lastrowid
    return _run(study, db, plan, resumed=False)


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


def pending_withdrawal(study: Study, code: str) -> str | None:
    """The code of an interrupted withdrawal of ``code`` (any case), or None. A finished
    withdrawal that was killed before its fresh backup gets it here (the command asks
    this first, and may then find the participant gone)."""
    db = study.db()
    try:
        _settle_backup(study, db)
        return pending_code(db, code)
    finally:
        db.conn.close()
