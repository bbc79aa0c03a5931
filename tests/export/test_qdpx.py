"""The REFI-QDA project: valid against Project.xsd, paths resolve, times and places match."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xmlschema

from companion.notation import format_hms as hms
from companion.store import recordings
from tests.support.exports import export_paths
from tests.support.interview import RATE, SCRIPT, make_interview, write_replacements

SCHEMA = Path(__file__).resolve().parent.parent / "data" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def _open(path: Path, schema: xmlschema.XMLSchema) -> tuple[ET.Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        files = {n: archive.read(n) for n in names}
    assert "project.qde" in names
    others = [n for n in names if n != "project.qde"]
    assert others and all(n.startswith("sources/") and n.count("/") == 1 for n in others)
    xml = files["project.qde"]
    assert not xml.startswith(b"\xef\xbb\xbf")
    schema.validate(xml.decode("utf-8"))
    root = ET.fromstring(xml)
    for element in root.iter():
        for attr in ("path", "plainTextPath", "richTextPath"):
            value = element.get(attr)
            if value:
                assert value.startswith("internal://")
                assert f"sources/{value.removeprefix('internal://')}" in files, value
    return root, files


def _internal(files: dict[str, bytes], element: ET.Element, attr: str) -> bytes:
    return files["sources/" + element.get(attr, "").removeprefix("internal://")]


@pytest.fixture
def project(study, db, tmp_path, schema):
    write_replacements(study)
    made = make_interview(study, db)
    [path] = export_paths(study, session=made.session_id, fmt="qdpx",
                          output=tmp_path / "p.qdpx")
    root, files = _open(path, schema)
    return made, root, files


def test_qdpx_validates_and_every_internal_path_resolves(project):
    _, root, files = project
    assert root.tag == "{urn:QDA-XML:project:1.0}Project"
    assert len(root.findall("q:Sources/q:AudioSource", NS)) == 1
    # One coded copy of the text: the recording's transcript; no plain text unless asked.
    assert root.findall("q:Sources/q:TextSource", NS) == []
    text = b"".join(v for k, v in files.items() if k.endswith(".txt")).decode("utf-8")
    xml = files["project.qde"].decode("utf-8")
    for leak in ("Anna", "Utrecht"):
        assert leak not in text and leak not in xml


def test_every_element_that_takes_a_creation_time_has_one(project):
    _, root, _ = project
    takes = {"TextSource", "PlainTextSelection", "AudioSource", "AudioSelection",
             "Transcript", "TranscriptSelection", "Coding", "Note", "Project"}
    seen = set()
    for element in root.iter():
        tag = element.tag.split("}")[1]
        if tag in takes:
            seen.add(tag)
            assert element.get("creationDateTime"), f"{tag} {element.get('name')}"
    assert {"AudioSelection", "TranscriptSelection", "Coding", "Note"} <= seen


def _transcript(root: ET.Element, files: dict[str, bytes]) -> tuple[ET.Element, str]:
    transcript = root.find("q:Sources/q:AudioSource/q:Transcript", NS)
    return transcript, _internal(files, transcript, "plainTextPath").decode("utf-8")


def test_sync_points_match_segment_times_and_text_places(project):
    _, root, files = project
    transcript, text = _transcript(root, files)
    assert "\r" not in text  # LF only: every tool counts a line end as one character
    points = {p.get("guid"): (int(p.get("position")), int(p.get("timeStamp")))
              for p in transcript.findall("q:SyncPoint", NS)}
    by_time = sorted(points.values(), key=lambda p: p[0])
    assert by_time[0] == (0, 0) and by_time[-1] == (len(text), 60000)
    for start, end, _, words, _ in SCRIPT:
        # Every segment starts with its own [hh:mm:ss] stamp, for QualCoder's sync.
        [p0] = [pos for pos, ms in points.values() if ms == start
                and re.search(rf"\[{hms(start)}\] ((I|P05): )?$", text[:pos])]
        p1 = min(pos for pos, ms in points.values() if ms == end and pos > p0)
        spoken = text[p0:p1]
        assert spoken.split()[-1] == words.split()[-1]
    [p0] = [pos for pos, ms in points.values() if ms == 5500]
    p1 = min(pos for pos, ms in points.values() if ms == 12000 and pos > p0)
    assert text[p0:p1] == "It started in (..) [Place] years ago with my back."
    # One stamp per segment, also for a segment a note cuts: none before its second part.
    assert text.count("[00:00:12] [Name] my [Note at 00:00:13") == 1
    assert "] physiotherapist said" in text and "[00:00:13]" not in text
    audio = root.find("q:Sources/q:AudioSource", NS)
    audio_bytes = _internal(files, audio, "path")
    assert sf.info(io.BytesIO(audio_bytes)).duration == pytest.approx(60.0)


def _codes(root: ET.Element) -> dict[str, str]:
    return {c.get("name"): c.get("guid") for c in root.iter("{urn:QDA-XML:project:1.0}Code")}


def _coded(root: ET.Element, files: dict[str, bytes], code_guid: str) -> list[
        tuple[str, ET.Element]]:
    """(passage, selection) for every transcript selection coded with ``code_guid``."""
    transcript, text = _transcript(root, files)
    points = {p.get("guid"): int(p.get("position"))
              for p in transcript.findall("q:SyncPoint", NS)}
    out = []
    for sel in transcript.findall("q:TranscriptSelection", NS):
        refs = [c.find("q:CodeRef", NS).get("targetGUID") for c in sel.findall("q:Coding", NS)]
        if code_guid in refs:
            out.append((text[points[sel.get("fromSyncPoint")]:points[sel.get("toSyncPoint")]],
                        sel))
    return out


def test_codes_phases_and_notes_on_the_transcript_and_the_recording(project):
    _, root, files = project
    codes = _codes(root)
    assert {"C1 Avoidance in the alliance", "Phase: Deepening", "Interview phase",
            "Interview notes", "Note", "Bookmark", "Prompt asked", "Cases", "P05"} <= set(codes)
    # The code tag at 13.5 s codes the passage spoken then (the note, written between its
    # words, inside it), with the note as its memo.
    [(passage, sel)] = _coded(root, files, codes["C1 Avoidance in the alliance"])
    assert passage.startswith("[Name] my [Note at 00:00:13: Mentions [Name]")
    assert passage.endswith("] physiotherapist said it was nothing serious.")
    assert sel.find("q:Description", NS).text == "Mentions [Name]; looks away"
    assert [p for p, _ in _coded(root, files, codes["C3 Multidisciplinary relationships"])] == [
        "That it [Note at 00:00:50: codes: C3 Multidisciplinary relationships] is one team, "
        "they say."]
    [(deepening, _)] = _coded(root, files, codes["Phase: Deepening"])
    assert deepening.startswith("[00:00:20] --- Phase: Deepening ---")
    assert "How did that feel for you?" in deepening and "one team" not in deepening
    # Every note kind is a coding too, so a tool that keeps only coded passages keeps it.
    assert len(_coded(root, files, codes["Note"])) == 2
    assert len(_coded(root, files, codes["Bookmark"])) == 1
    assert len(_coded(root, files, codes["Prompt asked"])) == 1

    notes = {n.get("guid"): n for n in root.findall("q:Notes/q:Note", NS)}
    field = next(n for n in notes.values() if n.get("name") == "Note 00:00:13")
    assert field.find("q:PlainTextContent", NS).text == "Mentions [Name]; looks away"
    transcript, _ = _transcript(root, files)
    text_level = {r.get("targetGUID") for r in transcript.findall("q:NoteRef", NS)}
    assert field.get("guid") in text_level and set(notes) == text_level
    # On the recording: a coded selection per note at its time, and one per phase.
    audio = root.find("q:Sources/q:AudioSource", NS)
    selections = audio.findall("q:AudioSelection", NS)
    assert all(s.findall("q:Coding", NS) for s in selections)
    at_note = [s for s in selections if s.find("q:Description", NS) is not None
               and s.find("q:Description", NS).text == "Mentions [Name]; looks away"]
    assert [int(s.get("begin")) for s in at_note] == [13500]
    phase_spans = [(int(s.get("begin")), int(s.get("end"))) for s in selections
                   if s.get("name", "").startswith("Phase: ")]
    assert phase_spans == [(0, 20000), (20000, 40000), (40000, 60000)]
    assert any(n.get("name") == "Prompt asked 00:00:00" for n in notes.values())


def test_case_variables_and_links_to_its_sources(project):
    _, root, files = project
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable",
                                                                   NS)}
    [case] = root.findall("q:Cases/q:Case", NS)
    assert case.get("name") == "P05"
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in case.findall("q:VariableValue", NS)}
    assert values["Gender"] == "Female" and values["PDI"] == "38"
    assert values["WAI-ReD most positive: Task"] == "300"
    assert values["WAI-ReD least positive: Total"] == "900"
    refs = {r.get("targetGUID") for r in case.findall("q:SourceRef", NS)}
    assert refs == {root.find("q:Sources/q:AudioSource", NS).get("guid")}
    # The case code carries the case's GUID and codes the whole transcript.
    [(whole, _)] = _coded(root, files, case.get("guid"))
    assert whole == _transcript(root, files)[1]


def test_plain_text_copy_on_request_is_uncoded(study, db, tmp_path, schema):
    made = make_interview(study, db)
    [path] = export_paths(study, session=made.session_id, fmt="qdpx-text",
                          output=tmp_path / "p.qdpx")
    root, files = _open(path, schema)
    [text_source] = root.findall("q:Sources/q:TextSource", NS)
    assert text_source.findall("q:PlainTextSelection", NS) == []
    assert _internal(files, text_source, "plainTextPath").decode() == _transcript(root, files)[1]


def test_paused_recording_becomes_one_timeline_file(study, db, tmp_path, schema):
    made = make_interview(study, db, audio=False)
    first = study.recordings_dir / "a.flac"
    second = study.recordings_dir / "b.flac"
    sf.write(first, np.full(RATE * 2, 0.25, dtype=np.float32), RATE)
    sf.write(second, np.full(RATE * 3, -0.5, dtype=np.float32), RATE)
    for path, offset, frames in ((first, 0, RATE * 2), (second, 5000, RATE * 3)):
        recordings.add_segment(db, made.session_id, path=str(path.relative_to(study.root)),
                               fmt="flac", samplerate=RATE, channels=1, offset_ms=offset,
                               device="test", status="closed", frames=frames)
    [path] = export_paths(study, session=made.session_id, fmt="qdpx",
                          output=tmp_path / "p.qdpx")
    root, files = _open(path, schema)
    audio = root.find("q:Sources/q:AudioSource", NS)
    data, rate = sf.read(io.BytesIO(_internal(files, audio, "path")), dtype="float32")
    assert rate == RATE and len(data) == RATE * 8
    assert data[RATE] == pytest.approx(0.25, abs=1e-3)      # 1 s: first part
    assert data[RATE * 3] == pytest.approx(0.0, abs=1e-3)   # 3 s: paused
    assert data[RATE * 6] == pytest.approx(-0.5, abs=1e-3)  # 6 s: second part


def test_session_without_audio_exports_text_source_only(study, db, tmp_path, schema):
    made = make_interview(study, db, audio=False, transcript=False)
    [path] = export_paths(study, session=made.session_id, fmt="qdpx",
                          output=tmp_path / "p.qdpx")
    root, files = _open(path, schema)
    assert root.find("q:Sources/q:AudioSource", NS) is None
    text_source = root.find("q:Sources/q:TextSource", NS)
    text = _internal(files, text_source, "plainTextPath").decode("utf-8")
    # Without a recording the text is the coded copy: notes as coded selections.
    selections = text_source.findall("q:PlainTextSelection", NS)
    described = [text[int(s.get("startPosition")):int(s.get("endPosition"))]
                 for s in selections if s.find("q:Description", NS) is not None]
    assert any(d.startswith("[Note at 00:00:13: Mentions") and d.endswith("codes: C1 "
               "Avoidance in the alliance]") for d in described)
