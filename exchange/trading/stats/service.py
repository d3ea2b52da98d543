"""Market data (市场数据): turnover, fees, shares and price indices per exchange (reads only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.context import Context
from exchange.trading.stats import indices, repository
from exchange.trading.venues.errors import ExchangeNotFound
from exchange.trading.venues.service import list_exchanges


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Trades and turnover of one slice of the market."""

    trades: int = 0
    turnover_fen: int = 0


@dataclass(slots=True)
class MarketSlice:
    """Statistics of one exchange (or of the whole market)."""

    exchange_id: str
    trades: int = 0
    turnover_fen: int = 0
    fees_fen: int = 0
    broker_commission_fen: int = 0
    brokered_trades: int = 0
    cross_border_trades: int = 0
    buyers: set[str] | None = None
    sellers: set[str] | None = None
    by_product_form: dict[str, Breakdown] | None = None
    by_grade: dict[str, Breakdown] | None = None
    by_mode: dict[str, Breakdown] | None = None

    def add(self, row: Any) -> None:
        self.trades += 1
        self.turnover_fen += row.price_fen
        self.fees_fen += row.buyer_fee_fen + row.seller_fee_fen
        self.broker_commission_fen += row.commission_fen
        self.brokered_trades += 1 if row.broker_id else 0
        self.cross_border_trades += 1 if row.cross_border else 0
        for attr, key in (
            ("buyers", row.buyer_id),
            ("sellers", row.seller_id),
        ):
            bucket = getattr(self, attr)
            if bucket is None:
                bucket = set()
                setattr(self, attr, bucket)
            bucket.add(key)
        for attr, key in (
            ("by_product_form", row.product_form),
            ("by_grade", row.grade),
            ("by_mode", row.mode),
        ):
            table = getattr(self, attr)
            if table is None:
                table = {}
                setattr(self, attr, table)
            old = table.get(key, Breakdown())
            table[key] = Breakdown(old.trades + 1, old.turnover_fen + row.price_fen)


@dataclass(frozen=True, slots=True)
class MarketStats:
    """Per exchange and overall statistics, and the price indices over time."""

    overall: MarketSlice
    exchanges: list[MarketSlice]
    market_index: list[indices.IndexPoint]
    form_indices: list[indices.IndexPoint]


async def market_stats(
    ctx: Context, *, exchange_id: str | None, since: datetime | None, until: datetime | None
) -> MarketStats:
    """Market data (市场数据): public to every participant."""
    exchanges = [e.exchange.id for e in await list_exchanges(ctx)]
    if exchange_id is not None and exchange_id not in exchanges:
        raise ExchangeNotFound(f"No exchange {exchange_id!r}.")
    rows = await repository.trade_rows(
        ctx.session, exchange_id=exchange_id, since=since, until=until
    )
    overall = MarketSlice(exchange_id="all")
    slices = {e: MarketSlice(exchange_id=e) for e in exchanges if exchange_id in (None, e)}
    for row in rows:
        overall.add(row)
        slices[row.exchange_id].add(row)
    aggregates = indices.daily_aggregates((r.settled_at, r.product_form, r.price_fen) for r in rows)
    return MarketStats(
        overall=overall,
        exchanges=list(slices.values()),
        market_index=indices.market_index(aggregates),
        form_indices=indices.form_indices(aggregates),
    )


async def comparable_prices(
    ctx: Context, *, product_form: str, grade: str, exclude_asset_id: str | None = None
) -> list[int]:
    """Prices (fen) of settled trades of the same product form and grade (market method)."""
    return list(
        await repository.trade_prices(
            ctx.session, product_form=product_form, grade=grade, exclude_asset_id=exclude_asset_id
        )
    )
