"""The "transcript with timestamps" text formats: txt, md and f4.

- ``txt``: ``[hh:mm:ss] P05: text`` at each speaker turn and ``[hh:mm:ss]`` before every
  further segment of a turn, pause marks, notes and prompts as bracketed memos at their
  place, each interruption of the recording on a line of its own; the form MAXQDA,
  ATLAS.ti and NVivo import as a transcript with timestamps, and QualCoder's A/V coder
  syncs every segment from its stamp. Lines end in CRLF (MAXQDA expects it; the others
  accept it).
- ``md``: the same content for reading, with the phases as headings.
- ``f4``: the f4/MAXQDA convention: every paragraph ends in ``#hh:mm:ss-t#`` (tenths of a
  second), the time at which the paragraph ends.

:func:`render_txt` also reports where each segment and memo sits in the text (code point
offsets, line endings included), which the REFI-QDA export uses for its selections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.export.layout import Paragraph, layout
from companion.notation import format_hms as hms
from companion.notation import timestamp
from companion.session.document import Entry, SessionDocument, memo_text, unanchored_notes

CRLF = "\r\n"
LF = "\n"


@dataclass
class TextBuilder:
    """Appends text and remembers the code-point span of what was appended under a key."""

    newline: str = CRLF
    chunks: list[str] = field(default_factory=list)
    length: int = 0
    spans: dict[tuple[str, int | None], tuple[int, int]] = field(default_factory=dict)

    def add(self, text: str, key: tuple[str, int | None] | None = None) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ")
        if key is not None:
            # A segment cut by a note is added in stretches: its span runs over all of them.
            start = self.spans[key][0] if key in self.spans else self.length
            self.spans[key] = (start, self.length + len(text))
        self.chunks.append(text)
        self.length += len(text)

    def line(self, text: str = "", key: tuple[str, int | None] | None = None) -> None:
        if text:
            self.add(text, key)
        self.chunks.append(self.newline)
        self.length += len(self.newline)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def _turn_body(doc: SessionDocument, para: Paragraph, out: TextBuilder,
               stamp_segments: bool = False) -> None:
    """The inside of a turn: segments, inline pause marks and memos, space separated.

    With ``stamp_segments`` every segment after the turn's first gets its own
    ``[hh:mm:ss]`` too: QualCoder syncs a transcript with its audio only from such stamps.
    """
    first_segment = True
    for index, part in enumerate(para.parts):
        if index:
            out.add(" ")
        if part.kind == "segment":
            # A segment's later stretches (cut by a note) are not a new segment: no stamp.
            if stamp_segments and not first_segment and part.part == 0:
                out.add(f"{timestamp(part.at_ms)} ")
            first_segment = False
            out.add(part.text, part.key)
        elif part.kind == "pause":
            out.add(part.text)
        else:
            out.add(memo_text(doc, part), part.key)


def interruption_line(entry: Entry) -> str:
    """An interruption as its own line of a transcript (after its time stamp)."""
    return f"=== Interruption: {entry.text} ==="


@dataclass(frozen=True)
class RenderedText:
    text: str
    spans: dict[tuple[str, int | None], tuple[int, int]]
    paragraph_spans: list[tuple[Paragraph, int, int]]


def render_txt(doc: SessionDocument, *, newline: str = CRLF, header: bool = True,
               stamp_segments: bool = False) -> RenderedText:
    out = TextBuilder(newline=newline)
    if header:
        for line in doc.header_lines():
            out.line(line)
        out.line()
    placed: list[tuple[Paragraph, int, int]] = []
    for para in layout(doc):
        start = out.length
        if para.kind == "turn":
            label = doc.speaker_label(para.speaker)
            out.add(f"{timestamp(para.at_ms)} " + (f"{label}: " if label else ""))
            _turn_body(doc, para, out, stamp_segments)
        elif para.kind == "phase":
            entry = para.parts[0]
            out.add(f"{timestamp(para.at_ms)} --- Phase: {entry.text} ---", entry.key)
        elif para.kind == "interruption":
            entry = para.parts[0]
            out.add(f"{timestamp(para.at_ms)} {interruption_line(entry)}", entry.key)
        elif para.kind == "pause":
            out.add(para.parts[0].text)
        else:
            entry = para.parts[0]
            out.add(memo_text(doc, entry), entry.key)
        placed.append((para, start, out.length))
        out.line()
        out.line()
    loose = unanchored_notes(doc)
    if loose:
        out.line("Notes without a session time:")
        for note in loose:
            label = note.kind.capitalize()
            codes = ("; codes: " + ", ".join(doc.code_label(c) for c in note.codes)
                     if note.codes else "")
            out.line(f"[{label}: {note.text}{codes}]", ("note", note.id))
    return RenderedText(out.text, out.spans, placed)


def to_txt(doc: SessionDocument) -> bytes:
    return render_txt(doc, stamp_segments=True).text.encode("utf-8")


# --- f4 ---------------------------------------------------------------------------------

def f4_time(ms: int) -> str:
    """``#hh:mm:ss-t#``: session time with tenths of a second (f4/MAXQDA)."""
    ms = max(0, int(ms))
    return f"#{hms(ms)}-{ms % 1000 // 100}#"


