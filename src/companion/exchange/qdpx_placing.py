"""Where an analysis tool's coding lands in companion's transcript text and on the
session's clock.

The tool's text is first brought to companion's form: leading byte order marks dropped
(QualCoder writes one before the text and, after importing companion's QualCoder variant,
keeps a second one inside it) and CRLF line ends counted once or twice, whichever the tool
does. The same text then takes the positions as they are. A text the analyst edited in
the tool is aligned with companion's line by line, and character by character inside the
lines that differ; a position maps through that alignment, and a coding is placed when
the passage it lands on still reads like the passage the analyst coded.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from companion.export.qdpx import WrittenMarks
from companion.session.document import SessionDocument

BOM = "\ufeff"
# A placed passage must read at least this much like the coded one (share of matching
# characters, whitespace aside): below it the text around the coding was rewritten.
PLACED_SIMILARITY = 0.6
# Lines that differ are aligned character by character up to this many characters each
# side; longer stretches word by word (difflib is quadratic in the worst case).
CHAR_ALIGN_LIMIT = 4000


def lf_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class PlacedSession:
    doc: SessionDocument
    marks: WrittenMarks

    @property
    def text(self) -> str:
        return self.marks.rendered.text

    def segments(self) -> list[tuple[int, int, int, int]]:
        """(text start, text end, start ms, end ms) of every segment, in text order."""
        spans = self.marks.rendered.spans
        out = []
        # Whole segments (a note cuts one into stretches; its span runs over all of them).
        for seg in self.doc.segments:
            if ("segment", seg.id) in spans:
                start, end = spans[("segment", seg.id)]
                out.append((start, end, seg.start_ms, seg.end_ms))
        return sorted(out)

    def segment_ids(self, start: int, end: int) -> tuple[int, ...]:
        """The segments whose words a passage [start, end) covers at least one character
        of (a stamp or a speaker label before a segment is not its words)."""
        spans = self.marks.rendered.spans
        return tuple(seg.id for seg in self.doc.segments
                     if ("segment", seg.id) in spans
                     and min(end, spans[("segment", seg.id)][1])
                     > max(start, spans[("segment", seg.id)][0]))

    def ms_at(self, position: int, *, is_end: bool) -> int | None:
        segments = self.segments()
        if not segments:
            return None
        for start, end, ms0, ms1 in segments:
            if start <= position <= end:
                if end == start:
                    return ms0
                return round(ms0 + (ms1 - ms0) * (position - start) / (end - start))
        if is_end:  # between segments: the end of the last one before
            before = [s for s in segments if s[1] <= position]
            return before[-1][3] if before else segments[0][2]
        after = [s for s in segments if s[0] >= position]
        return after[0][2] if after else segments[-1][3]


def crlf_map(raw: str) -> list[int]:
    """For each position in ``raw``, the position in its LF form (a CRLF counts as one)."""
    out = []
    lf = 0
    index = 0
    while index < len(raw):
        out.append(lf)
        if raw[index] == "\r" and raw[index + 1:index + 2] == "\n":
            out.append(lf)
            index += 2
        else:
            index += 1
        lf += 1
    out.append(lf)
    return out


def counts_line_end_once(origin: str | None) -> bool:
    """Tools known to count a CRLF in a plain text as one character (QualCoder's import
    says so of ATLAS.ti, and does so itself)."""
    name = (origin or "").upper()
    return "ATLAS" in name or "QUALCODER" in name


def leading_marks(text: str) -> int:
    """How many byte order marks open a text."""
    return len(text) - len(text.lstrip(BOM))


def normalised(text: str) -> str:
    """A tool's text in companion's form: no leading byte order marks, LF line ends."""
    return lf_text(text.lstrip(BOM))


def _flat(text: str) -> str:
    return " ".join(text.split())


def reads_like(coded: str, placed: str) -> bool:
    """Does the passage a coding landed on still read like the one the analyst coded?"""
    a, b = _flat(coded), _flat(placed)
    if not a or not b:
        return False
    if a == b:
        return True
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= PLACED_SIMILARITY


@dataclass(frozen=True)
class Stretch:
    """A stretch of the tool's text [a0, a1) and where it is in companion's [b0, b1):
    ``equal`` character for character, else rewritten (or only in one of them)."""

    a0: int
    a1: int
    b0: int
    b1: int
    equal: bool


def _word_stretches(a: str, b: str, a_base: int, b_base: int) -> list[Stretch]:
    tokens_a = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", a)]
    tokens_b = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", b)]
    matcher = SequenceMatcher(None, [t[0] for t in tokens_a], [t[0] for t in tokens_b],
                              autojunk=False)
    out = []
    a_at, b_at = 0, 0
    for i, j, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        start_a, start_b = tokens_a[i][1], tokens_b[j][1]
        end_a, end_b = tokens_a[i + size - 1][2], tokens_b[j + size - 1][2]
        if (start_a, start_b) != (a_at, b_at):
            out.append(Stretch(a_base + a_at, a_base + start_a, b_base + b_at,
                               b_base + start_b, False))
        # Between matched words the spacing may differ: equal only where it is.
        if a[start_a:end_a] == b[start_b:end_b]:
            out.append(Stretch(a_base + start_a, a_base + end_a, b_base + start_b,
                               b_base + end_b, True))
        else:
            out.append(Stretch(a_base + start_a, a_base + end_a, b_base + start_b,
                               b_base + end_b, False))
        a_at, b_at = end_a, end_b
    if (a_at, b_at) != (len(a), len(b)):
        out.append(Stretch(a_base + a_at, a_base + len(a), b_base + b_at, b_base + len(b),
                           False))
    return out


def _char_stretches(a: str, b: str, a_base: int, b_base: int) -> list[Stretch]:
    if len(a) > CHAR_ALIGN_LIMIT or len(b) > CHAR_ALIGN_LIMIT:
        return _word_stretches(a, b, a_base, b_base)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return [Stretch(a_base + i1, a_base + i2, b_base + j1, b_base + j2, tag == "equal")
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


def align(tool: str, ours: str) -> list[Stretch]:
    """The tool's text laid against companion's, in stretches covering both whole."""
    lines_a = tool.splitlines(keepends=True)
    lines_b = ours.splitlines(keepends=True)
    starts_a = [0]
    for line in lines_a:
        starts_a.append(starts_a[-1] + len(line))
    starts_b = [0]
    for line in lines_b:
        starts_b.append(starts_b[-1] + len(line))
    out: list[Stretch] = []
    matcher = SequenceMatcher(None, lines_a, lines_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a0, a1, b0, b1 = starts_a[i1], starts_a[i2], starts_b[j1], starts_b[j2]
        if tag == "equal":
            out.append(Stretch(a0, a1, b0, b1, True))
        elif a0 == a1 or b0 == b1:
            out.append(Stretch(a0, a1, b0, b1, False))
        else:
            out += _char_stretches(tool[a0:a1], ours[b0:b1], a0, b0)
    return [s for s in out if s.a1 > s.a0 or s.b1 > s.b0]


class Alignment:
    """Positions of an edited text mapped onto companion's through :func:`align`."""

    def __init__(self, tool: str, ours: str) -> None:
        self.stretches = [s for s in align(tool, ours) if s.a1 > s.a0]
        self.starts = [s.a0 for s in self.stretches]
        self.length = len(ours)

    def _stretch(self, position: int) -> Stretch | None:
        index = bisect.bisect_right(self.starts, position) - 1
        if index < 0:
            return None
        stretch = self.stretches[index]
        return stretch if position < stretch.a1 else None

    def start(self, position: int) -> int:
        """Where the character at ``position`` is in companion's text (a rewritten one: the
        start of what replaced it)."""
        stretch = self._stretch(position)
        if stretch is None:
            return self.length
        return stretch.b0 + (position - stretch.a0) if stretch.equal else stretch.b0

    def end(self, position: int) -> int:
        """Where a passage ending before ``position`` ends in companion's text."""
        if position <= 0:
            return 0
        stretch = self._stretch(position - 1)
        if stretch is None:
            return self.length
        return stretch.b0 + (position - stretch.a0) if stretch.equal else stretch.b1


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # "text": the same text; "edited": through the alignment of an edited text


