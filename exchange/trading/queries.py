"""Query helpers every trading repository shares: equality filters, a page and its count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def count_rows(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> int:
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)


Row = TypeVar("Row")


def where_equal(stmt: Select[Row], filters: dict[Any, Any]) -> Select[Row]:
    """Keep rows whose column equals the value, for every filter given (not None)."""
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def page_of(
    session: AsyncSession, stmt: Select[Row], order: Sequence[Any], limit: int, offset: int
) -> tuple[Sequence[Row], int]:
    """A page of a query's rows in the given order, and how many rows it has in all."""
    rows = await session.scalars(stmt.order_by(*order).limit(limit).offset(offset))
    return rows.all(), await count_rows(session, stmt)
