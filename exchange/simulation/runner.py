"""One run into an output directory: the market, the tables, the charts and the report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from exchange.simulation import engine, report
from exchange.simulation.loader import Variant
from exchange.simulation.market import Market, NullMarket
from exchange.simulation.results import Results, RunRecord, compute, write_tables

MarketKind = Literal["services", "null"]
MARKET_DB = "market.db"
AUDIT_LOG = "audit-log.jsonl"


@dataclass
class RunOutput:
    """What a run left behind."""

    out: Path
    record: RunRecord
    results: Results
    stats: engine.RunStats
    report: Path


def parameters_text(variant: Variant) -> str:
    """The variant's parameters as JSON (for the report and the output directory)."""
    data = variant.scenario.model_dump(mode="json", exclude={"treatments", "note"})
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def prepare_dir(out: Path) -> None:
    """Create an output directory."""
    out.mkdir(parents=True, exist_ok=True)


def make_market(variant: Variant, out: Path, kind: MarketKind) -> Market:
    """The market a run plays against: the platform's services on a fresh database, or none."""
    if kind == "null":
        return NullMarket(variant.scenario)
    from exchange.simulation.services_market import ServiceMarket

    return ServiceMarket(variant.scenario, out / MARKET_DB, audit_log=out / AUDIT_LOG)


def write_outputs(out: Path, record: RunRecord, *, parameters: str = "") -> tuple[Results, Path]:
    """Results, CSV/JSON tables, PNG charts and the HTML report of a run record."""
    results = compute(record)
    write_tables(out, record, results)
    # matplotlib takes seconds to import: only code that draws pays for it, not every server.
    from exchange.simulation import charts

    pngs = charts.run_charts(out / "charts", record, results)
    if parameters:
        (out / "parameters.json").write_text(parameters + "\n", encoding="utf-8")
    page = report.run_report(out / "report.html", record, results, pngs, parameters=parameters)
    return results, page


async def run_to_dir(
    variant: Variant,
    out: Path,
    *,
    market: MarketKind = "services",
    progress: engine.Progress | None = None,
) -> RunOutput:
    """Run a variant into `out` (created; an earlier run's market there is replaced)."""
    prepare_dir(out)
    the_market = make_market(variant, out, market)
    record, stats = await engine.run(variant, the_market, progress=progress)
    results, page = write_outputs(out, record, parameters=parameters_text(variant))
    return RunOutput(out, record, results, stats, page)
