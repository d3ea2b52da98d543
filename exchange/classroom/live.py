"""The bots of a live class, and the class's results computed from its market database.

Bots are the scenario's agents for every seat no student took: each round they decide with
the same pure strategies as an offline run and act through the same services, on the class's
sandbox database. Everything the results need — needs and values, unit costs, the round of
each trade — is derived from the scenario and seed, so any process can compute them.

The bots hold no state between requests, so they play wherever a round advances: with
`exchange serve --workers N` any worker may serve the instructor's "advance" or the request
that finds a round's timer run out. Each step of a round (`LiveMarket.begin`, `.end`) builds
the bots afresh from the scenario (`build_world`: deterministic from its seed) and then
`restore`s, inside the step's own unit of work on the class's database, what they learnt by
acting: who each agent is (the seats), the rulebooks, each product's asset, current listing
and price, the mandates, what each product sold last round (adaptive pricing) and, at the
end of a round, the auctions the bots opened for it. Their decisions come from per-round
streams of the seed (`round_stream_role`), never from a generator carried across rounds.
The database is the only truth, so a worker that restarted, or never saw the class before,
plays a round exactly as the one that opened it would have. The other design, routing every
request of a class to the worker that opened it, was rejected: uvicorn's workers share one
socket with no sticky routing, and the bots would die with that worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.registry import service as assets_service
from exchange.context import Context, Principal, Runtime
from exchange.participants import service as participants_service
from exchange.simulation import agents as strategy
from exchange.simulation import engine, welfare
from exchange.simulation.market import RoundOutcome, RoundPlan
from exchange.simulation.results import (
    AgentRecord,
    CustomsRecord,
    NeedRecord,
    OrderRecord,
    RunRecord,
    TradeRecord,
)
from exchange.simulation.rng import stream
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_base import Offering
from exchange.simulation.services_market import ServiceMarket
from exchange.simulation.world import (
    BROKER,
    PROVIDER,
    REGULATOR,
    Buyer,
    World,
    agent_name,
    build_world,
    product_name,
)
from exchange.trading.auctions import service as auctions_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.customs import service as customs_service
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.vocabulary import AuctionStatus, MandateStatus, Role, VenueStatus

if TYPE_CHECKING:  # the type of what the auctions service returns
    from exchange.trading.auctions.models import Auction

PAGE = 500
# Seats of the market's own staff: always bots, never offered to students.
STAFF_ROLES = ("admin", "operator", "reviewer", REGULATOR)


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """One registered agent of a class market."""

    agent_key: str
    role: str
    participant_id: str


def round_stream_role(group: str, round_no: int) -> str:
    """The stream name of a buyer group's draws in one round of a live class."""
    return f"{group}@{round_no}"


def need_of(scenario: Scenario, buyer: Buyer, round_no: int) -> strategy.Need | None:
    """A buyer's need in a round of a live class (the first draw of its round stream)."""
    rng = stream(scenario.seed, round_stream_role(buyer.group, round_no), buyer.index)
    return strategy.draw_need(
        rng,
        demand_bp=buyer.params.demand_bp,
        forms=scenario.products.forms,
        spread_bp=scenario.products.value_spread_bp,
    )


def values_of(scenario: Scenario, need: strategy.Need) -> dict[str, int]:
    """What a need makes a licence worth, by grade."""
    return {
        grade: strategy.value_of(
            need,
            grade=grade,
            base_values=scenario.products.value_fen,
            important_value_bp=scenario.products.important_value_bp,
        )
        for grade in ("general", "important")
    }


def product_key_of(asset_name: str) -> str:
    """The product key at the end of a simulated asset's name (e.g. provider-0001/2)."""
    return asset_name.rsplit(" ", 1)[-1]


def role_of(agent_key: str) -> str:
    """The scenario role of an agent key (buyer-0003 → buyer)."""
    return agent_key.rsplit("-", 1)[0]


