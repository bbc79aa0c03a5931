"""A participant withdraws: every trace of them is erased (see :mod:`companion.privacy`)."""

from __future__ import annotations

from companion.operations._base import reading
from companion.privacy.withdraw import ErasureReceipt, pending_withdrawal
from companion.privacy.withdraw import withdraw as erase
from companion.study.folder import Study

__all__ = ["ErasureReceipt", "pending", "withdraw"]


def pending(study: Study, code: str) -> str | None:
    """The code of an interrupted withdrawal of ``code`` (any case), or None: asked before
    a withdrawal, which then completes that one (its participant may be gone already)."""
    with reading(study) as db:
        return pending_withdrawal(study, db, code)


def withdraw(study: Study, code: str) -> ErasureReceipt:
    """Erase participant ``code``: rows, index, audio, transcripts and exports. The erasure
    keeps its own transaction and leaves one tombstone entry in the audit log."""
    with reading(study) as db:
        # NotFoundError listing the codes, unless an interrupted withdrawal of ``code`` is
        # recorded: then this run completes it.
        return erase(study, db, code)
