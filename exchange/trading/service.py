"""Trading on the Guangzhou and Shenzhen data exchanges (数据交易).

Exchanges and their versioned rulebooks, operators, broker licences and mandates (授权委托),
listings (挂牌) of registered assets with licence tiers and delivery packages, posted-price
orders (挂牌交易), licences and delivery (交付), data customs (数据海关), trades and market
statistics. Negotiation (协议交易) and auctions (竞价交易) live in their own modules; all three
settle through `settlement`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from exchange.assets.registry import market as assets_service
from exchange.context import Context, Principal
from exchange.errors import ExchangeError, Forbidden, InvalidInput
from exchange.participants import service as participants_service
from exchange.participants.errors import ParticipantNotFound
from exchange.trading import market, repository, rules
from exchange.trading.errors import (
    COMPLIANCE_RULE,
    CORE_DATA_RULE,
    EXCLUSIVE_RULE,
    AlreadyBound,
    AlreadyLicensed,
    BrokerLicenceNotFound,
    BrokerNotLicensed,
    CoreDataNotListable,
    CustomsCaseDecided,
    CustomsCaseNotFound,
    DeliveryFingerprintMismatch,
    ExchangeNotFound,
    LicenceNotFound,
    LicenceNotLive,
    LicenceRevoked,
    ListingNotFound,
    MandateNotFound,
    NotExchangeOperator,
    OrderNotFound,
    TierNotFound,
    TradeNotFound,
    VenueStateConflict,
)
from exchange.trading.models import (
    BrokerLicence,
    BrokerLicenceStatus,
    CustomsCase,
    CustomsDecision,
    CustomsStatus,
    DeliveryPackage,
    Exchange,
    ExchangeOperator,
    Licence,
    LicenceStatus,
    LicenceTier,
    Listing,
    ListingReview,
    ListingVenue,
    Mandate,
    MandateAction,
    MandateStatus,
    NegotiationState,
    Order,
    OrderStatus,
    Rulebook,
    ServiceBase,
    Trade,
    VenueStatus,
)
from exchange.trading.repository import Offer, TradeFilter
from exchange.trading.settlement import (
    BUYER_ROLES,
    Placed,
    actor_of,
    check_available,
    check_commission_cap,
    check_not_own,
    check_price_limits,
    check_tradable,
    open_order,
    refund,
    resolve_buyer,
    settle,
)
from exchange.vocabulary import DataGrade, DeliveryKind, ParticipantStatus, Role, TradeMode

# Instructors are not overseers of the main market: a live class reads its own sandbox market
# as that market's admin (`classroom.live`), so nothing needs them to see real trades.
OVERSEER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR})
PUBLIC_VENUE_STATES = frozenset({VenueStatus.ACTIVE, VenueStatus.SUSPENDED, VenueStatus.DELISTED})


def oversees(actor: Principal) -> bool:
    """Admins and regulators read every trading record."""
    return actor.role in OVERSEER_ROLES


async def operator_exchange(ctx: Context) -> str | None:
    """The exchange the calling operator is bound to (None for anyone else)."""
    actor = actor_of(ctx)
    if actor.role is not Role.EXCHANGE_OPERATOR:
        return None
    binding = await repository.get_operator(ctx.session, actor.id)
    return binding.exchange_id if binding is not None else None


async def _require_operator_of(ctx: Context, exchange_id: str) -> Principal:
    actor = actor_of(ctx)
    if await operator_exchange(ctx) != exchange_id:
        raise NotExchangeOperator(f"Only an operator of exchange {exchange_id!r} may do this.")
    return actor


# --- exchanges and rulebooks ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExchangeView:
    """An exchange, its current rulebook and its service bases."""

    exchange: Exchange
    rulebook: Rulebook
    bases: list[ServiceBase]


async def list_exchanges(ctx: Context) -> list[ExchangeView]:
    """Every exchange with its current rulebook and bases."""
    bases = await repository.list_bases(ctx.session)
    return [
        ExchangeView(e, r, [b for b in bases if b.exchange_id == e.id])
        for e, r in await repository.list_exchanges(ctx.session)
    ]


async def get_exchange(ctx: Context, exchange_id: str) -> ExchangeView:
    """One exchange with its current rulebook and bases."""
    found = await repository.get_exchange(ctx.session, exchange_id)
    if found is None:
        raise ExchangeNotFound(f"No exchange {exchange_id!r}.")
    bases = [b for b in await repository.list_bases(ctx.session) if b.exchange_id == exchange_id]
    return ExchangeView(found[0], found[1], bases)


async def list_rulebooks(ctx: Context, *, exchange_id: str) -> Sequence[Rulebook]:
    """Every version of an exchange's rulebook, newest first."""
    await get_exchange(ctx, exchange_id)
    return await repository.list_rulebooks(ctx.session, exchange_id)


RULEBOOK_FIELDS = (
    "buyer_fee_bp",
    "seller_fee_bp",
    "max_commission_bp",
    "broker_required_for",
    "trade_modes",
    "listing_review",
    "min_price_fen",
    "max_price_fen",
)


def rulebook_json(book: Rulebook) -> dict[str, Any]:
    """A rulebook's clauses as JSON."""
    return {name: getattr(book, name) for name in RULEBOOK_FIELDS}


