"""The report's counts read as sentences: one interview, not "1 interviews"."""

from __future__ import annotations

from companion.operations import report
from tests.support.interview import make_interview


def test_one_interview_is_singular(study, db) -> None:  # type: ignore[no-untyped-def]
    make_interview(study, db)
    markdown = report.render(study, "md")
    assert "; 1 interview, 0 pilots." in markdown and "1 interviews" not in markdown
    make_interview(study, db, "P06", pilot=True)
    assert "; 1 interview, 1 pilot." in report.render(study, "md")
    make_interview(study, db, "P07")
    assert "; 2 interviews, 1 pilot." in report.render(study, "html")
