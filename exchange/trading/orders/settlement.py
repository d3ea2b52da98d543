"""Orders and settlement (结算), shared by the three trade modes.

One order, one transaction: the buyer (or its broker under a live buyer's mandate) orders; data
customs triages a cross-border buyer; then either the money settles at once — the buyer pays
price plus buyer fee plus its broker's commission, the seller gets price less seller fee, the
exchange its fees, the broker its commission — with a trade and a licence, or the buyer's money
waits in the exchange's escrow account until a regulator clears (settle) or refuses (refund) it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from exchange.assets.registry import market as assets_service
from exchange.clock import rfc3339
from exchange.context import Context, Slot
from exchange.kit.measures import refuse_restricted
from exchange.operation.grants import service as grants_service
from exchange.operation.revenue import service as revenue_service
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.trading import rules
from exchange.trading.brokerage import repository as brokerage_repository
from exchange.trading.brokerage.errors import (
    MandateLimitExceeded,
)
from exchange.trading.customs.errors import LegalBasisRequired
from exchange.trading.customs.models import CustomsCase
from exchange.trading.licences import repository as licences_repository
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.listings import repository as listings_repository
from exchange.trading.listings.errors import (
    CORE_DATA_RULE,
    EXCLUSIVE_RULE,
    EXCLUSIVE_SCOPE_RULE,
    CoreDataNotListable,
    DeliveryFingerprintMismatch,
    ExclusiveLicenceInForce,
    LicenceUnavailable,
    ListingNotActive,
    TradeModeClosed,
)
from exchange.trading.listings.models import LicenceTier, Listing
from exchange.trading.listings.repository import Offer
from exchange.trading.listings.service import check_price_limits
from exchange.trading.orders.buyers import (
    Buyer,
)
from exchange.trading.orders.errors import SELF_DEALING_RULE, OwnListing
from exchange.trading.orders.models import Order, Trade
from exchange.trading.policies.terms import for_audit
from exchange.trading.venues import repository as venues_repository
from exchange.trading.venues.models import Exchange
from exchange.trading.venues.service import rule_of
from exchange.vocabulary import (
    CustomsStatus,
    DataGrade,
    MandateSide,
    OrderStatus,
    Restricted,
    TradeMode,
    VenueStatus,
)

_ACCOUNT_IDS: Slot[dict[str, str]] = Slot("trading.account_ids")


async def account_of(ctx: Context, owner_id: str) -> str:
    """The id of the cash account an owner holds; cached, since an account never changes hands."""
    cache = ctx.runtime.cache.get_or_make(_ACCOUNT_IDS, dict)
    found = cache.get(owner_id)
    if found is None:
        found = (await participants_service.account_of(ctx, owner_id)).id
        if len(cache) < 100_000:
            cache[owner_id] = found
    return found


def check_price(offer: Offer, price_fen: int) -> None:
    """Refuse a price outside the exchange's price limits."""
    check_price_limits(offer.exchange, offer.rulebook, price_fen, what=f"{price_fen} fen")


def check_mode(offer: Offer, mode: TradeMode) -> None:
    """Refuse a trade mode the exchange's rulebook does not open."""
    if not rules.trade_mode_open(mode.value, offer.rulebook.trade_modes):
        rule = rule_of(
            offer.exchange,
            offer.rulebook,
            f"open trade modes: {', '.join(offer.rulebook.trade_modes)}",
        )
        raise TradeModeClosed(f"{mode.value} trading is closed under the rule {rule}.", rule=rule)


def check_not_own(offer: Offer, buyer: Buyer) -> None:
    """Refuse a buyer (or its broker) buying its own listing."""
    if offer.listing.holder_id in (buyer.participant_id, buyer.broker_id):
        raise OwnListing(f"Refused under the rule {SELF_DEALING_RULE}.", rule=SELF_DEALING_RULE)


def check_available(tier: LicenceTier) -> None:
    """Refuse an exclusive tier that is sold or reserved (a read; the claim decides races)."""
    if tier.exclusive and (tier.claim is not None or tier.sold_trade_id is not None):
        raise LicenceUnavailable(
            f"Tier {tier.id} is exclusive and already sold or reserved ({EXCLUSIVE_RULE}).",
            rule=EXCLUSIVE_RULE,
        )