async def change_rulebook(
    ctx: Context, *, exchange_id: str, changes: dict[str, Any], note: str
) -> Rulebook:
    """A new rulebook version for the operator's own exchange; past trades keep theirs."""
    actor = await _require_operator_of(ctx, exchange_id)
    view = await get_exchange(ctx, exchange_id)
    old = view.rulebook
    clauses = rulebook_json(old)
    clauses.update({k: v for k, v in changes.items() if k in RULEBOOK_FIELDS})
    if clauses["seller_fee_bp"] + clauses["max_commission_bp"] > rules.BASIS_POINTS:
        raise InvalidInput("seller_fee_bp + max_commission_bp cannot exceed 10000 bp.")
    if clauses["min_price_fen"] > clauses["max_price_fen"]:
        raise InvalidInput("min_price_fen cannot exceed max_price_fen.")
    if not await repository.advance_rulebook(ctx.session, exchange_id, old.version):
        raise VenueStateConflict("The rulebook changed meanwhile; read it again and retry.")
    new = Rulebook(
        exchange_id=exchange_id,
        version=old.version + 1,
        note=note,
        changed_by=actor.id,
        created_at=ctx.clock.now(),
        **clauses,
    )
    ctx.session.add(new)
    ctx.audit(
        "trading.rulebook_changed",
        subject_type="exchange",
        subject_id=exchange_id,
        payload={
            "version": new.version,
            "previous_version": old.version,
            "note": note,
            "changes": {
                k: {"from": getattr(old, k), "to": clauses[k]}
                for k in RULEBOOK_FIELDS
                if getattr(old, k) != clauses[k]
            },
            "rulebook": clauses,
        },
    )
    return new


async def bind_operator(ctx: Context, *, exchange_id: str, participant_id: str) -> ExchangeOperator:
    """Bind an exchange operator to the exchange it runs (admins)."""
    actor = actor_of(ctx)
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only admins bind operators to exchanges.")
    await get_exchange(ctx, exchange_id)
    participant = await participants_service.get(ctx, participant_id)
    if participant.role != Role.EXCHANGE_OPERATOR:
        raise InvalidInput(f"Participant {participant_id} is not an exchange operator.")
    if await repository.get_operator(ctx.session, participant_id) is not None:
        raise AlreadyBound(f"Operator {participant_id} is already bound to an exchange.")
    binding = ExchangeOperator(
        participant_id=participant_id,
        exchange_id=exchange_id,
        bound_by=actor.id,
        bound_at=ctx.clock.now(),
    )
    ctx.session.add(binding)
    ctx.audit(
        "trading.operator_bound",
        subject_type="exchange",
        subject_id=exchange_id,
        payload={"participant_id": participant_id},
    )
    return binding


# --- brokers and mandates ------------------------------------------------------------------


async def license_broker(ctx: Context, *, exchange_id: str, broker_id: str) -> BrokerLicence:
    """License a data broker (数据经纪人) on the operator's exchange."""
    actor = await _require_operator_of(ctx, exchange_id)
    broker = await participants_service.get(ctx, broker_id)
    if broker.role != Role.BROKER:
        raise InvalidInput(f"Participant {broker_id} is not a data broker.")
    existing = await repository.get_broker_licence(ctx.session, broker_id, exchange_id)
    if existing is not None and existing.status == BrokerLicenceStatus.ACTIVE:
        raise AlreadyLicensed(f"Broker {broker_id} already holds a licence from {exchange_id}.")
    now = ctx.clock.now()
    if existing is not None:
        licence = existing
        licence.status = BrokerLicenceStatus.ACTIVE
        licence.issued_by = actor.id
        licence.issued_at = now
        licence.revoked_at = None
        licence.revocation_reason = None
    else:
        licence = BrokerLicence(
            id=ctx.ids.new(),
            broker_id=broker_id,
            exchange_id=exchange_id,
            status=BrokerLicenceStatus.ACTIVE,
            issued_by=actor.id,
            issued_at=now,
        )
        ctx.session.add(licence)
    ctx.audit(
        "trading.broker_licensed",
        subject_type="broker_licence",
        subject_id=licence.id,
        payload={"broker_id": broker_id, "exchange_id": exchange_id},
    )
    return licence


async def revoke_broker_licence(ctx: Context, *, licence_id: str, reason: str) -> BrokerLicence:
    """Revoke a broker's licence (the issuing exchange's operators)."""
    licence = await repository.get_broker_licence_by_id(ctx.session, licence_id)
    if licence is None:
        raise BrokerLicenceNotFound(f"No broker licence {licence_id!r}.")
    await _require_operator_of(ctx, licence.exchange_id)
    if licence.status == BrokerLicenceStatus.REVOKED:
        return licence
    licence.status = BrokerLicenceStatus.REVOKED
    licence.revoked_at = ctx.clock.now()
    licence.revocation_reason = reason
    ctx.audit(
        "trading.broker_licence_revoked",
        subject_type="broker_licence",
        subject_id=licence.id,
        payload={
            "broker_id": licence.broker_id,
            "exchange_id": licence.exchange_id,
            "reason": reason,
        },
    )
    return licence


async def list_broker_licences(
    ctx: Context, *, exchange_id: str | None, broker_id: str | None
) -> Sequence[BrokerLicence]:
    """Broker licences (public: clients choose their brokers from them)."""
    return await repository.list_broker_licences(
        ctx.session, exchange_id=exchange_id, broker_id=broker_id
    )