class LiveMarket:
    """A class's bots and the market handle they act through, rebuilt for each step of a round.

    Made afresh by whichever process advances the round: `open` sets the market up, and each
    `begin` or `end` first restores, from the class's database, what the bots must know.
    """

    def __init__(self, scenario: Scenario, runtime: Runtime) -> None:
        self.scenario = scenario
        self.world: World = build_world(scenario)
        clock = runtime.clock
        assert hasattr(clock, "set"), "a class runs on its own settable clock"
        self.market = ServiceMarket(scenario, runtime=runtime, clock=clock)  # type: ignore[arg-type]

    @property
    def runtime(self) -> Runtime:
        """The class's runtime."""
        assert self.market.runtime is not None
        return self.market.runtime

    async def open(self) -> list[SeatSpec]:
        """Register every agent, register and list the products; return the seats."""
        await self.market.open(self.world)
        seats = []
        for key, principal in self.market.principals.items():
            seats.append(SeatSpec(key, role_of(key), principal.id))
        return seats

    def plan(self, round_no: int, bots: Collection[str]) -> RoundPlan:
        """The bots' decisions for a round (students decide for their own seats)."""
        for buyer in self.world.buyers:
            buyer.rng = stream(
                self.scenario.seed, round_stream_role(buyer.group, round_no), buyer.index
            )
        schedule = list(self.world.buyers)
        stream(self.scenario.seed, "schedule", round_no).shuffle(schedule)
        plan = engine.plan_round(self.world, self.market.rulebooks, round_no, schedule, [], {})
        plan.reprices = [(p, price) for p, price in plan.reprices if p.provider in bots]
        plan.auctions = [a for a in plan.auctions if a.product.provider in bots]
        plan.actions = [a for a in plan.actions if a.buyer in bots]
        return plan

    async def begin(
        self,
        round_no: int,
        *,
        seats: Mapping[str, str],
        bots: Collection[str],
        closes_at: datetime,
        last_round: RoundWindow | None,
    ) -> RoundOutcome:
        """The bots' moves at the start of a round, in one unit of work.

        `seats` maps every agent key to its participant; `last_round` is the round before
        (its sales set this round's adaptive prices).
        """
        outcome = RoundOutcome()
        async with self.market.unit() as session:
            await restore(self, session, seats=seats, last_round=last_round)
            plan = self.plan(round_no, bots)
            await self.market.begin_round(session, plan, self.world, outcome, closes_at=closes_at)
        return outcome

    async def end(
        self, round_no: int, *, seats: Mapping[str, str], closes_at: datetime
    ) -> RoundOutcome:
        """Close the bots' auctions and decide customs at the end of a round."""
        outcome = RoundOutcome()
        self.market.clock.set(closes_at)
        async with self.market.unit() as session:
            await restore(self, session, seats=seats, closing=closes_at)
            await self.market.end_round(session, round_no, outcome)
        return outcome


# --- restoring the bots' state ---------------------------------------------------------

Row = TypeVar("Row")


async def every(fetch: Callable[[int], Awaitable[tuple[Sequence[Row], int]]]) -> list[Row]:
    """Every row of a paged service call (`fetch(offset)` answers a page and the total)."""
    rows: list[Row] = []
    while True:
        page, total = await fetch(len(rows))
        rows.extend(page)
        if not page or len(rows) >= total:
            return rows


async def restore(
    live: LiveMarket,
    session: AsyncSession,
    *,
    seats: Mapping[str, str],
    last_round: RoundWindow | None = None,
    closing: datetime | None = None,
) -> None:
    """What the bots know, read back from the class's market (see the module docstring).

    Agents from the seats; rulebooks, products' current listings and prices, and mandates
    from the market; with `last_round`, what each product sold in it; with `closing`, the
    bots' auctions that close at that deadline.
    """
    market, world = live.market, live.world
    await _restore_agents(live, session, seats)
    await market.load_rulebooks(session)
    admin = market._ctx(session, market.admin)
    product_of_asset = await _restore_listings(live, admin)
    mandates = await every(
        lambda offset: brokerage_service.list_mandates(
            admin,
            client_id=None,
            broker_id=None,
            status=MandateStatus.ACTIVE,
            limit=PAGE,
            offset=offset,
        )
    )
    granted: dict[tuple[str, str], str] = {}
    for mandate in sorted(mandates, key=lambda m: (m.created_at, m.id)):
        granted.setdefault((mandate.client_id, mandate.broker_id), mandate.id)
    for buyer in world.buyers:
        if buyer.broker is None:
            continue
        found = granted.get((seats[buyer.key], seats[buyer.broker]))
        if found is None:
            buyer.broker = None  # no exchange of the class asked for one: it trades directly
        else:
            market.mandates[buyer.key] = found
    if last_round is not None and last_round.ended_at is not None:
        products = {p.key: p for p in world.products}
        for trade in await every(
            lambda offset: orders_service.list_all_trades(admin, limit=PAGE, offset=offset)
        ):
            key = product_of_asset.get(trade.asset_id)
            if key is not None and last_round.started_at <= trade.settled_at <= last_round.ended_at:
                products[key].sold += 1
    if closing is not None:
        providers = {seats[p.key] for p in world.providers}

        async def open_auctions(offset: int) -> tuple[Sequence[Auction], int]:
            rows, _, total = await auctions_service.list_page(
                admin,
                exchange_id=None,
                listing_id=None,
                status=AuctionStatus.OPEN,
                limit=PAGE,
                offset=offset,
            )
            return rows, total

        for auction in await every(open_auctions):
            key = market.product_of_listing.get(auction.listing_id)
            if key is not None and auction.seller_id in providers and auction.closes_at == closing:
                market.round_auctions[(key, auction.exchange_id)] = auction.id


