"""Segments are turns and sentences, whatever Whisper returned.

Whisper's segments follow its 30-s windows and its own timestamp tokens: with a prompt or
hotwords they can grow to a whole window, mixing both speakers of a mono recording and
putting a note half a minute away from the words it belongs to. So the words of a chunk
are cut again, on their (energy-checked) times: at every pause of ``pause_ms`` or more,
after every sentence end, and anything still longer than ``max_ms`` at its widest gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from companion.transcribe.pauses import TimedWord

TURN_PAUSE_MS = 800
"""A silence this long between two words starts a new segment (a protocol may change it)."""

MAX_SEGMENT_MS = 15_000
"""No segment is longer than this."""

SENTENCE_ENDS = (".", "?", "!", "…")
ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "etc.", "e.g.",
                           "i.e.", "approx."})
"""Titles and the like, whose full stop ends no sentence."""


def ends_sentence(word: TimedWord) -> bool:
    text = word.word.strip().rstrip("\"')»”’")
    if text.lower() in ABBREVIATIONS or text.endswith(".."):
        return False
    return text.endswith(SENTENCE_ENDS)


def split_words(words: Sequence[TimedWord], *, pause_ms: int = TURN_PAUSE_MS,
                max_ms: int = MAX_SEGMENT_MS) -> list[list[TimedWord]]:
    """``words`` (in time order) in segments: cut at pauses and sentence ends, then any
    segment over ``max_ms`` at its widest gap between words until none is."""
    groups: list[list[TimedWord]] = []
    for word in words:
        if not groups or (word.start_ms - groups[-1][-1].end_ms >= pause_ms
                          or ends_sentence(groups[-1][-1])):
            groups.append([word])
        else:
            groups[-1].append(word)
    out: list[list[TimedWord]] = []
    for group in groups:
        out += _cap(group, max_ms)
    return out


def _cap(group: list[TimedWord], max_ms: int) -> list[list[TimedWord]]:
    if len(group) < 2 or group[-1].end_ms - group[0].start_ms <= max_ms:
        return [group]

    def weight(index: int) -> tuple[bool, int, int]:
        # after a comma first, then the widest gap, then the most even halves
        gap = group[index].start_ms - group[index - 1].end_ms
        comma = group[index - 1].word.strip().endswith((",", ";", ":"))
        middle = (group[0].start_ms + group[-1].end_ms) / 2
        return comma, gap, -abs(round(group[index].start_ms - middle))

    best = max(range(1, len(group)), key=weight)
    return _cap(group[:best], max_ms) + _cap(group[best:], max_ms)