async def grant_mandate(
    ctx: Context,
    *,
    broker_id: str,
    exchange_ids: Sequence[str],
    actions: Sequence[MandateAction],
    spending_limit_fen: int,
    commission_bp: int,
    expires_at: datetime,
) -> Mandate:
    """A client's mandate (授权委托) to a licensed broker."""
    client = actor_of(ctx)
    if client.role not in BUYER_ROLES:
        raise Forbidden(f"A {client.role.value} does not grant trading mandates.")
    try:
        broker = await participants_service.get(ctx, broker_id)
    except ParticipantNotFound:
        raise InvalidInput(f"No broker {broker_id!r}.") from None
    if broker.role != Role.BROKER or broker.status != ParticipantStatus.ACTIVE:
        raise InvalidInput(f"Participant {broker_id} is not an active data broker.")
    if expires_at <= ctx.clock.now():
        raise InvalidInput("A mandate must expire in the future.")
    for exchange_id in exchange_ids:
        view = await get_exchange(ctx, exchange_id)
        licence = await repository.get_broker_licence(ctx.session, broker_id, exchange_id)
        if licence is None or licence.status != BrokerLicenceStatus.ACTIVE:
            raise BrokerNotLicensed(f"Broker {broker_id} holds no licence from {exchange_id}.")
        check_commission_cap(view.exchange, view.rulebook, commission_bp)
    mandate = Mandate(
        id=ctx.ids.new(),
        client_id=client.id,
        broker_id=broker_id,
        exchange_ids=list(dict.fromkeys(exchange_ids)),
        actions=[a.value for a in dict.fromkeys(actions)],
        spending_limit_fen=spending_limit_fen,
        spent_fen=0,
        commission_bp=commission_bp,
        expires_at=expires_at,
        status=MandateStatus.ACTIVE,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(mandate)
    ctx.audit(
        "trading.mandate_granted",
        subject_type="mandate",
        subject_id=mandate.id,
        payload={
            "client_id": client.id,
            "broker_id": broker_id,
            "exchange_ids": mandate.exchange_ids,
            "actions": mandate.actions,
            "spending_limit_fen": spending_limit_fen,
            "commission_bp": commission_bp,
            "expires_at": expires_at,
        },
    )
    return mandate


async def get_mandate(ctx: Context, mandate_id: str) -> Mandate:
    """A mandate (its client, its broker, overseers)."""
    actor = actor_of(ctx)
    mandate = await repository.get_mandate(ctx.session, mandate_id)
    if mandate is None or not (
        oversees(actor) or actor.id in (mandate.client_id, mandate.broker_id)
    ):
        raise MandateNotFound(f"No mandate {mandate_id!r}.")
    return mandate


async def revoke_mandate(ctx: Context, *, mandate_id: str) -> Mandate:
    """The client withdraws a mandate at once."""
    actor = actor_of(ctx)
    mandate = await get_mandate(ctx, mandate_id)
    if actor.id != mandate.client_id:
        raise Forbidden("Only the client revokes its mandate.")
    if mandate.status == MandateStatus.REVOKED:
        return mandate
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_at = ctx.clock.now()
    ctx.audit(
        "trading.mandate_revoked",
        subject_type="mandate",
        subject_id=mandate.id,
        payload={"client_id": mandate.client_id, "broker_id": mandate.broker_id},
    )
    return mandate


async def list_mandates(
    ctx: Context,
    *,
    client_id: str | None,
    broker_id: str | None,
    status: MandateStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Mandate], int]:
    """Mandates: overseers filter all; others see those they are party to."""
    actor = actor_of(ctx)
    return await repository.list_mandates(
        ctx.session,
        client_id=client_id,
        broker_id=broker_id,
        party_id=None if oversees(actor) else actor.id,
        status=status,
        limit=limit,
        offset=offset,
    )


# --- listings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierSpec:
    """A licence tier to offer."""

    name: str
    scope: str
    term_days: int
    price_fen: int
    exclusive: bool


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """The delivery package: a file, or the description of the API that serves the data."""

    kind: DeliveryKind
    filename: str
    media_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ListingView:
    """A listing with its venues and tiers."""

    listing: Listing
    venues: list[ListingVenue]
    tiers: list[LicenceTier]


async def _resolve_venues(
    ctx: Context, venues: Sequence[str]
) -> list[tuple[ExchangeView, ServiceBase | None]]:
    """Each venue named by exchange or service base, with its exchange (once per exchange)."""
    resolved: list[tuple[ExchangeView, ServiceBase | None]] = []
    for name in venues:
        found = await repository.get_exchange(ctx.session, name)
        base = None
        if found is None:
            base = await repository.get_base(ctx.session, name)
            if base is None:
                raise ExchangeNotFound(f"No exchange or service base {name!r}.")
        exchange_id = base.exchange_id if base is not None else name
        if any(v.exchange.id == exchange_id for v, _ in resolved):
            raise InvalidInput(f"Exchange {exchange_id!r} is named twice in venues.")
        resolved.append((await get_exchange(ctx, exchange_id), base))
    return resolved


