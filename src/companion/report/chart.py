"""The saturation chart: new codes per interview (bars) and codes found so far (line).

Two renderings of the same data, without any plotting library: an SVG image for the HTML
report and lines of block characters for the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

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
