"""A participant withdraws: every trace of them is erased (see :mod:`companion.privacy`)."""

from __future__ import annotations

from companion.operations._base import reading
from companion.privacy.withdraw import ErasureReceipt
from companion.privacy.withdraw import withdraw as erase
from companion.store.participants import get_participant
from companion.study.folder import Study

__all__ = ["ErasureReceipt", "withdraw"]


def withdraw(study: Study, code: str) -> ErasureReceipt:
    """Erase participant ``code``: rows, index, audio, transcripts and exports. The erasure
    keeps its own transaction and leaves one tombstone entry in the audit log."""
    with reading(study) as db:
        participant = get_participant(db, code)  # NotFoundError listing the codes
        return erase(study, db, participant.code)
