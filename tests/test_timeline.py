"""One session, one timeline: the summary, the report, every export and the qdpx audio
selections agree on phase lengths and on the order of events, and no export's time
stamps run backwards.

The session (a real study folder and SQLite database, real audio files):

- two recording files with a 12 s gap between them on the session clock (the recorder
  was paused; an import placed the second file later), so the session ends at 70 s;
- phases at 0 s, 20.5 s (in the middle of a participant's segment) and 60 s;
- notes inside long segments: one at 00:00:41 between words spoken at 00:00:40 and
  00:00:42, a bookmark at 24 s, a code tag at 54 s in a corrected segment;
- a segment whose text the researcher corrected (its words no longer match).
"""

from __future__ import annotations

import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pytest
import soundfile as sf
import srt
import webvtt
from rich.console import Console
from textual.widgets import Static

from companion.operations.marks import mark_phase, mark_prompt
from companion.operations.notes import add_note
from companion.operations.review import correct_segment
from companion.report.tables import build_report
from companion.session.timeline import load_timeline
from companion.store import participants, recordings, sessions, transcripts
from companion.study.folder import Study
from companion.tui.app import CompanionApp
from companion.tui.screens.summary import SummaryScreen
from tests.support.exports import export_paths
from tests.support.people import consented_session

RATE = 16_000
NS = {"q": "urn:QDA-XML:project:1.0"}
PHASES = [("opening", "Opening", 0), ("deepening", "Deepening", 20_500),
          ("critical-reflection", "Critical reflection", 60_000)]
END_MS = 70_000
EXPECTED_SPANS = {"Opening": 20_500, "Deepening": 39_500, "Critical reflection": 10_000}

# (speaker, [(word, start_ms, end_ms)]): I = interviewer, P = the participant.
SPEECH = [
    ("I", [("Could", 1000, 1400), (" you", 1500, 1800), (" tell", 1900, 2300),
           (" me", 2400, 2600), (" about", 2700, 3100), (" your", 3200, 3500),
           (" pain?", 3600, 4200)]),
    ("P", [("It", 18000, 18300), (" started", 18500, 19200), (" years", 19400, 19900),
           (" ago", 20000, 20400), (" with", 21000, 21300), (" my", 21400, 21600),
           (" back", 21700, 22200), (" and", 23000, 23300), (" never", 25000, 25500),
           (" went", 25700, 26100), (" away.", 26300, 27800)]),
    ("P", [("Then", 40000, 40800), (" the", 42000, 42300), (" team", 42400, 42900),
           (" never", 43100, 43600), (" talked", 43800, 44400), (" together.", 44600, 46000)]),
    ("I", [("We", 50000, 50400), (" will", 50600, 51000), (" come", 51200, 51700),
           (" back", 51900, 52400), (" to", 52600, 52800), (" that", 53000, 53600),
           (" later.", 55000, 57800)]),
    ("P", [("I", 60500, 60700), (" felt", 61000, 61500), (" heard", 61700, 62300),
           (" in", 62500, 62700), (" the", 62800, 63000), (" end.", 63200, 64500)]),
]
CORRECTED = "We will come back to that point, later on."


@dataclass
class Built:
    session_id: int
    segment_ids: list[int]
    note_ids: dict[str, int]


def _wav(path: Path, seconds: int, freq: float) -> int:
    t = np.arange(seconds * RATE) / RATE
    sf.write(path, 0.2 * np.sin(2 * np.pi * freq * t).astype(np.float32), RATE)
    return seconds * RATE


