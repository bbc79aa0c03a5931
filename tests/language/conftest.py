"""Fixtures for the language tests: a study CLI runner and the Dutch espeak interview."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.speech_nl import EXCERPT, dutch_interview


@pytest.fixture(scope="session")
def interview_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dutch_interview(tmp_path_factory.mktemp("speech-nl"))


@pytest.fixture(scope="session")
def excerpt_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Turns 2-4 of the interview with the 5 s pause: what is played in real time."""
    return dutch_interview(tmp_path_factory.mktemp("speech-nl"), EXCERPT, "excerpt-nl.wav")
