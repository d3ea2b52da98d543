"""HTTP endpoints of market data (市场数据): turnover, shares and price indices."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.fields import MarketDateTime
from exchange.security import ActorContext
from exchange.trading.stats import service
from exchange.trading.stats.schemas import MarketStatsRead, stats_read
from exchange.trading.venues.errors import ExchangeNotFound

router = APIRouter(tags=["trading"])


@router.get("/market/stats", operation_id="market_stats", responses=responses(ExchangeNotFound))
async def market_stats(
    ctx: ActorContext,
    exchange_id: str | None = None,
    since: MarketDateTime | None = None,
    until: MarketDateTime | None = None,
) -> MarketStatsRead:
    """Market data (市场数据): trades, turnover, shares, commissions and price indices."""
    return stats_read(
        await service.market_stats(ctx, exchange_id=exchange_id, since=since, until=until)
    )
