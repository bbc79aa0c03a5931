"""Every interruption of a recording is on the record: a pause (F6), a stop and continue,
a microphone pulled and plugged back, each at its session time with its length, in the
summary, in review and in every export; and no transcript segment or turn runs across one.

The session is recorded once for the module in real time through the PulseAudio
microphone and transcribed by the real ``tiny.en`` (see ``tests/support/interruptions``).
"""

from __future__ import annotations

import io
import itertools
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
import srt
import webvtt
from rich.console import Console
from striprtf.striprtf import rtf_to_text
from textual.widgets import OptionList, Static

from companion.export.layout import layout
from companion.export.pseudonymise import build_document
from companion.notation import format_hms
from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.exports import export_paths
from tests.support.interruptions import PAUSED_S, STOPPED_S, Recorded, record_interrupted
from tests.support.qualcoder import Project
from tests.support.tui import wait_for

if TYPE_CHECKING:
    from tests.conftest import PulseMic

pytestmark = [pytest.mark.audio, pytest.mark.pulse, pytest.mark.model]

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, _pulse_daemon: PulseMic) -> Recorded:
    from companion.transcribe import load_engine

    engine = load_engine()
    return record_interrupted(tmp_path_factory.mktemp("interrupted") / "study", _pulse_daemon,
                              engine)