@pytest.fixture
def built(study: Study) -> Built:
    db = study.db()
    try:
        participants.add_participant(db, "P07", gender="female", consent_date="2024-03-01")
        from companion.operations.sessions import plan

        sid = plan(study, "P07", protocol_id="pain-alliance", interviewer="AB").id
        # Two files on the session clock: 0-28 s, then 40-70 s (12 s paused between them).
        for seq, (offset, seconds, freq) in enumerate(((0, 28, 220.0), (40_000, 30, 330.0)),
                                                      start=1):
            path = study.recordings_dir / f"session-{sid}-{seq:03d}.wav"
            frames = _wav(path, seconds, freq)
            recordings.add_segment(db, sid, path=str(path.relative_to(study.root)), fmt="wav",
                                   samplerate=RATE, channels=1, offset_ms=offset,
                                   device="test", status="closed", frames=frames,
                                   end_reason="paused" if seq == 1 else "stopped")
        transcripts.begin_transcript(db, sid, model="test", language="en", total_ms=END_MS)
        new = []
        for speaker, words in SPEECH:
            who = "P07" if speaker == "P" else speaker
            text = "".join(w for w, _, _ in words)
            new.append(transcripts.NewSegment(
                None, words[0][1], words[-1][2], text, who, -0.2,
                tuple(transcripts.Word(w, a, b, 0.9, who) for w, a, b in words)))
        pauses = [transcripts.Pause(4200, 18000, False), transcripts.Pause(46000, 50000, False),
                  transcripts.Pause(22200, 23000, True), transcripts.Pause(23300, 25000, True)]
        segment_ids = transcripts.commit_segments(db, sid, new, pauses, done_ms=END_MS)
        transcripts.finish_transcript(db, sid, "done")
        sessions.set_status(db, sid, "completed", started_at="2026-03-02T10:00:00+00:00",
                            duration_ms=END_MS)
    finally:
        db.conn.close()
    for phase_id, _, at in PHASES:
        mark_phase(study, sid, phase_id, at)
    mark_prompt(study, sid, kind="asked", text="Tell me about your pain.", at_ms=1000,
                prompt_id="pain-history")
    mark_prompt(study, sid, kind="suggestion_used", text="Ask about the team.", at_ms=39_000,
                rule_id="largest-gap")
    correct_segment(study, segment_ids[3], CORRECTED)
    note_ids = {
        "look": add_note(study, sid, "Looks away", at_ms=41_000).id,
        "bookmark": add_note(study, sid, "", at_ms=24_000, kind="bookmark").id,
        "tag": add_note(study, sid, "", at_ms=54_000, codes=["C3"]).id,
        "reflection": add_note(study, sid, "Calm at the end", at_ms=None,
                               kind="reflection").id,
    }
    return Built(sid, segment_ids, note_ids)


def _export(study: Study, built: Built, fmt: str, tmp_path: Path) -> Path:
    db = study.db()
    try:
        [path] = export_paths(study, session=built.session_id, fmt=fmt,
                              output=tmp_path / f"out.{fmt}")
    finally:
        db.conn.close()
    return path


def _timeline(study: Study, built: Built):  # type: ignore[no-untyped-def]
    db = study.db()
    try:
        return load_timeline(study, db, built.session_id)
    finally:
        db.conn.close()


def _ms(stamp: str) -> int:
    h, m, s = (int(x) for x in stamp.split(":"))
    return (h * 3600 + m * 60 + s) * 1000


def _monotonic(values: list[int]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(values))


STAMP = re.compile(r"\[(\d\d:\d\d:\d\d)\]|\bat (\d\d:\d\d:\d\d)")


def _stamps(text: str) -> list[int]:
    return [_ms(a or b) for a, b in STAMP.findall(text)]


def _qdpx(study: Study, built: Built, tmp_path: Path) -> tuple[ET.Element, zipfile.ZipFile]:
    archive = zipfile.ZipFile(_export(study, built, "qdpx", tmp_path))
    return ET.fromstring(archive.read("project.qde")), archive


# --- the timeline itself ----------------------------------------------------------------

