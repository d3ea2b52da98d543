"""Every query of the simulation: reading a finished run's audit log (read-only)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.log.models import AuditEntry, AuditHead

LEAF_BATCH = 5_000


async def audit_head(session: AsyncSession) -> tuple[int, bytes]:
    """The log's size and Merkle frontier."""
    head = (await session.execute(select(AuditHead.size, AuditHead.frontier))).one()
    return int(head[0]), bytes(head[1])


async def write_leaves(session: AsyncSession, path: Path) -> int:
    """Write every leaf, in order, one per line (the leaves are canonical JSON); return count."""
    written = 0
    with path.open("wb") as fh:
        start = 0
        while True:
            rows = (
                await session.execute(
                    select(AuditEntry.seq, AuditEntry.leaf)
                    .where(AuditEntry.seq >= start)
                    .order_by(AuditEntry.seq)
                    .limit(LEAF_BATCH)
                )
            ).all()
            if not rows:
                return written
            for _seq, leaf in rows:
                fh.write(bytes(leaf) + b"\n")
            written += len(rows)
            start = int(rows[-1][0]) + 1
