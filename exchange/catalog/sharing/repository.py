"""Every query of sharing requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.sharing.models import ShareRequest, ShareStatus
from exchange.kit.transition import transition


async def get_share(
    session: AsyncSession, request_id: str, *, for_update: bool = False
) -> ShareRequest | None:
    """One sharing request."""
    stmt = select(ShareRequest).where(ShareRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


def _share_scope(*, department_id: str | None, direction: str) -> list[ColumnElement[bool]]:
    if department_id is None:
        return []
    if direction == "incoming":
        return [ShareRequest.owner_department_id == department_id]
    if direction == "outgoing":
        return [ShareRequest.requester_department_id == department_id]
    return [
        or_(
            ShareRequest.owner_department_id == department_id,
            ShareRequest.requester_department_id == department_id,
        )
    ]


async def list_shares(
    session: AsyncSession,
    *,
    department_id: str | None,
    direction: str,
    status: ShareStatus | None,
    submitted_before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ShareRequest], int]:
    """A page of sharing requests (oldest first) and the total."""
    conds = _share_scope(department_id=department_id, direction=direction)
    if status is not None:
        conds.append(ShareRequest.status == status)
    if submitted_before is not None:
        conds.append(ShareRequest.submitted_at < submitted_before)
    rows = await session.scalars(
        select(ShareRequest)
        .where(*conds)
        .order_by(ShareRequest.submitted_at, ShareRequest.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(ShareRequest).where(*conds))
    return rows.all(), int(total or 0)


async def share_response_totals(
    session: AsyncSession, *, department_id: str | None
) -> tuple[int, int, int]:
    """(answered, sum of response working days, open) for incoming requests in scope."""
    conds = _share_scope(department_id=department_id, direction="incoming")
    answered = select(
        func.count(), func.coalesce(func.sum(ShareRequest.response_working_days), 0)
    ).where(*conds, ShareRequest.status != ShareStatus.PENDING)
    count, days = (await session.execute(answered)).one()
    open_count = await session.scalar(
        select(func.count())
        .select_from(ShareRequest)
        .where(*conds, ShareRequest.status == ShareStatus.PENDING)
    )
    return int(count or 0), int(days or 0), int(open_count or 0)


async def due_overdue_ids(
    session: AsyncSession, *, submitted_before: datetime, limit: int
) -> list[str]:
    """Pending requests submitted before the cutoff and not yet flagged overdue, oldest first."""
    stmt = (
        select(ShareRequest.id)
        .where(
            ShareRequest.status == ShareStatus.PENDING,
            ShareRequest.submitted_at < submitted_before,
            ShareRequest.overdue_flagged_at.is_(None),
        )
        .order_by(ShareRequest.submitted_at, ShareRequest.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def flag_overdue(
    session: AsyncSession, request_id: str, *, submitted_before: datetime, now: datetime
) -> bool:
    """Flag a pending, unflagged, overdue request; False if it is none of these any more."""
    return await transition(
        session,
        ShareRequest,
        ShareRequest.id == request_id,
        ShareRequest.status == ShareStatus.PENDING,
        ShareRequest.submitted_at < submitted_before,
        ShareRequest.overdue_flagged_at.is_(None),
        overdue_flagged_at=now,
    )


async def approved_share_id(
    session: AsyncSession, *, department_id: str, item_id: str
) -> str | None:
    """The earliest approved sharing request of a department for an item, if any."""
    stmt = (
        select(ShareRequest.id)
        .where(
            ShareRequest.requester_department_id == department_id,
            ShareRequest.item_id == item_id,
            ShareRequest.status == ShareStatus.APPROVED,
        )
        .order_by(ShareRequest.answered_at, ShareRequest.id)
        .limit(1)
    )
    found: str | None = await session.scalar(stmt)
    return found
