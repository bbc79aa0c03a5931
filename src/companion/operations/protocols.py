"""Which protocol a study or a session uses (read from the study, never written)."""

from __future__ import annotations

from companion.protocol.model import Protocol
from companion.protocol.registry import DEFAULT_PROTOCOL_ID, available_protocols, get_protocol
from companion.store.sessions import Session
from companion.study.folder import Study

__all__ = ["Protocol", "available", "default_protocol_id", "protocol_for", "session_protocol"]


def default_protocol_id(study: Study) -> str:
    """The study's protocol for new sessions (``[study] protocol``), else the default."""
    return study.settings.study.protocol or DEFAULT_PROTOCOL_ID


def protocol_for(study: Study, protocol_id: str | None = None) -> Protocol:
    return get_protocol(protocol_id or default_protocol_id(study), study.root)


def session_protocol(study: Study, session: Session) -> Protocol:
    return get_protocol(session.protocol_id, study.root)


def available(study: Study) -> dict[str, Protocol]:
    """The protocols this study can use, by id (the study's own win)."""
    return available_protocols(study.root)
