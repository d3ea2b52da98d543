"""Every query of revenue shares paid."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.operation.revenue.models import RevenueShare


async def paid_under(
    session: AsyncSession, agreement_id: str, *, limit: int, offset: int
) -> tuple[Sequence[RevenueShare], int, int]:
    """A page of shares paid under an agreement, earliest first; the count and the sum."""
    where = RevenueShare.agreement_id == agreement_id
    total, paid = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(RevenueShare.amount_fen), 0)).where(where)
        )
    ).one()
    rows = await session.scalars(
        select(RevenueShare)
        .where(where)
        .order_by(RevenueShare.paid_at, RevenueShare.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0), int(paid or 0)


async def totals(session: AsyncSession, agreement_ids: Collection[str]) -> dict[str, int]:
    """The revenue paid under each agreement, in fen."""
    if not agreement_ids:
        return {}
    stmt = (
        select(RevenueShare.agreement_id, func.sum(RevenueShare.amount_fen))
        .where(RevenueShare.agreement_id.in_(list(agreement_ids)))
        .group_by(RevenueShare.agreement_id)
    )
    return {a: int(n or 0) for a, n in (await session.execute(stmt)).all()}


async def paid_for_trade(session: AsyncSession, trade_id: str) -> list[tuple[str, int]]:
    """The shares one trade's settlement paid: (participant id, fen), in payment order."""
    rows = await session.execute(
        select(RevenueShare.participant_id, RevenueShare.amount_fen)
        .where(RevenueShare.trade_id == trade_id)
        .order_by(RevenueShare.id)
    )
    return [(str(p), int(a)) for p, a in rows]