@pytest.fixture(scope="module")
def exported(recorded: Recorded, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every export of the session, by format (the Taguette WebVTT as ``vtt-taguette``)."""
    folder = tmp_path_factory.mktemp("exports")
    out: dict[str, Path] = {}
    for fmt in ("txt", "md", "docx", "f4", "f4-rtf", "f4-docx", "nvivo", "srt", "vtt",
                "json", "qdpx"):
        [out[fmt]] = export_paths(recorded.study, session=recorded.session_id, fmt=fmt,
                                  output=f"{folder}/")
    [out["vtt-taguette"]] = export_paths(recorded.study, session=recorded.session_id,
                                         fmt="vtt", for_tool="taguette", output=f"{folder}/")
    return out


def _expected(recorded: Recorded) -> list[tuple[str, str]]:
    """(hh:mm:ss, what and how long) of each interruption, as every view writes it."""
    return [(format_hms(i.start_ms), i.describe()) for i in recorded.interruptions]


# --- the recording and its transcript --------------------------------------------------

def test_the_three_interruptions_are_on_the_timeline_with_their_lengths(
        recorded: Recorded) -> None:
    files = recorded.files
    assert [f.end_reason for f in files] == ["paused", "stopped", "device_lost", "stopped"]
    pause, stop, lost = recorded.interruptions
    assert [(i.kind, i.start_ms, i.resumed) for i in recorded.interruptions] == [
        ("pause", files[0].end_ms, True), ("stop", files[1].end_ms, True),
        ("device", files[2].end_ms, True)]
    # The clock stood still through each: the next file starts where the last one ended.
    assert all(i.end_ms == i.start_ms for i in recorded.interruptions)
    # Their length in the room, from the files' wall-clock starts.
    assert isinstance(pause.lasted_ms, int) and pause.lasted_ms >= PAUSED_S * 1000 - 300
    assert isinstance(stop.lasted_ms, int) and stop.lasted_ms >= STOPPED_S * 1000 - 300
    assert isinstance(lost.lasted_ms, int) and lost.lasted_ms >= 1000
    assert pause.describe().startswith("Recording paused for ")
    assert stop.describe().startswith("Recording stopped, continued ")
    assert lost.describe().startswith("Microphone lost for ")


def test_no_segment_and_no_turn_runs_across_an_interruption(recorded: Recorded) -> None:
    by_file = {f.id: f for f in recorded.files}
    assert {s.recording_segment_id for s in recorded.segments} == set(by_file), (
        "every recorded stretch has speech in the transcript")
    for seg in recorded.segments:
        for item in recorded.interruptions:
            assert not seg.start_ms < item.start_ms < seg.end_ms, (seg, item)
    db = recorded.study.db()
    try:
        doc = build_document(recorded.study, db, recorded.session_id)
    finally:
        db.conn.close()
    files_of = {s.id: s.recording_segment_id for s in recorded.segments}
    turns = [p for p in layout(doc) if p.kind == "turn"]
    # One microphone: no speaker is known, so every segment is one speaker's; only the
    # interruptions end a turn.
    assert len(turns) == len(recorded.files)
    for turn in turns:
        assert len({files_of[part.ref_id] for part in turn.parts
                    if part.kind == "segment"}) == 1, turn
    kinds = [p.kind for p in layout(doc) if p.kind in ("turn", "interruption")]
    assert kinds == ["turn", "interruption"] * 3 + ["turn"]


# --- summary and review -------------------------------------------------------------------

def _plain(renderable: object) -> str:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_the_summary_lists_each_interruption_at_its_time(recorded: Recorded) -> None:
    app = CompanionApp(recorded.study, check_recovery=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.open_summary(recorded.session_id)
        # Its status is read when it mounts: the summary is filled in by then.
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen)
                       and bool(app.screen.status), what="the summary")
        shown = _plain(app.screen.query_one("#summary-interruptions", Static).content)
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert lines == ["Interruptions"] + [f"{hms}  ⏸ {what}" for hms, what in _expected(recorded)]


async def test_review_shows_each_interruption_between_the_turns_it_separates(
        recorded: Recorded) -> None:
    app = CompanionApp(recorded.study, check_recovery=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(ReviewScreen(recorded.session_id))
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and app.screen.doc is not None, what="the review")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        rows = [row.entry for row in screen.transcript_rows]
        listed = screen.query_one("#transcript-list", OptionList)
        labels = [str(listed.get_option_at_index(i).prompt) for i in range(len(rows))]
        in_timeline = [row.entry for row in screen.timeline_rows
                       if row.entry.kind == "interruption"]
    files_of = {s.id: s.recording_segment_id for s in recorded.segments}
    marks = [i for i, entry in enumerate(rows) if entry.kind == "interruption"]
    assert [(format_hms(rows[i].at_ms), rows[i].text) for i in marks] == _expected(recorded)
    assert [labels[i] for i in marks] == [f"[{hms}] ⏸ {what}" for hms, what in
                                          _expected(recorded)]
    assert [(e.at_ms, e.text) for e in in_timeline] == [(rows[i].at_ms, rows[i].text)
                                                          for i in marks]
    # Each stands after the last line of the file that ended there and before the first
    # line of the next one.
    bounds = [-1, *marks, len(rows)]
    files = [f.id for f in recorded.files]
    for index, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        spoken = {files_of[e.ref_id] for e in rows[lo + 1:hi] if e.kind == "segment"}
        assert spoken == {files[index]}


# --- every export, read with its own reader --------------------------------------------------

def _ms(stamp: str) -> int:
    h, m, s = (int(x) for x in stamp.split(":"))
    return (h * 3600 + m * 60 + s) * 1000


def _second(ms: int) -> int:
    """A time as its ``[hh:mm:ss]`` stamp says it (to the second)."""
    return ms // 1000 * 1000


def test_txt_md_f4_and_nvivo_write_each_interruption_on_its_own_line(
        recorded: Recorded, exported: dict[str, Path]) -> None:
    expected = _expected(recorded)
    txt = exported["txt"].read_bytes().decode("utf-8")  # CRLF kept
    paragraphs = [p for p in txt.split("\r\n\r\n") if p.strip()]
    lines = [f"[{hms}] === Interruption: {what} ===" for hms, what in expected]
    at = [paragraphs.index(line) for line in lines]
    for index, item in zip(at, recorded.interruptions, strict=True):
        # The turn before it started earlier; the next turn starts at or after it.
        before, after = paragraphs[index - 1], paragraphs[index + 1]
        assert _ms(before[1:9]) <= _second(item.start_ms) <= _ms(after[1:9])
    md = exported["md"].read_text("utf-8")
    for hms, what in expected:
        assert f"**[{hms}] Interruption:** {what}" in md.splitlines()
    f4_lines = [f"=== Interruption: {what} === #{hms}-{i.start_ms % 1000 // 100}#"
                for (hms, what), i in zip(expected, recorded.interruptions, strict=True)]
    f4 = exported["f4"].read_bytes().decode("utf-8").split("\r\n")
    assert [line for line in f4 if "Interruption" in line] == f4_lines
    rtf = rtf_to_text(exported["f4-rtf"].read_text("ascii"))
    assert [line.strip() for line in rtf.splitlines() if "Interruption" in line] == f4_lines
    f4_docx = docx.Document(str(exported["f4-docx"]))
    assert [p.text for p in f4_docx.paragraphs if "Interruption" in p.text] == f4_lines
    rows = exported["nvivo"].read_bytes().decode("utf-8").split("\r\n")
    assert [row.split("\t")[1:] for row in rows if "\tInterruption\t" in row] == [
        ["Interruption", what] for _, what in expected]


def test_docx_has_a_paragraph_for_each_interruption(recorded: Recorded,
                                                     exported: dict[str, Path]) -> None:
    document = docx.Document(str(exported["docx"]))
    texts = [p.text for p in document.paragraphs]
    found = [t for t in texts if "Interruption" in t]
    assert found == [f"[{hms}] === Interruption: {what} ===" for hms, what in
                     _expected(recorded)]
    # Each between two turns, in clock order with them.
    for text, item in zip(found, recorded.interruptions, strict=True):
        index = texts.index(text)
        assert _ms(texts[index - 1][1:9]) <= _second(item.start_ms) <= _ms(
            texts[index + 1][1:9])


def test_subtitles_carry_each_interruption_as_a_cue_or_a_note(
        recorded: Recorded, exported: dict[str, Path]) -> None:
    expected = _expected(recorded)
    memos = [f"[Interruption at {hms}: {what}]" for hms, what in expected]
    cues = list(srt.parse(exported["srt"].read_text("utf-8")))
    marked = [(int(c.start.total_seconds() * 1000), c.content) for c in cues
              if c.content.startswith("[Interruption")]
    assert marked == [(i.start_ms, memo) for i, memo in zip(recorded.interruptions, memos,
                                                            strict=True)]
    # WebVTT: a NOTE each (players skip them), every caption still a segment.
    captions = webvtt.read(str(exported["vtt"]))
    assert not [c for c in captions if "Interruption" in c.text]
    notes = [line for line in exported["vtt"].read_text("utf-8").splitlines()
             if line.startswith("NOTE [Interruption")]
    assert notes == [f"NOTE {memo}" for memo in memos]
    # Taguette drops NOTE blocks: there each is a cue of its own.
    taguette = webvtt.read(str(exported["vtt-taguette"]))
    assert [(_ms(c.start[:8]) + int(c.start[9:]), c.text) for c in taguette
            if c.text.startswith("[Interruption")] == [
        (i.start_ms, memo) for i, memo in zip(recorded.interruptions, memos, strict=True)]


def test_json_lists_the_interruptions_and_puts_them_in_the_timeline(
        recorded: Recorded, exported: dict[str, Path]) -> None:
    data = json.loads(exported["json"].read_text("utf-8"))
    assert [(i["kind"], i["at_ms"], i["lasted_ms"], i["text"]) for i in data["interruptions"]] \
        == [(i.kind, i.start_ms, i.lasted_ms, i.describe()) for i in recorded.interruptions]
    in_timeline = [(p["at_ms"], p["parts"][0]["text"]) for p in data["timeline"]
                   if p["kind"] == "interruption"]
    assert in_timeline == [(i.start_ms, i.describe()) for i in recorded.interruptions]


def _interruption_codings(path: Path) -> tuple[list[tuple[int, str, str]], list[int]]:
    """(sync time, coded text, description) of every transcript selection coded
    Interruption, and the begin of every such selection on the recording."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        audio = root.find("q:Sources/q:AudioSource", NS)
        assert audio is not None
        transcript = audio.find("q:Transcript", NS)
        assert transcript is not None
        text = archive.read("sources/" + transcript.get("plainTextPath", "")[11:]).decode()
    [code] = [c.get("guid") for c in root.iter(f"{{{NS['q']}}}Code")
              if c.get("name") == "Interruption"]
    points = {p.get("guid"): (int(p.get("position", "")), int(p.get("timeStamp", "")))
              for p in transcript.findall("q:SyncPoint", NS)}

    def coded(sel: ET.Element) -> bool:
        return any(ref.get("targetGUID") == code for ref in sel.iter(f"{{{NS['q']}}}CodeRef"))

    spans = []
    for sel in transcript.findall("q:TranscriptSelection", NS):
        if coded(sel):
            (start, ms), (end, _) = points[sel.get("fromSyncPoint")], points[
                sel.get("toSyncPoint")]
            spans.append((ms, text[start:end], sel.findtext("q:Description", "", NS)))
    begins = [int(sel.get("begin", "")) for sel in audio.findall("q:AudioSelection", NS)
              if coded(sel)]
    return spans, begins


def test_qdpx_codes_each_interruption_in_the_transcript_and_on_the_recording(
        recorded: Recorded, exported: dict[str, Path]) -> None:
    spans, begins = _interruption_codings(exported["qdpx"])
    assert spans == [(i.start_ms, f"[{format_hms(i.start_ms)}] === Interruption: "
                      f"{i.describe()} ===", i.describe()) for i in recorded.interruptions]
    assert begins == [i.start_ms for i in recorded.interruptions]


def test_qdpx_import_knows_the_interruption_marks_as_companions_own(
        recorded: Recorded, exported: dict[str, Path], tmp_path: Path) -> None:
    from companion.exchange import plan_import

    # As exported, and as QualCoder exports it again (new GUIDs for everything).
    again = Project.imported(exported["qdpx"]).write(tmp_path / "from-qualcoder.qdpx")
    db = recorded.study.db()
    try:
        for path in (exported["qdpx"], again):
            plan = plan_import(recorded.study, db, path)
            assert set(plan.sessions) == {recorded.session_id}, path
            assert "Interruption" not in {code.name for code in plan.codes}
            assert not plan.codings and not plan.unplaced
            assert plan.own_codings >= len(recorded.interruptions)
    finally:
        db.conn.close()
