"""Who spoke: names from the session, and channel attribution on 2-channel recordings.

Convention of the recorder: channel 1 (left) is the interviewer's microphone, channel 2
(right) the participant's. A word belongs to the channel that carries clearly more of its
energy (:mod:`companion.speakers.channels`); a segment whose words change channel is split
at the change, so a quick answer that Whisper joined to the question still gets its own
speaker. On a mono recording the speaker is unknown (None) until the voices are told apart
(:mod:`companion.speakers.session`) or set in review.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from companion.audio.decode import FRAME_MS
from companion.speakers.channels import leading_channel
from companion.transcribe.pauses import TimedWord

INTERVIEWER = "I"


def speaker_labels(participant_code: str) -> tuple[str, str]:
    """(interviewer, participant) names as transcripts write them: ``I`` and the code."""
    return INTERVIEWER, participant_code


def attribute_words(
    words: Sequence[TimedWord], channel_power: np.ndarray, labels: tuple[str, str],
    *, interviewer_channel: int = 0,
) -> list[str | None]:
    """The speaker of each word from per-channel frame energy (None: cannot tell)."""
    if channel_power.ndim != 2 or channel_power.shape[1] != 2:
        return [None] * len(words)
    order = (labels[0], labels[1]) if interviewer_channel == 0 else (labels[1], labels[0])
    frames = len(channel_power)
    out: list[str | None] = []
    for word in words:
        lo = min(word.start_ms // FRAME_MS, frames)
        hi = min(max(word.end_ms // FRAME_MS, lo + 1), frames)
        channel = leading_channel(channel_power[lo:hi].sum(axis=0))
        out.append(None if channel is None else order[channel])
    return _fill_unknown(out)


def _fill_unknown(speakers: list[str | None]) -> list[str | None]:
    """Undecided words (overlap, a breath) take the speaker of the word before them, or
    after them at the start; all-undecided stays None."""
    filled = list(speakers)
    last: str | None = None
    for i, who in enumerate(filled):
        if who is None:
            filled[i] = last
        else:
            last = who
    first = next((who for who in filled if who is not None), None)
    for i, who in enumerate(filled):
        if who is not None:
            break
        filled[i] = first
    return filled


def split_by_speaker(
    words: Sequence[TimedWord], speakers: Sequence[str | None]
) -> list[tuple[str | None, list[TimedWord]]]:
    """Consecutive runs of words with the same speaker."""
    runs: list[tuple[str | None, list[TimedWord]]] = []
    for word, who in zip(words, speakers, strict=True):
        if runs and runs[-1][0] == who:
            runs[-1][1].append(word)
        else:
            runs.append((who, [word]))
    return runs


def dominant(speakers: Sequence[str | None]) -> str | None:
    """The speaker of most words (None when no word has one)."""
    known = [s for s in speakers if s is not None]
    return max(set(known), key=known.count) if known else None