async def _restore_agents(
    live: LiveMarket, session: AsyncSession, seats: Mapping[str, str]
) -> None:
    """Each agent's participant, and who is admin, operator and regulator."""
    market = live.market
    ctx = market._ctx(session, None)
    participants = await every(
        lambda offset: participants_service.list_page(ctx, role=None, limit=PAGE, offset=offset)
    )
    by_id = {p.id: p for p in participants}
    for key, participant_id in seats.items():
        found = by_id[participant_id]
        principal = Principal(found.id, found.name, Role(found.role), found.jurisdiction)
        market.principals[key] = principal
        market.key_of[found.id] = key
    market.admin = market.principals["admin"]
    market.operators = {ex: market.principals[f"operator-{ex}"] for ex in live.scenario.exchanges}
    market.regulators = [market.principals[r.key] for r in live.world.regulators]
    for buyer in live.world.buyers:
        market.legal_basis[buyer.key] = buyer.legal_basis
        market.buyer_info[buyer.key] = (buyer.params.role, buyer.jurisdiction)
    for product in live.world.products:
        market.unit_cost[product.key] = product.unit_cost_fen


async def _restore_listings(live: LiveMarket, admin: Context) -> dict[str, str]:
    """Each product's asset and current listing and price; answers the product of each asset.

    A product's current listing is its provider's newest one still active on some venue (a
    student may relist), else its newest (an exclusive licence that sold leaves it so).
    """
    market, world = live.market, live.world
    products = {p.key: p for p in world.products}
    names = {(market.participant_id(p.provider), product_name(p)): p.key for p in world.products}
    assets = await every(
        lambda offset: assets_service.list_assets(
            admin, status=None, holder_id=None, text=None, limit=PAGE, offset=offset
        )
    )
    for asset in sorted(assets, key=lambda a: (a.created_at, a.id)):
        key = names.get((asset.holder_id, asset.name))
        if key is not None:
            market.assets.setdefault(key, asset.id)
    product_of_asset = {asset_id: key for key, asset_id in market.assets.items()}
    views = await every(
        lambda offset: listings_service.list_listings(
            admin,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=None,
            text=None,
            include_inactive=True,
            limit=PAGE,
            offset=offset,
        )
    )

    def rank(view: listings_service.ListingView) -> tuple[bool, datetime, str]:
        active = any(v.status == VenueStatus.ACTIVE for v in view.venues)
        return active, view.listing.created_at, view.listing.id

    current: dict[str, listings_service.ListingView] = {}
    for view in views:
        key = product_of_asset.get(view.listing.asset_id)
        if key is None or not view.tiers:
            continue
        market.product_of_listing[view.listing.id] = key
        seen = current.get(key)
        if seen is None or rank(view) > rank(seen):
            current[key] = view
    for key, view in current.items():
        tier = view.tiers[0]
        venues = tuple(v.exchange_id for v in view.venues if v.status == VenueStatus.ACTIVE)
        market.offerings[key] = Offering(view.listing.id, tier.id, tier.price_fen, venues)
        products[key].price_fen = tier.price_fen
    return product_of_asset


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundWindow:
    """When a round ran, in the class market's time."""

    round: int
    started_at: datetime
    ended_at: datetime | None


def round_at(windows: Sequence[RoundWindow], when: datetime) -> int:
    """The round a moment of class time falls in (0 before the first, last if after)."""
    current = 0
    for window in windows:
        if when >= window.started_at:
            current = window.round
    return current


@dataclass(frozen=True, slots=True)
class SeatInfo:
    """A seat as the results show it."""

    agent_key: str
    participant_id: str
    name: str
    human: bool


