"""Exporting sessions for analysis software: pseudonymised files, written atomically.

Each written file is recorded in the store (see :mod:`companion.store.exports`), so a
withdrawal can name the copies; that record is the export's trail, not the audit log,
which holds changes to study content. A pseudonymised export of a session whose findings
are not all decided (or that was never searched) is refused unless forced, so a name is not
left in by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.export import FORMATS, plan_export, pseudonymised_by_default, write_plan
from companion.operations._base import reading
from companion.operations.pseudonymise import ReviewState, states
from companion.study.folder import Study

__all__ = ["FORMATS", "Exported", "export", "unreviewed"]


@dataclass(frozen=True)
class Exported:
    session_id: int
    format: str
    path: Path
    pseudonymised: bool = False


def unreviewed(reviewed: list[ReviewState]) -> str:
    """What is still to review, in one line ('' when nothing is)."""
    parts = []
    for state in reviewed:
        if not state.searched:
            parts.append(f"session {state.session_id} not searched for identifiers yet")
        elif not state.current:
            parts.append(f"session {state.session_id} changed since it was searched")
        elif state.open:
            parts.append(f"session {state.session_id} has {state.open} open finding"
                         f"{'s' if state.open != 1 else ''}")
    return "; ".join(parts)


def export(study: Study, *, session: int | str | None = None, all_sessions: bool = False,
           fmt: str | None, output: str | Path | None = None, force: bool = False,
           for_tool: str | None = None, pseudonymised: bool | None = None,
           bleep: bool = False) -> list[Exported]:
    """Export one session (or every one) in ``fmt`` (``for_tool``: that format's variant
    for one tool's reader, e.g. qdpx for qualcoder); without ``output``, into the study's
    exports/ folder (replacing the last export there). Bad input writes nothing.
    ``pseudonymised`` (default: the study's choice for the format) applies the
    replacements decided in review; open findings refuse it unless ``force``."""
    decided = pseudonymised_by_default(study, fmt) if pseudonymised is None else pseudonymised
    with reading(study) as db:
        plan = plan_export(study, db, session=session, all_sessions=all_sessions, fmt=fmt,
                           output=output, force=force, for_tool=for_tool,
                           pseudonymised=decided, bleep=bleep)
        if decided and not force:
            ids = [doc.session.id for doc, _, _ in plan if doc.segments or doc.notes]
            left = unreviewed(states(study, db, ids))
            if left:
                raise InputError("--pseudonymised", left, "sessions whose findings are all "
                                 "decided", hint="review them with 'companion pseudonymise "
                                 "suggest SESSION', or add --force to export anyway")
        written = write_plan(plan, study=study, db=db, force=force or output is None)
    return [Exported(doc.session.id, f.kind, path, decided)
            for (doc, _, f), path in zip(plan, written, strict=True)]
