"""The baseline scenario at scale: the market through the services beside the bare decision loop.

Usage: python bench/bench_simulation.py [--agents 1000] [--rounds 100] [--scenario PATH]
           [--out DIR] [--report]

Prints wall time, CPU time (of this process, all threads: what a busy machine cannot hide),
agent-steps/s and trades/s of the run through the service layer (a fresh
SQLite database, every action through the same services as HTTP, one unit of work per round),
and the same agents' decision loop with no market behind it (the ceiling).
Targets (issue 7): >= 500 trades/s through the services; the whole run <= 60 s.
Issue 17's rows (`rows()`): the whole run's agent-steps/s through the services against the
decision loop's, same run (>= 0.1x), and its trades/s against 2,000 (>= 1x).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from _rows import Row, print_rows

from exchange.migrate import ROOT
from exchange.simulation import engine, loader, market, runner
from exchange.simulation.services_market import ServiceMarket


def scaled(path: Path, agents: int, rounds: int) -> loader.Variant:
    """The scenario with its agent counts scaled to `agents` in all (regulators kept)."""
    base = loader.load(path).scenario.agents
    groups = {
        "agents.providers.count": base.providers.count,
        "agents.buyers.count": base.buyers.count,
        "agents.cross_border_buyers.count": base.cross_border_buyers.count,
        "agents.brokers.count": base.brokers.count,
    }
    room = agents - base.regulators.count
    total = sum(groups.values())
    counts = {k: max(1 if v else 0, v * room // total) for k, v in groups.items()}
    counts["agents.buyers.count"] += room - sum(counts.values())
    overrides: list[tuple[str, Any]] = [*counts.items(), ("rounds", rounds)]
    return loader.load(path, overrides=overrides)


def line(label: str, wall: float, cpu: float, stats: engine.RunStats) -> None:
    print(
        f"{label:<30} wall {wall:7.2f} s   cpu {cpu:7.2f} s   agent-steps/s "
        f"{stats.agent_steps / wall:9,.0f}   trades/s {stats.trades / wall:7,.0f}   "
        f"trades {stats.trades:,}",
        flush=True,
    )


async def ceiling(variant: loader.Variant) -> tuple[float, engine.RunStats]:
    """The decision loop with no market behind it: (wall seconds, stats)."""
    started, cpu = time.perf_counter(), time.process_time()
    _, stats = await engine.run(variant, market.NullMarket(variant.scenario))
    wall = time.perf_counter() - started
    line("decision loop, no market", wall, time.process_time() - cpu, stats)
    return wall, stats


async def services(
    variant: loader.Variant, out: Path, report: bool
) -> tuple[float, float, engine.RunStats]:
    """The run through the services: (whole wall seconds, trading rounds' seconds, stats)."""
    runner.prepare_dir(out)
    the_market = ServiceMarket(
        variant.scenario, out / runner.MARKET_DB, audit_log=out / runner.AUDIT_LOG
    )
    marks: dict[str, float] = {"start": time.perf_counter()}
    cpu = time.process_time()

    def progress(done: int, total: int) -> None:
        if done == 1:
            marks["first_round"] = time.perf_counter()
        if done % 10 == 0 or done == total:
            print(f"  round {done}/{total}", flush=True)

    original_open = the_market.open

    async def timed_open(world: Any) -> Any:
        opened = await original_open(world)
        marks["opened"] = time.perf_counter()
        return opened

    the_market.open = timed_open  # type: ignore[method-assign]
    record, stats = await engine.run(variant, the_market, progress=progress)
    end = time.perf_counter()
    setup = marks["opened"] - marks["start"]
    trading = end - marks["opened"]
    line("through the services (all)", end - marks["start"], time.process_time() - cpu, stats)
    print(
        f"{'  of which set-up':<30} {setup:7.2f} s   (participants, registrations, listings)\n"
        f"{'  of which trading rounds':<30} {trading:7.2f} s   "
        f"trades/s {stats.trades / trading:,.0f}"
        f"   rounds replayed carefully: {the_market.replays}",
        flush=True,
    )
    print(f"audit log: {record.audit_size:,} entries, root {record.audit_root}", flush=True)
    if report:
        runner.write_outputs(out, record, parameters=runner.parameters_text(variant))
        print(f"report: {out / 'report.html'}")
    return end - marks["start"], trading, stats


def rows(agents: int = 1000, rounds: int = 100, *, quick: bool = False) -> list[Row]:
    """Issue 17's simulation rows: the run through the services against the decision loop with
    no market (agent-steps/s, whole run, same run), and its trades/s against 2,000. `quick`: a
    tenth of the rounds (a smoke run)."""
    if quick:
        rounds = max(2, rounds // 10)
    variant = scaled(ROOT / "scenarios" / "baseline.toml", agents, rounds)
    loop_wall, loop_stats = asyncio.run(ceiling(variant))
    with tempfile.TemporaryDirectory(prefix="bench-sim-") as tmp:
        wall, trading, stats = asyncio.run(services(variant, Path(tmp), False))
    size = f"{agents:,}×{rounds}"
    return [
        Row(
            f"simulation {size}, trades/s vs decision loop",
            "sqlite",
            stats.agent_steps / wall,
            loop_stats.agent_steps / loop_wall,
            "steps/s",
            "decision loop, no market",
            ">= 0.1x",
            f"whole run {wall:.1f} s, loop {loop_wall:.2f} s",
        ),
        Row(
            "simulation trades/s",
            "sqlite",
            stats.trades / wall,
            2000.0,
            "trades/s",
            "target 2,000 trades/s",
            ">= 1x",
            f"{stats.trades:,} trades; trading rounds alone {stats.trades / trading:,.0f}/s",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--report", action="store_true", help="also write charts and the report")
    parser.add_argument("--rows", action="store_true", help="print issue 17's rows (baseline)")
    args = parser.parse_args()
    if args.rows:
        print_rows(rows(args.agents, args.rounds))
        return
    variant = scaled(args.scenario, args.agents, args.rounds)
    a = variant.scenario.agents
    print(
        f"{variant.scenario.name}: {a.total()} agents (providers {a.providers.count}, buyers "
        f"{a.buyers.count}, cross-border {a.cross_border_buyers.count}, brokers "
        f"{a.brokers.count}, regulators {a.regulators.count}) x {variant.scenario.rounds} rounds",
        flush=True,
    )
    asyncio.run(ceiling(variant))
    if args.out is not None:
        asyncio.run(services(variant, args.out, args.report))
        return
    with tempfile.TemporaryDirectory(prefix="bench-sim-") as tmp:
        asyncio.run(services(variant, Path(tmp), args.report))


if __name__ == "__main__":
    main()
