"""Every query of valuation reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.valuation.models import AssetValuation


async def latest_valuations(
    session: AsyncSession, asset_ids: Sequence[str]
) -> dict[str, AssetValuation]:
    """Each asset's most recent valuation report, keyed by asset id."""
    stmt = (
        select(AssetValuation)
        .where(AssetValuation.asset_id.in_(list(asset_ids)))
        .order_by(AssetValuation.created_at, AssetValuation.id)
    )
    return {v.asset_id: v for v in await session.scalars(stmt)}


async def list_valuations(session: AsyncSession, asset_id: str) -> Sequence[AssetValuation]:
    """An asset's valuation reports, newest first."""
    stmt = (
        select(AssetValuation)
        .where(AssetValuation.asset_id == asset_id)
        .order_by(AssetValuation.created_at.desc(), AssetValuation.id)
    )
    return (await session.scalars(stmt)).all()
