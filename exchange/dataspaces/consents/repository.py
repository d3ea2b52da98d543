"""Every query of consents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.vocabulary import ConsentStatus

Lock = Literal["share", "update"] | None
"""How a read holds consent rows until the transaction ends (PostgreSQL; SQLite serializes
writers anyway): `share` for a use that must not overlap a revocation, `update` to change it."""


async def get_consent(
    session: AsyncSession, consent_id: str, *, lock: Lock = None
) -> Consent | None:
    """One consent by id, re-read from the database; `lock` holds its row until commit."""
    stmt = select(Consent).where(Consent.id == consent_id).execution_options(populate_existing=True)
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share")
    return (await session.scalars(stmt)).one_or_none()


async def get_consents(
    session: AsyncSession, consent_ids: Sequence[str], *, lock: Lock = None
) -> dict[str, Consent]:
    """Consents by id (those that exist), locked in id order so that users never deadlock."""
    if not consent_ids:
        return {}
    stmt = (
        select(Consent)
        .where(Consent.id.in_(sorted(set(consent_ids))))
        .order_by(Consent.id)
        .execution_options(populate_existing=True)
    )
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share")
    return {c.id: c for c in (await session.scalars(stmt)).all()}


async def list_consents(
    session: AsyncSession,
    *,
    subject_id: str | None,
    grantee_id: str | None,
    either_id: str | None,
    status: ConsentStatus | None,
    now: datetime,
    limit: int,
    offset: int,
) -> tuple[Sequence[Consent], int]:
    """A page of consents, newest first, filtered by party (`either_id`: subject or grantee)
    and by status as of `now` (expiry is read from the clock)."""
    where = []
    if subject_id is not None:
        where.append(Consent.subject_id == subject_id)
    if grantee_id is not None:
        where.append(Consent.grantee_id == grantee_id)
    if either_id is not None:
        where.append((Consent.subject_id == either_id) | (Consent.grantee_id == either_id))
    revoked = ConsentStatus.REVOKED.value
    if status is ConsentStatus.REVOKED:
        where.append(Consent.status == revoked)
    elif status is ConsentStatus.ACTIVE:
        where.extend([Consent.status != revoked, Consent.expires_at > now])
    elif status is ConsentStatus.EXPIRED:
        where.extend([Consent.status != revoked, Consent.expires_at <= now])
    total = await session.scalar(select(func.count()).select_from(Consent).where(*where))
    rows = await session.scalars(
        select(Consent)
        .where(*where)
        .order_by(Consent.granted_at.desc(), Consent.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def consent_ids_of_subject(session: AsyncSession, subject_id: str) -> list[str]:
    """Every consent a subject has granted."""
    rows = await session.scalars(select(Consent.id).where(Consent.subject_id == subject_id))
    return list(rows.all())
