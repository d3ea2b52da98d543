"""Every query of consent requests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.dataspaces.requests.models import ConsentRequest


async def get_request(
    session: AsyncSession, request_id: str, *, lock: bool = False
) -> ConsentRequest | None:
    """One request by id; `lock` re-reads it and holds its row until commit."""
    return await session.get(
        ConsentRequest, request_id, populate_existing=lock, with_for_update=lock
    )


async def list_requests(
    session: AsyncSession,
    *,
    subject_id: str | None,
    requester_id: str | None,
    either_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ConsentRequest], int]:
    """A page of requests, newest first."""
    where = []
    if subject_id is not None:
        where.append(ConsentRequest.subject_id == subject_id)
    if requester_id is not None:
        where.append(ConsentRequest.requester_id == requester_id)
    if either_id is not None:
        where.append(
            (ConsentRequest.subject_id == either_id) | (ConsentRequest.requester_id == either_id)
        )
    if status is not None:
        where.append(ConsentRequest.status == status)
    total = await session.scalar(select(func.count()).select_from(ConsentRequest).where(*where))
    rows = await session.scalars(
        select(ConsentRequest)
        .where(*where)
        .order_by(ConsentRequest.created_at.desc(), ConsentRequest.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def request_ids_of_subject(session: AsyncSession, subject_id: str) -> list[str]:
    """Every request made of a subject."""
    rows = await session.scalars(
        select(ConsentRequest.id).where(ConsentRequest.subject_id == subject_id)
    )
    return list(rows.all())
