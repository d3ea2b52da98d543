"""The market of a run played through the platform's own services, on a fresh database.

Every simulated action is the same service call an HTTP request makes (participants, the
asset registry, trading), acting as the agent's participant, so the market obeys the real
rules and leaves a verifiable audit log. Time comes from a ManualClock, identifiers from a
seeded IdFactory and API keys from a seeded stream, so a scenario and a seed give the same
log byte for byte. Each round is one unit of work; each action runs in a savepoint so that a
refused action (a rule of the market said no) leaves nothing behind, audit entry included.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Context
from exchange.simulation import agents as strategy
from exchange.simulation.market import (
    Action,
    Bid,
    Negotiation,
    Purchase,
    RoundOutcome,
    RoundPlan,
    order_record,
)
from exchange.simulation.results import AlertRecord, OrderRecord
from exchange.simulation.services_base import (
    REFUSABLE,
    Offering,
    ReplayRound,
    attempt,
    licence_terms,
    slug_of,
)
from exchange.simulation.services_customs import MarketRecords
from exchange.simulation.services_setup import SURVEYOR, MarketSetUp
from exchange.simulation.world import (
    World,
)
from exchange.supervision.surveillance import service as surveillance_service
from exchange.trading import rules
from exchange.trading.auctions import service as auctions_service
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.settlement import Placed
from exchange.vocabulary import AuctionRule, MandateSide


class ServiceMarket(MarketSetUp, MarketRecords):
    """A market on its own SQLite file, every action through the platform's services."""

    # --- rounds -------------------------------------------------------------------------

    def round_start(self, round_no: int) -> datetime:
        """When a round opens in simulated time."""
        return self.trading_start + timedelta(hours=(round_no - 1) * self.scenario.round_hours)

    async def play_round(self, plan: RoundPlan, world: World) -> RoundOutcome:
        """One unit of work: prices, auctions, every action, closes and customs decisions."""
        outcome = RoundOutcome()
        start = self.round_start(plan.round)
        self.clock.set(start)
        closes_at = start + timedelta(hours=self.scenario.round_hours) - timedelta(minutes=1)
        saved = self._snapshot(world)
        try:
            async with self.unit() as session:
                await self.begin_round(
                    session, plan, world, outcome, closes_at=closes_at, careful=False
                )
                self.clock.set(closes_at)
                await self.end_round(session, plan.round, outcome)
            return outcome
        except ReplayRound:
            pass
        # A purchase thought sure was refused: nothing of the round was kept; play it again
        # with every action in its own savepoint (the same plan, so the same result each run).
        self.replays += 1
        self._restore(saved)
        outcome = RoundOutcome()
        self.clock.set(start)
        async with self.unit() as session:
            await self.begin_round(session, plan, world, outcome, closes_at=closes_at, careful=True)
            self.clock.set(closes_at)
            await self.end_round(session, plan.round, outcome)
        return outcome

    async def begin_round(
        self,
        session: AsyncSession,
        plan: RoundPlan,
        world: World,
        outcome: RoundOutcome,
        *,
        closes_at: datetime,
        careful: bool = True,
    ) -> None:
        """Prices and listings, auctions opened until `closes_at`, then the agents' actions.

        With `careful` off, purchases the rules will surely accept skip their savepoint; if
        one is refused all the same, ReplayRound asks for the round to be played again.
        """
        repriced = {p.key: price for p, price in plan.reprices}
        for product, price in plan.reprices:
            product.price_fen = price
        exclusive = self.scenario.products.exclusive
        for product in world.products:
            if not exclusive and product.key not in repriced:
                continue
            tier, scope = licence_terms(exclusive=exclusive, round_no=plan.round)
            try:
                async with attempt(session):
                    await self._list(
                        session, product, product.price_fen, tier_name=tier, scope=scope
                    )
            except REFUSABLE:
                # The exchanges refused the new price (e.g. outside their limits): it stays.
                kept = self.offerings.get(product.key)
                if kept is not None:
                    product.price_fen = kept.price_fen
        self.round_auctions = {}
        for opening in plan.auctions:
            offering = self.offerings[opening.product.key]
            book = self.rulebooks[opening.exchange_id]
            reserve = min(max(opening.reserve_fen, book.min_price_fen), book.max_price_fen)
            try:
                async with attempt(session):
                    view = await auctions_service.open_auction(
                        self._ctx(session, opening.product.provider),
                        listing_id=offering.listing_id,
                        tier_id=offering.tier_id,
                        exchange_id=opening.exchange_id,
                        rule=AuctionRule(opening.rule),
                        reserve_fen=reserve,
                        closes_at=closes_at,
                    )
            except REFUSABLE:
                continue
            self.round_auctions[(opening.product.key, opening.exchange_id)] = view.auction.id
        for action in plan.actions:
            if isinstance(action, Purchase):
                for attempted in (action, *action.fallbacks):
                    if await self._play(session, plan.round, attempted, outcome, careful=careful):
                        break
            else:
                await self._play(session, plan.round, action, outcome, careful=careful)

    async def end_round(self, session: AsyncSession, round_no: int, outcome: RoundOutcome) -> None:
        """Close the round's auctions (the clock is past their deadline) and decide customs."""
        for (product_key, _), auction_id in sorted(self.round_auctions.items()):
            provider = product_key.split("/", 1)[0]
            try:
                async with attempt(session):
                    closed = await auctions_service.close(
                        self._ctx(session, provider), auction_id=auction_id
                    )
            except REFUSABLE:
                continue  # closed already (e.g. by a student in a live class)
            for bid in closed.bids:
                if closed.placed is None or bid.id != closed.auction.winning_bid_id:
                    outcome.orders.append(
                        OrderRecord(
                            round_no,
                            self.key_of[bid.bidder_id],
                            closed.auction.exchange_id,
                            "auction",
                            bid.amount_fen,
                            "lost",
                            broker=self.key_of.get(bid.broker_id or ""),
                        )
                    )
            if closed.placed is not None:
                winner = next(b for b in closed.bids if b.id == closed.auction.winning_bid_id)
                self._record(
                    round_no, closed.placed, outcome, value=self.bid_values.get(winner.id, 0)
                )
        self.round_auctions = {}
        await self._decide_customs(session, round_no, outcome)

    async def _play(
        self,
        session: AsyncSession,
        round_no: int,
        action: Action,
        outcome: RoundOutcome,
        *,
        careful: bool,
    ) -> bool:
        """Play one action; False if an exclusive licence was gone (the buyer may try another)."""
        offering = self.offerings.get(action.product.key)
        if offering is None:
            outcome.orders.append(order_record(round_no, action, "refused", "listing-not-found"))
            return True
        mandate = self.mandates.get(action.buyer) if action.broker is not None else None
        ctx = self._ctx(session, action.broker if action.broker is not None else action.buyer)
        basis = self.legal_basis.get(action.buyer)
        if isinstance(action, Purchase) and not careful and self._sure(action, offering):
            # The rules will accept it: no savepoint, no flush; the round's rows go in bulk.
            try:
                placed = await self._purchase(ctx, action, offering, mandate, basis)
            except REFUSABLE as exc:
                raise ReplayRound(slug_of(exc)) from exc
            self._record(round_no, placed, outcome, value=action.value_fen)
            return True
        try:
            async with attempt(session):
                if isinstance(action, Purchase):
                    placed = await self._purchase(ctx, action, offering, mandate, basis)
                elif isinstance(action, Negotiation):
                    negotiated = await self._negotiate(
                        session, ctx, action, offering, mandate, basis
                    )
                    if negotiated is None:
                        outcome.orders.append(order_record(round_no, action, "no_deal"))
                        return True
                    placed = negotiated
                else:
                    await self._bid(ctx, round_no, action, mandate, basis, outcome)
                    return True
        except REFUSABLE as exc:
            outcome.orders.append(order_record(round_no, action, "refused", slug_of(exc)))
            return slug_of(exc) != "licence-unavailable"
        self._record(round_no, placed, outcome, value=action.value_fen)
        return True

    async def _purchase(
        self,
        ctx: Context,
        action: Purchase,
        offering: Offering,
        mandate: str | None,
        basis: str | None,
    ) -> Placed:
        return await orders_service.place_order(
            ctx,
            listing_id=offering.listing_id,
            tier_id=offering.tier_id,
            exchange_id=action.exchange_id,
            mandate_id=mandate,
            legal_basis=basis,
        )

    async def _bid(
        self,
        ctx: Context,
        round_no: int,
        action: Bid,
        mandate: str | None,
        basis: str | None,
        outcome: RoundOutcome,
    ) -> None:
        auction_id = self.round_auctions.get((action.product.key, action.exchange_id))
        if auction_id is None:
            outcome.orders.append(order_record(round_no, action, "refused", "auction-not-open"))
            return
        bid = await auctions_service.place_bid(
            ctx,
            auction_id=auction_id,
            amount_fen=action.amount_fen,
            mandate_id=mandate,
            legal_basis=basis,
        )
        self.bid_values[bid.id] = action.value_fen
        self._spend(action.buyer, action.broker, bid.escrow_fen)
        outcome.orders.append(order_record(round_no, action, "bid"))

    async def _negotiate(
        self,
        session: AsyncSession,
        ctx: Context,
        action: Negotiation,
        offering: Offering,
        mandate: str | None,
        basis: str | None,
    ) -> Placed | None:
        """Request → offer ↔ counter → accept → agree → settle, or terminate (协议交易)."""
        provider = self._ctx(session, action.product.provider)
        book = self.rulebooks[action.exchange_id]

        def clamp(price: int) -> int:
            return min(max(price, book.min_price_fen), book.max_price_fen)

        offer = clamp(action.offer_fen)
        view = await negotiations_service.request(
            ctx,
            listing_id=offering.listing_id,
            tier_id=offering.tier_id,
            exchange_id=action.exchange_id,
            price_fen=offer,
            message="仿真询价 simulated request",
            mandate_id=mandate,
        )
        negotiation_id = view.negotiation.id
        for step in range(3):
            answer = strategy.respond_to_offer(
                ask_fen=action.ask_fen, floor_fen=action.floor_fen, offer_fen=offer
            )
            if answer.accept:
                break
            counter = clamp(answer.price_fen)
            await negotiations_service.step(
                provider,
                negotiation_id=negotiation_id,
                step="offer",
                price_fen=counter,
                message="仿真报价 simulated offer",
            )
            if strategy.accepts_counter(counter_fen=counter, limit_fen=action.limit_fen):
                await negotiations_service.step(
                    ctx,
                    negotiation_id=negotiation_id,
                    step="accept",
                    price_fen=None,
                    message="接受 accepted",
                )
                break
            offer = clamp(min(action.limit_fen, (offer + counter) // 2))
            if step == 2 or offer <= 0:
                await negotiations_service.step(
                    ctx,
                    negotiation_id=negotiation_id,
                    step="terminate",
                    price_fen=None,
                    message="价格未达成 no agreement on price",
                )
                return None
            await negotiations_service.step(
                ctx,
                negotiation_id=negotiation_id,
                step="request",
                price_fen=offer,
                message="仿真还价 simulated counter-request",
            )
        await negotiations_service.step(
            provider,
            negotiation_id=negotiation_id,
            step="agree",
            price_fen=None,
            message="同意 agreed",
        )
        return await negotiations_service.settle(
            ctx, negotiation_id=negotiation_id, legal_basis=basis
        )

    async def surveil(self, world: World) -> list[AlertRecord]:
        """The market-regulation agency scans the whole run (POST /v1/supervision/alerts/scan)."""
        self.clock.set(self.clock.now() + timedelta(minutes=1))
        async with self.unit() as session:
            scanned = await surveillance_service.scan(
                self._ctx(session, SURVEYOR), since=self.scenario.start, until=self.clock.now()
            )

        def named(text: str) -> str:
            for participant_id, key in self.key_of.items():
                text = text.replace(participant_id, key)
            return text

        return [
            AlertRecord(
                alert.kind,
                alert.severity,
                named(alert.title),
                tuple(sorted(self.key_of.get(p, p) for p in alert.parties)),
                len(alert.evidence.get("trade_ids", [])),
                len(alert.evidence.get("auction_ids", [])),
                len(alert.evidence.get("entry_indexes", [])),
                alert.id,
            )
            for alert in scanned.raised
        ]

    def _sure(self, action: Purchase, offering: Offering) -> bool:
        """Whether the rules will surely accept a posted-price purchase (else: a savepoint)."""
        book = self.rulebooks.get(action.exchange_id)
        role, jurisdiction = self.buyer_info.get(action.buyer, ("", ""))
        if book is None or self.scenario.products.exclusive:
            return False
        if rules.crosses_border(jurisdiction) or action.exchange_id not in offering.exchanges:
            return False
        if not rules.within_limits(
            offering.price_fen, min_price_fen=book.min_price_fen, max_price_fen=book.max_price_fen
        ):
            return False
        total = rules.split(
            price_fen=offering.price_fen,
            buyer_fee_bp=book.buyer_fee_bp,
            seller_fee_bp=book.seller_fee_bp,
            commission_bp=self.mandate_commission.get(action.buyer, 0) if action.broker else 0,
            commission_payer=MandateSide.BUYER,
        ).buyer_pays_fen
        if self.cash.get(action.buyer, 0) < total:
            return False
        if action.broker is None:
            return not rules.broker_required(role, book.broker_required_for)
        return self.mandate_room.get(action.buyer, 0) >= total

    def _snapshot(self, world: World) -> dict[str, Any]:
        """What a round changes in memory, to put back if the round is played again."""
        return {
            "offerings": dict(self.offerings),
            "product_of_listing": dict(self.product_of_listing),
            "unit_cost": dict(self.unit_cost),
            "cash": dict(self.cash),
            "mandate_room": dict(self.mandate_room),
            "pending": dict(self.pending),
            "bid_values": dict(self.bid_values),
            "prices": [(p, p.price_fen) for p in world.products],
        }

    def _restore(self, saved: dict[str, Any]) -> None:
        self.offerings = saved["offerings"]
        self.product_of_listing = saved["product_of_listing"]
        self.unit_cost = saved["unit_cost"]
        self.cash = saved["cash"]
        self.mandate_room = saved["mandate_room"]
        self.pending = saved["pending"]
        self.bid_values = saved["bid_values"]
        for product, price in saved["prices"]:
            product.price_fen = price
        self.round_auctions = {}
