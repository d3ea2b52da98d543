"""Parameter sweeps: one run per value in parallel processes, then a comparison across values."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exchange.simulation import loader, report
from exchange.simulation.results import write_csv
from exchange.simulation.runner import MarketKind, run_to_dir
from exchange.simulation.services_base import SetupRefused

YUAN = 100


@dataclass(frozen=True)
class SweepJob:
    """One run of a sweep, everything a worker process needs (picklable)."""

    scenario: str
    overrides: tuple[tuple[str, Any], ...]
    seed: int | None
    out: str
    market: MarketKind
    value: Any


def directory_name(key: str, value: Any) -> str:
    """A safe directory name for one value of a sweep."""
    text = f"{key}={loader.show_value(value)}"
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", text)[:120]


def comparison_row(value: Any, directory: str, summary: Mapping[str, Any]) -> dict[str, Any]:
    """One line of the comparison table from a run's summary."""
    row: dict[str, Any] = {
        "value": loader.show_value(value),
        "dir": directory,
        "trades": summary["trades"],
        "turnover_yuan": round(summary["turnover_fen"] / YUAN, 2),
        "efficiency": summary["welfare"]["efficiency"],
        "buyer_surplus_yuan": round(summary["welfare"]["buyer_surplus_fen"] / YUAN, 2),
        "seller_surplus_yuan": round(summary["welfare"]["seller_surplus_fen"] / YUAN, 2),
        "fees_yuan": round(summary["welfare"]["fees_fen"] / YUAN, 2),
        "commissions_yuan": round(summary["welfare"]["commissions_fen"] / YUAN, 2),
        "gini_payoffs": summary["gini_payoffs"],
        "refused_orders": summary["orders"].get("refused", 0),
        "customs_rejected": summary["customs"].get("rejected", 0)
        + summary["customs"].get("auto_refused", 0),
    }
    for exchange_id, figures in sorted(summary["by_exchange"].items()):
        row[f"share_{exchange_id}"] = figures["market_share"]
    row["audit_root"] = summary["audit_root"]
    return row


def run_job(job: SweepJob) -> dict[str, Any]:
    """Run one value of a sweep (in a worker process) and return its comparison row.

    A set-up the market refuses comes back as SetupRefused naming the field and the run.
    """
    variant = loader.load(Path(job.scenario), overrides=job.overrides, seed=job.seed)
    try:
        output = asyncio.run(run_to_dir(variant, Path(job.out), market=job.market))
    except SetupRefused as exc:
        raise SetupRefused(exc.path, f"{exc.reason} (in the run {variant.label})") from None
    return comparison_row(job.value, Path(job.out).name, output.results.summary)


def plan_sweep(
    scenario: Path,
    *,
    key: str,
    values: Sequence[Any],
    overrides: Sequence[tuple[str, Any]],
    seed: int | None,
    out: Path,
    market: MarketKind = "services",
) -> list[SweepJob]:
    """The jobs of a sweep, every variant validated before any runs."""
    jobs = []
    for value in values:
        extra = (*[(k, v) for k, v in overrides if k != key], (key, value))
        loader.load(scenario, overrides=extra, seed=seed)
        jobs.append(
            SweepJob(
                str(scenario), extra, seed, str(out / directory_name(key, value)), market, value
            )
        )
    return jobs


def run_sweep(
    jobs: Sequence[SweepJob],
    *,
    key: str,
    out: Path,
    processes: int,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the jobs (in parallel processes when `processes` > 1) and write the comparison."""
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[int, dict[str, Any]] = {}
    if processes <= 1:
        for i, job in enumerate(jobs):
            rows[i] = run_job(job)
            if on_done is not None:
                on_done(rows[i])
    else:
        # Spawned workers start clean: no inherited event loop, threads or open databases.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
            futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    rows[i] = future.result()
                    if on_done is not None:
                        on_done(rows[i])
            except BaseException:
                # One run failed: the runs not yet started never start.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    ordered = [rows[i] for i in range(len(jobs))]
    write_comparison(out, key=key, rows=ordered, scenario=jobs[0].scenario if jobs else "")
    return ordered


def write_comparison(
    out: Path, *, key: str, rows: Sequence[Mapping[str, Any]], scenario: str
) -> Path:
    """comparison.csv, comparison.png and an index.html linking every run."""
    columns = list(rows[0].keys()) if rows else ["value"]
    write_csv(out / "comparison.csv", rows, columns)
    from exchange.simulation import charts  # matplotlib: loaded only when a chart is drawn

    chart = charts.sweep_chart(out / "comparison.png", key, rows)
    title = f"Sweep 参数比较: {Path(scenario).stem}"
    note = ""
    if scenario:
        try:
            note = loader.validate(loader.read_toml(Path(scenario)), scenario).note
        except loader.ScenarioError:
            note = ""
    return report.sweep_report(
        out / "index.html", title=title, key=key, rows=rows, chart=chart, note=note
    )
