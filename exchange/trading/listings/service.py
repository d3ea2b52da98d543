"""Listings (挂牌): a registered asset listed on exchanges with licence tiers and a delivery
package; operators review it, holders and exchanges suspend, resume or delist it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.packages import service as packages_service
from exchange.assets.registry import market as assets_service
from exchange.context import Context
from exchange.dataspaces.consents import lawful
from exchange.dataspaces.vocabulary import ConsentUse
from exchange.errors import Forbidden, InvalidInput
from exchange.kit.measures import refuse_restricted
from exchange.operation.grants import service as grants_service
from exchange.trading import rules
from exchange.trading.listings import repository
from exchange.trading.listings.errors import (
    COMPLIANCE_RULE,
    CORE_DATA_RULE,
    ONE_LISTING_RULE,
    AssetAlreadyListed,
    CoreDataNotListable,
    DeliveryFingerprintMismatch,
    ListingNotFound,
    PriceOutOfLimits,
    TierNotFound,
)
from exchange.trading.listings.models import LicenceTier, Listing, ListingVenue
from exchange.trading.listings.repository import Offer
from exchange.trading.listings.rows import venue_row_id
from exchange.trading.policies import fit
from exchange.trading.policies.service import check_no_resale
from exchange.trading.policies.terms import UsagePolicy, for_audit
from exchange.trading.venues import repository as venues_repository
from exchange.trading.venues.errors import (
    ExchangeNotFound,
    NotExchangeOperator,
    VenueStateConflict,
)
from exchange.trading.venues.models import Exchange, ListingReview, Rulebook, ServiceBase
from exchange.trading.venues.service import (
    ExchangeView,
    actor_of,
    get_exchange,
    operator_exchange,
    oversees,
    require_operator_of,
    rule_of,
)
from exchange.vocabulary import DataGrade, DeliveryKind, Restricted, VenueStatus

PUBLIC_VENUE_STATES = frozenset({VenueStatus.ACTIVE, VenueStatus.SUSPENDED, VenueStatus.DELISTED})


@dataclass(frozen=True, slots=True)
class TierSpec:
    """A licence tier to offer."""

    name: str
    scope: str
    term_days: int
    price_fen: int
    exclusive: bool
    policy: UsagePolicy | None = None


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """The delivery package: a file, or the description of the API that serves the data;
    no body: the package the holder deposited with the registry."""

    kind: DeliveryKind
    filename: str
    media_type: str
    body: bytes | None


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
        found = await venues_repository.get_exchange(ctx.session, name)
        base = None
        if found is None:
            base = await venues_repository.get_base(ctx.session, name)
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
    await refuse_restricted(
        ctx, (Restricted.ASSET, facts.asset_id), (Restricted.PARTICIPANT, holder.id)
    )
    if facts.grade is DataGrade.CORE:
        raise CoreDataNotListable(f"Refused under the rule {CORE_DATA_RULE}.", rule=CORE_DATA_RULE)
    if delivery.body is None:
        stored = await packages_service.delivery_package(
            ctx, asset_id=facts.asset_id, sha256=facts.fingerprint.lower()
        )
        digest, size = stored.sha256, stored.size
        prefix = await packages_service.package_prefix(
            ctx, asset_id=facts.asset_id, sha256=digest, limit=fit.SAMPLE_BYTES
        )
    else:
        digest, size = hashlib.sha256(delivery.body).hexdigest(), len(delivery.body)
        prefix = delivery.body[: fit.SAMPLE_BYTES]
    if digest != facts.fingerprint.lower():
        raise DeliveryFingerprintMismatch(
            f"The package's SHA-256 {digest} is not the fingerprint {facts.fingerprint} on "
            f"certificate {facts.certificate_number} ({COMPLIANCE_RULE}).",
            rule=COMPLIANCE_RULE,
            package_sha256=digest,
            certificate_fingerprint=facts.fingerprint,
        )
    for spec in tiers:
        if spec.policy is not None:
            fit.check_enforceable(
                spec.policy,
                tier=spec.name,
                media_type=delivery.media_type,
                filename=delivery.filename,
                prefix=prefix,
            )
    await check_no_resale(ctx, lister_id=holder.id, sha256=digest)
    await grants_service.check_live(
        ctx, asset_id=facts.asset_id, item_ids=facts.source_catalog_item_ids
    )
    places = await _resolve_venues(ctx, venues)
    await repository.lock_asset(ctx.session, facts.asset_id)
    taken = await repository.venues_listing_asset(
        ctx.session, facts.asset_id, [view.exchange.id for view, _ in places]
    )
    if taken:
        where = ", ".join(f"{v.exchange_id} (listing {v.listing_id}, {v.status})" for v in taken)
        raise AssetAlreadyListed(
            f"Asset {facts.asset_id} is already listed on {where}; delist it there first "
            f"({ONE_LISTING_RULE}).",
            rule=ONE_LISTING_RULE,
            listings=[{"exchange_id": v.exchange_id, "listing_id": v.listing_id} for v in taken],
        )
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
        delivery_size=size,
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
            policy=spec.policy.document() if spec.policy is not None else None,
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
    if delivery.body is not None:
        await packages_service.keep_package(
            ctx,
            asset_id=facts.asset_id,
            filename=delivery.filename,
            media_type=delivery.media_type,
            body=delivery.body,
        )
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
                    # Only a tier with a policy names it: older entries keep their bytes.
                    **({"policy": for_audit(t.policy)} if t.policy is not None else {}),
                }
                for t in tier_rows
            ],
        },
    )
    lawful.record_use(
        ctx,
        facts.consents,
        use=ConsentUse.LISTING,
        reference={"asset_id": listing.asset_id, "listing_id": listing.id},
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
    min_price_fen: int | None = None,
    max_price_fen: int | None = None,
) -> tuple[list[ListingView], int]:
    """Browse listings (active ones; overseers and holders may include the rest).

    Without a signed-in participant (the public market page) only active listings are shown.
    A price range keeps the listings with a tier priced within it.
    """
    actor = ctx.actor
    everything = include_inactive and actor is not None and oversees(actor)
    own_too = include_inactive and actor is not None and not everything
    rows, total = await repository.list_listings(
        ctx.session,
        exchange_id=exchange_id,
        product_form=product_form,
        grade=grade,
        holder_id=holder_id,
        text=text,
        active_only=not everything,
        visible_to=actor.id if own_too and actor is not None else None,
        limit=limit,
        offset=offset,
        min_price_fen=min_price_fen,
        max_price_fen=max_price_fen,
    )
    ids = [r.id for r in rows]
    venues = await repository.get_venues(ctx.session, ids)
    tiers = await repository.get_tiers(ctx.session, ids)
    return [ListingView(r, venues[r.id], tiers[r.id]) for r in rows], total


async def listing_titles(ctx: Context, listing_ids: Sequence[str]) -> dict[str, str]:
    """The titles of listings the caller met through its own orders, licences or
    negotiations (a page of them at once)."""
    return await repository.titles(ctx.session, listing_ids)


async def _check_agreements(ctx: Context, listing: Listing) -> None:
    """Refuse opening a listing whose product's operating agreement (授权运营) is not in force."""
    items = await assets_service.source_items(ctx, listing.asset_id)
    if items:
        await grants_service.check_live(ctx, asset_id=listing.asset_id, item_ids=items)


