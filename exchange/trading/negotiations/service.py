"""Negotiated trading (协议交易), with states after the Dataspace Protocol's contract negotiation.

consumer: request ──► REQUESTED ◄── request (counter) ──┐
provider: offer     REQUESTED ──► OFFERED ───────────────┘
consumer: accept    OFFERED ──► ACCEPTED
provider: agree     REQUESTED or ACCEPTED ──► AGREED
consumer: settle    AGREED ──► FINALIZED (trade, licence; or held by data customs)
either:   terminate any open state ──► TERMINATED
A broker may act as the consumer under its client's mandate (action "negotiate"). When a
broker opened the negotiation, the broker alone acts on the consumer side: the client reads
it but takes no step (it may revoke the mandate instead), so a rulebook that requires a
broker cannot be bypassed halfway through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from exchange.context import Context, Principal
from exchange.trading import rules
from exchange.trading.brokerage import repository as brokerage_repository
from exchange.trading.brokerage.errors import AGENCY_RULE
from exchange.trading.listings.service import get_offer
from exchange.trading.negotiations import repository
from exchange.trading.negotiations.errors import (
    BrokerConductsNegotiation,
    NegotiationNotFound,
    NegotiationStateConflict,
    WrongNegotiationParty,
)
from exchange.trading.negotiations.models import Negotiation, NegotiationMessage
from exchange.trading.orders.buyers import broker_required_rule, check_mandate_covers, resolve_buyer
from exchange.trading.orders.settlement import (
    Placed,
    check_available,
    check_mode,
    check_not_own,
    check_price,
    check_tradable,
    open_order,
)
from exchange.trading.policies.errors import PolicyOutsideAllowance
from exchange.trading.policies.service import check_buyer_territory
from exchange.trading.policies.terms import (
    UsagePolicy,
    for_audit,
    negotiated_misses,
    read_policy,
)
from exchange.trading.venues import repository as venues_repository
from exchange.trading.venues.service import actor_of, oversees
from exchange.vocabulary import (
    MandateAction,
    NegotiationParty,
    NegotiationState,
    OrderStatus,
    TradeMode,
)


@dataclass(frozen=True, slots=True)
class NegotiationView:
    """A negotiation and its steps so far."""

    negotiation: Negotiation
    messages: list[NegotiationMessage]


def _party(actor: Principal, negotiation: Negotiation) -> NegotiationParty | None:
    """The side the caller acts for: the provider, or whoever conducts the consumer's side
    (its broker, if a broker opened the negotiation; else the consumer itself)."""
    if actor.id == negotiation.provider_id:
        return NegotiationParty.PROVIDER
    if actor.id == (negotiation.broker_id or negotiation.consumer_id):
        return NegotiationParty.CONSUMER
    return None


def party_of(ctx: Context, negotiation: Negotiation) -> NegotiationParty | None:
    """The side the caller acts for in a negotiation it reads (None: it takes no step)."""
    return _party(actor_of(ctx), negotiation)


def _takes_part(actor: Principal, negotiation: Negotiation) -> bool:
    """Provider, consumer or broker: those who may read the negotiation."""
    return actor.id in (negotiation.provider_id, negotiation.consumer_id, negotiation.broker_id)


async def _refuse_client_of_broker(ctx: Context, negotiation: Negotiation) -> NoReturn:
    """A client steps into the negotiation its broker conducts: refused, naming the rule."""
    actor = actor_of(ctx)
    rule = AGENCY_RULE
    found = await venues_repository.get_exchange(ctx.session, negotiation.exchange_id)
    if found is not None:
        rule = broker_required_rule(found[0], found[1], actor.role) or AGENCY_RULE
    raise BrokerConductsNegotiation(
        f"Broker {negotiation.broker_id} conducts negotiation {negotiation.id} for you under "
        f"mandate {negotiation.mandate_id}; only the broker acts on your side, under the rule "
        f"{rule}. You may read the negotiation, or revoke the mandate.",
        rule=rule,
        broker_id=negotiation.broker_id,
        mandate_id=negotiation.mandate_id,
    )


async def load(ctx: Context, negotiation_id: str) -> Negotiation:
    """A negotiation the caller takes part in (or oversees); 404 for anyone else."""
    actor = actor_of(ctx)
    negotiation = await repository.get_negotiation(ctx.session, negotiation_id)
    if negotiation is None or not (_takes_part(actor, negotiation) or oversees(actor)):
        raise NegotiationNotFound(f"No negotiation {negotiation_id!r}.")
    return negotiation


async def view(ctx: Context, negotiation_id: str) -> NegotiationView:
    """A negotiation with its steps."""
    negotiation = await load(ctx, negotiation_id)
    messages = await repository.list_negotiation_messages(ctx.session, negotiation.id)
    return NegotiationView(negotiation, list(messages))


async def list_page(
    ctx: Context, *, state: NegotiationState | None, limit: int, offset: int
) -> tuple[Sequence[Negotiation], int]:
    """Negotiations the caller takes part in (overseers: all)."""
    actor = actor_of(ctx)
    return await repository.list_negotiations(
        ctx.session,
        party_id=None if oversees(actor) else actor.id,
        state=state,
        limit=limit,
        offset=offset,
    )


def _message(
    ctx: Context,
    negotiation: Negotiation,
    *,
    party: NegotiationParty,
    state: NegotiationState,
    price_fen: int,
    message: str,
) -> NegotiationMessage:
    row = NegotiationMessage(
        id=ctx.ids.new(),
        negotiation_id=negotiation.id,
        seq=negotiation.rounds,
        party=party,
        sent_by=ctx.actor_ref,
        state=state,
        price_fen=price_fen,
        message=message,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(row)
    return row


async def request(
    ctx: Context,
    *,
    listing_id: str,
    tier_id: str,
    exchange_id: str,
    price_fen: int,
    message: str,
    mandate_id: str | None,
    policy: UsagePolicy | None = None,
) -> NegotiationView:
    """A consumer (or its broker) asks the provider for a licence at a proposed price, and
    under the tier's usage policy or one moved within what the seller allows."""
    offer = await get_offer(ctx, listing_id=listing_id, tier_id=tier_id, exchange_id=exchange_id)
    buyer = await resolve_buyer(
        ctx,
        mandate_id=mandate_id,
        action=MandateAction.NEGOTIATE,
        exchange=offer.exchange,
        rulebook=offer.rulebook,
    )
    check_not_own(offer, buyer)
    terms = proposed_policy(offer.tier.policy, policy)
    check_buyer_territory(terms, buyer.jurisdiction)
    check_available(offer.tier)
    await check_tradable(ctx, offer, mode=TradeMode.NEGOTIATED, price_fen=price_fen)
    now = ctx.clock.now()
    negotiation = Negotiation(
        id=ctx.ids.new(),
        listing_id=offer.listing.id,
        tier_id=offer.tier.id,
        exchange_id=offer.exchange.id,
        consumer_id=buyer.participant_id,
        provider_id=offer.listing.holder_id,
        broker_id=buyer.broker_id,
        mandate_id=buyer.mandate.id if buyer.mandate is not None else None,
        state=NegotiationState.REQUESTED,
        price_fen=price_fen,
        rounds=0,
        policy=terms,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(negotiation)
    await ctx.session.flush()
    row = _message(
        ctx,
        negotiation,
        party=NegotiationParty.CONSUMER,
        state=NegotiationState.REQUESTED,
        price_fen=price_fen,
        message=message,
    )
    negotiation.rounds = 1
    ctx.audit(
        "trading.negotiation_requested",
        subject_type="negotiation",
        subject_id=negotiation.id,
        payload={
            "listing_id": negotiation.listing_id,
            "tier_id": negotiation.tier_id,
            "exchange_id": negotiation.exchange_id,
            "consumer_id": negotiation.consumer_id,
            "provider_id": negotiation.provider_id,
            "broker_id": negotiation.broker_id,
            "mandate_id": negotiation.mandate_id,
            "price_fen": price_fen,
            "message": message,
            **({"policy": for_audit(terms)} if terms is not None else {}),
        },
    )
    return NegotiationView(negotiation, [row])


def proposed_policy(
    tier_policy: dict[str, Any] | None, proposed: UsagePolicy | None
) -> dict[str, Any] | None:
    """The policy a negotiation carries: the tier's, or a proposal within its allowance."""
    base = read_policy(tier_policy)
    if proposed is None:
        return tier_policy
    if base is None:
        raise PolicyOutsideAllowance(
            "This tier has no usage policy to negotiate; its scope text is the licence's terms."
        )
    misses = negotiated_misses(base, proposed)
    if misses:
        raise PolicyOutsideAllowance(
            "The proposed usage policy is outside what the seller allows: "
            + "; ".join(misses)
            + ".",
            reasons=misses,
        )
    return proposed.model_copy(update={"negotiable": base.negotiable}).document()


async def _consumer_mandate_ok(ctx: Context, negotiation: Negotiation) -> None:
    """A broker acting as consumer needs its mandate to be live at every step."""
    if negotiation.mandate_id is None or ctx.actor_ref != negotiation.broker_id:
        return
    mandate = await brokerage_repository.get_mandate(ctx.session, negotiation.mandate_id)
    assert mandate is not None
    offer = await get_offer(
        ctx,
        listing_id=negotiation.listing_id,
        tier_id=negotiation.tier_id,
        exchange_id=negotiation.exchange_id,
    )
    await check_mandate_covers(
        ctx,
        mandate,
        action=MandateAction.NEGOTIATE,
        exchange=offer.exchange,
        rulebook=offer.rulebook,
    )


async def step(
    ctx: Context,
    *,
    negotiation_id: str,
    step: str,
    price_fen: int | None,
    message: str,
    policy: UsagePolicy | None = None,
) -> NegotiationView:
    """One step: request (counter), offer, accept, agree or terminate. A request or offer may
    move the usage policy within what the tier's seller allows."""
    actor = actor_of(ctx)
    negotiation = await load(ctx, negotiation_id)
    party = _party(actor, negotiation)
    if party is None:
        if _takes_part(actor, negotiation):
            await _refuse_client_of_broker(ctx, negotiation)
        raise WrongNegotiationParty("Overseers read negotiations; they take no part in them.")
    expected = rules.STEP_PARTY.get(step)
    if expected is not None and expected is not party:
        raise WrongNegotiationParty(f"Only the {expected.value} may {step}.")
    try:
        after = rules.negotiation_step(NegotiationState(negotiation.state), step, party)
    except rules.StepRefused as exc:
        raise NegotiationStateConflict(
            f"Negotiation {negotiation_id} is {negotiation.state}: {exc}.",
            state=negotiation.state,
        ) from None
    if negotiation.order_id is not None:
        raise NegotiationStateConflict("The agreement is being settled; it can no longer change.")
    if party is NegotiationParty.CONSUMER:
        await _consumer_mandate_ok(ctx, negotiation)
    price = negotiation.price_fen
    moved: dict[str, Any] | None = None
    if step in ("request", "offer"):
        if price_fen is None:
            raise NegotiationStateConflict(f"A {step} names its price_fen.")
        offer = await get_offer(
            ctx,
            listing_id=negotiation.listing_id,
            tier_id=negotiation.tier_id,
            exchange_id=negotiation.exchange_id,
        )
        check_mode(offer, TradeMode.NEGOTIATED)
        check_price(offer, price_fen)
        price = price_fen
        if policy is not None:
            moved = proposed_policy(offer.tier.policy, policy)
    elif policy is not None:
        raise NegotiationStateConflict(f"Only a request or an offer proposes a policy, not {step}.")
    now = ctx.clock.now()
    values: dict[str, object] = {
        "state": after,
        "price_fen": price,
        "rounds": negotiation.rounds + 1,
        "updated_at": now,
    }
    if moved is not None:
        values["policy"] = moved
    if after is NegotiationState.TERMINATED:
        values["terminated_by"] = actor.id
        values["termination_reason"] = message
    if not await repository.step_negotiation(
        ctx.session, negotiation.id, from_state=negotiation.state, values=values
    ):
        raise NegotiationStateConflict(f"Negotiation {negotiation_id} changed meanwhile.")
    _message(ctx, negotiation, party=party, state=after, price_fen=price, message=message)
    ctx.audit(
        f"trading.negotiation_{after.value}",
        subject_type="negotiation",
        subject_id=negotiation.id,
        payload={
            "step": step,
            "party": party,
            "from_state": negotiation.state,
            "state": after,
            "price_fen": price,
            "message": message,
            **({"policy": for_audit(moved)} if moved is not None else {}),
        },
    )
    await ctx.session.flush()
    await ctx.session.refresh(negotiation)
    return await view(ctx, negotiation.id)


async def settle(ctx: Context, *, negotiation_id: str, legal_basis: str | None) -> Placed:
    """The consumer (or its broker) settles an agreed negotiation at the agreed price."""
    actor = actor_of(ctx)
    negotiation = await load(ctx, negotiation_id)
    if _party(actor, negotiation) is not NegotiationParty.CONSUMER:
        if actor.id == negotiation.consumer_id:
            await _refuse_client_of_broker(ctx, negotiation)
        raise WrongNegotiationParty(
            "Only the consumer settles an agreement (its broker, if a broker negotiated it)."
        )
    if negotiation.state != NegotiationState.AGREED or negotiation.order_id is not None:
        raise NegotiationStateConflict(
            f"Negotiation {negotiation_id} is {negotiation.state}; only an agreed negotiation "
            "is settled, once.",
            state=negotiation.state,
        )
    offer = await get_offer(
        ctx,
        listing_id=negotiation.listing_id,
        tier_id=negotiation.tier_id,
        exchange_id=negotiation.exchange_id,
    )
    buyer = await resolve_buyer(
        ctx,
        mandate_id=negotiation.mandate_id,
        action=MandateAction.NEGOTIATE,
        exchange=offer.exchange,
        rulebook=offer.rulebook,
    )
    check_not_own(offer, buyer)
    check_buyer_territory(negotiation.policy, buyer.jurisdiction)
    check_available(offer.tier)
    facts = await check_tradable(
        ctx, offer, mode=TradeMode.NEGOTIATED, price_fen=negotiation.price_fen
    )
    order_id = ctx.ids.new()
    if not await repository.step_negotiation(
        ctx.session,
        negotiation.id,
        from_state=NegotiationState.AGREED,
        values={"order_id": order_id, "updated_at": ctx.clock.now()},
    ):
        raise NegotiationStateConflict(f"Negotiation {negotiation_id} changed meanwhile.")
    placed = await open_order(
        ctx,
        offer=offer,
        buyer=buyer,
        facts=facts,
        mode=TradeMode.NEGOTIATED,
        price_fen=negotiation.price_fen,
        legal_basis=legal_basis,
        order_id=order_id,
        negotiation_id=negotiation.id,
        policy=negotiation.policy,
    )
    await ctx.session.refresh(negotiation)
    final = {
        OrderStatus.SETTLED: NegotiationState.FINALIZED,
        OrderStatus.REFUSED: NegotiationState.TERMINATED,
    }.get(OrderStatus(placed.order.status))
    if final is not None:
        negotiation.state = final
        if final is NegotiationState.TERMINATED:
            negotiation.terminated_by = "system"
            negotiation.termination_reason = placed.order.reason
    negotiation.updated_at = ctx.clock.now()
    ctx.audit(
        "trading.negotiation_settled",
        subject_type="negotiation",
        subject_id=negotiation.id,
        payload={
            "order_id": order_id,
            "order_status": placed.order.status,
            "state": negotiation.state,
            "price_fen": negotiation.price_fen,
        },
    )
    return placed
