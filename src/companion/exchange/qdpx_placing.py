"""Where an analysis tool's coding lands in companion's transcript text and on the session's
clock: the same text (CRLF counted once or twice) or a changed one (the quoted passage
looked up nearest to where it should be)."""

from __future__ import annotations

from dataclasses import dataclass

from companion.export.qdpx import WrittenMarks
from companion.session.document import SessionDocument


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

    def position_at(self, ms: int) -> int:
        for start, end, ms0, ms1 in self.segments():
            if ms0 <= ms <= ms1:
                if ms1 == ms0:
                    return start
                return start + round((end - start) * (ms - ms0) / (ms1 - ms0))
        return 0


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


def place_selection(session: PlacedSession, tool_text: str, start: int, end: int,
           near_ms: int | None, one_char_line_ends: bool = False) -> tuple[int, int] | None:
    """Companion text positions for a selection [start, end) in the tool's text."""
    ours = session.text
    if start < 0 or end < start:
        return None
    if lf_text(tool_text) == ours:
        # The same text. A tool that saved it with CRLF counts a line end as one character
        # (ATLAS.ti, QualCoder) or two (a text file read literally): with sync times, take
        # the reading that lands nearest to them; without, the tool's known way, else the
        # literal one.
        candidates = []
        if "\r\n" in tool_text and end < len(tool_text) + 1:
            mapping = crlf_map(tool_text)
            candidates.append((mapping[start], mapping[end]))
        if end <= len(ours):
            candidates.append((start, end))
        if not candidates:
            return None
        if near_ms is not None and len(candidates) > 1:
            return min(candidates, key=lambda c: abs(
                (session.ms_at(c[0], is_end=False) or 0) - near_ms))
        return candidates[-1] if one_char_line_ends else candidates[0]
    # A changed text: find the quoted passage in ours, nearest to where it should be.
    quote = " ".join(lf_text(tool_text[start:end]).split())
    if not quote:
        return None
    flat_index = []  # ours with runs of whitespace as one space, mapped back
    flat = []
    previous_space = False
    for index, char in enumerate(ours):
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            flat.append(" ")
        else:
            previous_space = False
            flat.append(char)
        flat_index.append(index)
    flat_text = "".join(flat)
    expected = (session.position_at(near_ms) if near_ms is not None
                else round(len(ours) * start / max(1, len(tool_text))))
    best: tuple[int, int] | None = None
    found = flat_text.find(quote)
    while found != -1:
        s = flat_index[found]
        e = flat_index[found + len(quote) - 1] + 1
        if best is None or abs(s - expected) < abs(best[0] - expected):
            best = (s, e)
        found = flat_text.find(quote, found + 1)
    return best

