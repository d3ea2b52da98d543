"""Every query of market data (市场数据): turnover, shares and price indices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.models import Trade
from exchange.trading.orders.repository import trade_like


async def trade_rows(
    session: AsyncSession,
    *,
    exchange_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Sequence[Any]:
    """The columns market statistics need, for every trade in the window."""
    stmt = select(
        Trade.exchange_id,
        Trade.buyer_id,
        Trade.seller_id,
        Trade.broker_id,
        Trade.price_fen,
        Trade.buyer_fee_fen,
        Trade.seller_fee_fen,
        Trade.commission_fen,
        Trade.product_form,
        Trade.grade,
        Trade.mode,
        Trade.cross_border,
        Trade.settled_at,
    )
    stmt = trade_like(
        stmt,
        Trade,
        TradeFilter(exchange_id=exchange_id, since=since, until=until),
        Trade.settled_at,
    )
    return (await session.execute(stmt)).all()


async def trade_prices(
    session: AsyncSession, *, product_form: str, grade: str, exclude_asset_id: str | None
) -> Sequence[int]:
    """Prices of settled trades of one product form and grade (market comparables)."""
    stmt = select(Trade.price_fen).where(Trade.product_form == product_form, Trade.grade == grade)
    if exclude_asset_id is not None:
        stmt = stmt.where(Trade.asset_id != exclude_asset_id)
    return (await session.scalars(stmt.order_by(Trade.settled_at))).all()
