"""Which model a language needs, decided before a recording starts.

A protocol in another language than English must never end up with an English-only model
(``tiny.en``, the offline default): Whisper would write English-sounding nonsense, or the
run would be refused only after the interview. So planning a session and recording ask
:func:`check_protocol_model` first (through :mod:`companion.operations.models`), and
transcription picks, when the user named no model, the multilingual ``base`` (joined from
its packages) for such a protocol.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from companion.errors import InputError
from companion.models import bundled
from companion.models.catalog import KNOWN
from companion.models.store import installed_folders, is_multilingual, models_dir

if TYPE_CHECKING:
    from companion.protocol.model import Protocol
    from companion.study.folder import Study
    from companion.transcribe.model import ModelChoice


def _choice(label: str, source: str, *, english_only: bool) -> ModelChoice:
    from companion.transcribe.model import ModelChoice

    return ModelChoice(label=label, source=source, is_local=True, english_only=english_only)


def _base_label() -> str:
    return f"{bundled.NAME} (multilingual, {bundled.DISTRIBUTIONS[0].rsplit('-', 1)[0]})"


def user_model(name: str) -> ModelChoice | None:
    """The model called ``name`` in the user's model folder (the packaged base is joined
    and checked first), or None."""
    if name == bundled.NAME and (bundled.is_joined() or bundled.packages_installed()
                                 or bundled.joined_dir().exists()):
        return _choice(_base_label(), str(bundled.join()), english_only=False)
    path = installed_folders().get(name)
    if path is None:
        return None
    return _choice(f"{name} ({path})", str(path), english_only=not is_multilingual(path))


def no_model_hint(language: str) -> str:
    """What to do when no installed model can transcribe ``language``."""
    if bundled.available():
        return f"the multilingual base is installed: use {bundled.NAME}"
    return (f"install one: {bundled.INSTALL_HINT}, 'companion model add PATH' or "
            "'companion model download small'")


def multilingual_default(language: str) -> ModelChoice:
    """The model for ``language`` when the user named none: the packaged multilingual base
    (joined once, checked), else the first multilingual model in the user's folder."""
    from companion.transcribe.model import NoModelError

    if bundled.available() or bundled.joined_dir().exists():
        return _choice(_base_label(), str(bundled.join()), english_only=False)
    for name, path in installed_folders().items():
        if is_multilingual(path):
            return _choice(f"{name} ({path})", str(path), english_only=False)
    raise NoModelError(f"no model for language {language} (tiny.en is English-only): "
                       + no_model_hint(language))


def _english_only(named: str) -> tuple[bool, str]:
    """(English-only?, label) for a model named by the user; no joining, no loading."""
    from companion.transcribe.model import resolve_model

    path = os.path.expanduser(named)
    if named in installed_folders() and not os.path.isdir(path):
        folder = installed_folders()[named]
        return not is_multilingual(folder), f"{named} ({folder})"
    if named == bundled.NAME and bundled.available():
        return False, _base_label()
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
    from companion.transcribe.model import ENV_VAR

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
        return _base_label()
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
