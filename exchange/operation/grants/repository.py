"""Every query of derivations (which asset drew on which item under which grant)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.operation.grants.models import Derivation


async def of_asset(session: AsyncSession, asset_id: str) -> Sequence[Derivation]:
    """An asset's derivations, by item."""
    stmt = select(Derivation).where(Derivation.asset_id == asset_id).order_by(Derivation.item_id)
    return (await session.scalars(stmt)).all()


async def derived_items(session: AsyncSession, asset_id: str) -> set[str]:
    """The items an asset's derivations already record."""
    stmt = select(Derivation.item_id).where(Derivation.asset_id == asset_id)
    return set(await session.scalars(stmt))


async def assets_under(session: AsyncSession, agreement_id: str) -> list[str]:
    """The assets derived under an agreement."""
    stmt = (
        select(Derivation.asset_id)
        .where(Derivation.agreement_id == agreement_id)
        .distinct()
        .order_by(Derivation.asset_id)
    )
    return list(await session.scalars(stmt))


async def under_agreement(
    session: AsyncSession, agreement_id: str, *, limit: int, offset: int
) -> tuple[Sequence[Derivation], int]:
    """A page of what was derived under an agreement, earliest first."""
    where = Derivation.agreement_id == agreement_id
    total = await session.scalar(select(func.count()).select_from(Derivation).where(where))
    rows = await session.scalars(
        select(Derivation)
        .where(where)
        .order_by(Derivation.derived_at, Derivation.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def counts(session: AsyncSession, agreement_ids: Collection[str]) -> dict[str, int]:
    """How many assets were derived under each agreement."""
    if not agreement_ids:
        return {}
    stmt = (
        select(Derivation.agreement_id, func.count(func.distinct(Derivation.asset_id)))
        .where(Derivation.agreement_id.in_(list(agreement_ids)))
        .group_by(Derivation.agreement_id)
    )
    return {a: int(n) for a, n in (await session.execute(stmt)).all() if a is not None}
