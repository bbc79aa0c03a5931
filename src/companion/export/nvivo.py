"""``nvivo``: timestamped rows, the transcript form NVivo imports from a text file.

One row per transcript segment: ``hh:mm:ss.s<TAB>speaker<TAB>text``. Phases, notes,
prompts and interruptions of the recording are rows of their own at their time, with
``Phase``, ``Note``, ``Bookmark``, ``Prompt`` or ``Interruption`` in the speaker column,
so the transcript keeps them at their place: one that falls inside a segment cuts it
between words (as the session timeline does for every export), and the segment goes on in
a row of its own. Rows are in time order; tabs and line breaks inside a text become
spaces.
"""

from __future__ import annotations

from companion.session.document import SessionDocument, memo_text

_LABELS = {"phase": "Phase", "prompt": "Prompt"}


def row_time(ms: int) -> str:
    """``hh:mm:ss.s``: session time with tenths of a second."""
    ms = max(0, int(ms))
    hours, minutes, seconds = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms % 1000 // 100}"


def _cell(text: str) -> str:
    return " ".join(text.split())


def nvivo_rows(doc: SessionDocument) -> list[tuple[int, str, str]]:
    """(time in ms, speaker column, text) for every row, in time order."""
    rows: list[tuple[int, str, str]] = []
    for entry in doc.entries:
        if entry.kind == "segment":
            rows.append((entry.at_ms, doc.speaker_label(entry.speaker), entry.text))
        elif entry.kind == "phase":
            rows.append((entry.at_ms, "Phase", entry.text))
        elif entry.kind == "note":
            rows.append((entry.at_ms, (entry.sub or "note").capitalize(),
                         memo_text(doc, entry)))
        elif entry.kind == "prompt":
            rows.append((entry.at_ms, "Prompt", memo_text(doc, entry)))
        elif entry.kind == "interruption":
            rows.append((entry.at_ms, "Interruption", entry.text))
    return rows


def to_nvivo_rows(doc: SessionDocument) -> bytes:
    lines = [f"{row_time(at)}\t{_cell(speaker)}\t{_cell(text)}"
             for at, speaker, text in nvivo_rows(doc)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
