"""Who said a live line: by channel on two channels, through the voice hook on mono; the
talk balance follows."""

from __future__ import annotations

import numpy as np

from companion.live.client import LiveLine, TalkBatch, TalkLog
from companion.live.speakers import label_line, set_mono_labeller
from companion.live.talk import Balance, balance
from tests.live.conftest import TURNS
from tests.support.speech import RATE, build_interview

LABELS = ("I", "P05")


def test_channels_name_the_speaker_and_mono_waits_for_a_voice_labeller() -> None:
    stereo, truth = build_interview(TURNS)
    for utterance in truth:
        part = stereo[utterance.start_ms * RATE // 1000:utterance.end_ms * RATE // 1000]
        expected = "I" if utterance.speaker == "I" else "P05"
        assert label_line(part, utterance.start_ms, LABELS) == expected
        assert label_line(part.mean(axis=1, keepdims=True), utterance.start_ms,
                          LABELS) is None  # mono, no labeller: unknown
    heard: list[tuple[int, tuple[str, str]]] = []

    def by_time(audio: np.ndarray, start_ms: int, labels: tuple[str, str]) -> str:
        heard.append((start_ms, labels))
        return labels[1] if start_ms >= 5000 else labels[0]

    set_mono_labeller(by_time)
    try:
        part = stereo[:RATE].mean(axis=1, keepdims=True)
        assert label_line(part, 6000, LABELS) == "P05"
        assert heard == [(6000, LABELS)]
    finally:
        set_mono_labeller(None)


def test_talk_balance_by_channel_time_or_by_labelled_lines_in_the_phase() -> None:
    talk = [TalkBatch(0, 1000, {"I": 900, "P05": 0}), TalkBatch(60_000, 61_000,
                                                                {"I": 250, "P05": 750})]
    found = balance(channels=2, labels=LABELS, since_ms=30_000, talk=talk, lines=[])
    assert found is not None and found.interviewer_share == 0.25  # this phase only
    # the transcriber keeps them as rows of numbers; the screen asks for the phase's rows
    log = TalkLog(LABELS)
    for batch in talk:
        log.append(batch)
    assert list(log) == talk
    phase = balance(channels=2, labels=LABELS, since_ms=30_000, talk=log.since(30_000),
                    lines=[])
    assert phase == found
    assert balance(channels=2, labels=LABELS, since_ms=0, talk=log.since(0),
                   lines=[]) == Balance(1150, 750)
    lines = [LiveLine(40_000, 43_000, "a question", "I", 44_000),
             LiveLine(44_000, 53_000, "a long answer", "P05", 54_000)]
    mono = balance(channels=1, labels=LABELS, since_ms=30_000, talk=[], lines=lines)
    assert mono is not None and mono.participant_share == 0.75
    unlabelled = [LiveLine(40_000, 43_000, "who said this?", None, 44_000)]
    assert balance(channels=1, labels=LABELS, since_ms=0, talk=[], lines=unlabelled) is None
