"""The study report as Markdown, HTML (with the saturation chart as an image) or JSON."""

from __future__ import annotations

import base64
from html import escape

from companion.characteristics import SCALES
from companion.notation import format_hms
from companion.report.agreement import CodeAgreement, CoderAgreement
from companion.report.chart import joint_svg, saturation_svg
from companion.report.tables import CATEGORY_TITLES, StudyReport, Summary

FORMATS = ("md", "html", "json")


def _s(summary: Summary | None, digits: int = 1) -> str:
    return summary.text(digits) if summary else "–"


def _sections(report: StudyReport) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(title, header, rows, note) of every table, shared by Markdown and HTML."""
    t1 = report.table1
    rows1: list[list[str]] = []
    for key, rows in t1.categories.items():
        rows1.append([CATEGORY_TITLES[key], ""])
        for row in rows:
            rows1.append([f"  {row.label}", f"{row.n} ({row.percent:.1f}%)"])
    for key, summary in t1.scales.items():
        missing = t1.scale_missing.get(key, 0)
        note = f" ({missing} missing)" if missing else ""
        rows1.append([f"{SCALES[key][2]} ({key.upper()}), median (25th;75th)",
                      _s(summary) + note])
    sections = [(f"Table 1. Sample characteristics (n = {t1.n})",
                 ["Characteristic", "n (%)"], rows1,
                 "Pilot interviews are not counted.")]

    has_ref = any(r.reference_most for r in report.table2)
    header2 = ["WAI-ReD", "Most positive", "Least positive"]
    if has_ref:
        header2 += ["Reference most", "Reference least"]
    rows2 = []
    for score_row in report.table2:
        cells = [score_row.domain.capitalize(), _s(score_row.most), _s(score_row.least)]
        if has_ref:
            cells += [score_row.reference_most or "–", score_row.reference_least or "–"]
        rows2.append(cells)
    n_most = max((r.most.n for r in report.table2 if r.most), default=0)
    n_least = max((r.least.n for r in report.table2 if r.least), default=0)
    sections.append((
        "Table 2. WAI-ReD scores, median (25th; 75th percentile)", header2, rows2,
        f"n = {n_most} (most positive), {n_least} (least positive); quantiles type 6 "
        "(as SPSS). Domains 0–400, total 0–1200."))

    rows3 = [[f"Session {d.session_id}", d.participant, format_hms(d.duration_ms),
              *[format_hms(d.phases[p]) if p in d.phases else "–" for p in report.phase_titles]]
             for d in report.durations]
    rows3.append(["All (minutes)", "", _s(report.duration_summary),
                  *[_s(report.phase_summary[p]) for p in report.phase_titles]])
    sections.append(("Interview durations and time per phase",
                     ["Interview", "Participant", "Duration",
                      *report.phase_titles.values()], rows3,
                     "Last row: median (25th; 75th percentile) in minutes."))

    rows4 = [[str(r.order), r.participant, r.date, str(r.new),
              ", ".join(r.new_codes) or "–", str(r.cumulative)] for r in report.saturation]
    sections.append(("Saturation: new codes per interview",
                     ["#", "Participant", "Date", "New", "New codes", "Codes so far"], rows4,
                     "Codes tagged during or after each interview, in interview order."))

    rows_t = [[f"Session {r['session_id']}" if r["session_id"] else "All", r["participant"]
               if r["session_id"] else "",
               f"{r['interviewer_percent']}%", str(r["interviewer_turns"]),
               f"{r['interviewer_median_turn_s']:.0f} s", f"{r['participant_percent']}%",
               str(r["participant_turns"]), f"{r['participant_median_turn_s']:.0f} s"]
              for r in report.talk_time]
    sections.append(("Talk-time: who talked how much",
                     ["Interview", "Participant", "Interviewer", "Turns", "Median turn",
                      "Participant", "Turns", "Median turn"], rows_t,
                     "Share of speaking time; a turn runs until the other speaks."))
    if report.coded_saturation:
        rows_c = [[str(r.order), r.participant, r.date, str(r.new),
                   ", ".join(r.new_codes) or "–", str(r.cumulative)]
                  for r in report.coded_saturation]
        sections.append(("Saturation from the coded transcripts: new codes per interview",
                         ["#", "Participant", "Date", "New", "New codes", "Codes so far"],
                         rows_c, "The analyst's codings brought back with import-qdpx, in "
                         "interview order."))
    if report.joint is not None:
        sections.append(_joint_section(report))
    for pair in report.agreement:
        sections += _agreement_sections(pair)

    rows5 = [[f"Session {s.id}", s.participant_code, s.status,
              format_hms(s.duration_ms) if s.duration_ms else "–"] for s in report.pilots]
    sections.append(("Pilot interviews (not in the tables)",
                     ["Interview", "Participant", "Status", "Duration"], rows5, ""))
    return sections


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _counted(report: StudyReport) -> str:
    """"1 interview, 0 pilots": numbers with their word in the right form."""
    return (f"{_plural(len(report.sessions), 'interview', 'interviews')}, "
            f"{_plural(len(report.pilots), 'pilot', 'pilots')}")


def _joint_section(report: StudyReport) -> tuple[str, list[str], list[list[str]], str]:
    joint = report.joint
    assert joint is not None
    header = ["Code", *[joint.phase_titles[p] for p in joint.phases],
              f"Low alliance (n = {len(joint.low)})", f"Others (n = {len(joint.other)})",
              "Codings", "Code tags"]
    rows = [[r.code, *[str(r.per_phase[p]) for p in joint.phases], str(r.low),
             str(r.other), str(r.codings), str(r.tags)] for r in joint.rows]
    limits = ", ".join(f"{d} {v:.1f}" for d, v in joint.thresholds.items())
    note = ("Occurrences of each code (imported codings and code tags) per interview phase "
            "and per WAI-ReD group. Low alliance: a task, goal or bond score of the least "
            f"positive alliance below the reference 25th percentile ({limits or 'none'}); "
            f"low: {', '.join(joint.low) or 'none'}; others: {', '.join(joint.other) or 'none'}"
            + (f"; without a rating: {', '.join(joint.unrated)}" if joint.unrated else "")
            + ".")
    return ("Joint display: codes by interview phase and WAI-ReD group", header, rows, note)


def _share(value: float | None) -> str:
    return f"{100 * value:.1f}%" if value is not None else "–"


def _kappa(row: CodeAgreement) -> str:
    if row.kappa is None:
        return "undefined (Pe = 1)" if row.units else "–"
    return f"{row.kappa:.2f} (Po {row.observed:.3f}, Pe {row.expected:.3f})"


# A differing passage, as far as a table cell shows it (the json has it whole).
PASSAGE_CHARS = 200


def _agreement_sections(pair: CoderAgreement
                        ) -> list[tuple[str, list[str], list[list[str]], str]]:
    a, b = pair.coder_a, pair.coder_b
    header = ["Code", "Both", f"{a} only", f"{b} only", "Neither", "Agreement",
              "Cohen's kappa", f"Characters {a}", f"Characters {b}", "Both", "Overlap"]
    rows = [[r.code, str(r.both), str(r.only_a), str(r.only_b), str(r.neither),
             _share(r.observed), _kappa(r), str(r.chars_a), str(r.chars_b),
             str(r.chars_both), _share(r.overlap)]
            for r in [*pair.codes, *([pair.overall] if pair.overall else [])]]
    note = (f"{pair.segments} transcript segments of {len(pair.sessions)} interviews both "
            f"coders had (sessions {', '.join(map(str, pair.sessions))}). A segment counts "
            "as coded when a coding with the code covers some of its words; agreement is "
            "the share of segments both coded or both left uncoded; kappa = (Po - Pe) / "
            "(1 - Pe) with Pe from each coder's share of coded segments; the last row pools "
            "every segment and code. Overlap: characters both coded, of those either coded.")
    passages = [[f"Session {p.session_id}", p.participant,
                 f"{format_hms(p.start_ms)}–{format_hms(p.end_ms)}", p.code, p.coded_by,
                 p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS - 1] + "…"]
                for p in sorted(pair.passages, key=lambda p: (p.session_id, p.start_ms,
                                                              p.code))]
    return [(f"Agreement between coders: {a} and {b}", header, rows, note),
            (f"Where {a} and {b} differ: passages for the consensus meeting",
             ["Interview", "Participant", "Time", "Code", "Coded only by", "Passage"],
             passages, "Consecutive segments one coder coded with the code and the other "
             "did not, in session time: play them from the review screen.")]


def to_markdown(report: StudyReport) -> str:
    out = [f"# {report.title}", "", f"Generated {report.generated_at}; protocol "
           f"{report.protocol_id}; {_counted(report)}.", ""]
    for title, header, rows, note in _sections(report):
        out += [f"## {title}", ""]
        if not rows:
            out += ["None.", ""]
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            cells = [c.replace("|", "\\|").replace("  ", "&nbsp;&nbsp;", 1) for c in row]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        if note:
            out += [f"*{note}*", ""]
    return "\n".join(out)


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def to_html(report: StudyReport) -> str:
    svg = saturation_svg(report.saturation)
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{escape(report.title)}</title>",
           "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
           "table{border-collapse:collapse;margin-bottom:.5em}"
           "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
           ".note{color:#555;font-size:.9em}</style></head><body>",
           f"<h1>{escape(report.title)}</h1>",
           f"<p>Generated {escape(report.generated_at)}; protocol "
           f"{escape(str(report.protocol_id))}; {_counted(report)}.</p>"]
    for title, header, rows, note in _sections(report):
        out.append(f"<h2>{escape(title)}</h2>")
        if title.startswith("Saturation:"):
            out.append(f'<p><img id="saturation-chart" alt="New codes per interview" '
                       f'src="{data_uri}"></p>')
        if title.startswith("Saturation from") and report.coded_saturation:
            out.append(f'<p><img id="coded-saturation-chart" alt="New codes per interview, '
                       f'from the coded transcripts" src="{_svg_uri(saturation_svg(report.coded_saturation))}"></p>')  # noqa: E501
        if title.startswith("Joint display") and report.joint is not None:
            out.append(f'<p><img id="joint-chart" alt="Code occurrences per participant by '
                       f'WAI-ReD group" src="{_svg_uri(joint_svg(report.joint))}"></p>')
        if not rows:
            out.append("<p>None.</p>")
            continue
        out.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                   + "</tr></thead><tbody>")
        for row in rows:
            out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
        out.append("</tbody></table>")
        if note:
            out.append(f'<p class="note">{escape(note)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
