"""``docx``: the transcript with timestamps as a Word document (python-docx).

Same content and order as ``txt``, written so that NVivo imports it as a timestamped
transcript: every paragraph of the body starts with ``[hh:mm:ss]`` (turns with the speaker
label, phases as headings, memos in italics, pauses, interruptions of the recording in
bold). What is not transcript (the title,
who and when, how it is written, notes without a session time) stands in a separate first
section, before a section break, and the title in the document's properties.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.shared import Pt, RGBColor

from companion.export.layout import layout
from companion.export.text import interruption_line
from companion.files import xml_text
from companion.notation import timestamp
from companion.session.document import SessionDocument, memo_text, unanchored_notes

GREY = RGBColor(0x60, 0x70, 0x78)
MEMO = RGBColor(0x1F, 0x5F, 0x8B)
ALERT = RGBColor(0xA0, 0x30, 0x20)


def about(doc: SessionDocument) -> str:
    """The header lines and the notes without a session time, as one text."""
    lines = list(doc.header_lines())
    lines += [f"[{n.kind.capitalize()}: {n.text}]" for n in unanchored_notes(doc)]
    return "\n".join(lines)


def to_docx(doc: SessionDocument) -> bytes:
    document = Document()
    props = document.core_properties
    props.title = doc.title
    props.author = "companion"
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading(doc.title, level=1)
    for line in about(doc).split("\n"):
        run = document.add_paragraph().add_run(xml_text(line))
        run.font.size = Pt(9)
        run.font.color.rgb = GREY
    document.add_section(WD_SECTION.NEW_PAGE)
    for para in layout(doc):
        if para.kind == "phase":
            document.add_heading(xml_text(f"{timestamp(para.at_ms)} Phase: {para.parts[0].text}"),
                                 level=2)
            continue
        paragraph = document.add_paragraph()
        stamp = paragraph.add_run(timestamp(para.at_ms) + " ")
        stamp.font.color.rgb = GREY
        if para.kind == "pause":
            paragraph.add_run(xml_text(para.parts[0].text))
            continue
        if para.kind == "interruption":
            run = paragraph.add_run(xml_text(interruption_line(para.parts[0])))
            run.bold = True
            run.font.color.rgb = ALERT
            continue
        if para.kind == "memo":
            run = paragraph.add_run(xml_text(memo_text(doc, para.parts[0])))
            run.italic = True
            run.font.color.rgb = MEMO
            continue
        label = doc.speaker_label(para.speaker)
        if label:
            paragraph.add_run(xml_text(f"{label}: ")).bold = True
        for index, part in enumerate(para.parts):
            text = (" " if index else "") + (
                part.text if part.kind in ("segment", "pause") else memo_text(doc, part))
            run = paragraph.add_run(xml_text(text))
            if part.kind in ("note", "prompt"):
                run.italic = True
                run.font.color.rgb = MEMO
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
