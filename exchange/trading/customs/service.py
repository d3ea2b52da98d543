"""Data customs (数据海关): a regulator clears or refuses a cross-border order held in escrow;
clearance settles it only if the listing still trades as when it was placed, and a product
made under consents is cleared only if every consent covers cross-border provision."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.registry import market as assets_market
from exchange.context import Context
from exchange.dataspaces.consents import lawful
from exchange.dataspaces.vocabulary import ConsentUse
from exchange.errors import ExchangeError, Forbidden
from exchange.trading.brokerage import repository as brokerage_repository
from exchange.trading.customs import repository
from exchange.trading.customs.errors import CustomsCaseDecided, CustomsCaseNotFound
from exchange.trading.customs.models import CustomsCase
from exchange.trading.listings import repository as listings_repository
from exchange.trading.listings.errors import EXCLUSIVE_RULE
from exchange.trading.listings.repository import Offer
from exchange.trading.negotiations import repository as negotiations_repository
from exchange.trading.orders import repository as orders_repository
from exchange.trading.orders.models import Order
from exchange.trading.orders.settlement import (
    Placed,
    check_exclusivity,
    check_tradable,
    order_split,
    refund,
    settle,
)
from exchange.trading.venues import repository as venues_repository
from exchange.trading.venues.service import actor_of, oversees
from exchange.vocabulary import (
    CustomsDecision,
    CustomsStatus,
    NegotiationState,
    OrderStatus,
    Role,
    TradeMode,
)


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
    order = await orders_repository.get_order(ctx.session, case.order_id)
    assert order is not None
    offer = await _order_offer(ctx, order)
    # Personal information made under consents leaves only with the persons' separate consent
    # to cross-border provision, in force now: otherwise the regulator cannot clear it.
    consents = await assets_market.export_consents(ctx, case.asset_id) if approve else ()
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
    lawful.record_use(
        ctx,
        consents,
        use=ConsentUse.EXPORT,
        reference={
            "asset_id": case.asset_id,
            "order_id": order.id,
            "customs_case_id": case.id,
            "jurisdiction": case.jurisdiction,
        },
    )
    if order.negotiation_id is not None:
        negotiation = await negotiations_repository.get_negotiation(
            ctx.session, order.negotiation_id
        )
        assert negotiation is not None
        negotiation.state = NegotiationState.FINALIZED
        negotiation.updated_at = now
    return Placed(order, trade, licence, case)


async def _order_offer(ctx: Context, order: Order) -> Offer:
    """The tier an order bought, on its exchange, under the rulebook version it was placed with."""
    offer = await listings_repository.get_offer(
        ctx.session,
        listing_id=order.listing_id,
        tier_id=order.tier_id,
        exchange_id=order.exchange_id,
    )
    book = await venues_repository.get_rulebook(
        ctx.session, order.exchange_id, order.rulebook_version
    )
    assert offer is not None and book is not None
    return replace(offer, rulebook=book)


async def _no_longer_tradable(ctx: Context, order: Order, offer: Offer) -> str | None:
    """Why a held order can no longer settle (None if it still can)."""
    tier = offer.tier
    if tier.exclusive and (tier.sold_trade_id is not None or tier.claim != f"order:{order.id}"):
        return f"Tier {tier.id} is exclusive and no longer held for this order ({EXCLUSIVE_RULE})."
    try:
        await check_tradable(ctx, offer, mode=TradeMode(order.mode), price_fen=order.price_fen)
        await check_exclusivity(ctx, asset_id=offer.listing.asset_id, tier=tier)
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
        await brokerage_repository.release_mandate(
            ctx.session, order.mandate_id, order_split(order).buyer_pays_fen
        )
    if offer.tier.exclusive:
        await listings_repository.claim_tier(
            ctx.session, offer.tier.id, expected=f"order:{order.id}", claim=None
        )
    order.status = OrderStatus.REFUSED
    order.reason = reason
    order.escrow_fen = 0
    order.updated_at = now
    if order.negotiation_id is not None:
        negotiation = await negotiations_repository.get_negotiation(
            ctx.session, order.negotiation_id
        )
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


# The columns `customs.case_opened` and `customs.case_decided` record (listing, exchange and
# times are not in the entries).
_RECONCILED_COLUMNS = (
    "order_id",
    "buyer_id",
    "jurisdiction",
    "asset_id",
    "grade",
    "personal_information",
    "legal_basis",
    "status",
    "decision",
    "reason",
    "decided_by",
)


async def all_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every data-customs case as (table, rows) pages, with the columns its audit entries
    record (reconciliation replays the log against them)."""
    async for rows in repository.case_pages(session):
        yield (
            CustomsCase.__tablename__,
            [{"id": r["id"], **{c: r[c] for c in _RECONCILED_COLUMNS}} for r in rows],
        )
