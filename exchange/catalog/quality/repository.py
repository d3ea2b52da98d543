"""Every query of quality reports and samples."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.quality.models import ItemSample, QualityReport


async def latest_quality_reports(
    session: AsyncSession, item_id: str, *, limit: int
) -> Sequence[QualityReport]:
    """An item's newest quality reports."""
    stmt = (
        select(QualityReport)
        .where(QualityReport.item_id == item_id)
        .order_by(QualityReport.created_at.desc(), QualityReport.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def quality_reports(
    session: AsyncSession, item_id: str, *, limit: int, offset: int = 0
) -> tuple[Sequence[QualityReport], int]:
    """An item's quality reports, newest first, and their number."""
    stmt = (
        select(QualityReport)
        .where(QualityReport.item_id == item_id)
        .order_by(QualityReport.created_at.desc(), QualityReport.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.scalars(stmt)).all()
    total = await session.scalar(
        select(func.count()).select_from(QualityReport).where(QualityReport.item_id == item_id)
    )
    return rows, int(total or 0)


async def get_quality_report(session: AsyncSession, report_id: str) -> QualityReport | None:
    """One quality report."""
    return await session.get(QualityReport, report_id)


async def get_sample(session: AsyncSession, item_id: str) -> ItemSample | None:
    """The stored sample of an item."""
    return await session.get(ItemSample, item_id)
