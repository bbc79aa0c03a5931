"""The study report: Table 1 (sample), Table 2 (WAI-ReD), durations, saturation."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from companion.errors import InputError
from companion.files import atomic_write, output_target
from companion.report.render import FORMATS, to_html, to_markdown
from companion.report.tables import StudyReport, build_report
from companion.study.folder import Study


def study_report(study: Study, db: sqlite_utils.Database) -> StudyReport:
    return build_report(study, db)


def render_report(report: StudyReport, fmt: str) -> str:
    key = (fmt or "").strip().lower()
    if key == "md":
        return to_markdown(report)
    if key == "html":
        return to_html(report)
    if key == "json":
        return report.to_json() + "\n"
    raise InputError("--format", fmt, "one of " + ", ".join(FORMATS))


def write_report(text: str, output: str | Path, *, study: Study | None = None,
                 db: sqlite_utils.Database | None = None, force: bool = False,
                 fmt: str = "md") -> Path:
    """Write the report to ``output`` (a trailing slash: a folder, created if missing).

    An existing file is refused unless ``force``; a symlink, the study's database and its
    audio always are. The path is recorded so a withdrawal can name this copy.
    """
    root = study.root if study is not None else None
    name = f"report.{(fmt or 'md').strip().lower()}"
    path = output_target(output, name, study_root=root, force=force)
    atomic_write(path, text, replace=force)
    if study is not None and db is not None:
        from companion.store.exports import record_export

        record_export(db, path=path, study_root=study.root, kind=f"report-{fmt}")
    return path


__all__ = ["FORMATS", "StudyReport", "render_report", "study_report", "write_report"]
