"""Every query of trading."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.trading.models import (
    Auction,
    Bid,
    BrokerLicence,
    CustomsCase,
    DeliveryPackage,
    Exchange,
    ExchangeOperator,
    IdempotencyKey,
    Licence,
    LicenceTier,
    Listing,
    ListingVenue,
    Mandate,
    Negotiation,
    NegotiationMessage,
    Order,
    Rulebook,
    ServiceBase,
    Trade,
    VenueStatus,
)

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])

# --- exchanges, rulebooks, bases, operators ------------------------------------------------


async def list_exchanges(session: AsyncSession) -> Sequence[tuple[Exchange, Rulebook]]:
    """Every exchange with its current rulebook."""
    stmt = (
        select(Exchange, Rulebook)
        .join(
            Rulebook,
            and_(
                Rulebook.exchange_id == Exchange.id,
                Rulebook.version == Exchange.rulebook_version,
            ),
        )
        .order_by(Exchange.id)
    )
    return [(e, r) for e, r in (await session.execute(stmt)).all()]


async def get_exchange(session: AsyncSession, exchange_id: str) -> tuple[Exchange, Rulebook] | None:
    """One exchange with its current rulebook."""
    stmt = (
        select(Exchange, Rulebook)
        .join(
            Rulebook,
            and_(
                Rulebook.exchange_id == Exchange.id,
                Rulebook.version == Exchange.rulebook_version,
            ),
        )
        .where(Exchange.id == exchange_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def get_rulebook(session: AsyncSession, exchange_id: str, version: int) -> Rulebook | None:
    """One version of an exchange's rulebook."""
    return await session.get(Rulebook, (exchange_id, version))


async def list_rulebooks(session: AsyncSession, exchange_id: str) -> Sequence[Rulebook]:
    """Every version of an exchange's rulebook, newest first."""
    stmt = (
        select(Rulebook)
        .where(Rulebook.exchange_id == exchange_id)
        .order_by(Rulebook.version.desc())
    )
    return (await session.scalars(stmt)).all()


