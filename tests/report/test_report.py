"""The study report from 26 generated participants, checked against quartiles by hand."""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from companion.operations.ratings import RatingEntry, rate
from companion.operations.sessions import plan
from companion.report import render_report, study_report
from companion.report.chart import saturation_svg, saturation_text
from companion.store import events, notes, participants, sessions
from companion.study import Study, init_study, open_study
from tests.support.cli import cli_runner

N = 26
AGE = ["<35", "35-55", ">55"]
# Codes tagged per interview, in interview order: new codes 2, 1, 0, 1, 0, ... 0.
CODES = [["A1", "A2"], ["A2", "B1"], ["A1"], ["C1", "B1"]] + [["A1"]] * (N - 4)


@pytest.fixture(scope="module")
def sample_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study of :func:`_fill`, made once: the tests only read it (the CLI test writes
    its output to a copy)."""
    root = tmp_path_factory.mktemp("report") / "study"
    study, _ = init_study(root)
    db = study.db()
    try:
        _fill(study, db)
    finally:
        db.conn.close()
    return root


@pytest.fixture
def sample(sample_study: Path) -> Iterator[tuple[Study, Database]]:
    study = open_study(sample_study)
    db = study.db()
    yield study, db
    db.conn.close()


def _fill(study: Study, db: Database) -> None:
    """Participant i (0..25): PDI 10+i, CSI 40+2i; most positive Task 200+8i, Goal 250+6i,
    Bond 230+4i; least positive Task 150+10i, Goal 200+5i, Bond 180+7i. Interviews on
    consecutive days, 60+i minutes, phases at 0, 20 and 45 minutes. Two pilot sessions
    with extreme values that must stay out of every table."""
    order = [(7 * i) % N for i in range(N)]  # entered in a scrambled order
    for i in order:
        code = f"P{i + 1:02d}"
        participants.add_participant(
            db, code, gender="female" if i < 16 else "male", age_band=AGE[i % 3],
            education="high" if i % 2 else "low", pain_duration=">10", work_status="working",
            pdi=10 + i, csi=40 + 2 * i)
        s = plan(study, code, protocol_id="pain-alliance")
        rate(study, s.id, RatingEntry("most", "physio", domains={
            "task": 200 + 8 * i, "goal": 250 + 6 * i, "bond": 230 + 4 * i}))
        rate(study, s.id, RatingEntry("least", "physician",
                                      domains={"task": 150 + 10 * i, "goal": 200 + 5 * i,
                                               "bond": 180 + 7 * i}))
        for phase_id, minute in (("opening", 0), ("deepening", 20), ("critical-reflection", 45)):
            events.add_phase_event(db, s.id, phase_id, minute * 60_000)
        for code_id in CODES[i]:
            notes.add_note(db, s.id, kind="note", at_ms=60_000, codes=[code_id])
        sessions.set_status(db, s.id, "completed", started_at=f"2026-03-{i + 1:02d}T10:00:00",
                            duration_ms=(60 + i) * 60_000)
    for code in ("X1", "X2"):
        participants.add_participant(db, code, gender="other", age_band="<35", pdi=70, csi=100)
        s = plan(study, code, protocol_id="pain-alliance", pilot=True)
        rate(study, s.id, RatingEntry("most", "physio",
                                      domains={"task": 0, "goal": 0, "bond": 0}))
        notes.add_note(db, s.id, kind="note", at_ms=1000, codes=["C3"])
        sessions.set_status(db, s.id, "completed", started_at="2026-02-01T10:00:00",
                            duration_ms=5 * 60_000)


def test_table1_counts_and_type6_quartiles(sample):
    report = study_report(*sample)
    t1 = report.table1
    assert t1.n == 26
    gender = {r.label: (r.n, round(r.percent, 1)) for r in t1.categories["gender"]}
    assert gender == {"Female": (16, 61.5), "Male": (10, 38.5), "Other / not said": (0, 0.0)}
    ages = {r.value: r.n for r in t1.categories["age_band"]}
    assert ages == {"<35": 9, "35-55": 9, ">55": 8}
    # PDI sorted: x_k = 9 + k. Type 6, n = 26: h = 27p.
    # p25: h = 6.75 -> x6 + .75 (x7 - x6) = 15.75; median: h = 13.5 -> 22.5;
    # p75: h = 20.25 -> x20 + .25 = 29.25.
    pdi = t1.scales["pdi"]
    assert (pdi.median, pdi.p25, pdi.p75, pdi.n) == (22.5, 15.75, 29.25, 26)
    # CSI x_k = 38 + 2k: p25 = 50 + 1.5 = 51.5; median = 64 + 1 = 65; p75 = 78 + .5 = 78.5.
    csi = t1.scales["csi"]
    assert (csi.median, csi.p25, csi.p75) == (65.0, 51.5, 78.5)


def test_table2_wai_red_median_and_iqr_by_hand(sample):
    rows = {r.domain: r for r in study_report(*sample).table2}
    # Most Task x_k = 192 + 8k: p25 = x6 + .75*8 = 246; median = x13 + 4 = 300;
    # p75 = x20 + 2 = 354.
    most = rows["task"].most
    assert (most.median, most.p25, most.p75, most.n) == (300.0, 246.0, 354.0, 26)
    # Least Task x_k = 140 + 10k: 207.5; 275; 342.5.
    least = rows["task"].least
    assert (least.median, least.p25, least.p75) == (275.0, 207.5, 342.5)
    # Most total = 680 + 18i: x_k = 662 + 18k: p25 = 770 + 13.5 = 783.5;
    # median = 896 + 9 = 905; p75 = 1022 + 4.5 = 1026.5.
    total = rows["total"].most
    assert (total.median, total.p25, total.p75) == (905.0, 783.5, 1026.5)
    # Least Bond x_k = 173 + 7k: p25 = 215 + 5.25 = 220.25; median = 264 + 3.5 = 267.5;
    # p75 = 313 + 1.75 = 314.75.
    bond = rows["bond"].least
    assert (bond.median, bond.p25, bond.p75) == (267.5, 220.25, 314.75)
    assert rows["task"].reference_most == "324.0 (283.5; 363.0)"


def test_pilots_listed_apart_and_excluded(sample):
    report = study_report(*sample)
    assert [s.participant_code for s in report.pilots] == ["X1", "X2"]
    assert all(not s.pilot for s in report.sessions) and len(report.sessions) == 26
    assert "C3" not in {c for r in report.saturation for c in r.codes}
    text = render_report(report, "md")
    pilot_part = text.split("## Pilot interviews")[1]
    assert "X1" in pilot_part and "X1" not in text.split("## Pilot interviews")[0]


def test_durations_and_time_per_phase(sample):
    report = study_report(*sample)
    first = report.durations[0]
    assert first.participant == "P01" and first.duration_ms == 60 * 60_000
    assert first.phases == {"opening": 20 * 60_000, "deepening": 25 * 60_000,
                            "critical-reflection": 15 * 60_000}
    # Durations 60..85 min: type 6 as for PDI shifted by 50.
    d = report.duration_summary
    assert (d.median, d.p25, d.p75) == (72.5, 65.75, 79.25)
    crit = report.phase_summary["critical-reflection"]  # 15 + i minutes
    assert (crit.median, crit.p25) == (27.5, 20.75)


def test_saturation_new_codes_in_interview_order(sample):
    rows = study_report(*sample).saturation
    assert [r.participant for r in rows[:4]] == ["P01", "P02", "P03", "P04"]
    assert [r.new for r in rows] == [2, 1, 0, 1] + [0] * 22
    assert [r.cumulative for r in rows[:5]] == [2, 3, 3, 4, 4]
    assert rows[3].new_codes == ("C1",)
    lines = saturation_text(rows)
    assert lines[0].count("█") == 20 and lines[2].count("█") == 0
    svg = saturation_svg(rows)
    assert svg.count('class="new"') == 26 and "<polyline" in svg


def test_report_formats_md_html_json(sample):
    report = study_report(*sample)
    md = render_report(report, "md")
    assert "## Table 1. Sample characteristics (n = 26)" in md
    assert "| Task | 300.0 (246.0; 354.0) | 275.0 (207.5; 342.5) |" in md
    assert "Pain Disability Index (PDI), median (25th;75th) | 22.5 (15.8; 29.2)" in md
    html = render_report(report, "html")
    uri = re.search(r'<img id="saturation-chart" alt="[^"]+" src="data:image/svg\+xml;base64,'
                    r'([^"]+)"', html)
    assert uri and base64.b64decode(uri.group(1)).decode().startswith("<svg")
    data = json.loads(render_report(report, "json"))
    assert data["table2"][0]["most"]["p25"] == 246.0
    assert len(data["saturation"]) == 26


def test_report_cli(sample_study, tmp_path):
    copy = tmp_path / "study"
    shutil.copytree(sample_study, copy)
    run = cli_runner(copy)
    result = run("report", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["table1"]["n"] == 26
    out = tmp_path / "report.html"
    result = run("report", "--format", "html", "-o", str(out))
    assert result.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    bad = run("report", "--format", "pdf")
    assert bad.exit_code == 2 and "--format: got 'pdf'" in bad.output
