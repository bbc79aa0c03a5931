"""Which of two separated voices is the interviewer, from the interview itself.

No one signal decides: each gives a vote between -1 and 1 (positive: side 0 is the
interviewer) with a weight for how much it has to go on, and the weighted votes are added.

- **Protocol words**: the interviewer reads the protocol's prompts, their follow-ups and
  the suggested questions; the side whose words hold more of their word triples is the one
  reading them.
- **Marks**: when the interviewer marks a prompt or suggestion asked, that voice is the
  one speaking at that moment or starting right after it (its first few words).
- **Questions**: the interviewer's turns end in question marks more often.
- **First words**: the interviewer usually opens the interview (a small weight).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WEIGHTS = {"protocol": 3.0, "marks": 2.0, "questions": 1.0, "first": 0.5}
MARK_BEFORE_MS, MARK_AFTER_MS = 0, 6000
MARK_WORDS = 3


@dataclass(frozen=True)
class SpokenWord:
    text: str
    start_ms: int
    side: int  # 0 or 1


@dataclass(frozen=True)
class Naming:
    interviewer_side: int
    certainty: float  # 0..1
    votes: dict[str, float]  # signal -> vote (positive: side 0), for the audit trail


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def triples(said: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(said[i:i + 3]) for i in range(len(said) - 2)}


def protocol_triples(protocol_texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every word triple of the protocol's texts: what reading it out would say."""
    wanted: set[tuple[str, ...]] = set()
    for text in protocol_texts:
        wanted |= triples(tokens(text))
    return wanted


def _vote(a: float, b: float) -> float:
    return (a - b) / (a + b) if a + b > 0 else 0.0


def name_sides(words: Sequence[SpokenWord], protocol_texts: Iterable[str],
               marks_ms: Sequence[int]) -> Naming:
    """The interviewer's side (0 or 1) and how certain the signals together are."""
    votes: dict[str, float] = {}
    weights: dict[str, float] = {}
    if not words:
        return Naming(0, 0.0, {})
    wanted = protocol_triples(protocol_texts)
    if wanted:
        found = []
        for side in (0, 1):
            said = [t for w in words if w.side == side for t in tokens(w.text)]
            found.append(len(triples(said) & wanted))
        if sum(found):
            votes["protocol"] = _vote(*found)
            weights["protocol"] = WEIGHTS["protocol"] * min(1.0, sum(found) / 8)
    if marks_ms:
        near = [0.0, 0.0]
        for at in marks_ms:
            after = [w for w in words if at - MARK_BEFORE_MS <= w.start_ms <= at + MARK_AFTER_MS]
            for w in after[:MARK_WORDS]:
                near[w.side] += 1
        if sum(near):
            votes["marks"] = _vote(*near)
            weights["marks"] = WEIGHTS["marks"] * min(1.0, len(marks_ms) / 3)
    asked = [0, 0]
    for w in words:
        if w.text.strip().endswith("?"):
            asked[w.side] += 1
    if sum(asked):
        votes["questions"] = _vote(*asked)
        weights["questions"] = WEIGHTS["questions"] * min(1.0, sum(asked) / 4)
    votes["first"] = 1.0 if words[0].side == 0 else -1.0
    weights["first"] = WEIGHTS["first"]
    total = sum(votes[k] * weights[k] for k in votes)
    side = 0 if total >= 0 else 1
    # certain when strong signals agree; who spoke first alone never makes it certain
    certainty = min(1.0, abs(total) / 2.0) * (1.0 if len(votes) > 1 else 0.5)
    return Naming(side, round(certainty, 3), {k: round(v, 3) for k, v in votes.items()})