async def create_listing(
    ctx: Context,
    *,
    asset_id: str,
    title: str,
    description: str,
    venues: Sequence[str],
    tiers: Sequence[TierSpec],
    delivery: DeliverySpec,
) -> ListingView:
    """List a registered asset on one or both exchanges (无登记不交易, 无合规不上架)."""
    holder = actor_of(ctx)
    facts = await assets_service.listable_asset(ctx, asset_id, holder.id)
    if facts.grade is DataGrade.CORE:
        raise CoreDataNotListable(f"Refused under the rule {CORE_DATA_RULE}.", rule=CORE_DATA_RULE)
    digest = hashlib.sha256(delivery.body).hexdigest()
    if digest != facts.fingerprint.lower():
        raise DeliveryFingerprintMismatch(
            f"The package's SHA-256 {digest} is not the fingerprint {facts.fingerprint} on "
            f"certificate {facts.certificate_number} ({COMPLIANCE_RULE}).",
            rule=COMPLIANCE_RULE,
            package_sha256=digest,
            certificate_fingerprint=facts.fingerprint,
        )
    places = await _resolve_venues(ctx, venues)
    for view, _ in places:
        for spec in tiers:
            check_price_limits(
                view.exchange,
                view.rulebook,
                spec.price_fen,
                what=f"Tier {spec.name!r} at {spec.price_fen} fen",
            )
    now = ctx.clock.now()
    listing = Listing(
        id=ctx.ids.new(),
        asset_id=facts.asset_id,
        holder_id=holder.id,
        certificate_number=facts.certificate_number,
        title=title,
        description=description,
        product_form=facts.product_form.value,
        grade=facts.grade.value,
        personal_information=facts.personal_information,
        fingerprint=digest,
        delivery_kind=delivery.kind,
        delivery_filename=delivery.filename,
        delivery_media_type=delivery.media_type,
        delivery_size=len(delivery.body),
        created_at=now,
    )
    tier_rows = [
        LicenceTier(
            id=ctx.ids.new(),
            listing_id=listing.id,
            position=i,
            name=spec.name,
            scope=spec.scope,
            term_days=spec.term_days,
            price_fen=spec.price_fen,
            exclusive=spec.exclusive,
        )
        for i, spec in enumerate(tiers)
    ]
    venue_rows = [
        ListingVenue(
            listing_id=listing.id,
            exchange_id=view.exchange.id,
            base_id=base.id if base is not None else None,
            status=(
                VenueStatus.PENDING_REVIEW
                if view.rulebook.listing_review == ListingReview.OPERATOR
                else VenueStatus.ACTIVE
            ),
            reason="",
            updated_by=holder.id,
            updated_at=now,
        )
        for view, base in places
    ]
    ctx.session.add(listing)
    await ctx.session.flush()
    ctx.session.add(DeliveryPackage(listing_id=listing.id, body=delivery.body))
    ctx.session.add_all([*tier_rows, *venue_rows])
    ctx.audit(
        "trading.listing_created",
        subject_type="listing",
        subject_id=listing.id,
        payload={
            "asset_id": listing.asset_id,
            "holder_id": holder.id,
            "certificate_number": listing.certificate_number,
            "title": title,
            "product_form": listing.product_form,
            "grade": listing.grade,
            "personal_information": listing.personal_information,
            "delivery": {
                "kind": delivery.kind,
                "filename": delivery.filename,
                "media_type": delivery.media_type,
                "size": listing.delivery_size,
                "sha256": digest,
            },
            "venues": [
                {"exchange_id": v.exchange_id, "base_id": v.base_id, "status": v.status}
                for v in venue_rows
            ],
            "tiers": [
                {
                    "tier_id": t.id,
                    "name": t.name,
                    "scope": t.scope,
                    "term_days": t.term_days,
                    "price_fen": t.price_fen,
                    "exclusive": t.exclusive,
                }
                for t in tier_rows
            ],
        },
    )
    return ListingView(listing, venue_rows, tier_rows)


async def _may_see_listing(ctx: Context, listing: Listing, venues: Sequence[ListingVenue]) -> bool:
    actor = actor_of(ctx)
    if actor.id == listing.holder_id or oversees(actor):
        return True
    if any(v.status in PUBLIC_VENUE_STATES for v in venues):
        return True
    mine = await operator_exchange(ctx)
    return mine is not None and any(v.exchange_id == mine for v in venues)


async def get_listing(ctx: Context, listing_id: str) -> ListingView:
    """A listing: public once active somewhere; before that its holder, operators, overseers."""
    listing = await repository.get_listing(ctx.session, listing_id)
    if listing is None:
        raise ListingNotFound(f"No listing {listing_id!r}.")
    venues = (await repository.get_venues(ctx.session, [listing.id]))[listing.id]
    if not await _may_see_listing(ctx, listing, venues):
        raise ListingNotFound(f"No listing {listing_id!r}.")
    tiers = (await repository.get_tiers(ctx.session, [listing.id]))[listing.id]
    return ListingView(listing, venues, tiers)


async def list_listings(
    ctx: Context,
    *,
    exchange_id: str | None,
    product_form: str | None,
    grade: str | None,
    holder_id: str | None,
    text: str | None,
    include_inactive: bool,
    limit: int,
    offset: int,
) -> tuple[list[ListingView], int]:
    """Browse listings (active ones; overseers and holders may include the rest)."""
    actor = actor_of(ctx)
    everything = include_inactive and oversees(actor)
    own_too = include_inactive and not everything
    rows, total = await repository.list_listings(
        ctx.session,
        exchange_id=exchange_id,
        product_form=product_form,
        grade=grade,
        holder_id=holder_id,
        text=text,
        active_only=not everything,
        visible_to=actor.id if own_too else None,
        limit=limit,
        offset=offset,
    )
    ids = [r.id for r in rows]
    venues = await repository.get_venues(ctx.session, ids)
    tiers = await repository.get_tiers(ctx.session, ids)
    return [ListingView(r, venues[r.id], tiers[r.id]) for r in rows], total


