"""Every query of the signed checkpoints."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.transparency.models import AuditCheckpoint

# pg_advisory_xact_lock key for checkpoint signing ("GDXA" as a 32-bit number).
_CHECKPOINT_LOCK_KEY = 0x47445841


async def latest_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    """The newest signed checkpoint."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    return (await session.scalars(stmt)).first()


async def latest_checkpoint_size(session: AsyncSession) -> int:
    """The tree size of the newest checkpoint (0 if none was signed yet)."""
    stmt = select(AuditCheckpoint.size).order_by(AuditCheckpoint.id.desc()).limit(1)
    return int(await session.scalar(stmt) or 0)


async def checkpoint_at(session: AsyncSession, size: int) -> AuditCheckpoint | None:
    """The newest checkpoint signed at exactly this size."""
    stmt = (
        select(AuditCheckpoint)
        .where(AuditCheckpoint.size == size)
        .order_by(AuditCheckpoint.id.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def list_checkpoints(session: AsyncSession) -> Sequence[AuditCheckpoint]:
    """Every checkpoint, oldest first."""
    return (await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))).all()


async def lock_checkpoint_signing(session: AsyncSession) -> None:
    """Serialize checkpoint signing across processes until commit.

    PostgreSQL: a transaction-level advisory lock, which does not block appends. SQLite:
    the write transaction the session already holds (BEGIN IMMEDIATE) serializes it.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_CHECKPOINT_LOCK_KEY)))
