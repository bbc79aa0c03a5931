"""Reviewing the identifiers found in sessions and exporting them pseudonymised, through
the real CLI on a real study: the same name gets the same label in every session, every
decision is audited, open findings stop a pseudonymised export until forced, the report
counts them, withdrawal erases them, and the replacement list stays in the study."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xmlschema

from companion.operations.transcription import after_transcript
from companion.store.audit import session_trail
from tests.support.cli import as_json
from tests.support.identifiers import SECONDS_PER_SENTENCE, transcribed_session

FIRST = ["My physio, Anna Whitfield, was the first who listened.",
         "I live in Harlow, so it was two buses every time.",
         "Call me on 07700 900123 if anything changes.",
         "It all started on the fourteenth of March.",
         "The physiotherapist gave me exercises I could do at home."]
SECOND = ["Anna Whitfield told me to rest more.",
          "We drove back to Harlow after the intake."]
SCHEMA = Path(__file__).resolve().parent.parent / "data" / "Project.xsd"
NS = "urn:QDA-XML:project:1.0"


@pytest.fixture
def two_sessions(study):
    first, _ = transcribed_session(study, FIRST, code="P05", audio=True)
    second, _ = transcribed_session(study, SECOND, code="P07")
    return first, second


def _findings(run, session: int) -> dict[str, dict]:
    data = as_json(run("pseudonymise", "suggest", str(session), "--json"))
    found: dict[str, dict] = {}
    for f in data["findings"]:  # the first time each text is said
        found.setdefault(f["text"], f)
    return found


def _export(run, session: int, fmt: str, path: Path, *extra: str):
    return run("export", str(session), "--format", fmt, "-o", str(path), *extra)


def _rows(study, table: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(study.db_path)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(f"SELECT * FROM {table} ORDER BY rowid"))
    finally:
        conn.close()


def test_suggest_lists_each_finding_with_where_it_stands_and_when(run, study, two_sessions):
    first, _ = two_sessions
    run("note", str(first), "Spoke warmly about Anna Whitfield", "--at", "00:00:02")
    found = _findings(run, first)
    assert {(t, f["kind"]) for t, f in found.items()} >= {
        ("Anna Whitfield", "person"), ("Harlow", "place"), ("07700 900123", "phone"),
        ("the fourteenth of March", "date")}
    segments = {r["id"]: r["text"] for r in _rows(study, "transcript_segments")}
    for text, f in found.items():
        if f["source"] == "segment":
            assert segments[f["ref_id"]][f["start"]:f["end"]] == text
        assert f["already_replaced"] is False and f["status"] == "open"
    # The time is the time of the finding's first word (word times spread over each turn).
    harlow = found["Harlow"]
    assert SECONDS_PER_SENTENCE * 1000 < harlow["at_ms"] < 2 * SECONDS_PER_SENTENCE * 1000
    notes = [f for f in as_json(run("pseudonymise", "suggest", str(first), "--json"))[
        "findings"] if f["source"] == "note"]
    assert [(n["text"], n["at"]) for n in notes] == [("Anna Whitfield", "00:00:02")]
    assert found["Anna Whitfield"]["label"] == "[physiotherapist 1]"


def test_a_name_accepted_gets_one_label_in_every_session_with_an_audit_entry_each(
        run, study, db, two_sessions, tmp_path):
    first, second = two_sessions
    anna = _findings(run, first)["Anna Whitfield"]
    result = run("pseudonymise", "accept", str(first), str(anna["id"]))
    assert result.exit_code == 0, result.output
    assert "[physiotherapist 1]" in result.output
    # In the other session the same name is proposed with the same label, and keeps it.
    other = _findings(run, second)["Anna Whitfield"]
    assert other["label"] == "[physiotherapist 1]"
    assert as_json(run("pseudonymise", "accept", str(second), str(other["id"]), "--json"))[0][
        "label"] == "[physiotherapist 1]"
    for session, name in ((first, "a.txt"), (second, "b.txt")):
        assert _export(run, session, "txt", tmp_path / name, "--pseudonymised",
                       "--force").exit_code == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "[physiotherapist 1]" in text and "Whitfield" not in text
    # An audit entry for each acceptance, naming the decision.
    for session in (first, second):
        accepts = [e for e in session_trail(db, session)
                   if e["entity"] == "identifier" and e["action"] == "accept"]
        assert len(accepts) == 1
        assert "[physiotherapist 1]" in json.dumps(accepts[0]["after"])
    labels = {(r["session_id"], r["label"]) for r in _rows(study, "identifier_replacements")}
    assert labels == {(first, "[physiotherapist 1]"), (second, "[physiotherapist 1]")}
    # A new label for the name (--as) is the name's label everywhere.
    run("pseudonymise", "accept", str(first), str(anna["id"]), "--as", "physio A")
    assert {r["label"] for r in _rows(study, "identifier_replacements")} == {"[physio A]"}


def test_accepted_for_the_whole_study_a_name_is_replaced_where_nobody_reviewed_it(
        run, two_sessions, tmp_path):
    first, second = two_sessions
    harlow = _findings(run, first)["Harlow"]
    assert run("pseudonymise", "accept", str(first), str(harlow["id"]),
               "--whole-study").exit_code == 0
    assert _export(run, second, "txt", tmp_path / "b.txt", "--pseudonymised",
                   "--force").exit_code == 0
    text = (tmp_path / "b.txt").read_text(encoding="utf-8")
    assert "Harlow" not in text and "[town]" in text


def test_a_rejected_finding_stays_as_said(run, two_sessions, tmp_path):
    first, _ = two_sessions
    found = _findings(run, first)
    run("pseudonymise", "reject", str(first), str(found["Harlow"]["id"]))
    run("pseudonymise", "accept", str(first),
        *[str(f["id"]) for t, f in found.items() if t != "Harlow"])
    assert _export(run, first, "txt", tmp_path / "a.txt", "--pseudonymised").exit_code == 0
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert "Harlow" in text and "Whitfield" not in text and "900123" not in text
    assert "[date]" in text and "[phone number]" in text


def test_open_findings_refuse_a_pseudonymised_export_until_forced(run, study, two_sessions,
                                                                   dump, tmp_path):
    first, _ = two_sessions
    _findings(run, first)
    before = dump()
    result = _export(run, first, "docx", tmp_path / "a.docx", "--pseudonymised")
    assert result.exit_code == 2
    assert "session 1 has 4 open findings" in result.output
    assert "--force" in result.output
    assert not (tmp_path / "a.docx").exists() and dump() == before
    assert _export(run, first, "docx", tmp_path / "a.docx", "--pseudonymised",
                   "--force").exit_code == 0
    # Not pseudonymised (the study's default here) nothing is checked, and the names stay.
    assert _export(run, first, "txt", tmp_path / "plain.txt").exit_code == 0
    assert "Whitfield" in (tmp_path / "plain.txt").read_text(encoding="utf-8")


def test_the_study_can_make_pseudonymised_the_default_for_analysis_formats(
        run, study, two_sessions, tmp_path):
    first, _ = two_sessions
    study.config_path.write_text("[privacy]\npseudonymise = true\n", encoding="utf-8")
    refused = _export(run, first, "qdpx", tmp_path / "a.qdpx")
    assert refused.exit_code == 2 and "not searched for identifiers" in refused.output
    _findings(run, first)
    refused = _export(run, first, "qdpx", tmp_path / "a.qdpx")
    assert refused.exit_code == 2 and "open findings" in refused.output
    # Subtitles are not an analysis format: as said, unless asked.
    assert _export(run, first, "srt", tmp_path / "a.srt").exit_code == 0
    assert _export(run, first, "txt", tmp_path / "a.txt", "--not-pseudonymised").exit_code == 0


@pytest.mark.parametrize("args,field", [
    (("accept", "1", "999"), "ITEM"),
    (("accept", "1", "abc"), "ITEM"),
    (("accept", "1"), "ITEM"),
    (("accept", "1", "{first}", "--as", "[]"), "--as"),
    (("reject", "9", "1"), "session"),
])
def test_bad_input_names_the_field_and_writes_nothing(run, two_sessions, dump, args, field):
    first, _ = two_sessions
    found = _findings(run, first)
    before = dump()
    args = tuple(a.format(first=found["Harlow"]["id"]) for a in args)
    result = run("pseudonymise", *args)
    assert result.exit_code == 2, result.output
    assert field.casefold() in result.output.casefold()
    assert dump() == before


def test_bleep_needs_a_pseudonymised_export_that_carries_the_audio(run, two_sessions, tmp_path):
    first, _ = two_sessions
    assert "--pseudonymised" in _export(run, first, "qdpx", tmp_path / "a.qdpx",
                                        "--bleep").output
    assert "qdpx" in _export(run, first, "txt", tmp_path / "a.txt", "--pseudonymised",
                             "--bleep").output


def test_the_report_counts_open_accepted_and_rejected_per_session(run, two_sessions):
    first, second = two_sessions
    found = _findings(run, first)
    run("pseudonymise", "accept", str(first), str(found["Anna Whitfield"]["id"]))
    run("pseudonymise", "reject", str(first), str(found["Harlow"]["id"]))
    report = json.loads(run("report", "--format", "json").output)
    rows = {r["session_id"]: r for r in report["identifiers"]}
    assert (rows[first]["open"], rows[first]["accepted"], rows[first]["rejected"]) == (2, 1, 1)
    assert rows[second]["searched"] is False  # nobody asked for it yet
    markdown = run("report").output
    assert "Identifiers found for pseudonymisation" in markdown
    assert "| Session 1 | P05 | 2 | 1 | 1 |" in markdown
    assert "| Session 2 | P07 | not searched | 0 | 0 |" in markdown


def test_withdrawal_erases_the_participants_findings_and_replacements(run, study,
                                                                      two_sessions):
    first, second = two_sessions
    for session in (first, second):
        anna = _findings(run, session)["Anna Whitfield"]
        run("pseudonymise", "accept", str(session), str(anna["id"]))
    assert run("withdraw", "P05", "--yes").exit_code == 0
    for table in ("identifier_findings", "identifier_replacements", "identifier_searches"):
        assert {r["session_id"] for r in _rows(study, table)} == {second}, table
    # The other participant's session keeps its label.
    assert [r["label"] for r in _rows(study, "identifier_replacements")] == [
        "[physiotherapist 1]"]


def test_after_a_transcript_its_identifiers_are_searched(study, two_sessions):
    first, _ = two_sessions
    after_transcript(study, first, speakers="none")
    [searched] = [r for r in _rows(study, "identifier_searches") if r["session_id"] == first]
    assert searched["found"] >= 4 and searched["language"] == "en"


def _every_file(path: Path) -> str:
    if path.suffix in (".qdpx", ".docx"):
        with zipfile.ZipFile(path) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace")
                            for n in archive.namelist() if not n.endswith(".wav"))
    return path.read_text(encoding="utf-8", errors="replace")


def test_no_pseudonymised_export_carries_a_name_or_the_replacement_list(run, two_sessions,
                                                                        tmp_path):
    first, _ = two_sessions
    run("note", str(first), "Harlow again, and Anna Whitfield", "--at", "00:00:05")
    found = _findings(run, first)
    assert run("pseudonymise", "accept", str(first),
               *[str(f["id"]) for f in found.values()]).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("txt", "md", "f4", "f4-rtf", "f4-docx", "nvivo", "docx", "srt", "vtt", "qdpx",
                "qdpx-text", "json"):
        result = run("export", str(first), "--format", fmt, "-o", f"{out}/",
                     "--pseudonymised")
        assert result.exit_code == 0, (fmt, result.output)
    written = list(out.iterdir())
    assert len(written) == 12
    for path in written:
        content = _every_file(path)
        for said in ("Whitfield", "Harlow", "900123", "fourteenth of March"):
            assert said not in content, (path.name, said)
        assert "[physiotherapist 1]" in content or path.suffix == ".rtf", path.name


def test_a_pseudonymised_qdpx_is_valid_and_an_analysts_coding_of_a_label_comes_back(
        run, db, two_sessions, tmp_path):
    first, _ = two_sessions
    found = _findings(run, first)
    run("pseudonymise", "accept", str(first), *[str(f["id"]) for f in found.values()])
    path = tmp_path / "a.qdpx"
    assert _export(run, first, "qdpx", path, "--pseudonymised").exit_code == 0
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    xmlschema.XMLSchema(str(SCHEMA)).validate(files["project.qde"].decode("utf-8"))
    # The analyst codes the words "[town]" in the transcript (positions in its text).
    ET.register_namespace("", NS)
    root = ET.fromstring(files["project.qde"])
    q = {"q": NS}
    transcript = root.find("q:Sources/q:AudioSource/q:Transcript", q)
    text = files["sources/" + transcript.get("plainTextPath")[11:]].decode("utf-8")
    start = text.index("[town]")
    codes = root.find("q:CodeBook/q:Codes", q)
    code_guid = str(uuid.uuid4())
    ET.SubElement(codes, f"{{{NS}}}Code", guid=code_guid, name="Z9 Where", isCodable="true")
    points = []
    for position in (start, start + len("[town]")):
        point = ET.Element(f"{{{NS}}}SyncPoint", guid=str(uuid.uuid4()), position=str(position))
        transcript.insert(len(transcript.findall("q:SyncPoint", q)), point)
        points.append(point.get("guid"))
    sel = ET.SubElement(transcript, f"{{{NS}}}TranscriptSelection", guid=str(uuid.uuid4()),
                        name="where", fromSyncPoint=points[0], toSyncPoint=points[1])
    coding = ET.SubElement(sel, f"{{{NS}}}Coding", guid=str(uuid.uuid4()))
    ET.SubElement(coding, f"{{{NS}}}CodeRef", targetGUID=code_guid)
    files["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    coded = tmp_path / "coded.qdpx"
    with zipfile.ZipFile(coded, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    result = as_json(run("import-qdpx", str(coded), "--json"))
    assert result["codings"] == 1 and result["unplaced_codings"] == 0
    [row] = db.query("SELECT quote, start_ms FROM qda_codings")
    assert row["quote"] == "[town]"
    # "Harlow" is said in the second sentence (4-7 s).
    assert SECONDS_PER_SENTENCE * 1000 <= row["start_ms"] < 2 * SECONDS_PER_SENTENCE * 1000


def test_bleeped_audio_has_a_tone_where_the_replaced_words_were_said(run, two_sessions,
                                                                     tmp_path):
    first, _ = two_sessions
    harlow = _findings(run, first)["Harlow"]
    run("pseudonymise", "accept", str(first), str(harlow["id"]))
    path = tmp_path / "a.qdpx"
    assert _export(run, first, "qdpx", path, "--pseudonymised", "--bleep",
                   "--force").exit_code == 0
    with zipfile.ZipFile(path) as archive:
        [wav] = [n for n in archive.namelist() if n.endswith(".wav")]
        audio_path = tmp_path / "audio.wav"
        audio_path.write_bytes(archive.read(wav))
    data, rate = sf.read(audio_path, dtype="float32", always_2d=True)

    def pitch(at_ms: int) -> float:
        window = data[at_ms * rate // 1000:(at_ms + 50) * rate // 1000, 0]
        spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
        return float(np.fft.rfftfreq(len(window), 1 / rate)[int(np.argmax(spectrum))])

    step = (SECONDS_PER_SENTENCE - 1) * 1000 / len(FIRST[1].split())
    said_at = SECONDS_PER_SENTENCE * 1000 + round(3 * step)  # "Harlow," is the fourth word
    assert abs(pitch(said_at + 40) - 1000) < 40
    assert abs(pitch(said_at + round(step) + 200) - 220) < 40  # "so": as recorded
    assert abs(pitch(500) - 220) < 40
    assert re.search(r"\[town\]", _every_file(path))


def test_a_local_name_of_an_unknown_kind_is_refused_with_the_kinds_allowed(
        run, study, two_sessions, dump):
    study.config_path.write_text('[privacy.names]\n"Brookside" = "shop"\n', encoding="utf-8")
    before = dump()
    result = run("pseudonymise", "detect", str(two_sessions[0]))
    assert result.exit_code == 2
    assert "privacy.names.Brookside" in result.output and "employer" in result.output
    assert dump() == before