async def review_listing(
    ctx: Context, *, listing_id: str, exchange_id: str, approve: bool, reason: str
) -> ListingView:
    """An exchange operator's listing review (上架审核) on its own exchange."""
    actor = await _require_operator_of(ctx, exchange_id)
    view = await get_listing(ctx, listing_id)
    venue = next((v for v in view.venues if v.exchange_id == exchange_id), None)
    if venue is None:
        raise ListingNotFound(f"Listing {listing_id} is not listed on {exchange_id}.")
    if venue.status != VenueStatus.PENDING_REVIEW:
        raise VenueStateConflict(f"The listing is {venue.status} on {exchange_id}, not pending.")
    venue.status = VenueStatus.ACTIVE if approve else VenueStatus.REJECTED
    venue.reason = reason
    venue.updated_by = actor.id
    venue.updated_at = ctx.clock.now()
    ctx.audit(
        "trading.listing_reviewed",
        subject_type="listing",
        subject_id=listing_id,
        payload={"exchange_id": exchange_id, "approved": approve, "reason": reason},
    )
    return view


VENUE_MOVES: dict[str, tuple[frozenset[VenueStatus], VenueStatus]] = {
    "suspend": (frozenset({VenueStatus.ACTIVE}), VenueStatus.SUSPENDED),
    "resume": (frozenset({VenueStatus.SUSPENDED}), VenueStatus.ACTIVE),
    "delist": (
        frozenset({VenueStatus.PENDING_REVIEW, VenueStatus.ACTIVE, VenueStatus.SUSPENDED}),
        VenueStatus.DELISTED,
    ),
}


async def move_listing(
    ctx: Context, *, listing_id: str, move: str, exchange_id: str | None, reason: str
) -> ListingView:
    """Suspend, resume or delist: the holder on any of its venues, an operator on its own."""
    actor = actor_of(ctx)
    view = await get_listing(ctx, listing_id)
    mine = await operator_exchange(ctx)
    if actor.id == view.listing.holder_id:
        targets = [v for v in view.venues if exchange_id in (None, v.exchange_id)]
        if not targets:
            raise ListingNotFound(f"Listing {listing_id} is not listed on {exchange_id}.")
    else:
        targets = [v for v in view.venues if mine is not None and v.exchange_id == mine]
        if not targets or exchange_id not in (None, mine):
            raise Forbidden(
                "Only the listing's holder, or an operator of an exchange it is listed on "
                "(for that exchange), may do this."
            )
    allowed, after = VENUE_MOVES[move]
    if move == "resume" and actor.id == view.listing.holder_id:
        # What an exchange suspended, only the exchange resumes.
        allowed_targets = [v for v in targets if v.updated_by == actor.id]
    else:
        allowed_targets = targets
    moved = [v for v in allowed_targets if v.status in allowed]
    if not moved:
        states = ", ".join(f"{v.exchange_id}: {v.status}" for v in targets)
        raise VenueStateConflict(f"Nothing to {move} ({states}).")
    now = ctx.clock.now()
    for venue in moved:
        venue.status = after
        venue.reason = reason
        venue.updated_by = actor.id
        venue.updated_at = now
    ctx.audit(
        f"trading.listing_{after.value}" if move != "resume" else "trading.listing_resumed",
        subject_type="listing",
        subject_id=listing_id,
        payload={"exchange_ids": [v.exchange_id for v in moved], "reason": reason},
    )
    return view


async def get_offer(ctx: Context, *, listing_id: str, tier_id: str, exchange_id: str) -> Offer:
    """A tier of a listing on an exchange, or 404 naming what is missing."""
    offer = await repository.get_offer(
        ctx.session, listing_id=listing_id, tier_id=tier_id, exchange_id=exchange_id
    )
    if offer is not None:
        if offer.venue.status not in PUBLIC_VENUE_STATES and not await _may_see_listing(
            ctx, offer.listing, [offer.venue]
        ):
            # Under review (or refused) on this exchange: private to its holder and overseers.
            raise ListingNotFound(f"Listing {listing_id} is not listed on {exchange_id!r}.")
        return offer
    listing = await repository.get_listing(ctx.session, listing_id)
    if listing is None:
        raise ListingNotFound(f"No listing {listing_id!r}.")
    tiers = (await repository.get_tiers(ctx.session, [listing_id]))[listing_id]
    if not any(t.id == tier_id for t in tiers):
        raise TierNotFound(f"Listing {listing_id} has no tier {tier_id!r}.")
    raise ListingNotFound(f"Listing {listing_id} is not listed on {exchange_id!r}.")


# --- posted-price orders -------------------------------------------------------------------


async def place_order(
    ctx: Context,
    *,
    listing_id: str,
    tier_id: str,
    exchange_id: str,
    mandate_id: str | None,
    legal_basis: str | None,
) -> Placed:
    """Buy a licence tier at its posted price (挂牌交易), directly or through a broker."""
    offer = await get_offer(ctx, listing_id=listing_id, tier_id=tier_id, exchange_id=exchange_id)
    buyer = await resolve_buyer(
        ctx,
        mandate_id=mandate_id,
        action=MandateAction.BUY,
        exchange=offer.exchange,
        rulebook=offer.rulebook,
    )
    check_not_own(offer, buyer)
    check_available(offer.tier)
    facts = await check_tradable(ctx, offer, mode=TradeMode.POSTED, price_fen=offer.tier.price_fen)
    return await open_order(
        ctx,
        offer=offer,
        buyer=buyer,
        facts=facts,
        mode=TradeMode.POSTED,
        price_fen=offer.tier.price_fen,
        legal_basis=legal_basis,
    )


async def _order_view(ctx: Context, order: Order) -> Placed:
    trade = await repository.get_trade(ctx.session, order.trade_id) if order.trade_id else None
    licence = await repository.get_licence(ctx.session, trade.licence_id) if trade else None
    case = (await repository.customs_cases_of_orders(ctx.session, [order.id])).get(order.id)
    return Placed(order, trade, licence, case)


