"""Whose words a live line holds, so the room never shows the interviewer's as the
participant's.

A line carries its speaker when the recording can tell (two channels, or one microphone
and an enrolled interviewer voice). Without one, a line that reads out what the
interviewer has in front of them (a prompt of the protocol, a follow-up, a suggested
question, a card's own text) is the interviewer's: the interviewer reading "...and your
psychologist..." from a card must not raise the psychologist's card, nor become a quote
of the participant. Any other line without a speaker stays unknown, and says so.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Whose = Literal["interviewer", "participant", "unknown"]

RUN = 4
"""Words in a row that a line must share with a text to be that text read out."""

SHARE = 0.7
"""Or the share of a line's content words (three or more) that are words of one text."""

CONTENT = 4
"""Letters a content word has at least: short words ("the", "to", "me", "de", "het")
are in every text and say nothing about which one was read."""

_WORD = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    return [w.strip("'") for w in _WORD.findall(text.lower()) if w.strip("'")]


def template_words(template: str) -> str:
    """A card's template without its placeholders ("You mentioned {heard}." -> the rest)."""
    return " ".join(literal for literal, _, _, _ in string.Formatter().parse(template))


@dataclass
class InterviewerScript:
    """What the interviewer reads from the screen during this interview."""

    runs: set[tuple[str, ...]]
    texts: list[frozenset[str]]
    """The content words of each text (a share is counted against one text, never all
    of them: together they hold most everyday words)."""

    @classmethod
    def of(cls, texts: Iterable[str]) -> InterviewerScript:
        script = cls(set(), [])
        script.add(texts)
        return script

    def add(self, texts: Iterable[str]) -> None:
        known = set(self.texts)
        for text in texts:
            words = _words(text)
            content = frozenset(w for w in words if len(w) >= CONTENT)
            self.runs.update(tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1))
            if content and content not in known:
                known.add(content)
                self.texts.append(content)

    def reads(self, said: str) -> bool:
        """Whether ``said`` is (a piece of) one of the texts, as heard."""
        words = _words(said)
        if any(tuple(words[i:i + RUN]) in self.runs for i in range(len(words) - RUN + 1)):
            return True
        content = [w for w in words if len(w) >= CONTENT]
        if len(content) < 3:
            return False
        return any(sum(w in text for w in content) / len(content) >= SHARE
                   for text in self.texts)


def whose(speaker: str | None, text: str, labels: Sequence[str],
          script: InterviewerScript) -> Whose:
    """Whose words a line holds: its speaker when known (``labels``: the interviewer's,
    then the participant's), else the interviewer's when it reads out the script."""
    if speaker is not None and speaker == labels[0]:
        return "interviewer"
    if speaker is not None:
        return "participant"
    return "interviewer" if script.reads(text) else "unknown"


def source(who: Whose, participant: str, text: str, limit: int = 90) -> str:
    """Which line raised a card and whose it is: ``P05: “…”`` or ``speaker unknown: “…”``."""
    said = " ".join(text.split())
    if len(said) > limit:
        said = said[:limit - 1].rstrip() + "…"
    name = participant if who == "participant" else "speaker unknown"
    return f"{name}: “{said}”"
