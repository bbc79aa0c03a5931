"""What a detector finds: a stretch of text that may identify someone, and its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("person", "place", "institution", "date", "age", "phone", "email", "postcode", "id")
"""Every kind of finding; ``detail`` refines a kind (a hospital, a clinic, an employer, a
street, the profession named before a person)."""

# When two findings overlap, the one of the higher rank stays (then the longer one).
RANK = {"email": 9, "id": 8, "phone": 7, "date": 7, "postcode": 6, "age": 5,
        "institution": 4, "person": 3, "place": 3}


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    text: str
    kind: str
    detail: str | None = None
    by: str = "rules"
    """Which detector: deduce, english, rules, or the study's list of local names."""

    def overlaps(self, other: Found) -> bool:
        return self.start < other.end and other.start < self.end


def found(text: str, start: int, end: int, kind: str, detail: str | None = None,
          by: str = "rules") -> Found:
    """A finding of ``text[start:end]``, trimmed of spaces and punctuation at its ends."""
    while start < end and not (text[start].isalnum() or text[start] in "+("):
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] == ")"):
        end -= 1
    return Found(start, end, text[start:end], kind, detail, by)


def name_key(text: str) -> str:
    """How a name is compared across sessions: case and spacing ignored."""
    return " ".join(re.sub(r"[^\w@.+\-' ]", " ", text.casefold()).split())


# Little words at the edge of a stretch cut from a longer one ("Visser van het").
EDGE_WORDS = frozenset(["van", "het", "de", "der", "den", "in", "op", "bij", "of", "the",
                        "at", "and", "en", "from", "uit", "te"])


def resolve(findings: list[Found]) -> list[Found]:
    """Overlapping findings become one: the study's own list first, then the higher rank,
    then the longer stretch. What a weaker finding holds beyond a stronger one stays, cut
    at the stronger one's edge ("Visser" of "Visser van het Roessingh" when the study's
    list names the Roessingh). The result is in text order."""
    def strength(f: Found) -> tuple[int, int, int]:
        return (f.by == "study list", RANK.get(f.kind, 0), f.end - f.start)

    kept: list[Found] = []
    for candidate in sorted(findings, key=strength, reverse=True):
        rest = _outside(candidate, kept)
        if rest is not None:
            kept.append(rest)
    return sorted(kept, key=lambda f: f.start)


def _outside(f: Found, kept: list[Found]) -> Found | None:
    """The longest part of ``f`` that no kept finding covers, without edge words."""
    start, end = f.start, f.end
    for k in kept:
        if not (start < k.end and k.start < end):
            continue
        if k.start <= start and k.end >= end:
            return None
        if k.start - start >= end - k.end:
            end = k.start
        else:
            start = k.end
    if (start, end) == (f.start, f.end):
        return f if f.end > f.start else None
    words = f.text[start - f.start:end - f.start].split()
    while words and words[0].casefold() in EDGE_WORDS:
        words.pop(0)
    while words and words[-1].casefold().strip(",.") in EDGE_WORDS:
        words.pop()
    if not words or len("".join(words)) < 2:
        return None
    piece = " ".join(words)
    offset = f.text.find(piece, start - f.start)
    if offset < 0:
        return None
    return Found(f.start + offset, f.start + offset + len(piece), piece, f.kind, f.detail,
                 f.by)
