"""``docx``: the transcript with timestamps as a styled Word document (python-docx).

Same content and order as ``txt``: a paragraph per turn starting with ``[hh:mm:ss]`` and
the speaker label, pause marks, memos in italics at their place, phases as headings.
"""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt, RGBColor

from companion.export.document import SessionDocument, layout, memo_text, unanchored_notes
from companion.files import xml_text
from companion.notation import timestamp

GREY = RGBColor(0x60, 0x70, 0x78)
MEMO = RGBColor(0x1F, 0x5F, 0x8B)


def to_docx(doc: SessionDocument) -> bytes:
    document = Document()
    document.core_properties.title = doc.title
    document.core_properties.author = "companion"
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading(doc.title, level=1)
    for line in doc.header_lines():
        run = document.add_paragraph().add_run(xml_text(line))
        run.font.size = Pt(9)
        run.font.color.rgb = GREY
    for para in layout(doc):
        if para.kind == "phase":
            document.add_heading(xml_text(f"{timestamp(para.at_ms)} Phase: {para.parts[0].text}"),
                                 level=2)
            continue
        paragraph = document.add_paragraph()
        if para.kind == "pause":
            paragraph.add_run(xml_text(para.parts[0].text))
            continue
        if para.kind == "memo":
            run = paragraph.add_run(xml_text(memo_text(doc, para.parts[0])))
            run.italic = True
            run.font.color.rgb = MEMO
            continue
        stamp = paragraph.add_run(timestamp(para.at_ms) + " ")
        stamp.font.color.rgb = GREY
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
    loose = unanchored_notes(doc)
    if loose:
        document.add_heading("Notes without a session time", level=2)
        for note in loose:
            run = document.add_paragraph().add_run(
                xml_text(f"[{note.kind.capitalize()}: {note.text}]"))
            run.italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