async def check_exclusivity(ctx: Context, *, asset_id: str, tier: LicenceTier) -> None:
    """Lock the asset, then refuse a sale its exclusive licences forbid (独占许可排他).

    Exclusivity holds per asset and scope across every listing and tier: an exclusive tier sells
    only while no other exclusive licence of that asset and scope is in force or reserved (by a
    held order or an open auction), and a non-exclusive tier not while one is. The asset's lock
    makes the check and the sale one step: of two racing buyers, the second sees the first. A
    non-exclusive sale takes it shared: it waits for exclusive ones, not for its like.
    """
    await listings_repository.lock_asset(ctx.session, asset_id, shared=not tier.exclusive)
    hold = await licences_repository.exclusive_hold(
        ctx.session, asset_id=asset_id, scope=tier.scope, now=ctx.clock.now(), other_than=tier.id
    )
    if hold is None:
        return
    if hold.expires_at is not None:
        held = f"exclusive licence {hold.id} is in force until {rfc3339(hold.expires_at)}"
    else:
        held = f"exclusive tier {hold.id} of listing {hold.listing_id} is reserved"
    detail = (
        f"Asset {asset_id}, scope {tier.scope!r}: {held}; refused under the rule "
        f"{EXCLUSIVE_SCOPE_RULE}."
    )
    if tier.exclusive:
        raise LicenceUnavailable(detail, rule=EXCLUSIVE_SCOPE_RULE)
    raise ExclusiveLicenceInForce(detail, rule=EXCLUSIVE_SCOPE_RULE)


async def check_tradable(
    ctx: Context, offer: Offer, *, mode: TradeMode, price_fen: int
) -> assets_service.ListableAsset:
    """The listing may trade now: active venue, no supervision measure on the listing, its
    asset or its seller, open mode, price in limits, asset in force."""
    if offer.venue.status != VenueStatus.ACTIVE:
        raise ListingNotActive(
            f"Listing {offer.listing.id} is {offer.venue.status} on {offer.exchange.name}."
        )
    listing = offer.listing
    await refuse_restricted(
        ctx,
        (Restricted.LISTING, listing.id),
        (Restricted.ASSET, listing.asset_id),
        (Restricted.PARTICIPANT, listing.holder_id),
    )
    check_mode(offer, mode)
    check_price(offer, price_fen)
    facts = await assets_service.listable_asset(
        ctx, offer.listing.asset_id, offer.listing.holder_id
    )
    if facts.grade is DataGrade.CORE:
        raise CoreDataNotListable(f"Refused under the rule {CORE_DATA_RULE}.", rule=CORE_DATA_RULE)
    if facts.fingerprint.lower() != offer.listing.fingerprint:
        raise DeliveryFingerprintMismatch(
            "The asset was re-registered with another fingerprint; its delivery package no "
            "longer matches. The holder must list it again.",
            certificate_fingerprint=facts.fingerprint,
            package_sha256=offer.listing.fingerprint,
        )
    await grants_service.check_live(
        ctx, asset_id=facts.asset_id, item_ids=facts.source_catalog_item_ids
    )
    return facts


@dataclass(frozen=True, slots=True)
class Placed:
    """What an order led to: settled (trade, licence), awaiting customs, or refused."""

    order: Order
    trade: Trade | None = None
    licence: Licence | None = None
    customs_case: CustomsCase | None = None


def _claim(order_id: str) -> str:
    return f"order:{order_id}"


def order_split(order: Order) -> rules.Split:
    """The split an order fixed when it was placed."""
    return rules.Split(
        price_fen=order.price_fen,
        buyer_fee_fen=order.buyer_fee_fen,
        seller_fee_fen=order.seller_fee_fen,
        commission_fen=order.commission_fen,
        # An order's broker is its buyer's: brokers buy only under a buyer's mandate.
        commission_payer=MandateSide.BUYER,
    )


