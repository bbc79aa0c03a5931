"""A coded REFI-QDA project comes back into the study (``import-qdpx``)."""

from __future__ import annotations

from pathlib import Path

from companion.exchange import ImportResult, plan_import, write_import
from companion.operations._base import acting
from companion.study.folder import Study

__all__ = ["ImportResult", "import_qdpx"]


def import_qdpx(study: Study, path: str | Path) -> ImportResult:
    """Read a coded project's codes, codings of the sessions' transcripts and memos into
    the study; transcripts and notes stay as they are. A file that is not such a project
    raises InputError and writes nothing (the whole file is read before the first row)."""
    with acting(study, entity="qda_import", action="import") as act:
        plan = plan_import(study, act.db, path)
        result = write_import(act.db, plan)
        # Counts only: the file's name may name a participant's session, and the
        # qda_imports row (which a withdrawal blanks) already keeps it.
        act.entry.entity_id = result.import_id
        act.entry.after = {"codes": result.codes, "codings": result.codings,
                           "memos": result.memos, "sessions": len(result.sessions)}
    return result
