"""Fixtures for the language tests: a study CLI runner and the Dutch espeak interview."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.speech_nl import dutch_interview


@pytest.fixture(scope="session")
def interview_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dutch_interview(tmp_path_factory.mktemp("speech-nl"))
