"""Which model a language needs, decided before a recording starts.

A protocol in another language than English must never end up with an English-only model
(``tiny.en``, the offline default): Whisper would write English-sounding nonsense, or the
run would be refused only after the interview. So planning a session and recording ask
:func:`check_protocol_model` first (through :mod:`companion.operations.models`); when the
user named no model, :func:`companion.models.resolve.resolve_model` picks the multilingual
``base`` (joined from its packages) for such a protocol.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from companion.errors import InputError
from companion.models import bundled
from companion.models.catalog import KNOWN
from companion.models.resolve import ENV_VAR, base_label, no_model_hint, resolve_model
from companion.models.store import installed_folders, is_multilingual, models_dir

if TYPE_CHECKING:
    from companion.protocol.model import Protocol
    from companion.study.folder import Study


def _english_only(named: str) -> tuple[bool, str]:
    """(English-only?, label) for a model named by the user; no joining, no loading."""
    path = os.path.expanduser(named)
    if named in installed_folders() and not os.path.isdir(path):
        folder = installed_folders()[named]
        return not is_multilingual(folder), f"{named} ({folder})"
    if named == bundled.NAME and bundled.available():
        return False, base_label()
    if named in KNOWN and not os.path.isdir(path):
        return not KNOWN[named][1], named
    choice = resolve_model(named)
    return choice.english_only, choice.label


def check_model_for_language(
    language: str | None, *, requested: str | None = None, configured: str | None = None,
    field: str = "model",
) -> str:
    """The model that will transcribe ``language`` (a label); InputError, before anything is
    recorded, when it is English-only and the language is not, or when there is none.

    ``requested``/``configured`` as for ``resolve_model`` (``--model``, the study's
    ``transcribe.model``); ``$COMPANION_WHISPER_MODEL`` counts too.
    """
    named = requested or os.environ.get(ENV_VAR) or configured
    if not language or language == "en":
        return named or "tiny.en"
    if named:
        english_only, label = _english_only(str(named).strip())
        if english_only:
            source = ("--model" if requested else f"${ENV_VAR}" if named != configured
                      else "companion.toml transcribe.model")
            raise InputError(field, label, f"a multilingual model for language {language} "
                             f"(this one, from {source}, is English-only)",
                             hint=no_model_hint(language))
        return label
    if bundled.available():
        return base_label()
    for name, path in installed_folders().items():
        if is_multilingual(path):
            return f"{name} ({path})"
    raise InputError(field, "tiny.en", f"a multilingual model for language {language} "
                     f"(none installed in {models_dir()})", hint=no_model_hint(language))


def check_protocol_model(study: Study, protocol: Protocol) -> str:
    """:func:`check_model_for_language` for a session under ``protocol`` in ``study``
    (the study's ``transcribe.language`` and ``transcribe.model`` count)."""
    settings = study.settings.transcribe
    language = settings.language or protocol.language
    return check_model_for_language(language, configured=settings.model,
                                    field=f"model for protocol {protocol.id} ({language})")
