"""The `exchange assets` commands: the bulk pilot and the registry's public key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exchange.assets.certificates import service as assets_service
from exchange.assets.certificates.signing import ISSUER_NAME, encode_signature
from exchange.assets.packages import service as packages_service
from exchange.assets.registry import service as registry_service
from exchange.config import Settings, get_settings
from exchange.context import Runtime
from exchange.database import is_sqlite
from exchange.errors import ExchangeError
from exchange.migrate import upgrade
from exchange.seed.assets import principal
from exchange.seed.pilot import PHASES, PilotReport, run_pilot

app = typer.Typer(
    help="Data assets (数据资产): registration pilots and certificates (数据资产凭证).",
    no_args_is_help=True,
)
console = Console()

PHASE_LABELS = {
    "apply": "登记申请 apply",
    "review": "合规审查 review ×2",
    "register": "公示期满登记发证 register + certify",
    "verify": "凭证验签 verify",
}


async def _run(settings: Settings, count: int, batch_size: int) -> PilotReport:
    if is_sqlite(settings.resolved_database_url()):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime.from_settings(settings)
    try:
        await upgrade(runtime.engine)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as bar:
            totals = {"apply": count, "review": 2 * count, "register": count, "verify": count}
            tasks = {
                phase: bar.add_task(PHASE_LABELS[phase], total=totals[phase], start=False)
                for phase in PHASES
            }

            started: set[str] = set()

            def advance(phase: str, done: int) -> None:
                if phase not in started:
                    started.add(phase)
                    bar.start_task(tasks[phase])
                bar.advance(tasks[phase], done)

            return await run_pilot(runtime, count=count, batch_size=batch_size, progress=advance)
    finally:
        await runtime.engine.dispose()


def print_report(report: PilotReport) -> None:
    """Counts and rates of a pilot run."""
    table = Table(title="数据资产凭证试点 Data-asset certificate pilot")
    table.add_column("step")
    table.add_column("count", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("per second", justify="right")
    done = {
        "apply": report.applied,
        "review": report.reviews,
        "register": report.registered,
        "verify": report.verified + report.verify_failures,
    }
    for phase in PHASES:
        table.add_row(
            PHASE_LABELS[phase],
            f"{done[phase]:,}",
            f"{report.seconds.get(phase, 0.0):.2f}",
            f"{report.rate(phase, done[phase]):,.0f}",
        )
    total = report.total_seconds
    table.add_row(
        "end to end",
        f"{report.registered:,}",
        f"{total:.2f}",
        f"{report.registered / total if total else 0:,.0f}",
    )
    console.print(table)
    console.print(
        f"certificates {report.first_number} … {report.last_number}; "
        f"verified valid {report.verified:,}, failed {report.verify_failures:,} "
        f"({', '.join(f'{k}: {v:,}' for k, v in sorted(report.statuses.items()))})"
    )


@app.command()
def pilot(
    count: Annotated[int, typer.Option(min=1, help="How many assets to register.")] = 28_000,
    batch_size: Annotated[
        int, typer.Option(min=1, max=5000, help="Assets per unit of work.")
    ] = 500,
) -> None:
    """Run a synthetic pilot (EXCHANGE_DATABASE_URL): apply → review → publicity → certify."""
    report = asyncio.run(_run(get_settings(), count, batch_size))
    print_report(report)
    if report.verify_failures or report.verified != count:
        raise typer.Exit(code=1)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while piece := f.read(packages_service.CHUNK_BYTES):
            yield piece


async def deposit_file(
    settings: Settings, asset_id: str, path: Path, filename: str, media_type: str
) -> tuple[str, int]:
    """Deposit a file as the asset's holder, a chunk at a time; (SHA-256, size) as stored."""
    runtime = Runtime.from_settings(settings)
    try:
        async with runtime.unit_of_work(write=False) as session:
            asset = await registry_service.get_asset(runtime.context(session), asset_id)
        holder = await principal(runtime, asset.holder_id)
        async with runtime.unit_of_work() as session:
            package = await packages_service.deposit_stream(
                runtime.context(session, holder),
                asset_id=asset_id,
                filename=filename,
                media_type=media_type,
                chunks=_file_chunks(path),
            )
        return package.sha256, package.size
    finally:
        await runtime.engine.dispose()


@app.command("deposit-package")
def deposit_package(
    asset_id: Annotated[str, typer.Argument(help="The registered asset.")],
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The package file.")],
    filename: Annotated[
        str | None, typer.Option(help="The name to deliver it under (default: the file's).")
    ] = None,
    media_type: Annotated[str, typer.Option(help="Its media type.")] = "application/octet-stream",
) -> None:
    """Deposit an asset's package from a file of any size, as its holder (EXCHANGE_DATABASE_URL).

    Read and stored 1 MiB at a time; its SHA-256 must be the asset's registered fingerprint,
    or nothing is kept. A listing may then deliver it (a file delivery without content).
    """
    try:
        sha256, size = asyncio.run(
            deposit_file(get_settings(), asset_id, path, filename or path.name, media_type)
        )
    except ExchangeError as exc:
        console.print(f"[red]{exc.title}[/red]: {exc.detail}")
        raise typer.Exit(code=1) from None
    typer.echo(f"stored {size} bytes, sha256 {sha256}")


@app.command("issuer-key")
def issuer_key() -> None:
    """Print the registry's certificate-signing public key (base64 raw Ed25519) and key id."""
    key = assets_service.load_registry_key(get_settings())
    typer.echo(f"issuer: {ISSUER_NAME}")
    typer.echo("algorithm: ed25519")
    typer.echo(f"public_key: {encode_signature(key.public_raw)}")
    typer.echo(f"key_id: {key.key_id}")
