"""The plan of a withdrawal: every row and file that names a participant, found before
anything is erased (see :mod:`companion.privacy.withdraw`).

Every table is accounted for by reading the schema (:func:`table_rules`): a table holding
``session_id`` or ``participant_id`` is erased by those columns; a table with neither must be
named in :data:`NO_SESSION_DATA`, or withdrawal refuses to run rather than leave it behind."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import sqlite_utils

from companion.errors import CompanionError, InputError
from companion.store.backup import list_backups
from companion.store.exports import where_now
from companion.store.participants import get_participant
from companion.study.folder import Study
from companion.study.session_folder import TRANSCRIBE_LOCK_NAME, is_locked, session_dir_of

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
    "qda_imports": "which project was imported when; a file name that names them is "
                   "blanked, and the project file is named in the receipt",
}


# Settings that only make sense for one session end in ".<session id>" (a draft note).
SESSION_SETTING = re.compile(r"^[\w.-]*\.(\d+)$")


class UncoveredTableError(CompanionError):
    """A table withdrawal does not know how to erase: a schema change forgot it."""


def study_tables(db: sqlite_utils.Database) -> list[str]:
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


def table_columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()}


def table_rules(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """For every table in the schema, the columns that tie a row to a participant.

    ``sessions`` and ``participants`` are keyed by ``id``; ``settings`` and the journal
    have none (see :data:`NO_SESSION_DATA`). A table with no rule raises
    :class:`UncoveredTableError`: withdrawal would otherwise leave its rows behind.
    """
    rules: dict[str, list[str]] = {}
    for table in study_tables(db):
        cols = table_columns(db, table)
        keyed: list[str] = [c for c in ("session_id", "participant_id") if c in cols]
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


def where_clause(table: str, cols: list[str], pid: int, sids: list[int]) -> tuple[str, list[Any]]:
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


def mentions_participant(value: Any, code: str, pid: int, sids: set[int]) -> bool:
    """Does an audit entry's JSON name them: the code as a whole value, or their ids?"""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("participant_id",) and item == pid:
                return True
            if key == "session_id" and item in sids:
                return True
            if mentions_participant(item, code, pid, sids):
                return True
        return False
    if isinstance(value, list):
        return any(mentions_participant(item, code, pid, sids) for item in value)
    return isinstance(value, str) and value == code


def audit_row_ids(db: sqlite_utils.Database, code: str, pid: int, sids: list[int]) -> list[int]:
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
                    if text and mentions_participant(json.loads(text), code, pid, wanted):
                        hit = True
        if hit:
            ids.append(row["id"])
    return ids


def session_folder(study: Study, code: str, sid: int) -> Path:
    return session_dir_of(study, code, sid)