async def class_record(
    scenario: Scenario,
    runtime: Runtime,
    *,
    label: str,
    seats: Sequence[SeatInfo],
    windows: Sequence[RoundWindow],
    rounds_played: int,
) -> RunRecord:
    """The same record an offline run produces, from a class's market database."""
    world = build_world(scenario)
    key_of = {s.participant_id: s.agent_key for s in seats}
    products = {p.key: p for p in world.products}
    record = RunRecord(
        scenario=scenario.name,
        label=label,
        seed=scenario.seed,
        rounds=max(1, rounds_played),
        exchanges=sorted(scenario.exchanges),
        title=scenario.title,
        note=scenario.note,
    )
    strategies = {p.key: p.pricing for p in world.providers}
    strategies.update({b.key: b.params.strategy for b in world.buyers})
    jurisdictions = {b.key: b.jurisdiction for b in world.buyers}
    for seat in seats:
        role = role_of(seat.agent_key)
        if role in STAFF_ROLES and role != REGULATOR:
            continue
        record.agents.append(
            AgentRecord(
                seat.agent_key,
                role,
                seat.name,
                seat.participant_id,
                jurisdictions.get(seat.agent_key, "CN"),
                "student" if seat.human else strategies.get(seat.agent_key, ""),
                seat.human,
            )
        )
    needs: dict[tuple[str, int], strategy.Need] = {}
    for r in range(1, rounds_played + 1):
        for buyer in world.buyers:
            need = need_of(scenario, buyer, r)
            if need is None:
                continue
            needs[(buyer.key, r)] = need
            values = values_of(scenario, need)
            best = welfare.best_single(
                [values[p.grade] - p.unit_cost_fen for p in world.products if p.form == need.form]
            )
            record.needs.append(NeedRecord(r, buyer.key, need.form, values["general"], best))

    async with runtime.sessionmaker() as session:
        admin_id = next((s.participant_id for s in seats if s.agent_key == "admin"), None)
        assert admin_id is not None, "every class market has its admin"
        ctx = Context(session, runtime, Principal(admin_id, "admin", Role.ADMIN, "CN"))
        assets = await every(
            lambda offset: assets_service.list_assets(
                ctx, status=None, holder_id=None, text=None, limit=PAGE, offset=offset
            )
        )
        asset_names = {asset.id: asset.name for asset in assets}
        trades = await every(
            lambda offset: orders_service.list_all_trades(ctx, limit=PAGE, offset=offset)
        )
        for trade in trades:
            key = product_key_of(asset_names[trade.asset_id])
            product = products.get(key)
            r = round_at(windows, trade.settled_at)
            buyer_key = key_of.get(trade.buyer_id, trade.buyer_id)
            need = needs.get((buyer_key, r))
            value = 0
            if need is not None and need.form == trade.product_form:
                value = values_of(scenario, need)[trade.grade]
            record.trades.append(
                TradeRecord(
                    round=r,
                    trade_id=trade.id,
                    exchange_id=trade.exchange_id,
                    mode=str(trade.mode),
                    product=key,
                    form=trade.product_form,
                    grade=trade.grade,
                    cross_border=trade.cross_border,
                    buyer=buyer_key,
                    seller=key_of.get(trade.seller_id, trade.seller_id),
                    broker=key_of.get(trade.broker_id, trade.broker_id)
                    if trade.broker_id
                    else None,
                    price_fen=trade.price_fen,
                    buyer_fee_fen=trade.buyer_fee_fen,
                    seller_fee_fen=trade.seller_fee_fen,
                    commission_fen=trade.commission_fen,
                    value_fen=value,
                    unit_cost_fen=product.unit_cost_fen if product is not None else 0,
                )
            )
        orders = await every(
            lambda offset: orders_service.list_all_orders(ctx, limit=PAGE, offset=offset)
        )
        for placed in orders:
            order = placed.order
            record.orders.append(
                OrderRecord(
                    round_at(windows, order.created_at),
                    key_of.get(order.buyer_id, order.buyer_id),
                    order.exchange_id,
                    str(order.mode),
                    order.price_fen,
                    str(order.status),
                    order.reason[:80],
                    key_of.get(order.broker_id, order.broker_id) if order.broker_id else None,
                )
            )
        cases = await every(
            lambda offset: customs_service.list_customs_cases(
                ctx, status=None, jurisdiction=None, exchange_id=None, limit=PAGE, offset=offset
            )
        )
        for case in cases:
            record.customs.append(
                CustomsRecord(
                    round_at(windows, case.created_at),
                    case.exchange_id,
                    key_of.get(case.buyer_id, case.buyer_id),
                    case.grade,
                    case.personal_information,
                    case.legal_basis,
                    str(case.decision) if case.decision is not None else "pending",
                )
            )
    record.trades.sort(key=lambda t: (t.round, t.trade_id))
    record.orders.sort(key=lambda o: (o.round, o.buyer, o.exchange_id, o.price_fen))
    record.customs.sort(key=lambda c: (c.round, c.buyer, c.exchange_id))
    return record


def seat_name(agent_key: str) -> str:
    """A display name for a bot's seat."""
    role = role_of(agent_key)
    index = agent_key.rsplit("-", 1)[-1]
    if role in (PROVIDER, BROKER, REGULATOR, "buyer", "cross_border_buyer") and index.isdigit():
        return agent_name(role, int(index))
    return agent_key


def closes_at_for(start: datetime, scenario: Scenario) -> datetime:
    """A round's deadline in class time (auctions close then)."""
    return start + timedelta(hours=scenario.round_hours) - timedelta(minutes=1)
