"""Random market actions (hypothesis stateful): money is conserved, every balance equals its
postings, escrow holds exactly what is owed back or forward, an exclusive tier sells once, and one
exclusive licence at most is in force per asset and scope."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from support_trading import Market, money_invariants, tier

from exchange.trading.auctions.models import Auction, Bid, BidStatus
from exchange.trading.licences.models import Licence
from exchange.trading.listings.models import Listing
from exchange.trading.orders.models import Order, Trade
from exchange.vocabulary import OrderStatus
from support import Actor, assert_problem

T = TypeVar("T")

BUY_REFUSALS = {
    "insufficient-funds",
    "licence-unavailable",
    "exclusive-licence-in-force",
    "listing-not-active",
    "mandate-limit-exceeded",
    "broker-required",
}


async def escrow_owed(market: Market) -> dict[str, int]:
    """What each exchange's escrow must hold: sealed bids and orders awaiting customs."""
    async with market.runtime.sessionmaker() as session:
        bids = (
            await session.execute(
                select(Order.exchange_id, func.sum(Order.escrow_fen))
                .where(Order.status == OrderStatus.AWAITING_CUSTOMS)
                .group_by(Order.exchange_id)
            )
        ).all()
        sealed = (
            await session.execute(
                select(Auction.exchange_id, func.sum(Bid.escrow_fen))
                .join(Auction, Auction.id == Bid.auction_id)
                .where(Bid.status == BidStatus.SEALED)
                .group_by(Auction.exchange_id)
            )
        ).all()
    owed = {"gzde": 0, "szdex": 0}
    for exchange_id, amount in [*bids, *sealed]:
        owed[exchange_id] += int(amount or 0)
    return owed


async def test_random_market_actions_keep_the_books(market: Market) -> None:
    """Driven over HTTP on the app in process: hypothesis runs in a worker thread and hands
    each request to the test's event loop, which stays free to serve it."""
    await asyncio.to_thread(run_on_loop, asyncio.get_running_loop(), market)


