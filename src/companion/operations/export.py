"""Exporting sessions for analysis software: pseudonymised files, written atomically.

Each written file is recorded in the store (see :mod:`companion.store.exports`), so a
withdrawal can name the copies; that record is the export's trail, not the audit log,
which holds changes to study content.

The CLI writes one format per call (:func:`export`), the app's export dialog several at
once (:func:`export_formats`); both go through the same checks: every file of the request
is checked against the output rules of :mod:`companion.files` before the first byte of
any of them is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.export import FORMATS, VARIANTS, Format, plan_export, write_plan
from companion.operations._base import reading
from companion.study.folder import Study

__all__ = ["FORMATS", "VARIANTS", "ExportProgress", "Exported", "Format", "FormatChoice",
           "export", "export_formats", "format_choices"]


@dataclass(frozen=True)
class Exported:
    session_id: int
    format: str
    path: Path


@dataclass(frozen=True)
class FormatChoice:
    """One format to write, or its variant for one tool's reader (``--for TOOL``)."""

    fmt: str
    for_tool: str | None = None


@dataclass(frozen=True)
class ExportProgress:
    """``done`` of ``total`` files written; ``path`` is the one being written now (the last
    one written once ``done == total``)."""

    done: int
    total: int
    path: Path


ProgressCallback = Callable[[ExportProgress], None]


def format_choices() -> list[tuple[FormatChoice, Format]]:
    """Every format and every tool's variant of one, in the registry's order (a variant
    right after its format): what a front offers to choose from."""
    out: list[tuple[FormatChoice, Format]] = []
    for name, fmt in FORMATS.items():
        out.append((FormatChoice(name), fmt))
        out += [(FormatChoice(name, tool), variant)
                for (base, tool), variant in VARIANTS.items() if base == name]
    return out


def export(study: Study, *, session: int | str | None = None, all_sessions: bool = False,
           fmt: str | None, output: str | Path | None = None,
           force: bool = False, for_tool: str | None = None,
           on_progress: ProgressCallback | None = None) -> list[Exported]:
    """Export one session (or every one) in ``fmt`` (``for_tool``: that format's variant
    for one tool's reader, e.g. qdpx for qualcoder); without ``output``, into the study's
    exports/ folder (replacing the last export there). Bad input writes nothing."""
    return export_formats(study, session=session, all_sessions=all_sessions,
                          formats=[FormatChoice(fmt or "", for_tool)] if fmt is not None
                          else [], output=output, force=force, on_progress=on_progress)


def export_formats(study: Study, *, session: int | str | None = None,
                   all_sessions: bool = False, formats: Sequence[FormatChoice],
                   output: str | Path | None = None, force: bool = False,
                   on_progress: ProgressCallback | None = None) -> list[Exported]:
    """Export in each of ``formats``, as :func:`export` does for one. Every file is checked
    first (a bad format, a refused path, two formats that would write one file): a bad
    request writes nothing. ``on_progress`` hears before each file and after the last."""
    if not formats:
        raise InputError("--format", None, "at least one of " + ", ".join(FORMATS))
    with reading(study) as db:
        plan = []
        for choice in formats:
            plan += plan_export(study, db, session=session, all_sessions=all_sessions,
                                fmt=choice.fmt, output=output, force=force,
                                for_tool=choice.for_tool)
        targets = [path for _, path, _ in plan]
        twice = next((path for path in targets if targets.count(path) > 1), None)
        if twice is not None:
            raise InputError("-o", str(output), "a folder when several formats are written",
                             hint=f"two of them would both be {twice.name}")
        written: list[Path] = []
        for index, item in enumerate(plan):
            if on_progress is not None:
                on_progress(ExportProgress(index, len(plan), item[1]))
            written += write_plan([item], study=study, db=db, force=force or output is None)
        if on_progress is not None and written:
            on_progress(ExportProgress(len(plan), len(plan), written[-1]))
    return [Exported(doc.session.id, f.kind, path)
            for (doc, _, f), path in zip(plan, written, strict=True)]
