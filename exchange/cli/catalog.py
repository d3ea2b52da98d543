"""`exchange catalog ...`: generate a province-scale synthetic catalog (合成省级目录)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from exchange.catalog.errors import CatalogAlreadyGenerated
from exchange.catalog.loading.service import GenerationReport
from exchange.config import Settings, get_settings
from exchange.context import Runtime
from exchange.database import is_sqlite
from exchange.ids import IdFactory
from exchange.migrate import upgrade
from exchange.seed.province import loader

app = typer.Typer(help="Public-data catalog (公共数据资源目录).", no_args_is_help=True)
console = Console()


async def _generate(
    settings: Settings, *, departments: int, items: int, seed: int, batch: int, progress: Progress
) -> GenerationReport:
    if is_sqlite(settings.resolved_database_url()):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime.from_settings(settings, ids=IdFactory(seed))
    task = progress.add_task("生成目录 generating", total=items)
    try:
        await upgrade(runtime.engine)

        def advance(done_items: int, done_departments: int) -> None:
            progress.update(
                task,
                completed=done_items,
                description=f"生成目录 generating · {done_departments} departments",
            )

        return await loader.generate(
            runtime,
            departments=departments,
            items=items,
            seed=seed,
            batch_items=batch,
            progress=advance,
        )
    finally:
        await runtime.engine.dispose()


@app.command()
def generate(
    departments: Annotated[
        int, typer.Option(min=1, max=100_000, help="Departments (2022: 4,055).")
    ] = 4055,
    items: Annotated[
        int, typer.Option(min=0, max=2_000_000, help="Catalog items (2022: 121,600).")
    ] = 121_600,
    seed: Annotated[int, typer.Option(help="Same seed, same catalog.")] = 2022,
    batch: Annotated[int, typer.Option(min=100, help="Items per transaction.")] = 10_000,
) -> None:
    """Write a deterministic, realistic synthetic catalog into EXCHANGE_DATABASE_URL."""
    settings = get_settings()
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            report = asyncio.run(
                _generate(
                    settings,
                    departments=departments,
                    items=items,
                    seed=seed,
                    batch=batch,
                    progress=progress,
                )
            )
    except CatalogAlreadyGenerated as exc:
        console.print(f"[red]refused:[/] {exc.detail}")
        raise typer.Exit(code=1) from None
    table = Table(title="合成目录 synthetic catalog")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("departments 部门", report.departments),
        ("items 数据目录项", report.items),
        ("fields 字段", report.fields),
        ("search postings 索引条目", report.postings),
        ("data elements created 新建数据元", report.elements_created),
        ("transactions 批次", report.batches),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    console.print(f"generated in [bold]{report.seconds:.1f} s[/]")
