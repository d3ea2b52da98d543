"""Every query of the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditEntry, AuditHead, AuditNode


async def lock_head(session: AsyncSession) -> AuditHead:
    """Read the log head, locking it until commit (PostgreSQL row lock; SQLite's is the
    write transaction the session already holds)."""
    stmt = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = (await session.execute(stmt)).scalar_one()
    return head


async def get_head(session: AsyncSession) -> AuditHead:
    """Read the log head without locking it."""
    return (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one()


async def insert_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new leaves in one statement."""
    await session.execute(insert(AuditEntry), list(rows))


async def insert_nodes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert completed subtree hashes in one statement."""
    if rows:
        await session.execute(insert(AuditNode), list(rows))


async def advance_head(session: AsyncSession, *, old_size: int, values: dict[str, Any]) -> bool:
    """Move the head forward; false if another writer moved it first (a missed lock)."""
    stmt = (
        update(AuditHead)
        .where(AuditHead.id == 1, AuditHead.size == old_size)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
