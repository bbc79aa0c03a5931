"""A coded REFI-QDA project comes back into the study (``import-qdpx``)."""

from __future__ import annotations

from pathlib import Path

from companion.exchange import ImportResult, plan_import, write_import
from companion.operations._base import acting
from companion.store.backup import backup_quietly
from companion.study.folder import Study

__all__ = ["ImportResult", "import_qdpx"]


def _where(study: Study, path: str | Path) -> str:
    absolute = Path(path).expanduser().resolve()
    root = study.root.resolve()
    return str(absolute.relative_to(root)) if root in absolute.parents else str(absolute)


def import_qdpx(study: Study, path: str | Path) -> ImportResult:
    """Read a coded project's codes, codings of the sessions' transcripts and memos into
    the study; transcripts and notes stay as they are. A file that is not such a project
    raises InputError and writes nothing (the whole file is read before the first row)."""
    with acting(study, entity="qda_import", action="import") as act:
        plan = plan_import(study, act.db, path)
        result = write_import(act.db, plan)
        # Where the project was read from: a withdrawal names that file (it holds the
        # sessions it codes), relative to the study when inside it.
        act.db.execute("UPDATE qda_imports SET path = ? WHERE id = ?",
                       [_where(study, path), result.import_id])
        # Counts only: the file's name may name a participant's session, and the
        # qda_imports row (which a withdrawal blanks) already keeps it.
        act.entry.entity_id = result.import_id
        act.entry.after = {"codes": result.codes, "codings": result.codings,
                           "memos": result.memos, "sessions": len(result.sessions)}
    backup_quietly(study.root)  # an import is a completed action worth a backup
    return result