def _party_to(actor: Principal, row: Order | Trade) -> bool:
    return actor.id in (row.buyer_id, row.seller_id, row.broker_id)


async def get_order(ctx: Context, order_id: str) -> Placed:
    """An order with its trade, licence and customs case (its parties, operators, overseers)."""
    actor = actor_of(ctx)
    order = await repository.get_order(ctx.session, order_id)
    if order is None or not (
        _party_to(actor, order)
        or oversees(actor)
        or await operator_exchange(ctx) == order.exchange_id
    ):
        raise OrderNotFound(f"No order {order_id!r}.")
    return await _order_view(ctx, order)


async def _visible_filter(ctx: Context, f: TradeFilter) -> TradeFilter:
    """Overseers see every row; operators their exchange's; others rows they are party to."""
    actor = actor_of(ctx)
    if oversees(actor):
        return f
    mine = await operator_exchange(ctx)
    if mine is not None and f.exchange_id in (None, mine):
        return replace(f, exchange_id=mine)
    return replace(f, party_id=actor.id)


async def list_orders(
    ctx: Context, f: TradeFilter, *, status: OrderStatus | None, limit: int, offset: int
) -> tuple[list[Placed], int]:
    """Orders matching the filters that the caller may see."""
    rows, total = await repository.list_orders(
        ctx.session, await _visible_filter(ctx, f), status=status, limit=limit, offset=offset
    )
    trades = await repository.get_trades(ctx.session, [o.trade_id for o in rows if o.trade_id])
    licences = await repository.get_licences(ctx.session, [t.licence_id for t in trades.values()])
    cases = await repository.customs_cases_of_orders(ctx.session, [o.id for o in rows])
    views = []
    for order in rows:
        trade = trades.get(order.trade_id) if order.trade_id else None
        views.append(
            Placed(
                order,
                trade,
                licences.get(trade.licence_id) if trade else None,
                cases.get(order.id),
            )
        )
    return views, total


async def get_trade(ctx: Context, trade_id: str) -> Trade:
    """A trade (its parties, the exchange's operators, overseers)."""
    actor = actor_of(ctx)
    trade = await repository.get_trade(ctx.session, trade_id)
    if trade is None or not (
        _party_to(actor, trade)
        or oversees(actor)
        or await operator_exchange(ctx) == trade.exchange_id
    ):
        raise TradeNotFound(f"No trade {trade_id!r}.")
    return trade


async def list_trades(
    ctx: Context, f: TradeFilter, *, limit: int, offset: int
) -> tuple[Sequence[Trade], int]:
    """Trades matching the filters that the caller may see."""
    return await repository.list_trades(
        ctx.session, await _visible_filter(ctx, f), limit=limit, offset=offset
    )


# --- licences and delivery -----------------------------------------------------------------


def licence_live(ctx: Context, licence: Licence) -> bool:
    """Whether a licence grants access now: not revoked and within its term."""
    now = ctx.clock.now()
    return licence.status == LicenceStatus.ACTIVE and licence.starts_at <= now < licence.expires_at


def licence_state(ctx: Context, licence: Licence) -> Literal["active", "expired", "revoked"]:
    """active, expired or revoked, by the clock."""
    if licence.status == LicenceStatus.REVOKED:
        return "revoked"
    return "active" if licence_live(ctx, licence) else "expired"


async def get_licence(ctx: Context, licence_id: str) -> Licence:
    """A licence (its licensee and licensor, overseers)."""
    actor = actor_of(ctx)
    licence = await repository.get_licence(ctx.session, licence_id)
    if licence is None or not (
        oversees(actor) or actor.id in (licence.licensee_id, licence.licensor_id)
    ):
        raise LicenceNotFound(f"No licence {licence_id!r}.")
    return licence


