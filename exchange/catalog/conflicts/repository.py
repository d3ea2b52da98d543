"""Every query of source conflicts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.conflicts.models import ConflictStatus, SourceConflict


async def get_conflict(
    session: AsyncSession, conflict_id: str, *, for_update: bool = False
) -> SourceConflict | None:
    """One source conflict."""
    stmt = select(SourceConflict).where(SourceConflict.id == conflict_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def list_conflicts(
    session: AsyncSession,
    *,
    statuses: Sequence[ConflictStatus],
    claimant_department_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[SourceConflict], int]:
    """A page of conflicts (newest first) and the total."""
    conds: list[ColumnElement[bool]] = []
    if statuses:
        conds.append(SourceConflict.status.in_(list(statuses)))
    if claimant_department_id is not None:
        conds.append(SourceConflict.claimant_department_id == claimant_department_id)
    rows = await session.scalars(
        select(SourceConflict)
        .where(*conds)
        .order_by(SourceConflict.created_at.desc(), SourceConflict.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(SourceConflict).where(*conds))
    return rows.all(), int(total or 0)
