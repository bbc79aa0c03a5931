"""``f4-rtf`` and ``f4-docx``: the f4 transcript in the files f4analyse and f5 import.

Every paragraph is a turn, phase, pause or memo ending in ``#hh:mm:ss-t#`` (time order).
The header (who, when, how it is written) and the notes without a session time stand
apart from the transcript: in the RTF's document comment, in the docx's first section
(before a section break), so that every paragraph of the transcript is one the tools read
as transcript.
"""

from __future__ import annotations

import io

from companion.export.text import f4_paragraphs
from companion.files import xml_text
from companion.session.document import SessionDocument, unanchored_notes


def _about(doc: SessionDocument) -> str:
    lines = list(doc.header_lines())
    lines += [f"{n.kind.capitalize()}: {n.text}" for n in unanchored_notes(doc)]
    return " ".join(lines)


def rtf_escape(text: str) -> str:
    """Text for an RTF body: control characters escaped, non-ASCII as ``\\uN?``."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\\{}":
            out.append("\\" + char)
        elif code < 128:
            out.append(char)
        elif code < 0x10000:
            out.append(f"\\u{code if code < 32768 else code - 65536}?")
        else:  # outside the BMP: a UTF-16 surrogate pair, each as \uN?
            code -= 0x10000
            for unit in (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)):
                out.append(f"\\u{unit - 65536}?")
    return "".join(out)


def to_f4_rtf(doc: SessionDocument) -> bytes:
    parts = ["{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1",
             "{\\fonttbl{\\f0\\fswiss Arial;}}",
             f"{{\\info{{\\title {rtf_escape(doc.title)}}}{{\\author companion}}"
             f"{{\\doccomm {rtf_escape(_about(doc))}}}}}",
             "\\f0\\fs22"]
    for paragraph in f4_paragraphs(doc):
        parts.append(f"\\pard {rtf_escape(paragraph)}\\par")
    parts.append("}")
    return ("\r\n".join(parts) + "\r\n").encode("ascii")


def to_f4_docx(doc: SessionDocument) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = doc.title
    document.core_properties.author = "companion"
    from docx.enum.section import WD_SECTION

    for line in [*doc.header_lines(),
                 *(f"[{n.kind.capitalize()}: {n.text}]" for n in unanchored_notes(doc))]:
        document.add_paragraph(xml_text(line))
    document.add_section(WD_SECTION.NEW_PAGE)
    for paragraph in f4_paragraphs(doc):
        document.add_paragraph(xml_text(paragraph))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
