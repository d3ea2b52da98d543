"""Every query of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, cast, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.keyset import table_pages
from exchange.kit.transition import transition
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.listings.models import LicenceTier, Listing
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


# Built once: every purchase asks both in one round trip. Row 0 (if any): the exclusive
# licence of the asset and scope in force now that lasts longest; row 1: another exclusive
# tier of the asset and scope claimed by an order or an auction and not yet sold (its licence
# does not exist yet, but it will if the claim settles).
_live = (
    select(
        literal(0).label("held"),
        Licence.id.label("id"),
        Licence.listing_id.label("listing_id"),
        Licence.expires_at.label("expires_at"),
    )
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
    .subquery()
)
_reserved = (
    select(
        literal(1).label("held"),
        LicenceTier.id.label("id"),
        LicenceTier.listing_id.label("listing_id"),
        cast(null(), Licence.expires_at.type).label("expires_at"),
    )
    .join(Listing, Listing.id == LicenceTier.listing_id)
    .where(
        Listing.asset_id == bindparam("asset_id"),
        LicenceTier.scope == bindparam("scope"),
        LicenceTier.exclusive.is_(True),
        LicenceTier.claim.is_not(None),
        LicenceTier.sold_trade_id.is_(None),
        LicenceTier.id != bindparam("other_than"),
    )
    .order_by(LicenceTier.id)
    .limit(1)
    .subquery()
)
_EXCLUSIVE_HOLDS = union_all(select(_live), select(_reserved)).order_by("held")


@dataclass(frozen=True, slots=True)
class ExclusiveHold:
    """What keeps an asset's scope exclusive: a licence in force (with its expiry) or another
    exclusive tier reserved (`expires_at` None) under listing `listing_id`."""

    id: str
    listing_id: str
    expires_at: datetime | None


async def exclusive_hold(
    session: AsyncSession, *, asset_id: str, scope: str, now: datetime, other_than: str
) -> ExclusiveHold | None:
    """An exclusive licence of the asset for this scope in force now, else another exclusive
    tier of it (not `other_than`) that is reserved; None if neither."""
    params = {"asset_id": asset_id, "scope": scope, "now": now, "other_than": other_than}
    row = (await session.execute(_EXCLUSIVE_HOLDS, params)).first()
    return None if row is None else ExclusiveHold(row.id, row.listing_id, row.expires_at)


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