def test_the_timeline_has_one_end_pauses_and_spans(study: Study, built: Built) -> None:
    tl = _timeline(study, built)
    assert tl.end_ms == END_MS  # the end of the last recorded audio
    [pause] = tl.interruptions()
    assert (pause.start_ms, pause.end_ms, pause.reason) == (28_000, 40_000, "paused")
    assert (pause.kind, pause.lasted_ms) == ("pause", 12_000)
    assert pause.describe() == "Recording paused for 12 s"
    assert {s.title: s.duration_ms for s in tl.phase_spans()} == EXPECTED_SPANS
    part, offset = tl.audio.locate(41_000)  # type: ignore[misc]
    assert part.seq == 2 and offset == 1000
    assert tl.audio.locate(30_000) is None  # in the paused stretch: no file plays
    order = [(e.kind, e.sub) for e in tl.events() if e.kind in ("interruption", "note")]
    assert order == [("note", "bookmark"), ("interruption", "pause"), ("note", "note"),
                     ("note", "note")]
    order = [(e.kind, e.ref_id) for e in tl.events() if e.kind == "note"]
    assert order == [("note", built.note_ids["bookmark"]),
                     ("note", built.note_ids["look"]), ("note", built.note_ids["tag"])]
    # The phase at 20.5 s cuts the participant's segment between "ago" and "with".
    stretches = [s.text for s in tl.speech() if s.segment.id == built.segment_ids[1]]
    assert stretches == ["It started years ago", "with my back and", "never went away."]


def test_a_recording_the_microphone_ended_and_a_second_imported_file_are_marked(
        study: Study, tmp_path: Path) -> None:
    db = study.db()
    try:
        sid = consented_session(db, "P08").id
        # Two files imported one after the other, then a live one whose microphone went
        # and never came back before the interviewer stopped.
        for offset, seconds, status, reason in ((0, 3, "imported", "imported"),
                                                (3000, 2, "imported", "imported"),
                                                (5000, 4, "closed", "device_lost")):
            recordings.add_segment(db, sid, path=f"recordings/x-{offset}.flac", fmt="flac",
                                   samplerate=RATE, channels=1, offset_ms=offset,
                                   device=None if status == "imported" else "mic",
                                   status=status, frames=seconds * RATE, end_reason=reason)
        tl = load_timeline(study, db, sid)
    finally:
        db.conn.close()
    assert [(i.kind, i.start_ms, i.lasted_ms, i.resumed, i.describe())
            for i in tl.interruptions()] == [
        ("file", 3000, None, True, "Next audio file"),
        ("file", 5000, None, True, "Next audio file"),
        ("device", 9000, None, False, "Microphone lost; the recording ends here")]
    [path] = export_paths(study, session=sid, fmt="txt", output=tmp_path / "out.txt")
    txt = path.read_text("utf-8")
    assert "[00:00:09] === Interruption: Microphone lost; the recording ends here ===" in txt


# --- the same phase lengths and order everywhere ------------------------------------------

