"""Keyset paging over a whole table: every row, in key order, a batch at a time.

For whole-table reads (reconciliation): rows come back as plain dicts of the table's
columns, never ORM objects, so a long read-only session does not accumulate them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Column, Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_BATCH = 1000


async def table_pages(
    session: AsyncSession,
    table: Table,
    key: Sequence[Column[Any]],
    *,
    batch: int = DEFAULT_BATCH,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every row of table as {column: value}, ordered by key (its primary key), in batches."""
    after: tuple[Any, ...] | None = None
    while True:
        stmt = select(table).order_by(*key).limit(batch)
        if after is not None:
            stmt = stmt.where(key[0] > after[0] if len(key) == 1 else tuple_(*key) > tuple_(*after))
        rows = [dict(row) for row in (await session.execute(stmt)).mappings().all()]
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        after = tuple(rows[-1][column.name] for column in key)
