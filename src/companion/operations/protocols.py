"""Which protocol a study or a session uses (read from the study, never written)."""

from __future__ import annotations

from pathlib import Path

from companion.protocol.loader import ProtocolError, load_protocol
from companion.protocol.model import Protocol
from companion.protocol.registry import DEFAULT_PROTOCOL_ID, available_protocols, get_protocol
from companion.store.sessions import Session
from companion.study.folder import Study

__all__ = ["Protocol", "available", "check_file", "default_protocol_id", "protocol_for",
           "session_protocol"]


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


def check_file(path: Path) -> tuple[Protocol, Protocol | None]:
    """A protocol file, loaded and checked (ProtocolError listing every problem), and the
    protocol it translates (``translation_of``), whose structure it was checked against:
    phase, prompt, code and rule ids and the instrument must be the same."""
    from companion.protocol.translation import find_source, translation_problems

    proto = load_protocol(path)
    if not proto.translation_of:
        return proto, None
    source = find_source(proto)
    assert source is not None  # find_source raises when the named protocol is unknown
    problems = translation_problems(proto, source)
    if problems:
        raise ProtocolError(path, problems)
    return proto, source
