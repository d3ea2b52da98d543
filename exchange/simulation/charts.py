"""PNG charts of a run and of a sweep (matplotlib, headless Agg backend).

Chart text stays in English and ASCII: the fonts matplotlib ships have no CJK glyphs, and a
missing glyph would print boxes on a projector. The HTML report carries the Chinese labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from exchange.simulation.results import Results, RunRecord

YUAN = 100  # fen per yuan
_PNG_METADATA = {"Software": None}


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100, metadata=_PNG_METADATA)
    plt.close(fig)
    return path


def _series(rows: Sequence[Mapping[str, Any]], key: str, value: str) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        out[str(row[key])][int(row["round"])] = float(row[value])
    return out


def _line_chart(
    path: Path,
    series: Mapping[str, Mapping[int, float]],
    rounds: int,
    *,
    title: str,
    ylabel: str,
) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    xs = list(range(1, rounds + 1))
    for name in sorted(series):
        points = series[name]
        ax.plot(xs, [points.get(x, float("nan")) for x in xs], marker=".", label=name)
    ax.set_title(title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if series:
        ax.legend(fontsize="small")
    return _save(fig, path)


def run_charts(out: Path, record: RunRecord, results: Results) -> list[Path]:
    """The charts of one run, written into `out` as PNG files."""
    out.mkdir(parents=True, exist_ok=True)
    rounds = record.rounds
    paths = []
    turnover = {
        ex: {r: v / YUAN for r, v in points.items()}
        for ex, points in _series(results.rounds, "exchange", "turnover_fen").items()
    }
    paths.append(
        _line_chart(
            out / "turnover.png",
            turnover,
            rounds,
            title="Turnover by exchange",
            ylabel="yuan per round",
        )
    )
    paths.append(
        _line_chart(
            out / "market_share.png",
            _series(results.rounds, "exchange", "market_share"),
            rounds,
            title="Share of turnover by exchange",
            ylabel="share",
        )
    )
    by_form: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for t in record.trades:
        by_form[t.form][t.round].append(t.price_fen)
    mean_prices = {
        form: {r: sum(v) / len(v) / YUAN for r, v in points.items()}
        for form, points in by_form.items()
    }
    paths.append(
        _line_chart(
            out / "prices.png",
            mean_prices,
            rounds,
            title="Mean price by product form",
            ylabel="yuan",
        )
    )
    efficiency = {
        "efficiency": {
            int(row["round"]): float(row["efficiency"])
            for row in results.welfare_by_round
            if row["efficiency"] is not None
        }
    }
    paths.append(
        _line_chart(
            out / "efficiency.png",
            efficiency,
            rounds,
            title="Allocative efficiency (realised / best achievable gains)",
            ylabel="efficiency",
        )
    )
    paths.append(_surplus_chart(out / "surplus.png", results))
    paths.append(_lorenz_chart(out / "payoffs.png", results))
    if record.customs:
        paths.append(_customs_chart(out / "customs.png", record))
    return paths


def _surplus_chart(path: Path, results: Results) -> Path:
    w = results.summary["welfare"]
    labels = ["buyers", "providers", "fees", "commissions", "unrealised"]
    unrealised = max(0, int(w["best_gains_fen"]) - int(w["realised_gains_fen"]))
    values = [
        w["buyer_surplus_fen"] / YUAN,
        w["seller_surplus_fen"] / YUAN,
        w["fees_fen"] / YUAN,
        w["commissions_fen"] / YUAN,
        unrealised / YUAN,
    ]
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.bar(labels, values, color=["#2b6cb0", "#2f855a", "#b7791f", "#805ad5", "#a0aec0"])
    ax.set_title("Where the gains from trade went")
    ax.set_ylabel("yuan")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def _lorenz_chart(path: Path, results: Results) -> Path:
    payoffs = sorted(
        max(0, int(p["payoff_fen"])) for p in results.participants if p["role"] != "regulator"
    )
    total = sum(payoffs)
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.plot([0, 1], [0, 1], color="#a0aec0", linestyle="--", label="equal")
    if payoffs and total:
        cumulative = [0.0]
        running = 0
        for p in payoffs:
            running += p
            cumulative.append(running / total)
        xs = [i / len(payoffs) for i in range(len(payoffs) + 1)]
        ax.plot(xs, cumulative, color="#2b6cb0", label="payoffs")
    ax.set_title(f"Lorenz curve of payoffs (Gini {results.summary['gini_payoffs']:.3f})")
    ax.set_xlabel("share of participants")
    ax.set_ylabel("share of payoffs")
    ax.legend(fontsize="small")
    return _save(fig, path)


def _customs_chart(path: Path, record: RunRecord) -> Path:
    counts: dict[str, int] = defaultdict(int)
    for c in record.customs:
        counts[c.outcome] += 1
    labels = sorted(counts)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(labels, [counts[k] for k in labels], color="#c05621")
    ax.set_title("Data customs outcomes")
    ax.set_ylabel("cases")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


SWEEP_METRICS: tuple[tuple[str, str], ...] = (
    ("trades", "trades"),
    ("turnover_yuan", "turnover (yuan)"),
    ("efficiency", "allocative efficiency"),
    ("gini_payoffs", "Gini of payoffs"),
)


def sweep_chart(path: Path, key: str, rows: Sequence[Mapping[str, Any]]) -> Path:
    """One panel per metric, one bar per swept value, plus each exchange's market share."""
    labels = [str(r["value"]) for r in rows]
    share_keys = sorted(k for k in (rows[0] if rows else {}) if k.startswith("share_"))
    panels = len(SWEEP_METRICS) + (1 if share_keys else 0)
    fig, axes = plt.subplots(1, panels, figsize=(3.3 * panels, 3.4), squeeze=False)
    for ax, (metric, title) in zip(axes[0], SWEEP_METRICS, strict=False):
        values = [float(r[metric]) if r.get(metric) is not None else 0.0 for r in rows]
        ax.bar(labels, values, color="#2b6cb0")
        ax.set_title(title, fontsize="medium")
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
        ax.grid(axis="y", alpha=0.3)
    if share_keys:
        ax = axes[0][-1]
        bottom = [0.0] * len(rows)
        for share in share_keys:
            values = [float(r[share]) for r in rows]
            ax.bar(labels, values, bottom=bottom, label=share.removeprefix("share_"))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title("market share", fontsize="medium")
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
        ax.legend(fontsize="x-small")
    fig.suptitle(f"Sweep over {key}")
    return _save(fig, path)
