"""The study report (sample, WAI-ReD, durations, saturation): read, render, write."""

from __future__ import annotations

from pathlib import Path

from companion.operations._base import reading
from companion.report import render_report, study_report, write_report
from companion.report.tables import StudyReport
from companion.study.folder import Study

__all__ = ["StudyReport", "build", "render", "write"]


def build(study: Study) -> StudyReport:
    with reading(study) as db:
        return study_report(study, db)


def render(study: Study, fmt: str) -> str:
    """The report as md, html or json text."""
    return render_report(build(study), fmt)


def write(study: Study, fmt: str, output: str | Path, *, force: bool = False) -> Path:
    """Write the report to ``output`` (recorded, so a withdrawal can name the copy)."""
    text = render(study, fmt)
    with reading(study) as db:
        return write_report(text, output, study=study, db=db, force=force, fmt=fmt)
