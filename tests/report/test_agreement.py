"""Two coders of the same three interviews: agreement figures against a hand calculation.

Each coder gets the three sessions in one project, codes it in QualCoder (as
:mod:`tests.support.qualcoder` does) and exports it; both projects are imported and the
report compares them. Every interview has 7 segments, so there are 21 units per code.
"""

from __future__ import annotations

import json
import re

import pytest

from companion.export.pseudonymise import build_document
from companion.export.qdpx import write_qdpx
from companion.report import render_report, study_report
from tests.support.interview import make_interview
from tests.support.qualcoder import Project

WHOLE_1 = "Could you tell me about your pain history?"  # segment 1 (0.5-4.0 s)
PART_2 = "years ago with my back."  # in segment 2 (5.5-12.0 s)
WHOLE_4 = "How did that feel for you?"  # segment 4 (21.0-25.0 s)
PART_4 = "did that feel"
WHOLE_6 = "Is there something you never told them?"  # segment 6 (41.0-47.0 s)
PART_6 = "never told them"

# (interview 0, 1 or 2, passage, code) for each coder.
MARIT = [(0, WHOLE_4, "Z1"), (1, WHOLE_4, "Z1"), (2, WHOLE_6, "Z1"),
         (0, WHOLE_1, "Z2"), (2, WHOLE_1, "Z2"),
         (1, PART_6, "Z3")]
JOOST = [(0, PART_4, "Z1"), (1, WHOLE_4, "Z1"), (1, WHOLE_6, "Z1"),
         (0, WHOLE_1, "Z2"), (2, WHOLE_1, "Z2"), (2, PART_2, "Z2")]


