"""Saturation from real codings and the joint display, for three participants, by hand."""

from __future__ import annotations

import base64
import json
import re

import pytest

from companion.exchange.qdpx_import import ImportedCode, ImportedCoding, ImportPlan, write_import
from companion.operations.ratings import RatingEntry, rate
from companion.report import render_report, study_report
from companion.store import events, notes, sessions
from tests.support.people import consented_session

# Least positive alliance (task, goal, bond), grouped against the protocol's published
# least-positive 25th percentiles (task 223, goal 286, bond 292): only P01 lies below.
LEAST = {"P01": (100, 150, 150), "P02": (250, 300, 300), "P03": (300, 350, 350)}
# The analyst's codings: (participant, code, session time in ms).
CODINGS = [("P01", "Z1 Dismissed", 5000), ("P01", "Z1 Dismissed", 25000),
           ("P01", "Z2 One team", 45000), ("P02", "Z1 Dismissed", 22000),
           ("P02", "Z3 Hope", 10000), ("P03", "Z2 One team", 41000),
           ("P03", "Z2 One team", 50000), ("P03", "Z3 Hope", 30000)]
# Code tags on notes: (participant, time, codes).
TAGS = [("P01", 1000, ["A1"]), ("P03", 21000, ["A1"])]


@pytest.fixture
def three(study, db):
    ids = {}
    for day, (code, (task, goal, bond)) in enumerate(LEAST.items(), start=1):
        s = consented_session(db, code, protocol_id="pain-alliance", gender="female",
                              age_band="35-55")
        rate(study, s.id, RatingEntry("most", "physio",
                                      domains={"task": 380, "goal": 380, "bond": 380}))
        rate(study, s.id, RatingEntry("least", "physician",
                                      domains={"task": task, "goal": goal, "bond": bond}))
        for phase_id, at in (("opening", 0), ("deepening", 20000),
                             ("critical-reflection", 40000)):
            events.add_phase_event(db, s.id, phase_id, at)
        sessions.set_status(db, s.id, "completed", started_at=f"2026-03-0{day}T10:00:00",
                            duration_ms=60000)
        ids[code] = s.id
    for code, at, tags in TAGS:
        notes.add_note(db, ids[code], kind="note", at_ms=at, codes=tags)
    guids = {name: f"00000000-0000-4000-8000-00000000000{i}"
             for i, name in enumerate(sorted({c for _, c, _ in CODINGS}), start=1)}
    plan = ImportPlan("coded.qdpx", "test", "0" * 64,
                      codes=[ImportedCode(g, n, None, None, True) for n, g in guids.items()])
    for index, (code, name, at) in enumerate(CODINGS):
        plan.codings.append(ImportedCoding(ids[code], guids[name], f"sel-{index}", index,
                                           index + 1, at, at + 500, "x", None, "guid", None,
                                           None))
    write_import(db, plan)
    return study, db


def test_saturation_counts_new_codes_from_the_codings_in_interview_order(three):
    rows = study_report(*three).coded_saturation
    # P01: Z1, Z2 (2 new); P02: Z3 at 10 s, Z1 at 22 s (Z3 new); P03: Z3, Z2 (none new).
    assert [(r.participant, r.codes, r.new_codes, r.cumulative) for r in rows] == [
        ("P01", ("Z1 Dismissed", "Z2 One team"), ("Z1 Dismissed", "Z2 One team"), 2),
        ("P02", ("Z3 Hope", "Z1 Dismissed"), ("Z3 Hope",), 3),
        ("P03", ("Z3 Hope", "Z2 One team"), (), 3)]
    # The saturation from code tags stays as it was: A1 in the first and third interview.
    assert [r.new for r in study_report(*three).saturation] == [1, 0, 0]


def test_joint_display_by_phase_and_wai_red_group_by_hand(three):
    joint = study_report(*three).joint
    # The published least-positive quartiles of pain-alliance's reference sample (n = 26):
    # P01 is below all three; P02 (250, 300, 300) sits just above each one.
    assert joint.thresholds == {"task": 223.0, "goal": 286.0, "bond": 292.0}
    assert (joint.low, joint.other, joint.unrated) == (["P01"], ["P02", "P03"], [])
    assert joint.phases == ["opening", "deepening", "critical-reflection"]
    table = {r.code: ([r.per_phase[p] for p in joint.phases], r.low, r.other, r.codings,
                      r.tags) for r in joint.rows}
    assert table == {
        # opening, deepening, critical reflection; low group (P01), others; codings, tags
        "Z1 Dismissed": ([1, 2, 0], 2, 1, 3, 0),
        "Z2 One team": ([0, 0, 3], 1, 2, 3, 0),
        "Z3 Hope": ([1, 1, 0], 0, 2, 2, 0),
        "A1 History and context": ([1, 1, 0], 1, 1, 0, 2),
    }
    assert [r.code for r in joint.rows] == ["Z1 Dismissed", "Z2 One team",
                                            "A1 History and context", "Z3 Hope"]


def test_joint_display_in_markdown_html_with_chart_and_json(three, run):
    report = study_report(*three)
    md = render_report(report, "md")
    assert "## Joint display: codes by interview phase and WAI-ReD group" in md
    assert "| Z1 Dismissed | 1 | 2 | 0 | 2 | 1 | 3 | 0 |" in md
    assert "Low alliance (n = 1)" in md and "Others (n = 2)" in md
    assert "## Saturation from the coded transcripts" in md
    html = render_report(report, "html")
    match = re.search(r'<img id="joint-chart"[^>]* src="data:image/svg\+xml;base64,([^"]+)"',
                      html)
    svg = base64.b64decode(match.group(1)).decode()
    # Per participant: Z1 occurs twice in the low group (1 participant), once in the others
    # (2 participants): 2.00 and 0.50.
    assert "Z1 Dismissed, low: 2.00 per participant" in svg
    assert "Z1 Dismissed, others: 0.50 per participant" in svg
    assert 'id="coded-saturation-chart"' in html
    data = json.loads(render_report(report, "json"))
    rows = {r["code"]: r for r in data["joint_display"]["rows"]}
    assert rows["Z2 One team"]["per_phase"] == {"opening": 0, "deepening": 0,
                                                "critical-reflection": 3}
    assert data["joint_display"]["groups"]["low"] == ["P01"]
    assert [r["new"] for r in data["saturation_codings"]] == [2, 1, 0]
    out = run("report", "--format", "md")
    assert out.exit_code == 0 and "| Z3 Hope | 1 | 1 | 0 | 0 | 2 | 2 | 0 |" in out.output


def test_a_coding_is_in_the_phase_the_timeline_gives_its_moment() -> None:
    """The joint display reads the timeline's phase spans (as the report's phase lengths):
    a phase marked after the session's end has no length and gets nothing."""
    from companion.report.joint import NO_PHASE, phase_of
    from companion.session.timeline import PhaseSpan

    spans = [PhaseSpan("opening", "Opening", 1000, 20000, 1),
             PhaseSpan("deepening", "Deepening", 20000, 50000, 2),
             PhaseSpan("late", "Late", 55000, 55000, 3)]  # marked past the end (50 s)
    assert phase_of(spans, 500) == NO_PHASE
    assert phase_of(spans, 1000) == "opening"
    assert phase_of(spans, 19999) == "opening" and phase_of(spans, 20000) == "deepening"
    assert phase_of(spans, 52000) == "deepening" and phase_of(spans, 56000) == "deepening"
    assert phase_of(spans, None) == NO_PHASE