class SourcePlacer:
    """Places the selections of one of the tool's texts in a session's transcript."""

    def __init__(self, session: PlacedSession, tool_text: str, origin: str | None) -> None:
        self.session = session
        self.raw = tool_text
        self.lead = leading_marks(tool_text)
        self.body = tool_text[self.lead:]
        self.same = lf_text(self.body) == session.text
        self.one_char_line_ends = counts_line_end_once(origin)
        self._alignment: Alignment | None = None

    def quote(self, start: int, end: int) -> str:
        """The passage the tool's selection [start, end) holds, in its own text."""
        start, end = max(0, start - self.lead), max(0, end - self.lead)
        if "\r\n" in self.body and self.one_char_line_ends:
            return lf_text(self.body)[start:end]
        return lf_text(self.body[start:end])

    def place(self, start: int, end: int, near_ms: int | None = None) -> Placement | None:
        if start < 0 or end < start:
            return None
        # Positions count the marks the text opens with; companion's text has none.
        start, end = max(0, start - self.lead), max(0, end - self.lead)
        ours = self.session.text
        if self.same:
            spot = self._same_text(start, end, near_ms)
            return Placement(*spot, "text") if spot is not None else None
        body = lf_text(self.body)
        if "\r\n" in self.body and not self.one_char_line_ends:
            mapping = crlf_map(self.body)
            if end >= len(mapping):
                return None
            start, end = mapping[start], mapping[end]
        if end > len(body):
            return None
        if self._alignment is None:
            self._alignment = Alignment(body, ours)
        s, e = self._alignment.start(start), self._alignment.end(end)
        if e < s:
            return None
        coded = body[start:end]
        if not reads_like(coded, ours[s:e]):
            return None
        return Placement(s, e, "edited")

    def _same_text(self, start: int, end: int, near_ms: int | None) -> tuple[int, int] | None:
        # A tool that saved the text with CRLF counts a line end as one character (ATLAS.ti,
        # QualCoder) or two (a text file read literally): with sync times, take the reading
        # that lands nearest to them; without, the tool's known way, else the literal one.
        ours = self.session.text
        candidates = []
        if "\r\n" in self.body and end < len(self.body) + 1:
            mapping = crlf_map(self.body)
            candidates.append((mapping[start], mapping[end]))
        if end <= len(ours):
            candidates.append((start, end))
        if not candidates:
            return None
        if near_ms is not None and len(candidates) > 1:
            return min(candidates, key=lambda c: abs(
                (self.session.ms_at(c[0], is_end=False) or 0) - near_ms))
        return candidates[-1] if self.one_char_line_ends else candidates[0]
