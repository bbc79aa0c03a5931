"""Whisper models: list, add, download on request, and the check that a session's language
has a model that can transcribe it (asked before a session is planned or recorded).

The work is :mod:`companion.models`'; this is what both fronts call.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from companion.errors import CompanionError, InputError
from companion.models.add import AddedModel, add_model
from companion.models.catalog import ModelEntry, list_models
from companion.models.choice import check_protocol_model
from companion.models.download import RemoteModel, download, remote_model
from companion.operations._base import reading
from companion.protocol.registry import get_protocol
from companion.store.sessions import get_session
from companion.study.folder import Study

__all__ = ["AddedModel", "ModelEntry", "RemoteModel", "add", "check_protocol_model",
           "check_session_model", "fetch", "known", "remote"]


def known() -> list[ModelEntry]:
    """Installed and known models: size, languages, where they are."""
    return list_models()


def add(path: str, *, name: str | None = None, link: bool = False) -> AddedModel:
    """A faster-whisper model folder added to the user's model folder, checked first:
    its files, then the model itself, loaded once and run on two seconds of silence (a
    damaged model.bin is refused here, not at the first transcription)."""

    def runs(folder: Path) -> None:
        from companion.transcribe.engine import DamagedModelError, self_test

        try:
            self_test(folder)
        except DamagedModelError as exc:
            raise InputError("PATH", path, "a model folder faster-whisper can load and run",
                             hint=str(exc)) from None

    return add_model(path, name=name, link=link, verify=runs)


def remote(name: str) -> RemoteModel:
    """What downloading ``name`` would fetch (refused up front for an unknown name or one
    that needs no download); the caller shows its size before :func:`fetch`."""
    return remote_model(name)


def fetch(model: RemoteModel, on_bytes: Callable[[int], None]) -> Path:
    """Download ``model`` into the user's model folder (the only network use)."""
    return download(model, on_bytes)


def check_session_model(study: Study, session_id: int | str) -> str | None:
    """The model that will transcribe this session, checked before recording: InputError
    when it is English-only and the session's protocol is not in English. None when the
    protocol cannot be found (recording goes on: transcription reports that later)."""
    with reading(study) as db:
        session = get_session(db, session_id)
    try:
        protocol = get_protocol(session.protocol_id, study.root)
    except CompanionError:
        return None
    return check_protocol_model(study, protocol)
