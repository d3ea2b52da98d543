"""The `exchange trading` commands: the exchanges' rulebooks and market data, read-only."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from exchange.config import get_settings
from exchange.context import Runtime
from exchange.trading.stats import service as stats_service
from exchange.trading.venues import service as venues_service

app = typer.Typer(
    help="Trading (数据交易): the Guangzhou and Shenzhen exchanges and their market data.",
    no_args_is_help=True,
)
console = Console()


async def _exchanges() -> list[venues_service.ExchangeView]:
    runtime = Runtime.from_settings(get_settings())
    try:
        async with runtime.unit_of_work(write=False) as session:
            return await venues_service.list_exchanges(runtime.context(session))
    finally:
        await runtime.engine.dispose()


@app.command("exchanges")
def exchanges() -> None:
    """The exchanges, their bases and current rulebooks (交易规则)."""
    table = Table(title="数据交易所 Data exchanges")
    for column in ("id", "name", "bases", "rulebook", "fees bp (buyer/seller)", "broker for"):
        table.add_column(column, overflow="fold")
    for view in asyncio.run(_exchanges()):
        book = view.rulebook
        table.add_row(
            view.exchange.id,
            f"{view.exchange.name} {view.exchange.name_en}",
            ", ".join(b.name for b in view.bases) or "-",
            f"v{book.version}: {', '.join(book.trade_modes)}; review {book.listing_review}",
            f"{book.buyer_fee_bp}/{book.seller_fee_bp}",
            ", ".join(book.broker_required_for) or "-",
        )
    console.print(table)


async def _stats(exchange_id: str | None) -> stats_service.MarketStats:
    runtime = Runtime.from_settings(get_settings())
    try:
        async with runtime.unit_of_work(write=False) as session:
            return await stats_service.market_stats(
                runtime.context(session), exchange_id=exchange_id, since=None, until=None
            )
    finally:
        await runtime.engine.dispose()


@app.command("stats")
def stats(
    exchange_id: Annotated[str | None, typer.Option(help="One exchange (gzde, szdex).")] = None,
) -> None:
    """Market data (市场数据): trades, turnover and shares per exchange, and the price index."""
    result = asyncio.run(_stats(exchange_id))
    whole = result.overall.turnover_fen
    table = Table(title="市场数据 Market data")
    for column in ("exchange", "trades", "turnover (yuan)", "share", "buyers", "sellers"):
        table.add_column(column, justify="right")
    for part in [*result.exchanges, result.overall]:
        table.add_row(
            part.exchange_id,
            str(part.trades),
            f"{part.turnover_fen / 100:,.2f}",
            f"{part.turnover_fen / whole:.1%}" if whole else "-",
            str(len(part.buyers or ())),
            str(len(part.sellers or ())),
        )
    console.print(table)
    index = Table(title="价格指数 Price index (base 100)")
    for column in ("day", "trades", "average price (yuan)", "index"):
        index.add_column(column, justify="right")
    for point in result.market_index:
        index.add_row(
            point.day.isoformat(),
            str(point.trades),
            f"{float(point.average_price_fen) / 100:,.2f}",
            f"{float(point.index):.2f}",
        )
    console.print(index)
