"""Fixtures for the live transcript: a rated session and an espeak interview to play."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.study.folder import Study
from tests.support.people import rated_session as make_rated_session
from tests.support.speech import build_interview, write

# Interviewer on the left channel, participant on the right; the participant names the
# professional of the least positive rating.
TURNS: list[tuple[str, str, float]] = [
    ("I", "Welcome. Who helped you most with your pain?", 0.5),
    ("P", "My back has hurt for more than ten years.", 0.8),
    ("I", "And who did you find harder?", 0.8),
    ("P", "The psychologist never really listened to me.", 0.8),
]


@pytest.fixture
def rated_session(study: Study) -> int:
    """P05 (consented) with a planned session on the default protocol, both ratings in."""
    return make_rated_session(study)


@pytest.fixture(scope="session")
def interview_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    stereo, _truth = build_interview(TURNS)
    return write(tmp_path_factory.mktemp("live") / "interview.wav", stereo)


def two_channel_pulse(study: Study) -> None:
    """The study records two channels from the PulseAudio test microphone."""
    study.config_path.write_text('[audio]\nchannels = 2\ndevice = "pulse"\n',
                                 encoding="utf-8")
