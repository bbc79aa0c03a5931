"""Every export format, read back by a real parser."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import pytest
import soundfile as sf
import srt
import webvtt

from companion.export.pseudonymise import build_document
from companion.privacy.pseudonymise import Pseudonymiser
from tests.support.exports import export_paths
from tests.support.interview import REPLACEMENTS, SCRIPT, make_interview, write_replacements

LEAKS = [*REPLACEMENTS, "Anna", "Utrecht"]


@pytest.fixture
def made(study, db):
    write_replacements(study)
    return make_interview(study, db)


def _export(study, db, made, fmt: str, tmp_path: Path) -> Path:
    [path] = export_paths(study, session=made.session_id, fmt=fmt,
                          output=tmp_path / f"out.{fmt}")
    return path


def _no_leak(text: str) -> None:
    for name in LEAKS:
        assert name.lower() not in text.lower(), f"{name!r} leaked into the export"


def test_txt_has_timestamped_turns_pauses_memos_and_crlf(study, db, made, tmp_path):
    raw = _export(study, db, made, "txt", tmp_path).read_bytes()
    text = raw.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = [line for line in text.split("\r\n") if line]
    turns = [line for line in lines if re.match(r"^\[\d\d:\d\d:\d\d\] (I|P05): ", line)]
    # Two consecutive segments of P05 make one turn: 6 turns for 7 segments.
    assert [t[:15] for t in turns] == [
        "[00:00:00] I: C", "[00:00:05] P05:", "[00:00:21] I: H", "[00:00:28] P05:",
        "[00:00:41] I: I", "[00:00:48] P05:"]
    p05 = turns[1]
    # The inner 2.1 s pause as (..), the note as a bracketed memo at its moment (13.5 s:
    # between the words spoken before and after it), codes by name.
    assert "It started in (..) [Place] years ago" in p05
    assert ("[Name] my [Note at 00:00:13: Mentions [Name]; looks away; codes: C1 Avoidance "
            "in the alliance] physiotherapist said it was nothing serious.") in p05
    # A 3.5 s pause at a change of speaker stands on its own line.
    assert lines[lines.index(turns[2]) + 1] == "(...)"
    assert "[00:00:20] --- Phase: Deepening ---" in lines
    assert "[Prompt asked at 00:00:00: Tell me about your pain history.]" in lines
    assert "[Bookmark at 00:00:30]" in turns[3]
    assert "[Reflection: Rapport was good; [Place] came up twice]" in lines
    assert "Pseudonymised with the study's list of 2 replacements" in text
    # A stamp at every segment, not only at a turn's first (QualCoder's A/V coder syncs
    # each segment from it): the second segment of P05's first turn starts at 12 s.
    stamps = set(re.findall(r"\[(\d\d:\d\d:\d\d)\]", text))
    assert {f"00:00:{start // 1000:02d}" for start, *_ in SCRIPT} <= stamps
    assert "back. [00:00:12] [Name] my" in p05
    _no_leak(text)


def test_f4_paragraphs_end_in_tenths_timestamps(study, db, made, tmp_path):
    text = _export(study, db, made, "f4", tmp_path).read_bytes().decode("utf-8")
    paragraphs = [p for p in text.split("\r\n\r\n") if p.strip()]
    # After the header; the reflection without a session time closes the file, unstamped.
    body, loose = paragraphs[1:-1], paragraphs[-1]
    assert loose.startswith("[Reflection: Rapport was good")
    assert body and all(re.search(r" #\d\d:\d\d:\d\d-\d#$", p) for p in body)
    assert "I: Could you tell me about your pain history? #00:00:04-0#" in body
    # The bookmark at 30 s sits between the words around it.
    assert any(p.startswith("P05: I did not [Bookmark at 00:00:30] say")
               and p.endswith("#00:00:35-0#") for p in body)
    _no_leak(text)


def test_md_has_phase_headings_and_bold_turns(study, db, made, tmp_path):
    text = _export(study, db, made, "md", tmp_path).read_text(encoding="utf-8")
    assert "## Deepening [00:00:20]" in text
    assert "**[00:00:21] I:** How did that feel for you?" in text
    _no_leak(text)


def test_srt_reads_back_with_segment_times_and_speakers(study, db, made, tmp_path):
    subs = list(srt.parse(_export(study, db, made, "srt", tmp_path).read_text("utf-8")))
    assert len(subs) == len(SCRIPT)
    for sub, (start, end, speaker, _, _) in zip(subs, SCRIPT, strict=True):
        assert sub.start.total_seconds() * 1000 == start
        assert sub.end.total_seconds() * 1000 == end
        assert sub.content.startswith("I: " if speaker == "I" else "P05: ")
    assert subs[1].content == "P05: It started in (..) [Place] years ago with my back."


def test_vtt_reads_back_with_voices(study, db, made, tmp_path):
    path = _export(study, db, made, "vtt", tmp_path)
    captions = webvtt.read(str(path)).captions
    assert len(captions) == len(SCRIPT)
    assert captions[3].start == "00:00:21.000" and captions[3].end == "00:00:25.000"
    assert captions[3].voice == "I"
    assert captions[4].voice == "P05"
    assert "[Name] my physiotherapist" in captions[2].text
    assert "\nNOTE [Note at 00:00:13" in path.read_text("utf-8")
    _no_leak(path.read_text("utf-8"))


def test_docx_reopens_with_the_txt_content(study, db, made, tmp_path):
    document = docx.Document(str(_export(study, db, made, "docx", tmp_path)))
    texts = [p.text for p in document.paragraphs]
    turn = next(t for t in texts if t.startswith("[00:00:05] P05: "))
    assert "It started in (..) [Place] years ago" in turn
    assert "[Note at 00:00:13: Mentions [Name]" in turn
    assert "[00:00:20] Phase: Deepening" in texts
    heading = next(p for p in document.paragraphs if p.text == "[00:00:20] Phase: Deepening")
    assert heading.style.name == "Heading 2"
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "P05: " in bold
    _no_leak("\n".join(texts))


def test_json_holds_everything_for_scripts(study, db, made, tmp_path):
    data = json.loads(_export(study, db, made, "json", tmp_path).read_text("utf-8"))
    assert data["format"] == "companion-session/1"
    assert data["session"]["id"] == made.session_id
    assert data["participant"]["code"] == "P05" and data["participant"]["pdi"] == 38
    assert [s["start_ms"] for s in data["segments"]] == [s[0] for s in SCRIPT]
    assert {r["target"]: r["task"] for r in data["ratings"]} == {"most": 300, "least": 250}
    assert [p["phase_id"] for p in data["phases"]] == ["opening", "deepening",
                                                       "critical-reflection"]
    assert len(data["notes"]) == 4 and len(data["prompts"]) == 2
    assert data["pseudonymisation"]["rules"] == 2
    # Words are pseudonymised as well as the text.
    words = " ".join(w["word"] for s in data["segments"] for w in s["words"])
    assert "[Place]" in words
    _no_leak(json.dumps(data))


def test_pseudonymiser_whole_words_any_case_longest_first():
    p = Pseudonymiser({"Anna": "[Name]", "Anna de Vries": "P-1", "Utrecht": "[Place]"})
    assert p("anna de vries met Anna in UTRECHT; Annabel stays") == (
        "P-1 met [Name] in [Place]; Annabel stays")
    assert p.count == 3
    assert p.apply_words(["Met", " Anna", " de", " Vries", " today"]) == [
        "Met", " P-1", "", "", " today"]
    assert Pseudonymiser({})("Anna") == "Anna"


def test_document_without_transcript_or_audio_still_exports(study, db, tmp_path):
    made = make_interview(study, db, "P07", audio=False, transcript=False)
    doc = build_document(study, db, made.session_id)
    assert not doc.has_transcript
    [path] = export_paths(study, session=made.session_id, fmt="txt",
                          output=tmp_path / "bare.txt")
    text = path.read_text("utf-8")
    assert "No transcript yet" in text
    assert "[Note at 00:00:13: Mentions Anna; looks away; codes: C1" in text  # no list set


def test_words_replaced_on_an_edited_segment_fall_back_to_text(study, db, made):
    db.execute("UPDATE transcript_segments SET text = 'Something else entirely.' "
               "WHERE id = ?", [made.segment_ids[0]])
    doc = build_document(study, db, made.session_id)
    first = next(e for e in doc.entries if e.kind == "segment")
    assert first.text == "Something else entirely."


def test_docx_bytes_are_a_zip(study, db, made):
    from companion.export.docx_export import to_docx

    data = to_docx(build_document(study, db, made.session_id))
    assert data[:2] == b"PK"
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text.startswith("Session")


def test_qdpx_audio_is_the_recording(study, db, made, tmp_path):
    import zipfile

    path = _export(study, db, made, "qdpx", tmp_path)
    with zipfile.ZipFile(path) as archive:
        wav = next(n for n in archive.namelist() if n.endswith(".wav"))
        info = sf.info(io.BytesIO(archive.read(wav)))
    assert info.frames == 60 * 16000


def test_a_pinned_quote_reads_as_a_quote_not_a_note(study, db, made, tmp_path):
    from companion.store.notes import add_note

    add_note(db, made.session_id, kind="quote", text="it is one team", at_ms=14_000)
    text = _export(study, db, made, "md", tmp_path).read_text("utf-8")
    assert "[Quote pinned at 00:00:14: “it is one team”]" in text
    assert "[Note at 00:00:14: it is one team]" not in text
