"""Every query of compliance reviews and objections (异议)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.registry.models import ApplicationStatus, Asset, AssetApplication
from exchange.assets.review.models import AssetObjection, AssetReview, ObjectionStatus


async def reviewed_by(
    session: AsyncSession, reviewer_id: str, application_ids: Sequence[str]
) -> set[str]:
    """Which of these applications the reviewer has already reviewed."""
    stmt = select(AssetReview.application_id).where(
        AssetReview.reviewer_id == reviewer_id,
        AssetReview.application_id.in_(list(application_ids)),
    )
    return set((await session.scalars(stmt)).all())


async def list_reviews(
    session: AsyncSession, application_ids: Sequence[str]
) -> Sequence[AssetReview]:
    """The reviews of some applications, oldest first."""
    stmt = (
        select(AssetReview)
        .where(AssetReview.application_id.in_(list(application_ids)))
        .order_by(AssetReview.created_at, AssetReview.id)
    )
    return (await session.scalars(stmt)).all()


async def with_open_objections(session: AsyncSession, application_ids: Sequence[str]) -> set[str]:
    """Which of these applications have an open objection."""
    stmt = (
        select(AssetObjection.application_id)
        .where(
            AssetObjection.application_id.in_(list(application_ids)),
            AssetObjection.status == ObjectionStatus.OPEN,
        )
        .distinct()
    )
    return set((await session.scalars(stmt)).all())


async def get_objection(
    session: AsyncSession, objection_id: str, *, lock: bool = False
) -> AssetObjection | None:
    """One objection by id; `lock` holds it until commit (two regulators deciding at once)."""
    return await session.get(
        AssetObjection, objection_id, populate_existing=lock, with_for_update=lock
    )


async def list_objections(
    session: AsyncSession, asset_id: str, *, objector_id: str | None
) -> Sequence[AssetObjection]:
    """An asset's objections (optionally one objector's), oldest first."""
    stmt = select(AssetObjection).where(AssetObjection.asset_id == asset_id)
    if objector_id is not None:
        stmt = stmt.where(AssetObjection.objector_id == objector_id)
    stmt = stmt.order_by(AssetObjection.created_at, AssetObjection.id)
    return (await session.scalars(stmt)).all()


async def objection_queue(
    session: AsyncSession, *, status: ObjectionStatus | None, limit: int, offset: int
) -> tuple[Sequence[Row[AssetObjection, str, datetime | None]], int]:
    """Objections across every asset, oldest first, with the asset's name and the end of
    its application's publicity; and how many there are."""
    where = [] if status is None else [AssetObjection.status == status]
    stmt = (
        select(AssetObjection, Asset.name, AssetApplication.publicity_ends_at)
        .join(Asset, Asset.id == AssetObjection.asset_id)
        .join(AssetApplication, AssetApplication.id == AssetObjection.application_id)
        .where(*where)
        .order_by(AssetObjection.created_at, AssetObjection.id)
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(AssetObjection).where(*where)
    rows = (await session.execute(stmt)).all()
    return rows, int(await session.scalar(count) or 0)


async def due_application_asset_ids(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[str]:
    """Assets whose publicity is over with no open objection, oldest deadline first."""
    open_objection = exists().where(
        AssetObjection.application_id == AssetApplication.id,
        AssetObjection.status == ObjectionStatus.OPEN,
    )
    stmt = (
        select(AssetApplication.asset_id)
        .where(
            AssetApplication.status == ApplicationStatus.IN_PUBLICITY,
            AssetApplication.publicity_ends_at <= now,
            ~open_objection,
        )
        .order_by(AssetApplication.publicity_ends_at, AssetApplication.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())
