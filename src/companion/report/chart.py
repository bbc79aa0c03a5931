"""The saturation chart: new codes per interview (bars) and codes found so far (line).

Two renderings of the same data, without any plotting library: an SVG image for the HTML
report and lines of block characters for the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from companion.report.joint import JointDisplay
from companion.report.tables import SaturationRow

BARS = " ▁▂▃▄▅▆▇█"


def saturation_svg(rows: Sequence[SaturationRow], *, width: int = 640, height: int = 240) -> str:
    """An SVG document: one bar per interview (new codes), a line for the running total."""
    left, right, top, bottom = 40, 16, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([r.cumulative for r in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>New codes per interview (bars) and codes found so far (line)</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#444"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    if rows:
        slot = plot_w / len(rows)
        points = []
        for index, row in enumerate(rows):
            x = left + index * slot
            bar_h = plot_h * row.new / peak
            parts.append(
                f'<rect class="new" x="{x + slot * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{bar_h:.1f}" fill="#4C78A8">'
                f"<title>{escape(row.participant)}: {row.new} new</title></rect>")
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 14}" '
                         f'text-anchor="middle">{row.order}</text>')
            points.append(f"{x + slot / 2:.1f},{top + plot_h - plot_h * row.cumulative / peak:.1f}")
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#E45756" '
                     'stroke-width="2"/>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">'
                 "interview (in order)</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def saturation_text(rows: Sequence[SaturationRow]) -> list[str]:
    """Terminal chart: one line per interview, ``#3 P07 ███ 3 new (12)``."""
    peak = max([r.new for r in rows] + [1])
    width = 20
    lines = []
    for row in rows:
        full = round(width * row.new / peak)
        lines.append(f"{row.order:>3} {row.participant:<8} {'█' * full:<{width}} "
                     f"{row.new:>2} new  ({row.cumulative} so far)")
    return lines


def sparkline(values: Sequence[int]) -> str:
    peak = max([*list(values), 1])
    return "".join(BARS[round((len(BARS) - 1) * v / peak)] for v in values)


def joint_svg(display: JointDisplay, *, width: int = 640) -> str:
    """The joint display as a chart: per code, occurrences per participant in the low
    alliance group (dark) and in the others (light), so groups of unequal size compare."""
    rows = display.rows
    bar_h, gap, left, top, right = 9, 8, 220, 28, 60
    height = top + len(rows) * (2 * bar_h + gap) + 24
    n_low, n_other = max(1, len(display.low)), max(1, len(display.other))
    rates = [(r.low / n_low, r.other / n_other) for r in rows]
    peak = max([v for pair in rates for v in pair] + [1e-9])
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>Code occurrences per participant: low alliance group and the others</title>",
        f'<rect x="{left}" y="6" width="10" height="10" fill="#4C78A8"/>'
        f'<text x="{left + 14}" y="15">low alliance (n = {len(display.low)})</text>',
        f'<rect x="{left + 170}" y="6" width="10" height="10" fill="#A0C4E8"/>'
        f'<text x="{left + 184}" y="15">others (n = {len(display.other)})</text>',
    ]
    for index, (row, (low, other)) in enumerate(zip(rows, rates, strict=True)):
        y = top + index * (2 * bar_h + gap)
        parts.append(f'<text x="{left - 6}" y="{y + bar_h + 3}" text-anchor="end">'
                     f"{escape(row.code[:34])}</text>")
        for offset, value, colour, label in ((0, low, "#4C78A8", "low"),
                                             (bar_h, other, "#A0C4E8", "others")):
            w = plot_w * value / peak
            parts.append(f'<rect class="{label}" x="{left}" y="{y + offset}" width="{w:.1f}" '
                         f'height="{bar_h}" fill="{colour}"><title>{escape(row.code)}, '
                         f"{label}: {value:.2f} per participant</title></rect>")
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + offset + bar_h - 1}">'
                         f"{value:.2f}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
