"""The live transcript's mono hook: each line of a one-microphone interview is labelled
from the enrolled interviewer's voice, as it comes (real espeak-ng voices)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from companion.live.client import LiveLine
from companion.live.talk import balance
from companion.operations.live import mono_labeller
from companion.speakers import live
from tests.support.speakers import Interview, cli


@pytest.fixture
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "_state", None)


def _lines(interview: Interview) -> list[tuple[np.ndarray, int, str]]:
    mix, rate = sf.read(interview.wav, dtype="float32")
    assert rate == 16_000
    return [(mix[start * 16:end * 16], start, who) for start, end, who, _ in interview.turns]


def test_live_lines_are_labelled_from_the_enrolled_voice(
        tmp_path: Path, interview: Interview, fresh_state: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "study"
    assert cli(root, "init").exit_code == 0
    assert cli(root, "speaker", "enrol", "--file", str(interview.enrolment)).exit_code == 0
    monkeypatch.setenv(live.STUDY_ENV, str(root))
    # the live transcript finds this hook for mono recordings
    assert mono_labeller() == "companion.speakers.live:label_line"

    said = [(live.label_line(audio, start, ("I", "P05")), who)
            for audio, start, who in _lines(interview)]
    # the first question waits for the first answer: from then on every line is labelled
    assert said[0][0] is None
    later = said[1:]
    right = sum(got == ("I" if who == "I" else "P05") for got, who in later)
    assert right >= len(later) - 1, said
    assert {"I", "P05"} <= {got for got, _ in later}
    # so the talk bar has a balance to show from the first answer on
    lines = [LiveLine(start, end, text, got, start)
             for (start, end, _, text), (got, _) in zip(interview.turns, said, strict=True)]
    assert balance(channels=1, labels=("I", "P05"), since_ms=0, talk=[], lines=lines[:1]) is None
    early = balance(channels=1, labels=("I", "P05"), since_ms=0, talk=[], lines=lines[:2])
    assert early is not None and early.participant_ms > 0
    whole = balance(channels=1, labels=("I", "P05"), since_ms=0, talk=[], lines=lines)
    truth = sum(end - start for start, end, who, _ in interview.turns[1:] if who == "I")
    spoken = sum(end - start for start, end, _, _ in interview.turns[1:])
    assert whole is not None and abs(whole.interviewer_share - truth / spoken) < 0.05


def test_without_an_enrolled_voice_live_lines_stay_unlabelled(
        tmp_path: Path, interview: Interview, fresh_state: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "study"
    assert cli(root, "init").exit_code == 0
    monkeypatch.setenv(live.STUDY_ENV, str(root))
    assert [live.label_line(audio, start, ("I", "P05"))
            for audio, start, _ in _lines(interview)] == [None] * len(interview.turns)