def run_on_loop(loop: asyncio.AbstractEventLoop, market: Market) -> None:
    """Run the state machine; each step's coroutines run on the test's event loop."""

    def call(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    m = market
    auction_serial = itertools.count(1)

    class MarketMachine(RuleBasedStateMachine):
        listing: dict[str, Any]
        credit: dict[str, Any]
        mandate: dict[str, Any]
        auction: dict[str, Any] | None
        auctioned: list[dict[str, Any]]

        @initialize()
        def open_market(self) -> None:
            self.listing = call(
                m.list(
                    "electricity",
                    ["gzde", "szdex"],
                    [tier(price_fen=150_000), tier("独家版", price_fen=900_000, exclusive=True)],
                )
            )
            self.credit = call(m.list("credit", ["szdex"], [tier(price_fen=200_000)]))
            self.mandate = call(m.mandate(m.person, limit_fen=700_000, commission_bp=250))
            self.auction = None
            self.auctioned = []

        def buyer(self, name: str) -> Actor:
            return {"buyer": m.buyer, "rival": m.rival, "hk": m.hk_buyer, "person": m.person}[name]

        @rule(
            who=st.sampled_from(["buyer", "rival", "hk", "person"]),
            exchange=st.sampled_from(["gzde", "szdex"]),
            tier_index=st.sampled_from([0, 0, 0, 1]),
        )
        def buy(self, who: str, exchange: str, tier_index: int) -> None:
            r = call(
                m.order(self.buyer(who), self.listing, exchange_id=exchange, tier_index=tier_index)
            )
            if r.status_code != 201:
                assert assert_problem(r, 409)["type"].removeprefix("/problems/") in BUY_REFUSALS

        @rule(exchange=st.sampled_from(["gzde", "szdex"]))
        def broker_buys_for_a_person(self, exchange: str) -> None:
            r = call(
                m.order(m.broker, self.listing, exchange_id=exchange, mandate_id=self.mandate["id"])
            )
            if r.status_code != 201:
                assert assert_problem(r, 409)["type"].removeprefix("/problems/") in BUY_REFUSALS

        @rule(approve=st.booleans())
        def cross_border_order_and_decision(self, approve: bool) -> None:
            r = call(m.order(m.hk_buyer, self.credit, legal_basis="standard_contract"))
            if r.status_code != 201:
                assert_problem(r, 409, "insufficient-funds")
                return
            case = r.json()["customs_case"]
            decided = call(
                m.post(
                    f"/v1/customs/cases/{case['id']}/decision",
                    m.regulator,
                    {"decision": "approve" if approve else "reject", "reason": "随机决定"},
                )
            )
            assert decided.status_code == 200, decided.text
            assert decided.json()["status"] == ("settled" if approve else "refused")

        @rule()
        def leave_a_case_pending(self) -> None:
            r = call(m.order(m.hk_buyer, self.credit, legal_basis="certification"))
            if r.status_code != 201:
                assert_problem(r, 409, "insufficient-funds")

        @rule(
            price=st.integers(100_000, 400_000),
            terminate=st.booleans(),
            who=st.sampled_from(["buyer", "rival"]),
        )
        def negotiate(self, price: int, terminate: bool, who: str) -> None:
            consumer = self.buyer(who)
            neg = call(
                m.post(
                    "/v1/negotiations",
                    consumer,
                    {
                        "listing_id": self.listing["id"],
                        "tier_id": self.listing["tiers"][0]["id"],
                        "exchange_id": "gzde",
                        "price_fen": price,
                    },
                )
            )
            assert neg.status_code == 201, neg.text
            path = f"/v1/negotiations/{neg.json()['id']}"
            if terminate:
                done = call(m.post(f"{path}/terminate", consumer, {"reason": "不买了"}))
                assert done.status_code == 200
                assert_problem(call(m.post(f"{path}/settle", consumer, {})), 409)
                return
            assert call(m.post(f"{path}/agree", m.seller, {})).status_code == 200
            settled = call(m.post(f"{path}/settle", consumer, {}))
            if settled.status_code != 201:
                slug = assert_problem(settled, 409)["type"].removeprefix("/problems/")
                # An earlier example's exclusive licence of this asset and scope is in force.
                assert slug in {"insufficient-funds", "exclusive-licence-in-force"}

        @rule(rule_name=st.sampled_from(["first_price", "second_price"]))
        def open_auction(self, rule_name: str) -> None:
            if self.auction is not None:
                return
            if self.auctioned:
                # One listing of an asset per exchange: the last auction's listing goes first.
                call(m.ok(m.post(f"/v1/listings/{self.auctioned[-1]['id']}/delist", m.seller, {})))
            # Each auction sells its own scope: an earlier one's licence may be in force still.
            scope = f"独家研究用途 第{next(auction_serial)}期"
            offered = tier("独家版", price_fen=100_000, exclusive=True, scope=scope)
            traffic = call(m.list("traffic", ["szdex"], [offered]))
            self.auctioned.append(traffic)
            body = {
                "listing_id": traffic["id"],
                "tier_id": traffic["tiers"][0]["id"],
                "exchange_id": "szdex",
                "rule": rule_name,
                "reserve_fen": 100_000,
                "closes_at": (m.clock.now() + timedelta(hours=1)).isoformat(),
            }
            self.auction = call(m.ok(m.post("/v1/auctions", m.seller, body), 201))

        @rule(who=st.sampled_from(["buyer", "rival", "hk"]), amount=st.integers(90_000, 600_000))
        def bid(self, who: str, amount: int) -> None:
            if self.auction is None:
                return
            r = call(
                m.post(
                    f"/v1/auctions/{self.auction['id']}/bids",
                    self.buyer(who),
                    {"amount_fen": amount},
                )
            )
            if r.status_code != 201:
                slug = assert_problem(r, 409)["type"].removeprefix("/problems/")
                assert slug in {"bid-below-reserve", "already-bid", "insufficient-funds"}

        @rule()
        def close_auction(self) -> None:
            if self.auction is None:
                return
            m.clock.advance(timedelta(hours=1))
            closed = call(m.post(f"/v1/auctions/{self.auction['id']}/close", m.seller))
            assert closed.status_code == 200, closed.text
            self.auction = None

        @rule(
            who=st.sampled_from(["buyer", "rival", "hk", "person"]),
            amount=st.integers(1, 500_000),
        )
        def deposit(self, who: str, amount: int) -> None:
            r = call(
                m.post(
                    f"/v1/accounts/{self.buyer(who).id}/deposits",
                    m.admin,
                    {"amount_fen": amount},
                )
            )
            assert r.status_code == 201

        @rule(buyer_fee=st.integers(0, 200), seller_fee=st.integers(0, 300))
        def change_fees(self, buyer_fee: int, seller_fee: int) -> None:
            r = call(
                m.post(
                    "/v1/exchanges/gzde/rulebook",
                    m.gz_operator,
                    {"buyer_fee_bp": buyer_fee, "seller_fee_bp": seller_fee, "note": "随机调费"},
                )
            )
            assert r.status_code == 201, r.text

        @rule(suspend=st.booleans())
        def suspend_or_resume(self, suspend: bool) -> None:
            action = "suspend" if suspend else "resume"
            r = call(m.post(f"/v1/listings/{self.listing['id']}/{action}", m.sz_operator, {}))
            if r.status_code != 200:
                assert_problem(r, 409, "listing-venue-state")

        @invariant()
        def books_balance(self) -> None:
            call(money_invariants(m.runtime))

        @invariant()
        def escrow_holds_what_is_owed(self) -> None:
            owed = call(escrow_owed(m))
            for exchange_id, amount in owed.items():
                assert call(m.account_balance(f"escrow-{exchange_id}")) == amount

        @invariant()
        def exclusive_tiers_sell_once(self) -> None:
            async def counts() -> list[int]:
                async with m.runtime.sessionmaker() as session:
                    rows = await session.execute(
                        select(func.count())
                        .select_from(Trade)
                        .where(Trade.exclusive_tier_id.is_not(None))
                        .group_by(Trade.exclusive_tier_id)
                    )
                    return [int(n) for (n,) in rows.all()]

            assert all(n == 1 for n in call(counts()))

        @invariant()
        def one_live_exclusive_licence_per_asset_and_scope(self) -> None:
            async def live() -> list[tuple[str, str]]:
                now = m.clock.now()
                async with m.runtime.sessionmaker() as session:
                    rows = await session.execute(
                        select(Listing.asset_id, Licence.scope)
                        .join(Listing, Listing.id == Licence.listing_id)
                        .where(Licence.exclusive.is_(True), Licence.expires_at > now)
                    )
                    return [(a, b) for a, b in rows.all()]

            held = call(live())
            assert len(held) == len(set(held)), held

        def teardown(self) -> None:
            # The next example lists the same assets again: one listing per exchange.
            for listing in (self.listing, self.credit, *self.auctioned[-1:]):
                r = call(m.post(f"/v1/listings/{listing['id']}/delist", m.seller, {}))
                if r.status_code != 200:
                    assert_problem(r, 409, "listing-venue-state")

    run_state_machine_as_test(
        MarketMachine,
        settings=settings(
            max_examples=5,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
