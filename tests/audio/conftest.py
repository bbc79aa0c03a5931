"""Fixtures for the audio tests (defined in ``audiohelp``, which also holds the helpers)."""

from audiohelp import session_id, speech, speech_wav  # noqa: F401
