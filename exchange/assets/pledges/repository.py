"""Every query of pledges."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.pledges.models import Pledge, PledgeStatus


async def get_pledge(session: AsyncSession, pledge_id: str) -> Pledge | None:
    """One pledge by id."""
    return await session.get(Pledge, pledge_id)


async def list_pledges(
    session: AsyncSession,
    *,
    party_id: str | None,
    certificate_number: str | None,
    status: PledgeStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Pledge], int]:
    """A page of pledges, newest first; `party_id` limits to those it is lender or holder of."""
    conditions: list[ColumnElement[bool]] = []
    if party_id is not None:
        conditions.append(or_(Pledge.lender_id == party_id, Pledge.holder_id == party_id))
    if certificate_number is not None:
        conditions.append(Pledge.certificate_number == certificate_number)
    if status is not None:
        conditions.append(Pledge.status == status)
    where = and_(True, *conditions)
    rows = await session.scalars(
        select(Pledge)
        .where(where)
        .order_by(Pledge.created_at.desc(), Pledge.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Pledge).where(where))
    return rows.all(), int(total or 0)
