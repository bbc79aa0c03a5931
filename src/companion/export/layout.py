"""A session document as paragraphs: the common shape of the text exports.

:func:`layout` turns the timeline into paragraphs (speaker turns, phase headings, memos),
the shape of the text exports (txt, md, f4, docx), of the json export's timeline and of
the transcript inside the REFI-QDA project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.session.document import Entry, SessionDocument


@dataclass
class Paragraph:
    """A paragraph of a text export.

    ``kind``: ``turn`` (one speaker's consecutive segments, with the pauses, notes and
    prompts that fall inside it as ``parts``), ``phase``, ``interruption`` (the recording
    broke off: a turn never runs across one), ``memo`` (a note or prompt between turns)
    or ``pause`` (a silence at a change of speaker).
    """

    kind: str
    at_ms: int
    end_ms: int
    speaker: str | None = None
    parts: list[Entry] = field(default_factory=list)


def layout(doc: SessionDocument) -> list[Paragraph]:
    """The timeline as paragraphs: a new turn at each change of speaker or phase, and
    after every interruption of the recording."""
    paragraphs: list[Paragraph] = []
    turn: Paragraph | None = None
    pending_pause: Entry | None = None

    def flush_pause() -> None:
        nonlocal pending_pause
        if pending_pause is not None:
            paragraphs.append(Paragraph("pause", pending_pause.at_ms,
                                        pending_pause.end_ms or pending_pause.at_ms,
                                        parts=[pending_pause]))
            pending_pause = None

    for entry in doc.entries:
        if entry.kind == "segment":
            if turn is not None and turn.speaker == entry.speaker:
                if pending_pause is not None:
                    turn.parts.append(pending_pause)
                    pending_pause = None
                turn.parts.append(entry)
                turn.end_ms = max(turn.end_ms, entry.end_ms or entry.at_ms)
            else:
                flush_pause()
                turn = Paragraph("turn", entry.at_ms, entry.end_ms or entry.at_ms,
                                 entry.speaker, [entry])
                paragraphs.append(turn)
        elif entry.kind == "pause":
            if turn is None:
                paragraphs.append(Paragraph("pause", entry.at_ms, entry.end_ms or entry.at_ms,
                                            parts=[entry]))
            else:
                flush_pause()
                pending_pause = entry
        elif entry.kind in ("phase", "interruption"):
            flush_pause()
            turn = None
            paragraphs.append(Paragraph(entry.kind, entry.at_ms, entry.end_ms or entry.at_ms,
                                        parts=[entry]))
        else:  # note or prompt
            if turn is not None and pending_pause is None:
                turn.parts.append(entry)
            else:
                flush_pause()
                turn = None
                paragraphs.append(Paragraph("memo", entry.at_ms, entry.at_ms, parts=[entry]))
    flush_pause()
    return paragraphs