def f4_paragraphs(doc: SessionDocument) -> list[str]:
    """The transcript's paragraphs, each ending in its f4 stamp.

    A stamp is the time the paragraph ends; stamps never run backwards (f4 and MAXQDA read
    them as a clock), so a phase that starts inside a long turn is stamped at that turn's
    end.
    """
    out: list[str] = []
    clock = 0
    for para in layout(doc):
        piece = TextBuilder(newline=CRLF)
        if para.kind == "turn":
            label = doc.speaker_label(para.speaker)
            piece.add(f"{label}: " if label else "")
            _turn_body(doc, para, piece)
        elif para.kind == "phase":
            piece.add(f"--- Phase: {para.parts[0].text} ---")
        elif para.kind == "interruption":
            piece.add(interruption_line(para.parts[0]))
        elif para.kind == "pause":
            piece.add(para.parts[0].text)
        else:
            piece.add(memo_text(doc, para.parts[0]))
        end = para.end_ms if para.kind in ("turn", "pause") else para.at_ms
        clock = max(clock, end)
        out.append(f"{piece.text} {f4_time(clock)}")
    return out


def to_f4(doc: SessionDocument) -> bytes:
    out = TextBuilder(newline=CRLF)
    for line in doc.header_lines():
        out.line(line)
    out.line()
    for paragraph in f4_paragraphs(doc):
        out.line(paragraph)
        out.line()
    for note in unanchored_notes(doc):
        out.line(f"[{note.kind.capitalize()}: {note.text}]")
    return out.text.encode("utf-8")


# --- markdown ---------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*_`<>|"})


def md_escape(text: str) -> str:
    escaped = text.translate(_MD_SPECIAL)
    if escaped[:1] in ("#", "-", "+", ">") or escaped[:2].rstrip(".").isdigit():
        escaped = "\\" + escaped
    return escaped


def to_md(doc: SessionDocument) -> bytes:
    lines: list[str] = [f"# {md_escape(doc.title)}", ""]
    for line in doc.header_lines():
        lines.append(f"- {md_escape(line)}")
    lines.append("")
    for para in layout(doc):
        if para.kind == "phase":
            lines += [f"## {md_escape(para.parts[0].text)} {timestamp(para.at_ms)}", ""]
            continue
        if para.kind == "pause":
            lines += [md_escape(para.parts[0].text), ""]
            continue
        if para.kind == "interruption":
            text = md_escape(para.parts[0].text)
            lines += [f"**{timestamp(para.at_ms)} Interruption:** {text}", ""]
            continue
        if para.kind == "memo":
            lines += [f"*{md_escape(memo_text(doc, para.parts[0]))}*", ""]
            continue
        label = doc.speaker_label(para.speaker)
        pieces = []
        for part in para.parts:
            if part.kind == "segment" or part.kind == "pause":
                pieces.append(md_escape(part.text))
            else:
                pieces.append(f"*{md_escape(memo_text(doc, part))}*")
        head = f"**{timestamp(para.at_ms)} {md_escape(label)}:**" if label else (
            f"**{timestamp(para.at_ms)}**")
        lines += [f"{head} {' '.join(pieces)}", ""]
    loose = unanchored_notes(doc)
    if loose:
        lines += ["## Notes without a session time", ""]
        for note in loose:
            lines.append(f"- *{note.kind}*: {md_escape(note.text)}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")
