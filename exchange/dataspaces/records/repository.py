"""Every query of data-space records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.dataspaces.records.models import DataRecord


async def insert_records(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert records in one statement."""
    if rows:
        await session.execute(insert(DataRecord), list(rows))


async def has_records(session: AsyncSession, subject_id: str) -> bool:
    """Whether a subject's data space holds any record."""
    found = await session.scalar(
        select(DataRecord.id).where(DataRecord.subject_id == subject_id).limit(1)
    )
    return found is not None


async def list_records(
    session: AsyncSession,
    *,
    subject_id: str,
    record_type: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[DataRecord], int]:
    """A page of one subject's records, by type then period (newest first)."""
    where = [DataRecord.subject_id == subject_id]
    if record_type is not None:
        where.append(DataRecord.record_type == record_type)
    total = await session.scalar(select(func.count()).select_from(DataRecord).where(*where))
    rows = await session.scalars(
        select(DataRecord)
        .where(*where)
        .order_by(DataRecord.record_type, DataRecord.period.desc(), DataRecord.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def counts_by_type(session: AsyncSession, subject_id: str) -> dict[str, int]:
    """How many records of each type a subject's data space holds."""
    rows = await session.execute(
        select(DataRecord.record_type, func.count())
        .where(DataRecord.subject_id == subject_id)
        .group_by(DataRecord.record_type)
    )
    return {str(kind): int(count) for kind, count in rows.all()}


async def get_records(session: AsyncSession, record_ids: Sequence[str]) -> list[DataRecord]:
    """Records by id (those that exist), ordered by type, period (newest first) and id."""
    if not record_ids:
        return []
    rows = await session.scalars(
        select(DataRecord)
        .where(DataRecord.id.in_(list(record_ids)))
        .order_by(DataRecord.record_type, DataRecord.period.desc(), DataRecord.id)
    )
    return list(rows.all())


async def records_of_types(
    session: AsyncSession, subject_id: str, record_types: Sequence[str]
) -> list[DataRecord]:
    """A subject's records of these types, ordered as `get_records` orders them."""
    if not record_types:
        return []
    rows = await session.scalars(
        select(DataRecord)
        .where(
            DataRecord.subject_id == subject_id,
            DataRecord.record_type.in_(list(record_types)),
        )
        .order_by(DataRecord.record_type, DataRecord.period.desc(), DataRecord.id)
    )
    return list(rows.all())