async def list_licences(
    ctx: Context,
    *,
    licensee_id: str | None,
    licensor_id: str | None,
    listing_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Licence], int]:
    """Licences: the caller's own (as licensee or licensor); overseers filter all."""
    actor = actor_of(ctx)
    if not oversees(actor) and actor.id not in (licensee_id, licensor_id):
        licensee_id = actor.id
    return await repository.list_licences(
        ctx.session,
        licensee_id=licensee_id,
        licensor_id=licensor_id,
        listing_id=listing_id,
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery package as handed to a licensee."""

    licence: Licence
    listing: Listing
    body: bytes


async def deliver(ctx: Context, *, licence_id: str) -> Delivery:
    """The delivery package, to the licensee alone, while its licence is live (交付)."""
    actor = actor_of(ctx)
    licence = await get_licence(ctx, licence_id)
    if actor.id != licence.licensee_id:
        raise Forbidden("Only the licensee downloads the delivery package.")
    if not licence_live(ctx, licence):
        raise LicenceNotLive(
            f"Licence {licence_id} is {licence_state(ctx, licence)}; delivery has stopped.",
            state=licence_state(ctx, licence),
        )
    listing = await repository.get_listing(ctx.session, licence.listing_id)
    package = await repository.get_package(ctx.session, licence.listing_id)
    assert listing is not None and package is not None
    return Delivery(licence, listing, package.body)


async def revoke_licence(ctx: Context, *, licence_id: str, reason: str) -> Licence:
    """A regulator revokes a licence, with its reason; delivery stops at once."""
    actor = actor_of(ctx)
    if actor.role is not Role.REGULATOR:
        raise Forbidden("Only regulators revoke licences.")
    licence = await get_licence(ctx, licence_id)
    if licence.status == LicenceStatus.REVOKED:
        raise LicenceRevoked(f"Licence {licence_id} was already revoked.")
    licence.status = LicenceStatus.REVOKED
    licence.revoked_at = ctx.clock.now()
    licence.revoked_by = actor.id
    licence.revocation_reason = reason
    ctx.audit(
        "trading.licence_revoked",
        subject_type="licence",
        subject_id=licence.id,
        payload={
            "trade_id": licence.trade_id,
            "licensee_id": licence.licensee_id,
            "reason": reason,
        },
    )
    return licence


# --- data customs --------------------------------------------------------------------------


async def get_customs_case(ctx: Context, case_id: str) -> CustomsCase:
    """A customs case (its buyer, overseers)."""
    actor = actor_of(ctx)
    case = await repository.get_customs_case(ctx.session, case_id)
    if case is None or not (oversees(actor) or actor.id == case.buyer_id):
        raise CustomsCaseNotFound(f"No customs case {case_id!r}.")
    return case


async def list_customs_cases(
    ctx: Context,
    *,
    status: CustomsStatus | None,
    jurisdiction: str | None,
    exchange_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CustomsCase], int]:
    """Customs cases: overseers see all; a buyer its own."""
    actor = actor_of(ctx)
    return await repository.list_customs_cases(
        ctx.session,
        buyer_id=None if oversees(actor) else actor.id,
        status=status,
        jurisdiction=jurisdiction,
        exchange_id=exchange_id,
        limit=limit,
        offset=offset,
    )


async def decide_customs_case(ctx: Context, *, case_id: str, approve: bool, reason: str) -> Placed:
    """A regulator clears (the order settles from escrow) or refuses (refund) an export.

    Clearance records the regulator's decision, then settles only if the listing still
    trades as when the order was placed (as an auction's close checks): the venue active, an
    exclusive tier still held for this order, the asset's certificate in force. If not, the
    order is refused and refunded, with the reason, while the customs decision stands.
    """
    actor = actor_of(ctx)
    if actor.role is not Role.REGULATOR:
        raise Forbidden("Only regulators decide data-customs cases.")
    case = await get_customs_case(ctx, case_id)
    if case.status != CustomsStatus.PENDING:
        raise CustomsCaseDecided(f"Case {case_id} was already decided ({case.decision}).")
    order = await repository.get_order(ctx.session, case.order_id)
    assert order is not None
    offer = await _order_offer(ctx, order)
    now = ctx.clock.now()
    decision = CustomsDecision.APPROVED if approve else CustomsDecision.REJECTED
    status = CustomsStatus.CLEARED if approve else CustomsStatus.REFUSED
    if not await repository.decide_customs_case(
        ctx.session,
        case.id,
        values={
            "status": status,
            "decision": decision,
            "reason": reason,
            "decided_by": actor.id,
            "decided_at": now,
        },
    ):
        raise CustomsCaseDecided(f"Case {case_id} was decided meanwhile.")
    case.status, case.decision, case.reason = status, decision, reason
    case.decided_by, case.decided_at = actor.id, now
    ctx.audit(
        "customs.case_decided",
        subject_type="customs_case",
        subject_id=case.id,
        payload={
            "order_id": order.id,
            "decision": decision,
            "legal_basis": case.legal_basis,
            "reason": reason,
        },
    )
    if not approve:
        await _refuse_held_order(
            ctx,
            order=order,
            offer=offer,
            case=case,
            reason=f"数据海关不予放行 refused by data customs: {reason}",
            refused_by=actor.id,
        )
        return Placed(order, customs_case=case)
    stale = await _no_longer_tradable(ctx, order, offer)
    if stale is not None:
        await _refuse_held_order(
            ctx,
            order=order,
            offer=offer,
            case=case,
            reason=(
                "数据海关已放行，但挂牌已不可交易 cleared by data customs, but the listing no "
                f"longer trades: {stale}"
            ),
            refused_by="system",
        )
        return Placed(order, customs_case=case)
    trade, licence = await settle(
        ctx,
        order=order,
        listing=offer.listing,
        tier=offer.tier,
        exchange=offer.exchange,
        base_id=offer.venue.base_id,
        cross_border=True,
    )
    if order.negotiation_id is not None:
        negotiation = await repository.get_negotiation(ctx.session, order.negotiation_id)
        assert negotiation is not None
        negotiation.state = NegotiationState.FINALIZED
        negotiation.updated_at = now
    return Placed(order, trade, licence, case)


async def _order_offer(ctx: Context, order: Order) -> Offer:
    """The tier an order bought, on its exchange, under the rulebook version it was placed with."""
    offer = await repository.get_offer(
        ctx.session,
        listing_id=order.listing_id,
        tier_id=order.tier_id,
        exchange_id=order.exchange_id,
    )
    book = await repository.get_rulebook(ctx.session, order.exchange_id, order.rulebook_version)
    assert offer is not None and book is not None
    return replace(offer, rulebook=book)


async def _no_longer_tradable(ctx: Context, order: Order, offer: Offer) -> str | None:
    """Why a held order can no longer settle (None if it still can)."""
    tier = offer.tier
    if tier.exclusive and (tier.sold_trade_id is not None or tier.claim != f"order:{order.id}"):
        return f"Tier {tier.id} is exclusive and no longer held for this order ({EXCLUSIVE_RULE})."
    try:
        await check_tradable(ctx, offer, mode=TradeMode(order.mode), price_fen=order.price_fen)
    except ExchangeError as exc:
        return exc.detail
    return None


async def _refuse_held_order(
    ctx: Context, *, order: Order, offer: Offer, case: CustomsCase, reason: str, refused_by: str
) -> None:
    """Refuse an order held in escrow: refund the buyer, free its mandate and exclusive tier."""
    now = ctx.clock.now()
    await refund(ctx, order=order, exchange=offer.exchange, amount_fen=order.escrow_fen)
    if order.mandate_id is not None:
        await repository.release_mandate(
            ctx.session, order.mandate_id, order.price_fen + order.buyer_fee_fen
        )
    if offer.tier.exclusive:
        await repository.claim_tier(
            ctx.session, offer.tier.id, expected=f"order:{order.id}", claim=None
        )
    order.status = OrderStatus.REFUSED
    order.reason = reason
    order.escrow_fen = 0
    order.updated_at = now
    if order.negotiation_id is not None:
        negotiation = await repository.get_negotiation(ctx.session, order.negotiation_id)
        assert negotiation is not None
        negotiation.state = NegotiationState.TERMINATED
        negotiation.terminated_by = refused_by
        negotiation.termination_reason = reason
        negotiation.updated_at = now
    ctx.audit(
        "trading.order_refused",
        subject_type="order",
        subject_id=order.id,
        payload={"customs_case_id": case.id, "reason": reason},
    )


# --- market data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Trades and turnover of one slice of the market."""

    trades: int = 0
    turnover_fen: int = 0


@dataclass(slots=True)
class MarketSlice:
    """Statistics of one exchange (or of the whole market)."""

    exchange_id: str
    trades: int = 0
    turnover_fen: int = 0
    fees_fen: int = 0
    broker_commission_fen: int = 0
    brokered_trades: int = 0
    cross_border_trades: int = 0
    buyers: set[str] | None = None
    sellers: set[str] | None = None
    by_product_form: dict[str, Breakdown] | None = None
    by_grade: dict[str, Breakdown] | None = None
    by_mode: dict[str, Breakdown] | None = None

    def add(self, row: Any) -> None:
        self.trades += 1
        self.turnover_fen += row.price_fen
        self.fees_fen += row.buyer_fee_fen + row.seller_fee_fen
        self.broker_commission_fen += row.commission_fen
        self.brokered_trades += 1 if row.broker_id else 0
        self.cross_border_trades += 1 if row.cross_border else 0
        for attr, key in (
            ("buyers", row.buyer_id),
            ("sellers", row.seller_id),
        ):
            bucket = getattr(self, attr)
            if bucket is None:
                bucket = set()
                setattr(self, attr, bucket)
            bucket.add(key)
        for attr, key in (
            ("by_product_form", row.product_form),
            ("by_grade", row.grade),
            ("by_mode", row.mode),
        ):
            table = getattr(self, attr)
            if table is None:
                table = {}
                setattr(self, attr, table)
            old = table.get(key, Breakdown())
            table[key] = Breakdown(old.trades + 1, old.turnover_fen + row.price_fen)


@dataclass(frozen=True, slots=True)
class MarketStats:
    """Per exchange and overall statistics, and the price indices over time."""

    overall: MarketSlice
    exchanges: list[MarketSlice]
    market_index: list[market.IndexPoint]
    form_indices: list[market.IndexPoint]


async def market_stats(
    ctx: Context, *, exchange_id: str | None, since: datetime | None, until: datetime | None
) -> MarketStats:
    """Market data (市场数据): public to every participant."""
    exchanges = [e.exchange.id for e in await list_exchanges(ctx)]
    if exchange_id is not None and exchange_id not in exchanges:
        raise ExchangeNotFound(f"No exchange {exchange_id!r}.")
    rows = await repository.trade_rows(
        ctx.session, exchange_id=exchange_id, since=since, until=until
    )
    overall = MarketSlice(exchange_id="all")
    slices = {e: MarketSlice(exchange_id=e) for e in exchanges if exchange_id in (None, e)}
    for row in rows:
        overall.add(row)
        slices[row.exchange_id].add(row)
    aggregates = market.daily_aggregates((r.settled_at, r.product_form, r.price_fen) for r in rows)
    return MarketStats(
        overall=overall,
        exchanges=list(slices.values()),
        market_index=market.market_index(aggregates),
        form_indices=market.form_indices(aggregates),
    )


async def comparable_prices(
    ctx: Context, *, product_form: str, grade: str, exclude_asset_id: str | None = None
) -> list[int]:
    """Prices (fen) of settled trades of the same product form and grade (market method)."""
    return list(
        await repository.trade_prices(
            ctx.session, product_form=product_form, grade=grade, exclude_asset_id=exclude_asset_id
        )
    )


def tier_available(tier: LicenceTier) -> bool:
    """Whether a tier can be bought now (non-exclusive, or exclusive and unclaimed)."""
    return not tier.exclusive or (tier.claim is None and tier.sold_trade_id is None)


async def list_all_trades(ctx: Context, *, limit: int, offset: int) -> tuple[Sequence[Trade], int]:
    """Every trade the caller may see, unfiltered (for reports, e.g. a live class's results)."""
    return await list_trades(ctx, TradeFilter(), limit=limit, offset=offset)


async def list_all_orders(ctx: Context, *, limit: int, offset: int) -> tuple[list[Placed], int]:
    """Every order the caller may see, unfiltered (for reports, e.g. a live class's results)."""
    return await list_orders(ctx, TradeFilter(), status=None, limit=limit, offset=offset)