async def review_listing(
    ctx: Context, *, listing_id: str, exchange_id: str, approve: bool, reason: str
) -> ListingView:
    """An exchange operator's listing review (上架审核) on its own exchange."""
    actor = await require_operator_of(ctx, exchange_id)
    view = await get_listing(ctx, listing_id)
    venue = next((v for v in view.venues if v.exchange_id == exchange_id), None)
    if venue is None:
        raise ListingNotFound(f"Listing {listing_id} is not listed on {exchange_id}.")
    if venue.status != VenueStatus.PENDING_REVIEW:
        raise VenueStateConflict(f"The listing is {venue.status} on {exchange_id}, not pending.")
    if approve:
        await _check_agreements(ctx, view.listing)
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


async def review_queue(
    ctx: Context, *, limit: int, offset: int
) -> tuple[str, list[ListingView], int]:
    """The listings waiting for the calling operator's review (上架审核) on its own exchange,
    oldest first: the exchange, a page of them, and how many wait in all."""
    exchange_id = await operator_exchange(ctx)
    if exchange_id is None:
        raise NotExchangeOperator("Only an exchange's operators review its listings.")
    rows, total = await repository.pending_review(
        ctx.session, exchange_id, limit=limit, offset=offset
    )
    ids = [r.id for r in rows]
    venues = await repository.get_venues(ctx.session, ids)
    tiers = await repository.get_tiers(ctx.session, ids)
    return exchange_id, [ListingView(r, venues[r.id], tiers[r.id]) for r in rows], total


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
    if move == "resume":
        await _check_agreements(ctx, view.listing)
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


