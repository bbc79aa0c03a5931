"""The REFI-QDA project: valid against Project.xsd, paths resolve, times and places match."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xmlschema

from companion.export import export_sessions
from companion.store import recordings
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
    [path] = export_sessions(study, db, session=made.session_id, fmt="qdpx",
                             output=tmp_path / "p.qdpx")
    root, files = _open(path, schema)
    return made, root, files


def test_qdpx_validates_and_every_internal_path_resolves(project):
    _, root, files = project
    assert root.tag == "{urn:QDA-XML:project:1.0}Project"
    assert len(root.findall("q:Sources/q:AudioSource", NS)) == 1
    assert len(root.findall("q:Sources/q:TextSource", NS)) == 1
    text = b"".join(v for k, v in files.items() if k.endswith(".txt")).decode("utf-8")
    xml = files["project.qde"].decode("utf-8")
    for leak in ("Anna", "Utrecht"):
        assert leak not in text and leak not in xml


def test_sync_points_match_segment_times_and_text_places(project):
    _, root, files = project
    audio = root.find("q:Sources/q:AudioSource", NS)
    transcript = audio.find("q:Transcript", NS)
    text = _internal(files, transcript, "plainTextPath").decode("utf-8")
    assert "\r\n" in text  # MAXQDA wants CRLF; positions count it as two code points
    points = [(int(p.get("position")), int(p.get("timeStamp")))
              for p in transcript.findall("q:SyncPoint", NS)]
    assert len(points) == 2 * len(SCRIPT)
    for index, (start, end, _, words, _) in enumerate(SCRIPT):
        (p0, t0), (p1, t1) = points[2 * index], points[2 * index + 1]
        assert (t0, t1) == (start, end)
        spoken = text[p0:p1]
        # The words of the segment, pseudonymised, with the inner pause mark.
        assert spoken.split()[-1] == words.split()[-1]
        assert text[p0 - 1] == " " and text[p1] in " \r"
    assert text[points[2][0]:points[3][0]] == "It started in (..) [Place] years ago with my back."
    audio_bytes = _internal(files, audio, "path")
    assert sf.info(io.BytesIO(audio_bytes)).duration == pytest.approx(60.0)


def test_codes_phases_notes_and_case_variables(project):
    _, root, files = project
    codes = {c.get("name"): c.get("guid") for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    assert {"C1 Avoidance in the alliance", "Phase: Deepening", "Interview phase"} <= set(codes)
    text_source = root.find("q:Sources/q:TextSource", NS)
    text = _internal(files, text_source, "plainTextPath").decode("utf-8")

    def coded(code_name: str) -> list[str]:
        out = []
        for sel in text_source.findall("q:PlainTextSelection", NS):
            refs = [c.find("q:CodeRef", NS).get("targetGUID")
                    for c in sel.findall("q:Coding", NS)]
            if codes[code_name] in refs:
                out.append(text[int(sel.get("startPosition")):int(sel.get("endPosition"))])
        return out

    # The code tag at 13.5 s codes the passage spoken then (the note, written between
    # its words, inside it).
    [passage] = coded("C1 Avoidance in the alliance")
    assert passage.startswith("[Name] my [Note at 00:00:13: Mentions [Name]")
    assert passage.endswith("] physiotherapist said it was nothing serious.")
    assert coded("C3 Multidisciplinary relationships") == [
        "That it [Note at 00:00:50: codes: C3 Multidisciplinary relationships] is one team, "
        "they say."]
    [deepening] = coded("Phase: Deepening")
    assert deepening.startswith("[00:00:20] --- Phase: Deepening ---")
    assert "How did that feel for you?" in deepening and "one team" not in deepening
    transcript = root.find("q:Sources/q:AudioSource/q:Transcript", NS)
    assert len(transcript.findall("q:TranscriptSelection", NS)) >= 3 + 2

    notes = {n.get("guid"): n for n in root.findall("q:Notes/q:Note", NS)}
    field = next(n for n in notes.values() if n.get("name") == "Note 00:00:13")
    assert field.find("q:PlainTextContent", NS).text == "Mentions [Name]; looks away"
    audio_sel = [s for s in root.findall("q:Sources/q:AudioSource/q:AudioSelection", NS)
                 if s.find("q:NoteRef", NS) is not None
                 and s.find("q:NoteRef", NS).get("targetGUID") == field.get("guid")]
    assert [int(s.get("begin")) for s in audio_sel] == [13500]
    assert any(n.get("name") == "Prompt asked 00:00:00" for n in notes.values())

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
    assert refs == {text_source.get("guid"),
                    root.find("q:Sources/q:AudioSource", NS).get("guid")}


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
    [path] = export_sessions(study, db, session=made.session_id, fmt="qdpx",
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
    [path] = export_sessions(study, db, session=made.session_id, fmt="qdpx",
                             output=tmp_path / "p.qdpx")
    root, _ = _open(path, schema)
    assert root.find("q:Sources/q:AudioSource", NS) is None
    assert root.find("q:Sources/q:TextSource", NS) is not None
