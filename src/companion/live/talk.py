"""Talk-time balance in the current phase: who has been speaking, interviewer or participant.

Two channels: the speaking time the live transcriber measures per channel. Mono: the
length of live lines by speaker label, when a voice labeller gives them; otherwise there is
no balance to show (None).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from companion.live.client import LiveLine, TalkBatch


@dataclass(frozen=True)
class Balance:
    interviewer_ms: int
    participant_ms: int

    @property
    def total_ms(self) -> int:
        return self.interviewer_ms + self.participant_ms

    @property
    def interviewer_share(self) -> float:
        return self.interviewer_ms / self.total_ms if self.total_ms else 0.0

    @property
    def participant_share(self) -> float:
        return self.participant_ms / self.total_ms if self.total_ms else 0.0


def balance(
    *, channels: int, labels: tuple[str, str], since_ms: int, talk: Iterable[TalkBatch],
    lines: Iterable[LiveLine],
) -> Balance | None:
    interviewer = participant = 0
    if channels == 2:
        for batch in talk:
            if batch.start_ms >= since_ms:
                interviewer += batch.ms.get(labels[0], 0)
                participant += batch.ms.get(labels[1], 0)
    else:
        for line in lines:
            if line.start_ms < since_ms or line.speaker is None:
                continue
            length = max(0, line.end_ms - line.start_ms)
            if line.speaker == labels[0]:
                interviewer += length
            elif line.speaker == labels[1]:
                participant += length
    if interviewer + participant == 0:
        return None
    return Balance(interviewer, participant)
