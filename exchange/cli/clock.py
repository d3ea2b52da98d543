"""`exchange clock`: read the market clock (沙盒时钟), move it forward, run the due work."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from exchange.clock import rfc3339
from exchange.config import get_settings
from exchange.context import Runtime
from exchange.errors import ExchangeError
from exchange.markettime import duework
from exchange.markettime import service as clock_service
from exchange.markettime.router import clock_read, due_work_read
from exchange.markettime.schemas import ClockAdvance
from exchange.migrate import upgrade

app = typer.Typer(
    help="Market time (沙盒时钟): show it, move it forward, do what fell due.",
    no_args_is_help=True,
)
console = Console(stderr=True)


def _print(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


async def _show() -> dict[str, Any]:
    runtime = Runtime.from_settings(get_settings())
    try:
        await upgrade(runtime.engine)
        async with runtime.unit_of_work(write=False) as session:
            state = await clock_service.show(runtime.context(session))
        return clock_read(state).model_dump(mode="json")
    finally:
        await runtime.engine.dispose()


async def _advance(body: ClockAdvance) -> dict[str, Any]:
    runtime = Runtime.from_settings(get_settings())
    try:
        await upgrade(runtime.engine)
        moved, report = await clock_service.advance_and_run(
            runtime, None, by=body.by, to=body.to, working_days=body.working_days
        )
        return {
            "previous": rfc3339(moved.previous),
            "clock": clock_read(moved.clock).model_dump(mode="json"),
            "due_work": due_work_read(report).model_dump(mode="json"),
        }
    finally:
        await runtime.engine.dispose()


async def _run_due() -> dict[str, Any]:
    runtime = Runtime.from_settings(get_settings())
    try:
        await upgrade(runtime.engine)
        return due_work_read(await duework.run(runtime)).model_dump(mode="json")
    finally:
        await runtime.engine.dispose()


@app.command("show")
def show() -> None:
    """Print market time, real time and the offset (JSON)."""
    _print(asyncio.run(_show()))


@app.command("advance")
def advance(
    by: Annotated[
        str | None, typer.Option(help="A duration: ISO 8601 (P5D, PT2H) or seconds.")
    ] = None,
    to: Annotated[str | None, typer.Option(help="An instant (RFC 3339, with its zone).")] = None,
    working_days: Annotated[
        int | None, typer.Option(help="Working days (工作日), as publicity counts them.")
    ] = None,
) -> None:
    """Move market time forward (audited as the system), then do what fell due."""
    given: dict[str, Any] = {"by": by, "to": to, "working_days": working_days}
    try:
        body = ClockAdvance.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        console.print(f"[red]invalid:[/] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc
    try:
        result = asyncio.run(_advance(body))
    except ExchangeError as exc:
        console.print(f"[red]refused:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    _print(result)


@app.command("run-due")
def run_due() -> None:
    """Do what is due now (the served app also does it by itself, periodically)."""
    _print(asyncio.run(_run_due()))
