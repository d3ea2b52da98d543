"""Every query of listings (挂牌): venues on each exchange, licence tiers, delivery packages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.keyset import table_pages
from exchange.kit.roundreads import MISSING, reads_of
from exchange.kit.transition import transition
from exchange.trading.listings.models import (
    AssetLock,
    LicenceTier,
    Listing,
    ListingVenue,
)
from exchange.trading.queries import page_of, where_equal
from exchange.trading.venues.models import Exchange, Rulebook
from exchange.vocabulary import VenueStatus


async def get_listing(session: AsyncSession, listing_id: str) -> Listing | None:
    """One listing."""
    return await session.get(Listing, listing_id)


async def titles(session: AsyncSession, listing_ids: Sequence[str]) -> dict[str, str]:
    """The titles of several listings, by id."""
    if not listing_ids:
        return {}
    stmt = select(Listing.id, Listing.title).where(Listing.id.in_(set(listing_ids)))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def get_venues(
    session: AsyncSession, listing_ids: Sequence[str]
) -> dict[str, list[ListingVenue]]:
    """The venues of several listings."""
    stmt = (
        select(ListingVenue)
        .where(ListingVenue.listing_id.in_(listing_ids))
        .order_by(ListingVenue.exchange_id)
    )
    out: dict[str, list[ListingVenue]] = {lid: [] for lid in listing_ids}
    for venue in (await session.scalars(stmt)).all():
        out[venue.listing_id].append(venue)
    return out


async def get_tiers(
    session: AsyncSession, listing_ids: Sequence[str]
) -> dict[str, list[LicenceTier]]:
    """The licence tiers of several listings, in order."""
    stmt = (
        select(LicenceTier)
        .where(LicenceTier.listing_id.in_(listing_ids))
        .order_by(LicenceTier.position)
    )
    out: dict[str, list[LicenceTier]] = {lid: [] for lid in listing_ids}
    for tier in (await session.scalars(stmt)).all():
        out[tier.listing_id].append(tier)
    return out


async def list_listings(
    session: AsyncSession,
    *,
    exchange_id: str | None,
    product_form: str | None,
    grade: str | None,
    holder_id: str | None,
    text: str | None,
    active_only: bool,
    visible_to: str | None,
    limit: int,
    offset: int,
    min_price_fen: int | None = None,
    max_price_fen: int | None = None,
) -> tuple[Sequence[Listing], int]:
    """A page of listings matching the filters (newest first), and their count.

    `active_only` keeps listings active on some exchange (or on `exchange_id`); `visible_to`
    also keeps the listings that participant holds, whatever their state; a price range keeps
    listings with a tier priced within it.
    """
    stmt = select(Listing)
    venue_filter = []
    if exchange_id is not None:
        venue_filter.append(ListingVenue.exchange_id == exchange_id)
    if active_only:
        venue_filter.append(ListingVenue.status == VenueStatus.ACTIVE)
    if venue_filter:
        shown: ColumnElement[bool] = Listing.id.in_(
            select(ListingVenue.listing_id).where(*venue_filter)
        )
        if visible_to is not None and exchange_id is None:
            shown = shown | (Listing.holder_id == visible_to)
        stmt = stmt.where(shown)
    stmt = where_equal(
        stmt,
        {Listing.product_form: product_form, Listing.grade: grade, Listing.holder_id: holder_id},
    )
    if text:
        pattern = f"%{text}%"
        stmt = stmt.where(Listing.title.like(pattern) | Listing.description.like(pattern))
    price_range = []
    if min_price_fen is not None:
        price_range.append(LicenceTier.price_fen >= min_price_fen)
    if max_price_fen is not None:
        price_range.append(LicenceTier.price_fen <= max_price_fen)
    if price_range:
        stmt = stmt.where(Listing.id.in_(select(LicenceTier.listing_id).where(*price_range)))
    return await page_of(session, stmt, [Listing.created_at.desc(), Listing.id], limit, offset)


async def pending_review(
    session: AsyncSession, exchange_id: str, *, limit: int, offset: int
) -> tuple[Sequence[Listing], int]:
    """A page of the listings waiting for review on an exchange (oldest first), and their count."""
    waiting = select(ListingVenue.listing_id).where(
        ListingVenue.exchange_id == exchange_id,
        ListingVenue.status == VenueStatus.PENDING_REVIEW,
    )
    stmt = select(Listing).where(Listing.id.in_(waiting))
    return await page_of(session, stmt, [Listing.created_at, Listing.id], limit, offset)


@dataclass(frozen=True, slots=True)
class Offer:
    """What a purchase needs in one round trip: listing, tier, venue, exchange, rulebook."""

    listing: Listing
    tier: LicenceTier
    venue: ListingVenue
    exchange: Exchange
    rulebook: Rulebook


# Built once (every purchase reads an offer); bound per call.
_OFFER = (
    select(Listing, LicenceTier, ListingVenue, Exchange, Rulebook)
    .join(LicenceTier, LicenceTier.listing_id == Listing.id)
    .join(ListingVenue, ListingVenue.listing_id == Listing.id)
    .join(Exchange, Exchange.id == ListingVenue.exchange_id)
    .join(
        Rulebook,
        and_(
            Rulebook.exchange_id == Exchange.id,
            Rulebook.version == Exchange.rulebook_version,
        ),
    )
    .where(
        Listing.id == bindparam("listing_id"),
        LicenceTier.id == bindparam("tier_id"),
        ListingVenue.exchange_id == bindparam("exchange_id"),
    )
)
_OFFER_TABLES = frozenset(
    model.__tablename__ for model in (Listing, LicenceTier, ListingVenue, Exchange, Rulebook)
)


async def get_offer(
    session: AsyncSession, *, listing_id: str, tier_id: str, exchange_id: str
) -> Offer | None:
    """A tier of a listing as offered on one exchange, under that exchange's current rulebook."""
    reads = reads_of(session)
    key = ("offer", listing_id, tier_id, exchange_id)
    if reads is not None and (kept := reads.get(key)) is not MISSING:
        found: Offer | None = kept
        return found
    params = {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": exchange_id}
    row = (await session.execute(_OFFER, params)).first()
    offer = None if row is None else Offer(row[0], row[1], row[2], row[3], row[4])
    if reads is not None:
        reads.put(key, _OFFER_TABLES, offer)
    return offer


async def claim_tier(
    session: AsyncSession, tier_id: str, *, expected: str | None, claim: str | None
) -> bool:
    """Hand an exclusive tier's claim from `expected` to `claim` if nobody changed it first."""
    current = LicenceTier.claim.is_(None) if expected is None else LicenceTier.claim == expected
    return await transition(
        session,
        LicenceTier,
        LicenceTier.id == tier_id,
        current,
        LicenceTier.sold_trade_id.is_(None),
        claim=claim,
    )


async def mark_tier_sold(session: AsyncSession, tier_id: str, trade_id: str) -> None:
    """Record the trade that sold an exclusive tier."""
    stmt = (
        update(LicenceTier)
        .where(LicenceTier.id == tier_id)
        .values(sold_trade_id=trade_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


def listing_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every listing, in id order, a batch at a time (reconciliation)."""
    table: Table = Listing.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.id])


def venue_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every listing venue, in (listing, exchange) order, a batch at a time (reconciliation)."""
    table: Table = ListingVenue.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.listing_id, table.c.exchange_id])


def tier_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every licence tier, in id order, a batch at a time (reconciliation)."""
    table: Table = LicenceTier.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.id])


# A venue in these states no longer lists its asset on that exchange.
ENDED_VENUE_STATES = (VenueStatus.DELISTED, VenueStatus.REJECTED)


# Built once: every purchase takes its asset's lock. PostgreSQL: inserting the row, or on
# conflict "updating" it to itself, locks it until commit in one statement (waiting, as
# SELECT ... FOR UPDATE would, for a transaction holding it); a shared hold makes the row if
# need be and reads it FOR SHARE. SQLite serializes every writer already (and has no FOR
# UPDATE): the row is only made on first use.
_lock_insert = postgresql.insert(AssetLock).values(asset_id=bindparam("asset_id"))
_LOCK_ASSET_POSTGRESQL = _lock_insert.on_conflict_do_update(
    index_elements=[AssetLock.asset_id], set_={"asset_id": _lock_insert.excluded.asset_id}
)
_MAKE_LOCK_POSTGRESQL = _lock_insert.on_conflict_do_nothing()
_SHARE_LOCK_POSTGRESQL = (
    select(AssetLock.asset_id)
    .where(AssetLock.asset_id == bindparam("asset_id"))
    .with_for_update(read=True)
)
_LOCK_ASSET_SQLITE = (
    sqlite.insert(AssetLock).values(asset_id=bindparam("asset_id")).on_conflict_do_nothing()
)


async def lock_asset(session: AsyncSession, asset_id: str, *, shared: bool = False) -> None:
    """Hold the asset's lock row until the transaction ends (made on first use).

    `shared` (PostgreSQL `FOR SHARE`): for a sale of a non-exclusive tier, which must not pass
    an exclusive sale or reservation of the asset (they take the lock exclusively) but need not
    wait for another non-exclusive sale: many buyers of one product settle side by side.
    """
    params = {"asset_id": asset_id}
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(_LOCK_ASSET_SQLITE, params)
    elif shared:
        await session.execute(_MAKE_LOCK_POSTGRESQL, params)
        await session.execute(_SHARE_LOCK_POSTGRESQL, params)
    else:
        await session.execute(_LOCK_ASSET_POSTGRESQL, params)


async def active_venues_of_assets(
    session: AsyncSession, asset_ids: Sequence[str]
) -> Sequence[ListingVenue]:
    """The venues where these assets' listings are active, by listing and exchange (locked
    until commit)."""
    stmt = (
        select(ListingVenue)
        .join(Listing, Listing.id == ListingVenue.listing_id)
        .where(Listing.asset_id.in_(list(asset_ids)), ListingVenue.status == VenueStatus.ACTIVE)
        .order_by(ListingVenue.listing_id, ListingVenue.exchange_id)
        .with_for_update(of=ListingVenue)
    )
    return (await session.scalars(stmt)).all()


async def venues_listing_asset(
    session: AsyncSession, asset_id: str, exchange_ids: Sequence[str]
) -> Sequence[ListingVenue]:
    """The venues on these exchanges where the asset is listed (pending, active or suspended)."""
    stmt = (
        select(ListingVenue)
        .join(Listing, Listing.id == ListingVenue.listing_id)
        .where(
            Listing.asset_id == asset_id,
            ListingVenue.exchange_id.in_(exchange_ids),
            ListingVenue.status.not_in(ENDED_VENUE_STATES),
        )
        .order_by(ListingVenue.exchange_id, ListingVenue.listing_id)
    )
    return (await session.scalars(stmt)).all()
