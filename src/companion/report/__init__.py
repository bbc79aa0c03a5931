"""The study report: Table 1 (sample), Table 2 (WAI-ReD), durations, saturation."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from companion.errors import InputError
from companion.export.atomic import atomic_write
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


def write_report(text: str, output: str | Path) -> Path:
    path = Path(output).expanduser()
    if path.is_dir() or not path.parent.is_dir():
        raise InputError("-o", str(path), "a file in an existing folder")
    return atomic_write(path, text)


__all__ = ["FORMATS", "StudyReport", "render_report", "study_report", "write_report"]
