"""Every query of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.keyset import table_pages
from exchange.kit.transition import transition
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.listings.models import Listing
from exchange.trading.queries import page_of, where_equal


async def get_licence(session: AsyncSession, licence_id: str) -> Licence | None:
    """One licence."""
    return await session.get(Licence, licence_id)


async def get_licences(session: AsyncSession, licence_ids: Sequence[str]) -> dict[str, Licence]:
    """Several licences by id."""
    if not licence_ids:
        return {}
    stmt = select(Licence).where(Licence.id.in_(licence_ids))
    return {lic.id: lic for lic in (await session.scalars(stmt)).all()}


async def list_licences(
    session: AsyncSession,
    *,
    licensee_id: str | None,
    licensor_id: str | None,
    listing_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Licence], int]:
    """A page of licences (newest first) and their count."""
    stmt = where_equal(
        select(Licence),
        {
            Licence.licensee_id: licensee_id,
            Licence.licensor_id: licensor_id,
            Licence.listing_id: listing_id,
        },
    )
    return await page_of(session, stmt, [Licence.starts_at.desc(), Licence.id], limit, offset)


async def due_expiries(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[Licence]:
    """Licences still recorded active whose term has ended, earliest first."""
    stmt = (
        select(Licence)
        .where(Licence.status == LicenceStatus.ACTIVE, Licence.expires_at <= now)
        .order_by(Licence.expires_at, Licence.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def mark_expired(session: AsyncSession, licence_id: str) -> bool:
    """Record an active licence as expired; False if it is no longer active."""
    return await transition(
        session,
        Licence,
        Licence.id == licence_id,
        Licence.status == LicenceStatus.ACTIVE,
        status=LicenceStatus.EXPIRED,
    )


def licence_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every licence, in id order, a batch at a time (reconciliation)."""
    table: Table = Licence.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.id])


# Built once: every sale asks it (exclusivity per asset and scope).
_LIVE_EXCLUSIVE = (
    select(Licence)
    .join(Listing, Listing.id == Licence.listing_id)
    .where(
        Listing.asset_id == bindparam("asset_id"),
        Licence.scope == bindparam("scope"),
        Licence.exclusive.is_(True),
        Licence.status == LicenceStatus.ACTIVE,
        Licence.starts_at <= bindparam("now"),
        Licence.expires_at > bindparam("now"),
    )
    .order_by(Licence.expires_at.desc(), Licence.id)
    .limit(1)
)


async def live_exclusive_licence(
    session: AsyncSession, *, asset_id: str, scope: str, now: datetime
) -> Licence | None:
    """An exclusive licence of the asset for this scope that is in force now, if any."""
    params = {"asset_id": asset_id, "scope": scope, "now": now}
    return (await session.scalars(_LIVE_EXCLUSIVE, params)).first()


async def licensed_with_policy(
    session: AsyncSession, *, licensee_id: str, sha256: str
) -> Sequence[Licence]:
    """The licensee's licences that carry a policy, of listings delivering these bytes."""
    stmt = (
        select(Licence)
        .join(Listing, Listing.id == Licence.listing_id)
        .where(
            Licence.licensee_id == licensee_id,
            Listing.fingerprint == sha256,
            Licence.policy.is_not(None),
        )
        .order_by(Licence.starts_at, Licence.id)
    )
    return (await session.scalars(stmt)).all()
