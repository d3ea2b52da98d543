"""Pure: SVG charts drawn on the server (no script, no chart library): bars, lines, shares.

Each function returns the markup of one `<svg class="chart" role="img">` as a `Markup`
string (safe to put in a template as is: every label and title is escaped here). The drawing
is in viewBox units and scales to its container; the title is the accessible name and a
`<desc>` lists every value, so a screen reader (or a test) reads the numbers, not the shapes.

- `bar_chart([(label, value), ...])`: one horizontal bar per label (labels above the bars,
  so long Chinese names fit a phone's width).
- `line_chart({series: [(x, value), ...], ...})`: one polyline per series over a shared
  category axis (x labels in sorted order: ISO dates sort as text), with y ticks.
- `share_chart([(label, value), ...])`: one 100 % stacked bar with a legend of shares.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

Formatter = Callable[[float], str]
PALETTE = (
    "#b3261e",  # the console's accent red
    "#0b57a4",
    "#1e7a3c",
    "#a35b00",
    "#6a3d9a",
    "#00838f",
    "#7b5e57",
    "#c2185b",
)
WIDTH = 360  # about a phone's width: text reads at its size there, larger on a desk
_FONT = 11


def plain(value: float) -> str:
    """A value as a short number: integers without decimals, others to two places."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _id(kind: str, title: str, data: object) -> str:
    """A stable element id for this chart (two charts on a page get different ids)."""
    digest = hashlib.sha256(f"{kind}\n{title}\n{data!r}".encode()).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _open(kind: str, title: str, data: object, height: float, desc: str) -> tuple[str, str]:
    ident = _id(kind, title, data)
    head = (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return ident, head


def _empty(kind: str, title: str, empty: str) -> Markup:
    _, head = _open(kind, title, (), 60, empty)
    return Markup(
        f'{head}<text x="{WIDTH / 2:.0f}" y="34" text-anchor="middle" '
        f'class="chart-empty">{escape(empty)}</text></svg>'
    )


def _finite(value: float) -> float:
    number = float(value)
    return number if math.isfinite(number) else 0.0


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt: Formatter = plain,
    empty: str = "—",
) -> Markup:
    """Horizontal bars, one per (label, value), longest scale at the largest value.

    Negative values draw as empty bars (a turnover or a count is never below zero).
    """
    rows = [(str(label), _finite(value)) for label, value in bars]
    if not rows:
        return _empty("bar", title, empty)
    top = max((v for _, v in rows), default=0.0)
    row_h, bar_h, pad = 34, 14, 8
    height = pad * 2 + row_h * len(rows)
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in rows)
    _, head = _open("bar", title, rows, height, desc)
    parts = [head]
    usable = WIDTH - 2 * pad - 90  # room for the value after the longest bar
    for i, (label, value) in enumerate(rows):
        y = pad + i * row_h
        length = 0.0 if top <= 0 or value <= 0 else max(usable * value / top, 1.0)
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<g class="bar"><text x="{pad}" y="{y + _FONT:.0f}">{escape(label)}</text>'
            f'<rect x="{pad}" y="{y + 15}" width="{length:.1f}" height="{bar_h}" rx="2" '
            f'fill="{colour}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
            f'<text x="{pad + length + 6:.1f}" y="{y + 15 + bar_h - 3}" '
            f'class="value">{escape(fmt(value))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(span: float, ticks: int) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = span / max(ticks, 1)
    if raw <= 0:
        return 1.0
    power: float = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def _y_range(values: Sequence[float]) -> tuple[float, float, float]:
    """The y axis: low, high and tick step, padded so flat lines sit mid-chart."""
    low, high = min(values), max(values)
    if math.isclose(low, high):
        margin = abs(low) * 0.1 or 1.0
        low, high = low - margin, high + margin
    step = _nice_step(high - low, 4)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def line_chart(
    series: Mapping[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    fmt: Formatter = plain,
    empty: str = "—",
) -> Markup:
    """One line per named series of (x label, value) points on a shared, sorted x axis.

    A series with one point draws as a dot; the legend names each series in its colour.
    """
    cleaned = {
        str(name): [(str(x), _finite(v)) for x, v in points]
        for name, points in series.items()
        if points
    }
    if not cleaned:
        return _empty("line", title, empty)
    xs = sorted({x for points in cleaned.values() for x, _ in points})
    values = [v for points in cleaned.values() for _, v in points]
    low, high, step = _y_range(values)
    left, right, top, legend_h = 52, 12, 12, 18 * len(cleaned)
    plot_h, axis_h = 180, 34
    height = top + plot_h + axis_h + legend_h + 6
    plot_w = WIDTH - left - right

    def px(x: str) -> float:
        return left + (plot_w * xs.index(x) / (len(xs) - 1) if len(xs) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - low) / (high - low)

    desc = "; ".join(
        f"{name}: " + ", ".join(f"{x} {fmt(v)}" for x, v in points)
        for name, points in cleaned.items()
    )
    _, head = _open("line", title, cleaned, height, desc)
    parts = [head, '<g class="axis">']
    ticks = round((high - low) / step)
    for k in range(ticks + 1):
        value = low + k * step
        y = py(value)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9dee6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    # At most ~6 x labels, always the first and the last.
    every = max(1, math.ceil(len(xs) / 6))
    shown = {0, len(xs) - 1, *range(0, len(xs), every)}
    for i in sorted(shown):
        anchor = "start" if i == 0 and len(xs) > 1 else "end" if i == len(xs) - 1 else "middle"
        if len(xs) == 1:
            anchor = "middle"
        parts.append(
            f'<text x="{px(xs[i]):.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="{anchor}">{escape(xs[i])}</text>'
        )
    parts.append("</g>")
    for n, (name, points) in enumerate(cleaned.items()):
        colour = PALETTE[n % len(PALETTE)]
        coords = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in sorted(points))
        parts.append(f'<g class="series" data-series="{escape(name)}">')
        if len(points) > 1:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, v in points:
            parts.append(
                f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(x)}: {escape(fmt(v))}</title></circle>"
            )
        y = top + plot_h + axis_h + 18 * n
        parts.append(
            f'<rect x="{left}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{y + 10}">{escape(name)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def share_chart(
    parts: Sequence[tuple[str, float]],
    *,
    title: str,
    empty: str = "—",
) -> Markup:
    """One bar split by each (label, value)'s share of the total, and a legend with percents."""
    rows = [(str(label), max(_finite(value), 0.0)) for label, value in parts]
    total = sum(v for _, v in rows)
    if not rows or total <= 0:
        return _empty("share", title, empty)
    pad, bar_h = 8, 22
    height = pad + bar_h + 10 + 18 * len(rows) + pad
    shares = [(label, value / total) for label, value in rows]
    desc = "; ".join(f"{label}: {share:.1%}" for label, share in shares)
    _, head = _open("share", title, rows, height, desc)
    out = [head]
    x = float(pad)
    usable = WIDTH - 2 * pad
    for i, (label, share) in enumerate(shares):
        width = usable * share
        out.append(
            f'<rect x="{x:.1f}" y="{pad}" width="{width:.1f}" height="{bar_h}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: {share:.1%}</title></rect>'
        )
        x += width
    for i, (label, share) in enumerate(shares):
        y = pad + bar_h + 10 + 18 * i
        out.append(
            f'<rect x="{pad}" y="{y}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{pad + 18}" y="{y + 10}">{escape(label)} · {share:.1%}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
