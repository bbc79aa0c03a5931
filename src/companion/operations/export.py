"""Exporting sessions for analysis software: pseudonymised files, written atomically.

Each written file is recorded in the store (see :mod:`companion.store.exports`), so a
withdrawal can name the copies; that record is the export's trail, not the audit log,
which holds changes to study content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.export import FORMATS, plan_export, write_plan
from companion.operations._base import reading
from companion.study.folder import Study

__all__ = ["FORMATS", "Exported", "export"]


@dataclass(frozen=True)
class Exported:
    session_id: int
    format: str
    path: Path


def export(study: Study, *, session: int | str | None = None, all_sessions: bool = False,
           fmt: str | None, output: str | Path | None = None,
           force: bool = False, for_tool: str | None = None) -> list[Exported]:
    """Export one session (or every one) in ``fmt`` (``for_tool``: that format's variant
    for one tool's reader, e.g. qdpx for qualcoder); without ``output``, into the study's
    exports/ folder (replacing the last export there). Bad input writes nothing."""
    with reading(study) as db:
        plan = plan_export(study, db, session=session, all_sessions=all_sessions, fmt=fmt,
                           output=output, force=force, for_tool=for_tool)
        written = write_plan(plan, study=study, db=db, force=force or output is None)
    return [Exported(doc.session.id, f.kind, path)
            for (doc, _, f), path in zip(plan, written, strict=True)]
