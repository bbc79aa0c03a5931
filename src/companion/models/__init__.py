"""Whisper models as things a user can see and manage.

- :mod:`.store`: the user's model folder and what makes a folder a usable model;
- :mod:`.catalog`: the models companion knows by name (size, languages, where from);
- :mod:`.bundled`: the multilingual ``base`` joined from two registry packages and checked
  against a pinned SHA-256;
- :mod:`.add` and :mod:`.download`: a model folder the user has, or one fetched on request;
- :mod:`.choice`: which model a language needs, checked before a recording starts.
"""

from companion.models.catalog import ModelEntry, list_models
from companion.models.choice import check_model_for_language, multilingual_default

__all__ = ["ModelEntry", "check_model_for_language", "list_models", "multilingual_default"]