async def advance_rulebook(session: AsyncSession, exchange_id: str, old_version: int) -> bool:
    """Move the exchange to the next rulebook version, if nobody moved it first."""
    stmt = (
        update(Exchange)
        .where(Exchange.id == exchange_id, Exchange.rulebook_version == old_version)
        .values(rulebook_version=old_version + 1)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def list_bases(session: AsyncSession) -> Sequence[ServiceBase]:
    """Every service base."""
    return (await session.scalars(select(ServiceBase).order_by(ServiceBase.id))).all()


async def get_base(session: AsyncSession, base_id: str) -> ServiceBase | None:
    """One service base."""
    return await session.get(ServiceBase, base_id)


async def get_operator(session: AsyncSession, participant_id: str) -> ExchangeOperator | None:
    """The exchange an operator is bound to, if any."""
    return await session.get(ExchangeOperator, participant_id)


# --- brokers and mandates ------------------------------------------------------------------


async def get_broker_licence(
    session: AsyncSession, broker_id: str, exchange_id: str
) -> BrokerLicence | None:
    """A broker's licence from one exchange."""
    stmt = select(BrokerLicence).where(
        BrokerLicence.broker_id == broker_id, BrokerLicence.exchange_id == exchange_id
    )
    return (await session.scalars(stmt)).first()


async def get_broker_licence_by_id(session: AsyncSession, licence_id: str) -> BrokerLicence | None:
    """A broker licence by id."""
    return await session.get(BrokerLicence, licence_id)


async def list_broker_licences(
    session: AsyncSession, *, exchange_id: str | None, broker_id: str | None
) -> Sequence[BrokerLicence]:
    """Broker licences, optionally of one exchange or broker."""
    stmt = _equal(
        select(BrokerLicence),
        {BrokerLicence.exchange_id: exchange_id, BrokerLicence.broker_id: broker_id},
    )
    return (await session.scalars(stmt.order_by(BrokerLicence.issued_at, BrokerLicence.id))).all()


async def get_mandate(session: AsyncSession, mandate_id: str) -> Mandate | None:
    """One mandate."""
    return await session.get(Mandate, mandate_id)


async def spend_mandate(session: AsyncSession, mandate_id: str, amount_fen: int) -> int | None:
    """Commit `amount_fen` of a mandate's limit atomically; None if it would exceed the limit."""
    stmt = (
        update(Mandate)
        .where(
            Mandate.id == mandate_id,
            Mandate.spent_fen + amount_fen <= Mandate.spending_limit_fen,
        )
        .values(spent_fen=Mandate.spent_fen + amount_fen)
        .returning(Mandate.spent_fen)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def release_mandate(session: AsyncSession, mandate_id: str, amount_fen: int) -> None:
    """Give back `amount_fen` of a mandate's committed spending (a refund)."""
    stmt = (
        update(Mandate)
        .where(Mandate.id == mandate_id)
        .values(spent_fen=Mandate.spent_fen - amount_fen)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def _count(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> int:
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)


Row = TypeVar("Row")


def _equal(stmt: Select[Row], filters: dict[Any, Any]) -> Select[Row]:
    """Keep rows whose column equals the value, for every filter given (not None)."""
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def _page(
    session: AsyncSession, stmt: Select[Row], order: Sequence[Any], limit: int, offset: int
) -> tuple[Sequence[Row], int]:
    """A page of a query's rows in the given order, and how many rows it has in all."""
    rows = await session.scalars(stmt.order_by(*order).limit(limit).offset(offset))
    return rows.all(), await _count(session, stmt)


async def list_mandates(
    session: AsyncSession,
    *,
    client_id: str | None,
    broker_id: str | None,
    party_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Mandate], int]:
    """A page of mandates matching the filters, and their count."""
    stmt = _equal(
        select(Mandate),
        {Mandate.client_id: client_id, Mandate.broker_id: broker_id, Mandate.status: status},
    )
    if party_id is not None:
        stmt = stmt.where((Mandate.client_id == party_id) | (Mandate.broker_id == party_id))
    return await _page(session, stmt, [Mandate.created_at.desc(), Mandate.id], limit, offset)


# --- listings ------------------------------------------------------------------------------


async def get_listing(session: AsyncSession, listing_id: str) -> Listing | None:
    """One listing."""
    return await session.get(Listing, listing_id)


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


async def get_package(session: AsyncSession, listing_id: str) -> DeliveryPackage | None:
    """A listing's delivery package."""
    return await session.get(DeliveryPackage, listing_id)


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
) -> tuple[Sequence[Listing], int]:
    """A page of listings matching the filters (newest first), and their count.

    `active_only` keeps listings active on some exchange (or on `exchange_id`); `visible_to`
    also keeps the listings that participant holds, whatever their state.
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
    stmt = _equal(
        stmt,
        {Listing.product_form: product_form, Listing.grade: grade, Listing.holder_id: holder_id},
    )
    if text:
        pattern = f"%{text}%"
        stmt = stmt.where(Listing.title.like(pattern) | Listing.description.like(pattern))
    return await _page(session, stmt, [Listing.created_at.desc(), Listing.id], limit, offset)


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


async def get_offer(
    session: AsyncSession, *, listing_id: str, tier_id: str, exchange_id: str
) -> Offer | None:
    """A tier of a listing as offered on one exchange, under that exchange's current rulebook."""
    params = {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": exchange_id}
    row = (await session.execute(_OFFER, params)).first()
    return None if row is None else Offer(row[0], row[1], row[2], row[3], row[4])


async def claim_tier(
    session: AsyncSession, tier_id: str, *, expected: str | None, claim: str | None
) -> bool:
    """Hand an exclusive tier's claim from `expected` to `claim` if nobody changed it first."""
    current = LicenceTier.claim.is_(None) if expected is None else LicenceTier.claim == expected
    stmt = (
        update(LicenceTier)
        .where(LicenceTier.id == tier_id, current, LicenceTier.sold_trade_id.is_(None))
        .values(claim=claim)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def mark_tier_sold(session: AsyncSession, tier_id: str, trade_id: str) -> None:
    """Record the trade that sold an exclusive tier."""
    stmt = (
        update(LicenceTier)
        .where(LicenceTier.id == tier_id)
        .values(sold_trade_id=trade_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


# --- orders, trades, licences --------------------------------------------------------------


async def get_order(session: AsyncSession, order_id: str) -> Order | None:
    """One order."""
    return await session.get(Order, order_id)


async def get_trade(session: AsyncSession, trade_id: str) -> Trade | None:
    """One trade."""
    return await session.get(Trade, trade_id)


async def get_trades(session: AsyncSession, trade_ids: Sequence[str]) -> dict[str, Trade]:
    """Several trades by id."""
    if not trade_ids:
        return {}
    stmt = select(Trade).where(Trade.id.in_(trade_ids))
    return {t.id: t for t in (await session.scalars(stmt)).all()}


async def get_licence(session: AsyncSession, licence_id: str) -> Licence | None:
    """One licence."""
    return await session.get(Licence, licence_id)


async def get_licences(session: AsyncSession, licence_ids: Sequence[str]) -> dict[str, Licence]:
    """Several licences by id."""
    if not licence_ids:
        return {}
    stmt = select(Licence).where(Licence.id.in_(licence_ids))
    return {lic.id: lic for lic in (await session.scalars(stmt)).all()}


async def customs_cases_of_orders(
    session: AsyncSession, order_ids: Sequence[str]
) -> dict[str, CustomsCase]:
    """The customs cases of several orders."""
    if not order_ids:
        return {}
    stmt = select(CustomsCase).where(CustomsCase.order_id.in_(order_ids))
    return {c.order_id: c for c in (await session.scalars(stmt)).all()}


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Filters on trades (and orders): any field left None is not filtered."""

    exchange_id: str | None = None
    mode: str | None = None
    buyer_id: str | None = None
    seller_id: str | None = None
    broker_id: str | None = None
    listing_id: str | None = None
    party_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _trade_like(stmt: AnySelect, model: Any, f: TradeFilter, time_column: Any) -> AnySelect:
    for column, value in (
        ("exchange_id", f.exchange_id),
        ("mode", f.mode),
        ("buyer_id", f.buyer_id),
        ("seller_id", f.seller_id),
        ("broker_id", f.broker_id),
        ("listing_id", f.listing_id),
    ):
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    if f.party_id is not None:
        stmt = stmt.where(
            (model.buyer_id == f.party_id)
            | (model.seller_id == f.party_id)
            | (model.broker_id == f.party_id)
        )
    if f.since is not None:
        stmt = stmt.where(time_column >= f.since)
    if f.until is not None:
        stmt = stmt.where(time_column < f.until)
    return stmt


async def list_trades(
    session: AsyncSession, f: TradeFilter, *, limit: int, offset: int
) -> tuple[Sequence[Trade], int]:
    """A page of trades (newest first) and their count."""
    stmt = _trade_like(select(Trade), Trade, f, Trade.settled_at)
    return await _page(session, stmt, [Trade.settled_at.desc(), Trade.id], limit, offset)


async def list_orders(
    session: AsyncSession, f: TradeFilter, *, status: str | None, limit: int, offset: int
) -> tuple[Sequence[Order], int]:
    """A page of orders (newest first) and their count."""
    stmt = _trade_like(select(Order), Order, f, Order.created_at)
    stmt = _equal(stmt, {Order.status: status})
    return await _page(session, stmt, [Order.created_at.desc(), Order.id], limit, offset)


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
    stmt = _equal(
        select(Licence),
        {
            Licence.licensee_id: licensee_id,
            Licence.licensor_id: licensor_id,
            Licence.listing_id: listing_id,
        },
    )
    return await _page(session, stmt, [Licence.starts_at.desc(), Licence.id], limit, offset)


async def trade_rows(
    session: AsyncSession,
    *,
    exchange_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Sequence[Any]:
    """The columns market statistics need, for every trade in the window."""
    stmt = select(
        Trade.exchange_id,
        Trade.buyer_id,
        Trade.seller_id,
        Trade.broker_id,
        Trade.price_fen,
        Trade.buyer_fee_fen,
        Trade.seller_fee_fen,
        Trade.commission_fen,
        Trade.product_form,
        Trade.grade,
        Trade.mode,
        Trade.cross_border,
        Trade.settled_at,
    )
    stmt = _trade_like(
        stmt,
        Trade,
        TradeFilter(exchange_id=exchange_id, since=since, until=until),
        Trade.settled_at,
    )
    return (await session.execute(stmt)).all()


async def trade_prices(
    session: AsyncSession, *, product_form: str, grade: str, exclude_asset_id: str | None
) -> Sequence[int]:
    """Prices of settled trades of one product form and grade (market comparables)."""
    stmt = select(Trade.price_fen).where(Trade.product_form == product_form, Trade.grade == grade)
    if exclude_asset_id is not None:
        stmt = stmt.where(Trade.asset_id != exclude_asset_id)
    return (await session.scalars(stmt.order_by(Trade.settled_at))).all()


# --- negotiations --------------------------------------------------------------------------


async def get_negotiation(session: AsyncSession, negotiation_id: str) -> Negotiation | None:
    """One negotiation."""
    return await session.get(Negotiation, negotiation_id)


async def list_negotiation_messages(
    session: AsyncSession, negotiation_id: str
) -> Sequence[NegotiationMessage]:
    """A negotiation's steps in order."""
    stmt = (
        select(NegotiationMessage)
        .where(NegotiationMessage.negotiation_id == negotiation_id)
        .order_by(NegotiationMessage.seq)
    )
    return (await session.scalars(stmt)).all()


async def list_negotiations(
    session: AsyncSession, *, party_id: str | None, state: str | None, limit: int, offset: int
) -> tuple[Sequence[Negotiation], int]:
    """A page of negotiations (newest first) and their count."""
    stmt = select(Negotiation)
    if party_id is not None:
        stmt = stmt.where(
            (Negotiation.consumer_id == party_id)
            | (Negotiation.provider_id == party_id)
            | (Negotiation.broker_id == party_id)
        )
    stmt = _equal(stmt, {Negotiation.state: state})
    order = [Negotiation.created_at.desc(), Negotiation.id]
    return await _page(session, stmt, order, limit, offset)


async def step_negotiation(
    session: AsyncSession, negotiation_id: str, *, from_state: str, values: dict[str, Any]
) -> bool:
    """Move a negotiation on if it is still in `from_state` (two steps never both apply)."""
    stmt = (
        update(Negotiation)
        .where(Negotiation.id == negotiation_id, Negotiation.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


# --- auctions ------------------------------------------------------------------------------


async def get_auction(session: AsyncSession, auction_id: str) -> Auction | None:
    """One auction."""
    return await session.get(Auction, auction_id)


async def list_auctions(
    session: AsyncSession,
    *,
    exchange_id: str | None,
    listing_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Auction], int]:
    """A page of auctions (newest first) and their count."""
    stmt = _equal(
        select(Auction),
        {Auction.exchange_id: exchange_id, Auction.listing_id: listing_id, Auction.status: status},
    )
    return await _page(session, stmt, [Auction.created_at.desc(), Auction.id], limit, offset)


async def list_bids(session: AsyncSession, auction_id: str) -> Sequence[Bid]:
    """An auction's bids in the order placed."""
    stmt = select(Bid).where(Bid.auction_id == auction_id).order_by(Bid.placed_at, Bid.id)
    return (await session.scalars(stmt)).all()


async def count_bids(session: AsyncSession, auction_ids: Sequence[str]) -> dict[str, int]:
    """How many bids each auction holds."""
    if not auction_ids:
        return {}
    stmt = (
        select(Bid.auction_id, func.count())
        .where(Bid.auction_id.in_(auction_ids))
        .group_by(Bid.auction_id)
    )
    counts = {aid: 0 for aid in auction_ids}
    counts.update({aid: int(n) for aid, n in (await session.execute(stmt)).all()})
    return counts


async def close_auction(session: AsyncSession, auction_id: str, *, values: dict[str, Any]) -> bool:
    """Close an open auction once (two closers never both settle it)."""
    stmt = (
        update(Auction)
        .where(Auction.id == auction_id, Auction.status == "open")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


# --- data customs --------------------------------------------------------------------------


async def get_customs_case(session: AsyncSession, case_id: str) -> CustomsCase | None:
    """One customs case."""
    return await session.get(CustomsCase, case_id)


async def decide_customs_case(
    session: AsyncSession, case_id: str, *, values: dict[str, Any]
) -> bool:
    """Decide a pending case once (two regulators never both decide it)."""
    stmt = (
        update(CustomsCase)
        .where(CustomsCase.id == case_id, CustomsCase.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def list_customs_cases(
    session: AsyncSession,
    *,
    buyer_id: str | None,
    status: str | None,
    jurisdiction: str | None,
    exchange_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CustomsCase], int]:
    """A page of customs cases (newest first) and their count."""
    stmt = _equal(
        select(CustomsCase),
        {
            CustomsCase.buyer_id: buyer_id,
            CustomsCase.status: status,
            CustomsCase.jurisdiction: jurisdiction,
            CustomsCase.exchange_id: exchange_id,
        },
    )
    order = [CustomsCase.created_at.desc(), CustomsCase.id]
    return await _page(session, stmt, order, limit, offset)


# --- idempotency keys ----------------------------------------------------------------------


async def get_idempotency_key(
    session: AsyncSession, participant_id: str, key: str
) -> IdempotencyKey | None:
    """A participant's stored Idempotency-Key, read fresh from the database."""
    stmt = (
        select(IdempotencyKey)
        .where(IdempotencyKey.participant_id == participant_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).first()


# pg_try_advisory_xact_lock class for Idempotency-Keys ("GDXI"); the two-int form never
# collides with the single-bigint locks of the audit log.
_IDEMPOTENCY_LOCK_CLASS = 0x47445849


async def claim_idempotency_key(
    session: AsyncSession, *, participant_id: str, key: str, fingerprint: str, created_at: datetime
) -> bool:
    """Insert a key for this transaction; False (without waiting) if another request holds it.

    PostgreSQL: a transaction-level advisory lock on the key is taken first, without waiting,
    so a request racing one still in flight learns so at once instead of blocking on the
    uncommitted row; holding it, only a key committed meanwhile can conflict. SQLite: writers
    are serialized (BEGIN IMMEDIATE), so the same holds. The insert skips a conflicting row
    rather than failing, so the request's transaction stays usable and may read the key again.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        locked = await session.scalar(
            select(
                func.pg_try_advisory_xact_lock(
                    _IDEMPOTENCY_LOCK_CLASS, func.hashtext(f"{participant_id}\n{key}")
                )
            )
        )
        if not locked:
            return False
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(IdempotencyKey)
        .values(
            participant_id=participant_id,
            key=key,
            fingerprint=fingerprint,
            status_code=None,
            response=None,
            created_at=created_at,
        )
        .on_conflict_do_nothing()
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def store_idempotent_response(
    session: AsyncSession, *, participant_id: str, key: str, status_code: int, response: str
) -> None:
    """Keep the first response to a claimed key, for its retries."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.participant_id == participant_id, IdempotencyKey.key == key)
        .values(status_code=status_code, response=response)
        .execution_options(synchronize_session=False)
    )
