"""The health check of this machine and this study (see :mod:`companion.doctor`)."""

from __future__ import annotations

from companion.doctor import Finding, run_checks
from companion.study.folder import Study

__all__ = ["Finding", "check"]


def check(study: Study, *, repair: bool = False) -> list[Finding]:
    """Every check, each a finding that says what is wrong and how to fix it.

    Study permissions are always repaired; with ``repair`` also a damaged database (from
    its newest automatic backup) and an interrupted withdrawal. What a repair writes leaves
    its own trail: a restored database is the backup's, and a completed withdrawal leaves
    its tombstone in the audit log."""
    return run_checks(study, repair=repair)