@pytest.fixture
def coded(study, db, tmp_path, run):
    sessions = [make_interview(study, db, code, started_at=f"2026-03-0{i + 1}T10:00:00+00:00")
                .session_id for i, code in enumerate(("P01", "P02", "P03"))]
    path = tmp_path / "three.qdpx"
    write_qdpx([build_document(study, db, sid) for sid in sessions], path)
    for coder, codings in (("Marit", MARIT), ("Joost", JOOST)):
        project = Project.imported(path, name=f"{coder.lower()}.qda")
        for interview, passage, code in codings:
            project.code(passage, code, coder, source=interview)
        result = run("import-qdpx", str(project.write(tmp_path / f"{coder}.qdpx")), "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["codings"] == len(codings)
    return sessions


def test_agreement_per_code_and_overall_matches_the_hand_calculation(study, db, coded):
    [pair] = study_report(study, db).agreement
    assert (pair.coder_a, pair.coder_b) == ("Joost", "Marit")
    assert pair.sessions == coded and pair.segments == 21
    rows = {r.code: r for r in pair.codes}
    # (both, Joost only, Marit only, neither), counted by hand from the lists above:
    # Z1: both in interview 1 and 2 segment 4; Joost alone interview 2 segment 6; Marit
    # alone interview 3 segment 6. Z2: both twice on segment 1; Joost alone on interview 3
    # segment 2. Z3: Marit alone once.
    assert [(r.both, r.only_a, r.only_b, r.neither) for r in pair.codes] == [
        (2, 1, 1, 17), (2, 1, 0, 18), (0, 0, 1, 20)]
    z1, z2, z3 = rows["Z1"], rows["Z2"], rows["Z3"]
    # Z1: Po = 19/21; each coder coded 3 of 21: Pe = (3/21)² + (18/21)² = 333/441;
    # kappa = (399 - 333) / (441 - 333) = 66/108.
    assert z1.observed == pytest.approx(19 / 21) and z1.expected == pytest.approx(333 / 441)
    assert z1.kappa == pytest.approx(66 / 108)
    assert z1.percent == pytest.approx(100 * 19 / 21)
    # Z2: Po = 20/21; Joost 3, Marit 2 of 21: Pe = (3·2 + 18·19) / 441 = 348/441;
    # kappa = (420 - 348) / (441 - 348) = 72/93.
    assert z2.kappa == pytest.approx(72 / 93)
    # Z3: Joost coded nothing: Pe = (0 + 21·20) / 441 = 420/441 = Po: kappa 0.
    assert z3.observed == pytest.approx(20 / 21) and z3.kappa == pytest.approx(0)
    # All codes pooled: 63 units, both 4, one only 2 + 2, neither 55: Po = 59/63;
    # each coded 6: Pe = (36 + 57²) / 63² = 3285/3969; kappa = (3717 - 3285) / 684.
    overall = pair.overall
    assert (overall.both, overall.only_a, overall.only_b, overall.neither) == (4, 2, 2, 55)
    assert overall.kappa == pytest.approx(432 / 684)
    # Characters: Z1 Joost 13 + 26 + 39, Marit 26 + 26 + 39, both 13 + 26;
    # Z2 Joost 42 + 42 + 23, Marit 42 + 42, both 84; Z3 Marit 15.
    assert (z1.chars_a, z1.chars_b, z1.chars_both) == (
        len(PART_4) + len(WHOLE_4) + len(WHOLE_6), 2 * len(WHOLE_4) + len(WHOLE_6),
        len(PART_4) + len(WHOLE_4))
    assert z1.overlap == pytest.approx(39 / (78 + 91 - 39))
    assert z2.overlap == pytest.approx(84 / 107)
    assert (z3.chars_a, z3.chars_b, z3.overlap) == (0, len(PART_6), 0)
    assert overall.overlap == pytest.approx((39 + 84) / (185 + 190 - 123))


def test_the_passages_where_they_differ_have_their_times(study, db, coded):
    [pair] = study_report(study, db).agreement
    _, p02, p03 = coded
    assert sorted((p.session_id, p.code, p.coded_by, p.start_ms, p.end_ms, p.text)
                  for p in pair.passages) == sorted([
        (p02, "Z1", "Joost", 41000, 47000, WHOLE_6),
        (p03, "Z1", "Marit", 41000, 47000, WHOLE_6),
        (p03, "Z2", "Joost", 5500, 12000, "It started in Utrecht years ago with my back."),
        (p02, "Z3", "Marit", 41000, 47000, WHOLE_6)])


def test_agreement_in_markdown_html_and_json(study, db, coded, run):
    report = study_report(study, db)
    md = render_report(report, "md")
    assert "## Agreement between coders: Joost and Marit" in md
    assert re.search(r"\| Z1 \| 2 \| 1 \| 1 \| 17 \| 90\.5% \| 0\.61 \(Po 0\.905, Pe 0\.755\) "
                     r"\| 78 \| 91 \| 39 \| 30\.0% \|", md), md
    assert "| All codes | 4 | 2 | 2 | 55 | 93.7% | 0.63" in md
    assert "## Where Joost and Marit differ: passages for the consensus meeting" in md
    assert "| Session 3 | P03 | 00:00:05–00:00:12 | Z2 | Joost |" in md
    html = render_report(report, "html")
    assert "<h2>Agreement between coders: Joost and Marit</h2>" in html
    assert "<td>undefined (Pe = 1)</td>" not in html
    data = json.loads(render_report(report, "json"))
    [pair] = data["agreement"]
    assert pair["coders"] == ["Joost", "Marit"]
    z1 = next(c for c in pair["codes"] if c["code"] == "Z1")
    assert z1["kappa"] == pytest.approx(66 / 108) and z1["units"] == 21
    assert len(pair["passages"]) == 4
    out = run("report", "--format", "json")
    assert out.exit_code == 0 and json.loads(out.output)["agreement"][0]["segments"] == 21


def test_kappa_is_undefined_when_chance_agreement_is_certain() -> None:
    from companion.report.agreement import CodeAgreement

    nothing = CodeAgreement("Z9", 0, 0, 0, 21, 0, 0, 0)
    assert nothing.observed == 1 and nothing.expected == 1 and nothing.kappa is None
    assert nothing.overlap is None
