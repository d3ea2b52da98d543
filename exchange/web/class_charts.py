"""Pure: the live class view's charts as inline SVG (no script, nothing from another host).

Two small charts an instructor projects while a class runs: each round's realised gains
against the best achievable (the scenario's benchmark, so the gap is the efficiency lost), and
each exchange's average price by round. Money is fen, shown as yuan on the axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 40
COLOURS = ("#b3261e", "#0b57a4", "#1e7a3c", "#a35b00")
BENCHMARK = "#c9d1dc"


def _nice_top(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def _yuan_tick(fen: int) -> str:
    yuan = fen / 100
    if yuan >= 10_000:
        return f"¥{yuan / 10_000:g}万"
    return f"¥{yuan:,.0f}"


def _frame(top_fen: int, x_labels: Sequence[str], title: str) -> list[str]:
    """The SVG's opening, horizontal grid lines with yuan ticks, and round labels."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top_fen * i // 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e4e8ee"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(_yuan_tick(value))}</text>'
        )
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(x_labels))
    every = max(1, len(x_labels) // 12)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def _legend(items: Sequence[tuple[str, str]]) -> str:
    x: float = LEFT
    out = []
    for colour, label in items:
        out.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14:.1f}" y="{HEIGHT - 5}">{escape(label)}</text>'
        )
        x += 28 + sum(11 if ord(ch) > 0x2E7F else 6.5 for ch in label)  # CJK is wider
    return "".join(out)


def gains_against_benchmark(
    rounds: Sequence[tuple[int, int, int]], *, realised: str, benchmark: str, title: str
) -> Markup:
    """Bars of each round's realised gains over the best achievable (round, realised, best)."""
    top = _nice_top(max([1, *(max(r, b) for _, r, b in rounds)]))
    parts = _frame(top, [str(n) for n, _, _ in rounds], title)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(rounds))
    width = max(2.0, slot * 0.7)
    for i, (n, got, best) in enumerate(rounds):
        x = LEFT + slot * i + (slot - width) / 2
        for value, colour, what in (
            (best, BENCHMARK, benchmark),
            (max(0, got), COLOURS[0], realised),
        ):
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(what)} · {n}: '
                f"{escape(_yuan_tick(value))}</title></rect>"
            )
    parts.append(_legend([(BENCHMARK, benchmark), (COLOURS[0], realised)]))
    parts.append("</svg>")
    return Markup("".join(parts))


def price_lines(
    series: Mapping[str, Sequence[tuple[int, int | None]]], *, rounds: int, title: str
) -> Markup:
    """One line per exchange of its average price by round ((round, fen or None) points)."""
    values = [p for points in series.values() for _, p in points if p is not None]
    top = _nice_top(max([1, *values]))
    parts = _frame(top, [str(n) for n in range(1, rounds + 1)], title)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, rounds)
    legend = []
    for (name, points), colour in zip(sorted(series.items()), COLOURS * 4, strict=False):
        coords = [
            (LEFT + slot * (n - 0.5), TOP + plot_h - plot_h * p / top)
            for n, p in points
            if p is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        legend.append((colour, name))
    parts.append(_legend(legend))
    parts.append("</svg>")
    return Markup("".join(parts))
