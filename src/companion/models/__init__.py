"""Whisper models as things a user can see and manage.

- :mod:`.store`: the user's model folder and what makes a folder a usable model;
- :mod:`.catalog`: the models companion knows by name (size, languages, where from);
- :mod:`.bundled`: the multilingual ``base`` joined from two registry packages and checked
  against a pinned SHA-256;
- :mod:`.add` and :mod:`.download`: a model folder the user has, or one fetched on request;
- :mod:`.resolve`: which model a transcription uses (``--model``, the environment, the
  study's setting, the offline default for the language), never over the network;
- :mod:`.choice`: which model a language needs, checked before a recording starts.
"""

from companion.models.catalog import ModelEntry, list_models
from companion.models.choice import check_model_for_language
from companion.models.resolve import (
    ModelChoice,
    NoModelError,
    default_model,
    multilingual_default,
    resolve_model,
)

__all__ = ["ModelChoice", "ModelEntry", "NoModelError", "check_model_for_language",
           "default_model", "list_models", "multilingual_default", "resolve_model"]
