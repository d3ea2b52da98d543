"""Charts as inline SVG, drawn on the server (no script, no library): a line over days.

The numbers are placed here and every text is escaped, so a page includes the result as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True, slots=True)
class Point:
    """One day's value."""

    day: date
    value: float


def _nice_bounds(low: float, high: float) -> tuple[float, float]:
    if high - low < 1e-9:
        pad = max(abs(high) * 0.1, 1.0)
        return low - pad, high + pad
    pad = (high - low) * 0.1
    return low - pad, high + pad


def line_chart(points: Sequence[Point], *, title: str, baseline: float | None = None) -> Markup:
    """A line chart of values by day, with its axes labelled; `baseline` draws a dashed rule
    (an index's base of 100)."""
    label = escape(title)
    if not points:
        return Markup("")
    values = [p.value for p in points]
    if baseline is not None:
        values.append(baseline)
    low, high = _nice_bounds(min(values), max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    first, last = points[0].day.toordinal(), points[-1].day.toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        if first == last:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (day.toordinal() - first) / span

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#b8c0cc"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#b8c0cc"/>',
    ]
    for tick in (low + (high - low) * i / 4 for i in range(5)):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.1f}</text>'
        )
    if baseline is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(baseline):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(baseline):.1f}" stroke="#b8c0cc" stroke-dasharray="4 4"/>'
        )
    for day in {points[0].day, points[-1].day}:
        anchor = "start" if day == points[0].day and first != last else "end"
        if first == last:
            anchor = "middle"
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}">'
            f"{day.isoformat()}</text>"
        )
    coords = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in points)
    parts.append(
        f'<polyline points="{coords}" fill="none" stroke="#b3261e" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    for p in points:
        parts.append(
            f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="3" fill="#b3261e">'
            f"<title>{p.day.isoformat()}: {p.value:.2f}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