async def test_summary_report_json_and_qdpx_agree(study: Study, built: Built,
                                                  tmp_path: Path) -> None:
    tl = _timeline(study, built)
    spans = [(s.phase_id, s.start_ms, s.duration_ms) for s in tl.phase_spans()]
    assert [(p, d) for p, _, d in spans] == [
        ("opening", 20_500), ("deepening", 39_500), ("critical-reflection", 10_000)]

    # The summary screen, as the researcher sees it.
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_summary(built.session_id)
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        console = Console(width=140, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#summary-phases", Static).content)
        table = console.export_text()
    rows = re.findall(r"(Opening|Deepening|Critical reflection)\s+(\d\d:\d\d:\d\d)\s+"
                      r"(\d\d:\d\d:\d\d)", table)
    assert [(title, _ms(length)) for title, _, length in rows] == [
        ("Opening", 20_000), ("Deepening", 39_000), ("Critical reflection", 10_000)]
    assert [_ms(length) // 1000 for _, _, length in rows] == [d // 1000 for _, _, d in spans]

    # The study report.
    db = study.db()
    try:
        report = build_report(study, db)
    finally:
        db.conn.close()
    [duration] = report.durations
    assert duration.duration_ms == END_MS
    assert list(duration.phases.items()) == [(p, d) for p, _, d in spans]

    # The json export: same spans, same end, the events in the same order.
    data = json.loads(_export(study, built, "json", tmp_path).read_text("utf-8"))
    assert data["duration_ms"] == END_MS
    assert [(p["phase_id"], p["start_ms"], p["end_ms"] - p["start_ms"])
            for p in data["phases"]] == spans
    marks = [(e.kind, e.ref_id) for e in tl.events() if e.kind in ("phase", "prompt", "note")]
    in_json = [(part["kind"], part["ref_id"]) for para in data["timeline"]
               for part in para["parts"] if part["kind"] in ("phase", "prompt", "note")]
    assert in_json == marks

    # The qdpx project: an audio selection per phase, the same lengths; the notes' and
    # prompts' selections in the same order.
    root, _ = _qdpx(study, built, tmp_path)
    audio = root.find("q:Sources/q:AudioSource", NS)
    assert audio is not None
    phase_sels = [(s.get("name"), int(s.get("end")) - int(s.get("begin")))
                  for s in audio.findall("q:AudioSelection", NS)
                  if s.get("name", "").startswith("Phase: ")]
    assert phase_sels == [(f"Phase: {t}", EXPECTED_SPANS[t]) for _, t, _ in PHASES]
    anchored = [int(s.get("begin")) for s in audio.findall("q:AudioSelection", NS)
                if not s.get("name", "").startswith(("Phase: ", "Interruption"))]
    assert anchored == [e.at_ms for e in tl.events() if e.kind in ("prompt", "note")]
    # The pause between the two files: its gap on the clock, on the recording.
    paused = [(int(s.get("begin")), int(s.get("end"))) for s in
              audio.findall("q:AudioSelection", NS) if s.get("name", "").startswith(
                  "Interruption")]
    assert paused == [(28_000, 40_000)]


async def test_talk_time_per_phase_follows_the_phase_spans(study: Study, built: Built,
                                                           tmp_path: Path) -> None:
    tl = _timeline(study, built)
    data = json.loads(_export(study, built, "json", tmp_path).read_text("utf-8"))["talk_time"]
    phases = {p["phase_id"]: p for p in data["phases"]}
    assert list(phases) == [pid for pid, _, _ in PHASES]
    db = study.db()
    try:
        [duration] = build_report(study, db).durations
    finally:
        db.conn.close()
    for pid, total in tl.phase_totals().items():
        assert phases[pid]["phase_ms"] == total == duration.phases[pid]
    # The answer running over the deepening mark (18.0-27.8 s) counts on both sides of it.
    def ms(pid: str) -> dict[str, int]:
        return {r["speaker"]: r["ms"] for r in phases[pid]["speakers"]}

    assert ms("opening") == {"I": 4200 - 1000, "P07": 20_500 - 18_000}
    assert ms("deepening") == {"P07": (27_800 - 20_500) + (46_000 - 40_000),
                               "I": 57_800 - 50_000}
    overall = {r["speaker"]: r["ms"] for r in data["overall"]}
    for who, spoken in overall.items():
        assert sum(ms(pid).get(who, 0) for pid in phases) == spoken
    for group in [data["overall"], *(p["speakers"] for p in data["phases"])]:
        assert sum(r["percent"] for r in group) == 100

    # The summary screen shows the same shares, phase by phase.
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_summary(built.session_id)
        await pilot.pause()
        console = Console(width=140, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#summary-talk", Static).content)
        table = console.export_text()
    for title, pid in (("Opening", "opening"), ("Deepening", "deepening")):
        line = next(ln for ln in table.splitlines() if ln.strip().startswith(title))
        for row in phases[pid]["speakers"]:
            assert f"{row['speaker']} {row['percent']} %" in line


def test_the_qdpx_audio_is_laid_out_by_the_timeline(study: Study, built: Built,
                                                    tmp_path: Path) -> None:
    """One file on the session clock: the gap is silence, each file at its place (the
    mapping the player uses too)."""
    root, archive = _qdpx(study, built, tmp_path)
    audio = root.find("q:Sources/q:AudioSource", NS)
    assert audio is not None
    name = audio.get("path", "").removeprefix("internal://")
    data, rate = sf.read(io.BytesIO(archive.read(f"sources/{name}")), dtype="float32")
    assert len(data) == END_MS * rate // 1000
    second = slice(rate * 10, rate * 11)
    assert np.abs(data[second]).max() > 0.1  # the first file
    assert np.abs(data[rate * 30:rate * 39]).max() == 0.0  # paused: silence
    assert np.abs(data[rate * 41:rate * 42]).max() > 0.1  # the second file, at 40 s


# --- monotonic stamps and notes between their words -------------------------------------

def test_every_export_runs_forward_in_time(study: Study, built: Built, tmp_path: Path) -> None:
    txt = _export(study, built, "txt", tmp_path).read_text("utf-8")
    assert _monotonic(_stamps(txt)) and len(_stamps(txt)) >= 10
    md = _export(study, built, "md", tmp_path).read_text("utf-8")
    assert _monotonic(_stamps(md)) and len(_stamps(md)) >= 10
    f4 = _export(study, built, "f4", tmp_path).read_text("utf-8")
    ends = [_ms(h) + int(t) * 100 for h, t in re.findall(r"#(\d\d:\d\d:\d\d)-(\d)#", f4)]
    # The phase starting at 20.5 s inside a segment used to stamp 00:00:27 before it.
    assert _monotonic(ends) and len(ends) >= 8
    document = docx.Document(str(_export(study, built, "docx", tmp_path)))
    stamps = _stamps("\n".join(p.text for p in document.paragraphs))
    assert _monotonic(stamps) and len(stamps) >= 10

    cues = list(srt.parse(_export(study, built, "srt", tmp_path).read_text("utf-8")))
    starts = [int(c.start.total_seconds() * 1000) for c in cues]
    # A cue per segment, and one for the pause between the two files.
    assert _monotonic(starts) and len(cues) == len(SPEECH) + 1
    assert cues[2].content == "[Interruption at 00:00:28: Recording paused for 12 s]"
    assert all(c.end > c.start for c in cues)
    vtt_path = _export(study, built, "vtt", tmp_path)
    captions = webvtt.read(str(vtt_path))
    assert _monotonic([int(c.start_in_seconds * 1000) for c in captions])
    vtt = vtt_path.read_text("utf-8")
    order = [(_ms(m[0]) if m[0] else _ms(m[1]))
             for m in re.findall(r"^(\d\d:\d\d:\d\d)\.\d{3} -->|at (\d\d:\d\d:\d\d)", vtt,
                                 flags=re.M)]
    assert _monotonic(order)

    data = json.loads(_export(study, built, "json", tmp_path).read_text("utf-8"))
    paragraph_starts = [p["at_ms"] for p in data["timeline"]]
    parts = [part["at_ms"] for p in data["timeline"] for part in p["parts"]]
    assert _monotonic(paragraph_starts) and _monotonic(parts)


BETWEEN = re.compile(r"Then\W+\[Note at 00:00:41: Looks away\]\W+the team never talked")


def test_a_note_lands_between_the_words_it_belongs_to(study: Study, built: Built,
                                                      tmp_path: Path) -> None:
    txt = _export(study, built, "txt", tmp_path).read_text("utf-8")
    assert BETWEEN.search(txt), txt
    md = _export(study, built, "md", tmp_path).read_text("utf-8")
    assert BETWEEN.search(md), md
    document = docx.Document(str(_export(study, built, "docx", tmp_path)))
    assert any(BETWEEN.search(p.text) for p in document.paragraphs)
    root, archive = _qdpx(study, built, tmp_path)
    # The one coded copy of the text: the recording's transcript.
    source = root.find("q:Sources/q:AudioSource/q:Transcript", NS)
    assert source is not None
    name = source.get("plainTextPath", "").removeprefix("internal://")
    assert BETWEEN.search(archive.read(f"sources/{name}").decode("utf-8"))
    # The bookmark at 24 s sits in the deepening phase's stretch of the cut segment.
    assert re.search(r"back and \[Bookmark at 00:00:24\] \(\.\) never went away", txt), txt
    # The corrected segment keeps its corrected text; the code tag lands inside it.
    tag = "[Note at 00:00:54: codes: C3 Multidisciplinary relationships]"
    assert tag in txt
    words = txt[txt.index("We will"):txt.index("later on.") + len("later on.")]
    assert words.replace(tag + " ", "") == CORRECTED
