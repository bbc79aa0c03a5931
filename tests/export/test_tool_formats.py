"""Each format for the tool it is for, read back by that tool's reader or an independent one:
f4 as RTF and docx, NVivo's timestamped rows, the stamped docx, Taguette's vtt and
codebook CSV, and the REFI-QDA codebook against Codebook.xsd."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
import subtitle_parser
import webvtt
import xmlschema
from striprtf.striprtf import rtf_to_text

from companion.store import events
from tests.support.exports import export_paths
from tests.support.interview import REPLACEMENTS, SCRIPT, make_interview, write_replacements

CODEBOOK_XSD = Path(__file__).resolve().parent.parent / "data" / "Codebook.xsd"
F4_STAMP = re.compile(r" #(\d\d):(\d\d):(\d\d)-(\d)#$")


@pytest.fixture
def made(study, db):
    write_replacements(study)
    made = make_interview(study, db)
    # A phase that starts inside a segment (12.0-18.0 s): its stamp must not run backwards.
    events.add_phase_event(db, made.session_id, "deepening", 15000)
    return made


def _export(study, db, made, fmt: str, tmp_path: Path, ext: str) -> Path:
    [path] = export_paths(study, session=made.session_id, fmt=fmt,
                          output=tmp_path / f"out{ext}")
    return path


def _no_leak(text: str) -> None:
    for name in [*REPLACEMENTS, "Anna", "Utrecht"]:
        assert name.lower() not in text.lower()


def _f4_times(paragraphs: list[str]) -> list[float]:
    times = []
    for paragraph in paragraphs:
        match = F4_STAMP.search(paragraph)
        assert match, paragraph
        h, m, s, t = (int(g) for g in match.groups())
        times.append(h * 3600 + m * 60 + s + t / 10)
    return times


def _check_f4_body(paragraphs: list[str]) -> None:
    times = _f4_times(paragraphs)
    assert times == sorted(times)  # f4 reads the stamps as a clock
    assert "I: Could you tell me about your pain history? #00:00:04-0#" in paragraphs
    # The phase starting at 15 s, inside a segment (12.0-18.0 s), cuts it between words:
    # the first part ends before 15 s, the rest follows the phase and ends at 18 s.
    phase = paragraphs.index("--- Phase: Deepening --- #00:00:15-0#")
    assert paragraphs[phase - 1].startswith("P05: It started in (..) [Place] years ago")
    assert paragraphs[phase - 1].endswith("physiotherapist said #00:00:14-9#")
    assert paragraphs[phase + 1].startswith("P05: ")
    assert paragraphs[phase + 1].endswith("nothing serious. #00:00:18-0#")


def test_f4_rtf_reads_back_as_stamped_paragraphs_in_time_order(study, db, made, tmp_path):
    raw = _export(study, db, made, "f4-rtf", tmp_path, ".rtf").read_bytes()
    assert raw.startswith(b"{\\rtf1") and raw.isascii()
    text = rtf_to_text(raw.decode("ascii"))
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    # Every paragraph of the body is transcript: the header sits in the document's info.
    _check_f4_body(paragraphs)
    assert b"\\doccomm" in raw and b"Rapport was good" in raw
    _no_leak(text + raw.decode("ascii"))


def test_f4_rtf_keeps_non_ascii_letters(study, db, tmp_path):
    from companion.export.f4 import rtf_escape

    text = "Zoë {x} \\ – Łódź"
    assert rtf_to_text("{\\rtf1\\ansi\\uc1 " + rtf_escape(text) + "}") == text


def test_f4_docx_has_a_header_section_then_stamped_paragraphs(study, db, made, tmp_path):
    document = docx.Document(str(_export(study, db, made, "f4-docx", tmp_path, ".docx")))
    assert len(document.sections) == 2
    header, body = _split_at_section_break(document)
    assert header[0].startswith("Session 1, participant P05")
    _check_f4_body(body)
    _no_leak("\n".join(header + body))


def _split_at_section_break(document) -> tuple[list[str], list[str]]:
    """The paragraphs of the first section and those after it."""
    texts = [p.text for p in document.paragraphs]
    for index, paragraph in enumerate(document.paragraphs):
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.sectPr is not None:
            return texts[:index + 1], [t for t in texts[index + 1:] if t]
    raise AssertionError("no section break")


def test_docx_paragraphs_after_the_header_section_all_start_with_a_stamp(
        study, db, made, tmp_path):
    document = docx.Document(str(_export(study, db, made, "docx", tmp_path, ".docx")))
    header, body = _split_at_section_break(document)
    assert header[0] == "Session 1, participant P05"
    assert any("Rapport was good" in line for line in header)
    assert body and all(re.match(r"^\[\d\d:\d\d:\d\d\] ", t) for t in body), body
    assert any(t.startswith("[00:00:05] P05: It started in") for t in body)
    assert "[00:00:15] Phase: Deepening" in body
    assert document.core_properties.title == "Session 1, participant P05"


def test_nvivo_rows_are_tab_separated_in_time_order(study, db, made, tmp_path):
    raw = _export(study, db, made, "nvivo", tmp_path, ".txt").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw), delimiter="\t"))
    assert all(len(row) == 3 for row in rows)
    times = []
    for stamp, _, _ in rows:
        match = re.fullmatch(r"(\d\d):(\d\d):(\d\d)\.(\d)", stamp)
        assert match, stamp
        h, m, s, t = (int(g) for g in match.groups())
        times.append(h * 3600_000 + m * 60_000 + s * 1000 + t * 100)
    assert times == sorted(times)
    spoken = [(t, speaker, text) for t, (_, speaker, text) in zip(times, rows, strict=True)
              if speaker in ("I", "P05")]
    # A row at every segment's start; a segment cut by a note or a phase mark goes on in a
    # row of its own after it (the note stays between the words it was taken at).
    assert {(start, "I" if who == "I" else "P05") for start, _, who, _, _ in SCRIPT} <= {
        (t, sp) for t, sp, _ in spoken}
    assert spoken[1][2] == "It started in (..) [Place] years ago with my back."
    assert next(r[:2] for r in rows if r[1] == "Note") == ["00:00:13.5", "Note"]
    note = next(i for i, r in enumerate(rows) if r[1] == "Note")
    assert rows[note - 1][1:] == ["P05", "[Name] my"]
    assert rows[note + 1][1:] == ["P05", "physiotherapist said"]
    assert ["00:00:15.0", "Phase", "Deepening"] in rows
    _no_leak(raw)


def test_vtt_has_numeric_cue_ids_and_one_line_notes_taguette_reads(study, db, made,
                                                                  tmp_path):
    path = _export(study, db, made, "vtt", tmp_path, ".vtt")
    text = path.read_text("utf-8")
    # Taguette's reader (subtitle-parser) rejects a bare NOTE line and a non-numeric id.
    parser = subtitle_parser.WebVttParser(io.StringIO(text))
    parser.parse()
    assert [s.number for s in parser.subtitles] == list(range(1, len(SCRIPT) + 1))
    assert not parser.warnings
    assert parser.subtitles[1].start == 5500
    captions = webvtt.read(str(path)).captions
    assert [c.identifier for c in captions] == [str(i) for i in range(1, len(SCRIPT) + 1)]
    notes = [line for line in text.splitlines() if line.startswith("NOTE")]
    assert notes and all(line.startswith("NOTE ") for line in notes)
    assert "NOTE [Note at 00:00:13: Mentions [Name]; looks away; codes: C1 Avoidance in " \
        "the alliance]" in notes


def test_vtt_for_taguette_has_speakers_and_notes_in_the_cue_text(study, db, made,
                                                                  tmp_path, run):
    result = run("export", str(made.session_id), "--format", "vtt", "--for", "taguette",
                 "-o", str(tmp_path / "t.vtt"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "t.vtt").read_text("utf-8")
    assert "<v " not in text
    parser = subtitle_parser.WebVttParser(io.StringIO(text))
    parser.parse()
    assert not parser.warnings
    html = io.StringIO()
    subtitle_parser.render_html(parser.subtitles, html)  # what Taguette shows
    shown = html.getvalue()
    assert "P05: It started in (..) [Place] years ago with my back." in shown
    assert "I: Could you tell me about your pain history?" in shown
    # Field notes, bookmarks and prompts are cues of their own at their moment.
    note = next(s for s in parser.subtitles if s.text.startswith("[Note at 00:00:13"))
    assert note.start == 13500 and "Mentions [Name]; looks away" in note.text
    assert any(s.text == "[Bookmark at 00:00:30]" and s.start == 30000
               for s in parser.subtitles)
    assert [s.number for s in parser.subtitles] == list(range(1, len(parser.subtitles) + 1))
    starts = [s.start for s in parser.subtitles]
    assert starts == sorted(starts)
    assert len(parser.subtitles) == len(SCRIPT) + 5  # 3 notes, 2 prompts
    bad = run("export", str(made.session_id), "--format", "txt", "--for", "taguette")
    assert bad.exit_code == 2 and "--for" in bad.output and "vtt (taguette)" in bad.output
    wrong = run("export", str(made.session_id), "--format", "vtt", "--for", "qualcoder")
    assert wrong.exit_code == 2 and "with --format vtt: taguette" in wrong.output


def test_qdc_codebook_is_valid_and_shares_the_project_guids(study, db, made, tmp_path):
    raw = _export(study, db, made, "qdc", tmp_path, ".qdc").read_bytes()
    xmlschema.XMLSchema(str(CODEBOOK_XSD)).validate(raw.decode("utf-8"))
    root = ET.fromstring(raw)
    ns = "{urn:QDA-XML:codebook:1.0}"
    codes = {c.get("name"): c for c in root.iter(f"{ns}Code")}
    assert codes["C1 Avoidance in the alliance"].get("isCodable") == "true"
    assert codes["Interview phase"].get("isCodable") == "false"
    assert "Note" in codes and "Phase: Deepening" in codes
    [project] = export_paths(study, session=made.session_id, fmt="qdpx",
                             output=tmp_path / "p.qdpx")
    import zipfile

    with zipfile.ZipFile(project) as archive:
        qde = ET.fromstring(archive.read("project.qde"))
    project_codes = {c.get("name"): c.get("guid")
                     for c in qde.iter("{urn:QDA-XML:project:1.0}Code")}
    for name, code in codes.items():
        assert project_codes[name] == code.get("guid")


def test_taguette_codebook_csv_has_tag_and_description(study, db, made, tmp_path):
    raw = _export(study, db, made, "codebook-csv", tmp_path, ".csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0]) == ["tag", "description"]
    tags = {r["tag"]: r["description"] for r in rows}
    assert tags["C1 Avoidance in the alliance"]
    assert "Phase: Deepening" in tags and "Note" in tags
    assert all(tag.strip() for tag in tags)