async def suspend_listings_of_assets(
    ctx: Context, asset_ids: Sequence[str], reason: str
) -> list[str]:
    """Suspend every active venue of these assets' listings, giving the reason (buyers and the
    holder read it on the listing): authorized operation asks this when the agreement its
    products derive under stops. The listing ids suspended, each with its audit entry."""
    now = ctx.clock.now()
    moved: dict[str, list[str]] = {}
    for venue in await repository.active_venues_of_assets(ctx.session, asset_ids):
        venue.status = VenueStatus.SUSPENDED
        venue.reason = reason
        venue.updated_by = ctx.actor_ref
        venue.updated_at = now
        moved.setdefault(venue.listing_id, []).append(venue.exchange_id)
    for listing_id, exchange_ids in moved.items():
        ctx.audit(
            "trading.listing_suspended",
            subject_type="listing",
            subject_id=listing_id,
            payload={"exchange_ids": exchange_ids, "reason": reason},
        )
    return list(moved)


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


def tier_available(tier: LicenceTier) -> bool:
    """Whether a tier can be bought now (non-exclusive, or exclusive and unclaimed)."""
    return not tier.exclusive or (tier.claim is None and tier.sold_trade_id is None)


def check_price_limits(
    exchange: Exchange, rulebook: Rulebook, price_fen: int, *, what: str
) -> None:
    """Refuse a price outside a rulebook's price limits (价格区间), naming the rule."""
    if not rules.within_limits(
        price_fen, min_price_fen=rulebook.min_price_fen, max_price_fen=rulebook.max_price_fen
    ):
        rule = rule_of(
            exchange,
            rulebook,
            f"prices between {rulebook.min_price_fen} and {rulebook.max_price_fen} fen",
        )
        raise PriceOutOfLimits(f"{what} breaks the rule {rule}.", rule=rule)


async def holds_listings(ctx: Context, holder_id: str) -> bool:
    """Whether a holder has listed anything, in any state (seeding lists only once)."""
    listed, _ = await repository.list_listings(
        ctx.session,
        exchange_id=None,
        product_form=None,
        grade=None,
        holder_id=holder_id,
        text=None,
        active_only=False,
        visible_to=None,
        limit=1,
        offset=0,
    )
    return bool(listed)


# The columns `trading.listing_created` records of a listing (its delivery package's
# description; the description text and package bytes are not in the entry).
_LISTING_COLUMNS = (
    "asset_id",
    "holder_id",
    "certificate_number",
    "title",
    "product_form",
    "grade",
    "personal_information",
    "fingerprint",
    "delivery_kind",
    "delivery_filename",
    "delivery_media_type",
    "delivery_size",
)
_VENUE_COLUMNS = ("listing_id", "exchange_id", "base_id", "status", "reason", "updated_by")
_TIER_COLUMNS = (
    "listing_id",
    "position",
    "name",
    "scope",
    "term_days",
    "price_fen",
    "exclusive",
    "policy",
)


async def all_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every listing, venue (its state on one exchange) and licence tier as (table, rows)
    pages, with the columns their audit entries record (reconciliation). A venue's row id
    is `venue_row_id(listing, exchange)`."""
    async for rows in repository.listing_pages(session):
        yield (
            Listing.__tablename__,
            [{"id": r["id"], **{c: r[c] for c in _LISTING_COLUMNS}} for r in rows],
        )
    async for rows in repository.venue_pages(session):
        yield (
            ListingVenue.__tablename__,
            [
                {
                    "id": venue_row_id(r["listing_id"], r["exchange_id"]),
                    **{c: r[c] for c in _VENUE_COLUMNS},
                }
                for r in rows
            ],
        )
    async for rows in repository.tier_pages(session):
        yield (
            LicenceTier.__tablename__,
            [
                {
                    "id": r["id"],
                    **{c: r[c] for c in _TIER_COLUMNS},
                    "policy": for_audit(r["policy"]),
                }
                for r in rows
            ],
        )
