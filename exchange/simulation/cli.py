"""`exchange simulate`: run a scenario (or sweep one parameter) into an output directory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exchange.simulation import loader, sweep
from exchange.simulation.runner import run_to_dir
from exchange.simulation.services_base import SetupRefused

console = Console()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code=2)


def simulate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (TOML), e.g. scenarios/baseline.toml.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Directory for results, charts and the report.")
    ],
    seed: Annotated[int | None, typer.Option(help="Master seed (replaces the file's).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field: key=value (dotted path; treatment=NAME)."),
    ] = None,
    sweep_: Annotated[
        str | None,
        typer.Option("--sweep", help="Run once per value: key=v1,v2,... (treatment=a,b)."),
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Parallel processes for a sweep.")] = 1,
) -> None:
    """Run a market simulation (市场仿真) and write CSV, JSON, PNG charts and an HTML report."""
    try:
        overrides = [loader.parse_assignment(item) for item in set_ or []]
        variant = loader.load(scenario, overrides=overrides, seed=seed)
        sweep_key: str | None = None
        values: list[Any] = []
        if sweep_:
            sweep_key, values = loader.parse_sweep(sweep_)
        elif variant.scenario.treatments and all(k != loader.TREATMENT_KEY for k, _ in overrides):
            sweep_key = loader.TREATMENT_KEY
            values = [loader.BASE_TREATMENT, *variant.scenario.treatments]
            console.print(
                f"{scenario} defines treatments; comparing {', '.join(map(str, values))} "
                "(pick one with --set treatment=NAME)"
            )
        if sweep_key is None:
            try:
                _single(variant, out)
            except SetupRefused as exc:
                raise _fail(f"{scenario}: {exc}") from None
            return
        jobs_list = sweep.plan_sweep(
            scenario, key=sweep_key, values=values, overrides=overrides, seed=seed, out=out
        )
    except loader.ScenarioError as exc:
        raise _fail(str(exc)) from None
    try:
        _sweep(jobs_list, sweep_key, out, jobs)
    except loader.ScenarioError as exc:
        raise _fail(str(exc)) from None
    except SetupRefused as exc:
        raise _fail(f"{scenario}: {exc}") from None


def _single(variant: loader.Variant, out: Path) -> None:
    scenario = variant.scenario
    with _progress() as progress:
        task = progress.add_task(f"{scenario.name} [{variant.label}]", total=scenario.rounds)
        output = asyncio.run(
            run_to_dir(
                variant, out, progress=lambda done, _total: progress.update(task, completed=done)
            )
        )
    summary = output.results.summary
    efficiency = summary["welfare"]["efficiency"]
    console.print(
        f"{summary['trades']:,} trades, turnover {summary['turnover_fen'] / 100:,.2f} yuan, "
        f"efficiency {efficiency if efficiency is not None else '–'}, "
        f"Gini {summary['gini_payoffs']}"
    )
    console.print(f"report: {output.report}")
    console.print(
        f"audit root (SHA-256 Merkle root of {summary['audit_size']:,} entries): "
        f"[bold]{summary['audit_root']}[/]"
    )


def _sweep(jobs_list: list[sweep.SweepJob], key: str, out: Path, processes: int) -> None:
    with _progress() as progress:
        task = progress.add_task(f"sweep {key}", total=len(jobs_list))
        rows = sweep.run_sweep(
            jobs_list,
            key=key,
            out=out,
            processes=processes,
            on_done=lambda _row: progress.advance(task),
        )
    table = Table(title=f"Sweep over {key}")
    for column in ("value", "trades", "turnover_yuan", "efficiency", "gini_payoffs", "audit_root"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                str(row.get(c, ""))
                for c in (
                    "value",
                    "trades",
                    "turnover_yuan",
                    "efficiency",
                    "gini_payoffs",
                    "audit_root",
                )
            )
        )
    console.print(table)
    console.print(f"comparison: {out / 'comparison.csv'}, {out / 'index.html'}")
