"""Coded projects come back exactly, however often, the way QualCoder writes them.

The projects here are made by :mod:`tests.support.qualcoder`, which imports, codes, edits
and exports as QualCoder's own code does (new GUIDs on every export, a byte order mark
before every text, its one-character-late reading of sync points). The real QualCoder is
driven by ``scripts/qualcoder_check.py``.
"""

from __future__ import annotations

import json
import zipfile

import pytest

from companion.report import study_report
from companion.store.qda import active_codings
from tests.support.exports import export_paths
from tests.support.interview import make_interview, write_replacements
from tests.support.qualcoder import FIRST, SECOND, Project

NS = "{urn:QDA-XML:project:1.0}"
CODER = "Marit"


@pytest.fixture
def made(study, db):
    write_replacements(study)
    return make_interview(study, db, codes_tagged=("C1", "A1"))


def _written(path) -> tuple[str, list[tuple[str, int, int]]]:
    """The transcript companion wrote and its coded passages (code name, start, end)."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        transcript = root.find(f"{NS}Sources/{NS}AudioSource/{NS}Transcript")
        raw = archive.read("sources/" + transcript.get("plainTextPath")[11:])
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    cases = {c.get("name") for c in root.iter(f"{NS}Case")}
    points = {p.get("guid"): int(p.get("position")) for p in transcript.iter(f"{NS}SyncPoint")}
    out = []
    for sel in transcript.iter(f"{NS}TranscriptSelection"):
        for coding in sel.iter(f"{NS}Coding"):
            name = names[coding.find(f"{NS}CodeRef").get("targetGUID")]
            if name not in cases:
                out.append((name, points[sel.get("fromSyncPoint")],
                            points[sel.get("toSyncPoint")]))
    return raw.decode("utf-8-sig"), out


def _landed(project: Project) -> list[tuple[str, str]]:
    """(code name, the text QualCoder shows as coded) of every transcript coding."""
    return sorted((project.codes[c.cid][0], c.seltext) for c in project.code_text)


def test_the_qualcoder_variant_lands_every_transcript_coding_on_the_selected_characters(
        study, db, made, tmp_path, run):
    [standard] = export_paths(study, session=made.session_id, fmt="qdpx",
                              output=tmp_path / "standard.qdpx")
    result = run("export", str(made.session_id), "--format", "qdpx", "--for", "qualcoder",
                 "-o", str(tmp_path / "for-qualcoder.qdpx"))
    assert result.exit_code == 0, result.output
    variant = tmp_path / "for-qualcoder.qdpx"
    text, codings = _written(standard)
    # The same text; every sync point one character early (QualCoder adds one).
    assert _written(variant) == (text, [(code, start - 1, end - 1)
                                        for code, start, end in codings])
    with zipfile.ZipFile(standard) as a, zipfile.ZipFile(variant) as b:
        assert {n: a.read(n) for n in a.namelist() if n.endswith(".txt")} == {
            n: b.read(n) for n in b.namelist() if n.endswith(".txt")}
    wanted = sorted((code, text[start:end]) for code, start, end in codings)
    assert len(wanted) >= 10
    exact = _landed(Project.imported(variant))
    assert exact == wanted
    # The standard export in QualCoder: every coding one character to the right (why the
    # variant exists).
    late = _landed(Project.imported(standard))
    assert late != wanted
    assert late == sorted((code, text[start + 1:end + 1]) for code, start, end in codings)


@pytest.mark.parametrize("variant", [None, "qualcoder"])
def test_qualcoder_exports_imported_again_and_again_count_each_coding_once(
        study, db, made, tmp_path, run, variant):
    extra = ["--for", variant] if variant else []
    assert run("export", str(made.session_id), "--format", "qdpx", *extra, "-o",
               str(tmp_path / "out.qdpx")).exit_code == 0
    project = Project.imported(tmp_path / "out.qdpx", name="pain-study.qda")
    for passage, code in FIRST:
        project.code(passage, code, CODER)
    first = project.write(tmp_path / "first.qdpx")

    for _ in range(2):  # the same export, imported twice
        result = run("import-qdpx", str(first), "--json")
        assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["codings"] == len(FIRST) and summary["coder"] == CODER
    assert summary["own_codings"] > 10  # phases, notes, tags, prompts: recognised
    assert summary["memos"] == 0  # the reflection came back as QualCoder's journal: ours
    report = study_report(study, db)
    assert sum(r.codings for r in report.joint.rows) == len(FIRST)
    for passage, code in SECOND:
        project.code(passage, code, CODER)
    second = project.write(tmp_path / "second.qdpx")
    assert first.read_bytes() != second.read_bytes()
    result = run("import-qdpx", str(second), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["replaced"] == [2]

    report = study_report(study, db)
    joint = {r.code: (r.codings, r.tags) for r in report.joint.rows}
    # Each coding once; C1 once as the analyst's coding and once as the interviewer's tag
    # (the tag's own coding came back and is not counted again).
    assert sum(codings for codings, _ in joint.values()) == len(FIRST) + len(SECOND)
    assert joint["C1 Avoidance in the alliance"] == (1, 1)
    assert joint["Z2 Being dismissed"] == (2, 0)
    assert {"Z3 One team", "Z4 Unspoken"} <= set(joint)
    [row] = report.coded_saturation
    assert set(row.codes) == {"Z1 Back pain story", "Z2 Being dismissed",
                              "C1 Avoidance in the alliance", "Z3 One team", "Z4 Unspoken"}
    # In use: the last import only; the codebook of one import (no doubling).
    listed = json.loads(run("import-qdpx", "--list", "--json").output)
    assert [(i["id"], i["status"], i["replaced_by"]) for i in listed] == [
        (1, "replaced", 2), (2, "replaced", 3), (3, "active", None)]
    assert listed[0]["codes"] == listed[2]["codes"] - 2
    # Every coding sits on the characters the analyst selected in QualCoder.
    quotes = sorted((r["name"], r["quote"]) for r in db.query(
        "SELECT c.name, k.quote FROM qda_codings k JOIN qda_codes c ON c.id = k.code_id "
        "WHERE k.import_id = 3"))
    assert quotes == sorted((code, passage) for passage, code in FIRST + SECOND)


def test_a_project_from_another_study_is_refused_and_taken_only_with_force(
        study, db, made, tmp_path, run):
    from companion.study import init_study

    other, _ = init_study(tmp_path / "other-study")
    other_db = other.db()
    # Another study's first session has the same name (P05_session-1) and other words.
    other_made = make_interview(other, other_db, started_at="2025-01-10T10:00:00+00:00",
                                codes_tagged=("B1",))
    other_db.execute("UPDATE transcript_segments SET text = 'Ik had veel pijn in mijn rug.' "
                     "WHERE session_id = ?", [other_made.session_id])
    [path] = export_paths(other, session=other_made.session_id, fmt="qdpx",
                          output=tmp_path / "other.qdpx")
    other_db.conn.close()
    project = Project.imported(path, name="andere-studie.qda")
    project.code("Ik had veel pijn", "Pijn", CODER)
    foreign = project.write(tmp_path / "foreign.qdpx")
    result = run("import-qdpx", str(foreign))
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "P05_session-1.wav.txt" in line and "no transcript of this study" in line
    assert list(db.query("SELECT * FROM qda_imports")) == []
    forced = run("import-qdpx", str(foreign), "--force", "--json")
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["foreign"] is True
    assert list(db.query("SELECT * FROM qda_codings")) == []
    listed = run("import-qdpx", "--list")
    assert "foreign" in listed.output
    assert study_report(study, db).coded_saturation == []


def test_a_transcript_edited_in_qualcoder_places_its_codings_and_lists_the_rest(
        study, db, made, tmp_path, run):
    assert run("export", str(made.session_id), "--format", "qdpx", "--for", "qualcoder",
               "-o", str(tmp_path / "out.qdpx")).exit_code == 0
    project = Project.imported(tmp_path / "out.qdpx")
    coded = [("Could you tell me about your pain history?", "E1"),
             ("It started in", "E2"), ("years ago with my back.", "E3"),
             ("physiotherapist said it was nothing serious.", "E4"),
             ("How did that feel for you?", "E5"),
             ("I did not", "E6"), ("about the tulip garden.", "E7"),
             ("Is there something you never told them?", "E8"),
             ("is one team,", "E9"), ("they say.", "E10")]
    for passage, code in coded:
        project.code(passage, code, CODER)
    # The analyst corrects the transcript in QualCoder's editor: inside coded passages,
    # between them, and rewrites one coded passage entirely.
    project.edit("tulip garden", "tulip gardens")
    project.edit("How did that feel for you?", "How did that feel, for you?")
    project.edit("It started in", "It all started in")
    project.edit("Is there something you never told them?",
                 "Was anything left unsaid between you?")
    project.edit("Could you tell me", "Could you tell me, please,")
    result = run("import-qdpx", str(project.write(tmp_path / "edited.qdpx")))
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r["quote"] for r in db.query(
        "SELECT c.name, k.quote FROM qda_codings k JOIN qda_codes c ON c.id = k.code_id")}
    assert len(rows) >= 0.9 * len(coded)
    # Untouched passages exactly; an edited one on companion's own words.
    assert rows["E3"] == "years ago with my back."
    assert rows["E7"] == "about the tulip garden."
    assert rows["E5"] == "How did that feel for you?"
    assert rows["E2"] == "It started in"
    assert rows["E1"] == "Could you tell me about your pain history?"
    assert "E8" not in rows
    assert "could not be placed" in result.output
    assert "E8 in P05_session-1.wav.txt: \u201cWas anything left unsaid between you?\u201d" in (
        result.output)
    matched = db.execute("SELECT matched_by FROM qda_import_sessions").fetchall()
    assert matched == [("edited",)]


def test_list_and_undo_bring_the_earlier_version_back(study, db, made, tmp_path, run):
    assert run("export", str(made.session_id), "--format", "qdpx", "-o",
               str(tmp_path / "out.qdpx")).exit_code == 0
    project = Project.imported(tmp_path / "out.qdpx")
    project.code("years ago with my back.", "Z1", CODER)
    assert run("import-qdpx", str(project.write(tmp_path / "a.qdpx"))).exit_code == 0
    project.code("say anything to her", "Z2", CODER)
    assert run("import-qdpx", str(project.write(tmp_path / "b.qdpx"))).exit_code == 0

    def active() -> list[str]:
        return sorted(c.code for c in active_codings(db, [made.session_id]))

    assert active() == ["Z1", "Z2"]
    undone = run("import-qdpx", "--undo", "2")
    assert undone.exit_code == 0 and "in use again: 1" in undone.output
    assert active() == ["Z1"]
    [entry] = db.query("SELECT * FROM audit_log WHERE action = 'undo'")
    assert {c["code"] for c in json.loads(entry["before"])["codings"]} == {"Z1", "Z2"}
    listed = run("import-qdpx", "--list")
    assert "undone" in listed.output and "active" in listed.output
    again = run("import-qdpx", "--undo", "2")
    assert again.exit_code == 2
    [line] = again.output.strip().splitlines()
    assert "--undo" in line and "import 2 is undone" in line and "in use: 1" in line
    both = run("import-qdpx", str(tmp_path / "a.qdpx"), "--list")
    assert both.exit_code == 2 and "one of: FILE" in both.output


def test_the_coder_comes_from_the_project_or_from_coder(study, db, made, tmp_path, run):
    assert run("export", str(made.session_id), "--format", "qdpx", "-o",
               str(tmp_path / "out.qdpx")).exit_code == 0
    project = Project.imported(tmp_path / "out.qdpx", name="a.qda")
    project.code("years ago with my back.", "Z1", "Joost")
    path = project.write(tmp_path / "joost.qdpx")
    out = json.loads(run("import-qdpx", str(path), "--json").output)
    assert out["coder"] == "Joost"
    named = json.loads(run("import-qdpx", str(path), "--coder", "JV", "--json").output)
    # Another coder: another project, nothing replaced.
    assert named["coder"] == "JV" and named["replaced"] == []
    coders = sorted(r["coder"] for r in db.query("SELECT coder FROM qda_codings"))
    assert coders == ["JV", "Joost"]
    empty = run("import-qdpx", str(path), "--coder", " ")
    assert empty.exit_code == 2 and "--coder" in empty.output
