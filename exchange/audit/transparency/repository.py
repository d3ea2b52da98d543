"""Every query of the signed checkpoints and of the last check runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.transparency.models import AuditCheckpoint, AuditCheckRun

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


async def save_check_run(session: AsyncSession, values: dict[str, Any]) -> None:
    """Replace the stored run of `values["kind"]` (two workers may finish at once: an upsert)."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(AuditCheckRun).values(values)  # the entity: the guard sees it is exempt
    changed = {k: v for k, v in values.items() if k != "kind"}
    await session.execute(stmt.on_conflict_do_update(index_elements=["kind"], set_=changed))


async def check_runs(session: AsyncSession) -> Sequence[AuditCheckRun]:
    """The last run of each kind of check."""
    return (await session.scalars(select(AuditCheckRun).order_by(AuditCheckRun.kind))).all()
