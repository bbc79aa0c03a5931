"""Fixtures for the audio tests (defined in ``tests.support.audio`` with its helpers)."""

from tests.support.audio import session_id, speech, speech_wav  # noqa: F401
