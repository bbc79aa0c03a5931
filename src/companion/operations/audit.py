"""The audit trail as a reader sees it: every change made to a session, oldest first."""

from __future__ import annotations

from typing import Any

from companion.operations._base import reading
from companion.store.audit import session_trail
from companion.store.sessions import get_session
from companion.study.folder import Study

__all__ = ["trail"]


def trail(study: Study, session_id: int | str) -> list[dict[str, Any]]:
    """The session's audit entries (``before``/``after`` decoded), oldest first."""
    with reading(study) as db:
        session = get_session(db, session_id)
        return session_trail(db, session.id)