def names_code(code: str) -> re.Pattern[str]:
    """The code as a word of its own, any case: ``P1`` in ``p1-coded.qdpx`` or "P1 said",
    never in ``P10`` or ``SP1``."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", re.IGNORECASE)


def export_name_pattern(code: str, sids: list[int]) -> re.Pattern[str]:
    # Exactly the names export gives a session's files (and their .part leftovers).
    ids = "|".join(str(s) for s in sids) or "(?!)"
    # A format may add a word (_f4, _nvivo, _text, _codebook) and a variant for one tool
    # another (_qualcoder, _taguette).
    return re.compile(
        rf"^\.?{re.escape(code)}_session-(?:{ids})(?:_[a-z0-9]+){{0,2}}\.\w+(?:\.\w+\.part)?$")


def plan_withdrawal(study: Study, db: sqlite_utils.Database, code: str, *,
                    check_transcription: bool = True) -> dict[str, Any]:
    """Everything to erase, found by the participant's id and session ids; writes nothing.
    Refused while a session of theirs is recorded or (``check_transcription``)
    transcribed."""
    participant = get_participant(db, code)  # NotFoundError naming the known codes
    pid, code = participant.id, participant.code
    sids = [r["id"] for r in db.query(
        "SELECT id FROM sessions WHERE participant_id = ? ORDER BY id", [pid])]
    rules = table_rules(db)
    counts: dict[str, int] = {}
    for table, cols in rules.items():
        if cols and table != "audit_log":
            where, args = where_clause(table, cols, pid, sids)
            counts[table] = db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}",
                                       args).fetchone()[0]
    audit_ids = audit_row_ids(db, code, pid, sids)
    counts["audit_log"] = len(audit_ids)
    settings = [r["key"] for r in db.query("SELECT key FROM settings")
                if (m := SESSION_SETTING.match(r["key"])) and int(m.group(1)) in sids]
    counts["settings"] = len(settings)

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
        folder = session_folder(study, code, sid)
        if is_locked(folder):
            raise InputError("participant", code, "a participant whose sessions are not "
                             "being recorded", hint=f"session {sid} is recording now")
        if check_transcription and is_locked(folder, TRANSCRIBE_LOCK_NAME):
            raise InputError("participant", code, "a participant whose sessions are not "
                             "being transcribed", hint=f"session {sid} is being transcribed "
                             "now: wait for it to finish or cancel it, then withdraw")
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
            # Relative to the study (absolute from older versions, re-based if the study
            # folder has moved since).
            path = where_now(row["path"], bool(row["inside_study"]), root)
            if row["session_id"] is None:
                if str(path) not in reports:
                    reports.append(str(path))
            elif root in path.parents:
                files.add(path)
            elif str(path) not in outside:
                outside.append(str(path))
    if study.exports_dir.is_dir():
        pattern = export_name_pattern(code, sids)
        files.update(p.resolve() for p in study.exports_dir.rglob("*")
                     if p.is_file() and pattern.match(p.name))
    # The automatic backups hold them too: all go, and a fresh one is taken at the end.
    files.update(p.resolve() for p in list_backups(study.root))
    # So do damaged databases kept aside by 'doctor --repair'.
    files.update(p.resolve() for p in study.root.glob("companion.db.damaged-*"))
    participant_dir = session_folder(study, code, 0).parent.resolve()
    named_imports, projects = imported_projects(study, db, code, sids) \
        if "qda_imports" in rules else ([], [])
    project_memos = [r["id"] for r in db.query(
        "SELECT id, name, text FROM qda_memos WHERE session_id IS NULL")
        if names_code(code).search(f"{r['name'] or ''}\n{r['text'] or ''}")
    ] if "qda_memos" in rules else []
    return {
        "code": code, "participant_id": pid, "sessions": sids, "rows": counts,
        "audit_ids": audit_ids, "settings": settings,
        "files": sorted(str(p.relative_to(root)) for p in files if root in p.parents),
        "dirs": [str(d.relative_to(root)) for d in dirs],
        "participant_dir": str(participant_dir.relative_to(root)),
        "outside": outside, "reports": reports, "named_imports": named_imports,
        "projects": projects, "project_memos": project_memos,
    }


def imported_projects(study: Study, db: sqlite_utils.Database, code: str,
                      sids: list[int]) -> tuple[list[int], list[str]]:
    """Coded projects imported back that hold the participant: (the imports whose file
    name, project name or path names them, to be blanked; where those project files are,
    to be named).

    A project holds them when its texts matched their sessions, its codings or memos are
    on them, or its name names them. companion did not write the file (the analyst's tool
    did) and it may hold other participants too, so it is named for the user to delete,
    never erased."""
    marks = ",".join("?" * len(sids)) or "NULL"
    cols = table_columns(db, "qda_imports")
    pattern = names_code(code)
    exported = export_name_pattern(code, sids)
    touched = {r["import_id"] for table in ("qda_codings", "qda_memos", "qda_import_sessions")
               if table in db.table_names()
               for r in db.query(f"SELECT DISTINCT import_id FROM [{table}] "
                                 f"WHERE session_id IN ({marks})", sids)}
    root = study.root.resolve()
    named: list[int] = []
    where: list[str] = []
    for row in db.query("SELECT * FROM qda_imports ORDER BY id"):
        name = Path(row["file_name"] or "").name
        by_name = bool(pattern.search(name) or exported.match(name)) or any(
            pattern.search(row[col] or "") for col in ("project_name", "path") if col in cols)
        if by_name:
            named.append(row["id"])
        if not (by_name or row["id"] in touched):
            continue
        stored = row["path"] if "path" in cols else None
        if stored:
            found = where_now(stored, not Path(stored).is_absolute(), root)
        else:  # imported before the path was kept: the same bytes in the study folder
            found = _same_file_in_study(study, row["sha256"]) or Path(name)
        if str(found) not in where:
            where.append(str(found))
    return named, where


def _same_file_in_study(study: Study, sha256: str) -> Path | None:
    import hashlib

    for path in sorted(study.root.rglob("*.qdpx")):
        rel = path.relative_to(study.root).parts
        if rel[0] in ("recordings", ".backups") or not path.is_file():
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        if digest.hexdigest() == sha256:
            return path.resolve()
    return None