async def open_order(
    ctx: Context,
    *,
    offer: Offer,
    buyer: Buyer,
    facts: assets_service.ListableAsset,
    mode: TradeMode,
    price_fen: int,
    legal_basis: str | None,
    order_id: str | None = None,
    negotiation_id: str | None = None,
    auction_id: str | None = None,
    escrowed_fen: int = 0,
    policy: dict[str, Any] | None = None,
) -> Placed:
    """Place an order that passed the checks: customs triage, then settle, hold or refuse.

    `escrowed_fen` > 0 means the buyer's money already waits in escrow and is already counted
    against its mandate (an auction's winning bid); the tier is then claimed by the auction.
    `policy` is a negotiated usage policy; else the licence will carry the tier's.
    """
    await check_exclusivity(ctx, asset_id=offer.listing.asset_id, tier=offer.tier)
    now = ctx.clock.now()
    order_id = order_id or ctx.ids.new()
    parts = buyer.split(price_fen=price_fen, rulebook=offer.rulebook)
    cross_border = rules.crosses_border(buyer.jurisdiction)
    triage = (
        rules.customs_triage(
            grade=facts.grade.value, personal_information=facts.personal_information
        )
        if cross_border
        else None
    )
    refused = triage is not None and triage.status is CustomsStatus.REFUSED
    pending = triage is not None and triage.status is CustomsStatus.PENDING
    if pending and legal_basis is None:
        raise LegalBasisRequired(
            "A buyer outside mainland China must declare the legal basis for exporting "
            "important data or personal information: security_assessment, standard_contract "
            "or certification."
        )
    mandate = buyer.mandate
    committed = 0 if refused else parts.buyer_pays_fen
    if mandate is not None:
        if escrowed_fen:
            if escrowed_fen > committed:
                await brokerage_repository.release_mandate(
                    ctx.session, mandate.id, escrowed_fen - committed
                )
        elif committed:
            spent = await brokerage_repository.spend_mandate(ctx.session, mandate.id, committed)
            if spent is None:
                raise MandateLimitExceeded(
                    f"Mandate {mandate.id} has {mandate.spending_limit_fen} fen in all; this "
                    f"purchase of {committed} fen would exceed it.",
                    spending_limit_fen=mandate.spending_limit_fen,
                    required_fen=committed,
                )
    tier = offer.tier
    held_by = f"auction:{auction_id}" if escrowed_fen and auction_id else None
    if tier.exclusive and not await listings_repository.claim_tier(
        ctx.session, tier.id, expected=held_by, claim=None if refused else _claim(order_id)
    ):
        raise LicenceUnavailable(
            f"Tier {tier.id} is exclusive and already sold or reserved ({EXCLUSIVE_RULE}).",
            rule=EXCLUSIVE_RULE,
        )
    order = Order(
        id=order_id,
        mode=mode,
        listing_id=offer.listing.id,
        tier_id=tier.id,
        exchange_id=offer.exchange.id,
        rulebook_version=offer.rulebook.version,
        buyer_id=buyer.participant_id,
        seller_id=offer.listing.holder_id,
        broker_id=buyer.broker_id,
        mandate_id=mandate.id if mandate is not None else None,
        placed_by=buyer.placed_by,
        price_fen=parts.price_fen,
        buyer_fee_fen=parts.buyer_fee_fen,
        seller_fee_fen=parts.seller_fee_fen,
        commission_fen=parts.commission_fen,
        escrow_fen=escrowed_fen,
        status=OrderStatus.AWAITING_CUSTOMS,
        reason="",
        legal_basis=legal_basis if cross_border else None,
        negotiation_id=negotiation_id,
        auction_id=auction_id,
        trade_id=None,
        policy=policy if policy is not None else tier.policy,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(order)
    case = None
    if triage is not None:
        # No relationship() links the tables, so the unit of work does not order their
        # INSERTs by foreign key: the order is written before the case that refers to it.
        await ctx.session.flush()
        case = CustomsCase(
            id=ctx.ids.new(),
            order_id=order.id,
            buyer_id=buyer.participant_id,
            jurisdiction=buyer.jurisdiction,
            listing_id=offer.listing.id,
            asset_id=offer.listing.asset_id,
            exchange_id=offer.exchange.id,
            grade=facts.grade.value,
            personal_information=facts.personal_information,
            legal_basis=order.legal_basis,
            status=triage.status,
            decision=triage.decision,
            reason=triage.reason,
            decided_by="system" if triage.decision is not None else None,
            decided_at=now if triage.decision is not None else None,
            created_at=now,
        )
        ctx.session.add(case)
        ctx.audit(
            "customs.case_opened",
            subject_type="customs_case",
            subject_id=case.id,
            payload={
                "order_id": order.id,
                "buyer_id": case.buyer_id,
                "jurisdiction": case.jurisdiction,
                "asset_id": case.asset_id,
                "grade": case.grade,
                "personal_information": case.personal_information,
                "legal_basis": case.legal_basis,
                "status": case.status,
                "decision": case.decision,
                "reason": case.reason,
            },
        )
    if refused:
        assert triage is not None
        if escrowed_fen:
            await refund(ctx, order=order, exchange=offer.exchange, amount_fen=escrowed_fen)
        order.status = OrderStatus.REFUSED
        order.reason = triage.reason
        order.escrow_fen = 0
        _order_event(ctx, order, "trading.order_refused")
        return Placed(order, customs_case=case)
    if pending:
        if not escrowed_fen:
            account_id = await account_of(ctx, buyer.participant_id)
            await ledger.post(
                ctx,
                kind="trade_escrow",
                memo=f"数据海关待审 escrow for order {order.id}",
                legs=[
                    ledger.Leg(account_id, -parts.buyer_pays_fen),
                    ledger.Leg(offer.exchange.escrow_account_id, parts.buyer_pays_fen),
                ],
            )
            order.escrow_fen = parts.buyer_pays_fen
        _order_event(ctx, order, "trading.order_placed")
        return Placed(order, customs_case=case)
    trade, licence = await settle(
        ctx,
        order=order,
        listing=offer.listing,
        tier=tier,
        exchange=offer.exchange,
        base_id=offer.venue.base_id,
        cross_border=cross_border,
        source_items=facts.source_catalog_item_ids,
    )
    return Placed(order, trade, licence, case)


def _order_event(ctx: Context, order: Order, action: str) -> None:
    ctx.audit(
        action,
        subject_type="order",
        subject_id=order.id,
        payload={**_order_payload(order), "status": order.status, "reason": order.reason},
    )


def _order_payload(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "mode": order.mode,
        "listing_id": order.listing_id,
        "tier_id": order.tier_id,
        "exchange_id": order.exchange_id,
        "rulebook_version": order.rulebook_version,
        "buyer_id": order.buyer_id,
        "seller_id": order.seller_id,
        "broker_id": order.broker_id,
        "mandate_id": order.mandate_id,
        "placed_by": order.placed_by,
        "price_fen": order.price_fen,
        "buyer_fee_fen": order.buyer_fee_fen,
        "seller_fee_fen": order.seller_fee_fen,
        "commission_fen": order.commission_fen,
        "escrow_fen": order.escrow_fen,
        "legal_basis": order.legal_basis,
    }


async def settle(
    ctx: Context,
    *,
    order: Order,
    listing: Listing,
    tier: LicenceTier,
    exchange: Exchange,
    base_id: str | None,
    cross_border: bool,
    source_items: tuple[str, ...] | None = None,
) -> tuple[Trade, Licence]:
    """Move an order's money (from the buyer, or from escrow); record its trade and licence.

    `source_items`: the asset's public catalog sources, when the caller read them in this
    transaction (else they are read here)."""
    now = ctx.clock.now()
    parts = order_split(order)
    broker_account = (
        await account_of(ctx, order.broker_id)
        if order.broker_id is not None and parts.commission_fen
        else None
    )
    if order.escrow_fen:
        payer = exchange.escrow_account_id
    else:
        payer = await account_of(ctx, order.buyer_id)
    seller_account = await account_of(ctx, order.seller_id)
    legs = rules.settlement_legs(
        parts,
        payer_account=payer,
        seller_account=seller_account,
        fee_account=exchange.fee_account_id,
        broker_account=broker_account,
    )
    change = order.escrow_fen - parts.buyer_pays_fen if order.escrow_fen else 0
    if change:
        # An auction winner escrowed its bid; it pays the clearing price and gets the rest back.
        legs = [(payer, -order.escrow_fen) if a == payer else (a, x) for a, x in legs]
        legs.append((await account_of(ctx, order.buyer_id), change))
    payouts = await _revenue_shares(
        ctx, listing.asset_id, parts.seller_receives_fen, source_items=source_items
    )
    if payouts:
        # 授权运营收益分成: the departments' shares leave the seller's proceeds in this journal.
        shares = [(await account_of(ctx, p.participant_id), p.amount_fen) for p in payouts]
        legs = rules.pay_shares(legs, seller_account=seller_account, shares=shares)
    trade_id = ctx.ids.new()
    posted = await ledger.post(
        ctx,
        kind="trade_settlement",
        memo=f"{order.mode} trade {trade_id} on {exchange.id}",
        legs=[ledger.Leg(account, amount) for account, amount in legs],
    )
    licence = Licence(
        id=ctx.ids.new(),
        trade_id=trade_id,
        listing_id=listing.id,
        tier_id=tier.id,
        licensee_id=order.buyer_id,
        licensor_id=order.seller_id,
        scope=tier.scope,
        exclusive=tier.exclusive,
        starts_at=now,
        expires_at=now + timedelta(days=tier.term_days),
        status=LicenceStatus.ACTIVE,
        policy=order.policy,
        usage_count=0,
        epsilon_spent_micro=0,
    )
    trade = Trade(
        id=trade_id,
        order_id=order.id,
        mode=order.mode,
        listing_id=listing.id,
        tier_id=tier.id,
        exclusive_tier_id=tier.id if tier.exclusive else None,
        asset_id=listing.asset_id,
        exchange_id=exchange.id,
        base_id=base_id,
        rulebook_version=order.rulebook_version,
        buyer_id=order.buyer_id,
        seller_id=order.seller_id,
        broker_id=order.broker_id,
        mandate_id=order.mandate_id,
        price_fen=parts.price_fen,
        buyer_fee_fen=parts.buyer_fee_fen,
        seller_fee_fen=parts.seller_fee_fen,
        commission_fen=parts.commission_fen,
        product_form=listing.product_form,
        grade=listing.grade,
        personal_information=listing.personal_information,
        cross_border=cross_border,
        journal_id=posted.journal.id,
        licence_id=licence.id,
        settled_at=now,
    )
    ctx.session.add_all([trade, licence])
    if tier.exclusive:
        await listings_repository.mark_tier_sold(ctx.session, tier.id, trade.id)
    order.status = OrderStatus.SETTLED
    order.trade_id = trade.id
    order.escrow_fen = 0
    order.updated_at = now
    ctx.audit(
        "trading.trade_settled",
        subject_type="trade",
        subject_id=trade.id,
        payload={
            **_order_payload(order),
            "trade_id": trade.id,
            "asset_id": listing.asset_id,
            "base_id": base_id,
            "journal_id": posted.journal.id,
            "product_form": listing.product_form,
            "grade": listing.grade,
            "cross_border": cross_border,
            "licence": {
                "licence_id": licence.id,
                "licensee_id": licence.licensee_id,
                "scope": licence.scope,
                "exclusive": licence.exclusive,
                "starts_at": licence.starts_at,
                "expires_at": licence.expires_at,
                # Only a licence with a policy names it: older entries keep their bytes.
                **({"policy": for_audit(licence.policy)} if licence.policy is not None else {}),
            },
        },
    )
    await revenue_service.record_paid(
        ctx,
        trade_id=trade.id,
        asset_id=listing.asset_id,
        journal_id=posted.journal.id,
        payouts=payouts,
    )
    return trade, licence


async def _revenue_shares(
    ctx: Context, asset_id: str, proceeds_fen: int, *, source_items: tuple[str, ...] | None
) -> list[revenue_service.Payout]:
    """The departments' revenue shares of a sale of a product derived under operating
    agreements (授权运营), which must be in force now (held until commit); none otherwise."""
    items = (
        source_items
        if source_items is not None
        else await assets_service.source_items(ctx, asset_id)
    )
    if not items:
        return []
    await grants_service.check_live(ctx, asset_id=asset_id, item_ids=items)
    return await revenue_service.shares_of_sale(
        ctx, asset_id=asset_id, item_ids=items, proceeds_fen=proceeds_fen
    )


async def trade_legs(ctx: Context, trade: Trade) -> list[tuple[str, int]]:
    """A settled trade's money as the buyer paid it (escrow or not): what a refund reverses."""
    exchange = await venues_repository.get_exchange(ctx.session, trade.exchange_id)
    assert exchange is not None
    parts = rules.Split(
        price_fen=trade.price_fen,
        buyer_fee_fen=trade.buyer_fee_fen,
        seller_fee_fen=trade.seller_fee_fen,
        commission_fen=trade.commission_fen,
        commission_payer=MandateSide.BUYER,
    )
    seller_account = await account_of(ctx, trade.seller_id)
    legs = rules.settlement_legs(
        parts,
        payer_account=await account_of(ctx, trade.buyer_id),
        seller_account=seller_account,
        fee_account=exchange[0].fee_account_id,
        broker_account=(
            await account_of(ctx, trade.broker_id)
            if trade.broker_id is not None and trade.commission_fen
            else None
        ),
    )
    # The departments' revenue shares (授权运营) were paid out of the seller's proceeds.
    paid = await revenue_service.paid_for_trade(ctx, trade.id)
    shares = [(await account_of(ctx, participant_id), fen) for participant_id, fen in paid]
    return rules.pay_shares(legs, seller_account=seller_account, shares=shares)


async def refund(ctx: Context, *, order: Order, exchange: Exchange, amount_fen: int) -> None:
    """Give an order's escrowed money back to its buyer."""
    await ledger.post(
        ctx,
        kind="trade_refund",
        memo=f"refund of escrow for order {order.id}",
        legs=[
            ledger.Leg(exchange.escrow_account_id, -amount_fen),
            ledger.Leg(await account_of(ctx, order.buyer_id), amount_fen),
        ],
    )
