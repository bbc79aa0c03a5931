"""A coded REFI-QDA project comes back into the study (``import-qdpx``), the imports so far
(``--list``) and taking one back (``--undo``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.exchange import ImportResult, plan_import, write_import
from companion.limits import MAX_ID
from companion.operations._base import acting, reading
from companion.store import qda
from companion.store.backup import backup_quietly
from companion.store.qda import StoredImport
from companion.study.folder import Study

__all__ = ["ImportResult", "StoredImport", "UndoResult", "import_qdpx", "list_imports",
           "undo_import"]


def _where(study: Study, path: str | Path) -> str:
    absolute = Path(path).expanduser().resolve()
    root = study.root.resolve()
    return str(absolute.relative_to(root)) if root in absolute.parents else str(absolute)


def import_qdpx(study: Study, path: str | Path, *, coder: str | None = None,
                force: bool = False) -> ImportResult:
    """Read a coded project's codes, codings of the sessions' transcripts and memos into
    the study; transcripts and notes stay as they are. A later export of a project already
    imported replaces it: the earlier version's codings and memos go into this action's
    audit entry (``before``) and stay in the store, marked replaced, until this import is
    undone. A file that is not such a project raises InputError and writes nothing (the
    whole file is read before the first row)."""
    with acting(study, entity="qda_import", action="import") as act:
        plan = plan_import(study, act.db, path, coder=coder, force=force)
        result = write_import(act.db, plan)
        # Where the project was read from: a withdrawal names that file (it holds the
        # sessions it codes), relative to the study when inside it.
        act.db.execute("UPDATE qda_imports SET path = ? WHERE id = ?",
                       [_where(study, path), result.import_id])
        act.entry.entity_id = result.import_id
        if result.replaced:
            act.entry.before = {"replaced": [qda.import_content(act.db, old)
                                             for old in result.replaced]}
        # Counts only: the file's name may name a participant's session, and the
        # qda_imports row (which a withdrawal blanks) already keeps it.
        act.entry.after = {"codes": result.codes, "codings": result.codings,
                           "memos": result.memos, "sessions": len(result.sessions),
                           "coder": result.coder, "replaced": result.replaced,
                           "unplaced": result.unplaced_codings, "foreign": result.foreign}
    backup_quietly(study.root)  # an import is a completed action worth a backup
    return result


def list_imports(study: Study) -> list[StoredImport]:
    """Every import, oldest first: its project, coder, sessions, counts and whether it is
    in use (``active``), replaced by a later export of its project, or undone."""
    with reading(study) as db:
        return qda.list_imports(db)


@dataclass(frozen=True)
class UndoResult:
    import_id: int  # the import taken back
    restored: list[int]  # the earlier imports of its project in use again


def undo_import(study: Study, import_id: int | str) -> UndoResult:
    """Take an import back: its codings, memos and codes are deleted (the audit entry keeps
    them) and the earlier import of its project it replaced is in use again."""
    with acting(study, entity="qda_import", action="undo") as act:
        text = str(import_id).strip()
        # ASCII digits within SQLite's range (a larger one would overflow in the query).
        wanted = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 \
            and int(text) <= MAX_ID else -1
        found = qda.get_import(act.db, wanted) if wanted > 0 else None
        if found is None or found.status != qda.ACTIVE:
            active = [str(i.id) for i in qda.list_imports(act.db) if i.status == qda.ACTIVE]
            why = (f"import {wanted} is {found.status}" if found is not None
                   else "no such import")
            raise InputError("--undo", import_id, "the id of an import in use: "
                             + (", ".join(active) or "none"), hint=why)
        act.entry.entity_id = found.id
        act.entry.before = qda.import_content(act.db, found.id)
        restored = qda.replaced_by(act.db, found.id)
        qda.delete_content(act.db, found.id)
        qda.set_status(act.db, found.id, qda.UNDONE)
        for old in restored:
            qda.set_status(act.db, old, qda.ACTIVE)
        act.entry.after = {"status": qda.UNDONE, "restored": restored}
    return UndoResult(found.id, restored)
