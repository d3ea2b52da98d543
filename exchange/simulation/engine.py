"""The simulation loop: each round, agents decide (pure functions) and the market plays it.

Order is fixed everywhere: agents in key order, buyers in an order shuffled by the engine's
own stream, products provider by provider. Nothing reads the wall clock or the global random
state, so a scenario and a seed always produce the same plans — and, on `ServiceMarket`, the
same audit log, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from exchange.simulation import agents as strategy
from exchange.simulation import welfare
from exchange.simulation.loader import Variant
from exchange.simulation.manipulation import manipulator_actions
from exchange.simulation.market import (
    Action,
    AuctionOpening,
    Bid,
    Market,
    Negotiation,
    Purchase,
    RoundPlan,
    RulebookView,
)
from exchange.simulation.results import AgentRecord, NeedRecord, RunRecord
from exchange.simulation.rng import stream
from exchange.simulation.world import (
    BROKER,
    PROVIDER,
    REGULATOR,
    RING_BIDDER,
    WASH_TRADER,
    Buyer,
    Product,
    World,
    agent_name,
    build_world,
)

Progress = Callable[[int, int], None]


@dataclass
class RunStats:
    """Counts the benchmark reports."""

    agent_steps: int = 0
    trades: int = 0
    actions: int = 0


def auctions_used(world: World) -> bool:
    """Whether any buyer group (or a bidding ring) may bid, so providers open auctions."""
    return bool(world.ring_bidders) or any(
        params.count > 0 and params.modes.get("auction", 0) > 0
        for _, params in world.scenario.buyer_groups()
    )


def plan_round(
    world: World,
    rulebooks: dict[str, RulebookView],
    round_no: int,
    schedule: list[Buyer],
    needs_out: list[NeedRecord],
    best_by_round: dict[int, int],
) -> RoundPlan:
    """Every agent's decisions for one round (pure apart from the agents' own streams)."""
    scenario = world.scenario
    setup = scenario.products
    plan = RoundPlan(round_no)

    # Providers price for this round from what they sold in the last one.
    for provider in world.providers:
        for product in provider.products:
            if round_no > 1:
                price = strategy.next_price(
                    provider.pricing,
                    price_fen=product.price_fen,
                    unit_cost_fen=product.unit_cost_fen,
                    sold=product.sold,
                    step_bp=provider.step_bp,
                )
                if price != product.price_fen:
                    plan.reprices.append((product, price))
            product.sold = 0
    new_prices = {p.key: price for p, price in plan.reprices}

    def price_of(product: Product) -> int:
        return new_prices.get(product.key, product.price_fen)

    by_form: dict[str, list[Product]] = defaultdict(list)
    for product in world.products:
        by_form[product.form].append(product)
    keys_by_form = {form: [p.key for p in items] for form, items in by_form.items()}
    by_key = {p.key: p for p in world.products}
    # The cheapest unit cost of each form and grade on offer: a need's best gains are the
    # best of its value less that cost, over the grades (non-rival products).
    cheapest: dict[tuple[str, str, str], int] = {}
    for product in world.products:
        slot = (product.form, product.grade, product.restriction)
        cheapest[slot] = min(cheapest.get(slot, product.unit_cost_fen), product.unit_cost_fen)

    auction_on: dict[str, str] = {}
    if auctions_used(world):
        for product in world.products:
            venues = [ex for ex in product.exchanges if "auction" in rulebooks[ex].trade_modes]
            if not venues:
                continue
            exchange_id = venues[(round_no - 1) % len(venues)]
            auction_on[product.key] = exchange_id
            plan.auctions.append(
                AuctionOpening(
                    product,
                    exchange_id,
                    strategy.reserve_price(price_of(product), scenario.auction.reserve_bp),
                    scenario.auction.rule,
                )
            )

    round_needs: list[tuple[Buyer, strategy.Need]] = []
    for buyer in schedule:
        params = buyer.params
        need = strategy.draw_need(
            buyer.rng,
            demand_bp=params.demand_bp,
            forms=setup.forms,
            spread_bp=setup.value_spread_bp,
        )
        if need is None:
            continue
        round_needs.append((buyer, need))
        candidates = by_form.get(need.form, [])
        values_by_grade = {
            grade: strategy.value_of(
                need,
                grade=grade,
                base_values=setup.value_fen,
                important_value_bp=setup.important_value_bp,
            )
            for grade in ("general", "important")
        }
        if not setup.exclusive:
            best = welfare.best_single(
                [
                    value_to(world, buyer, values_by_grade[grade], restriction) - cost
                    for (form, grade, restriction), cost in cheapest.items()
                    if form == need.form
                ]
            )
            needs_out.append(
                NeedRecord(round_no, buyer.key, need.form, values_by_grade["general"], best)
            )
        else:
            needs_out.append(
                NeedRecord(round_no, buyer.key, need.form, values_by_grade["general"], 0)
            )
        if not candidates:
            continue
        chosen = strategy.sample(buyer.rng, keys_by_form[need.form], params.search)
        mode = strategy.weighted_choice(buyer.rng, params.modes)
        shops_around = buyer.rng.randrange(strategy.BASIS) < params.shop_around_bp
        willingness = strategy.willingness_bp(
            params.strategy, aspiration_bp=buyer.aspiration_bp, rng=buyer.rng
        )
        action = _decide(
            world,
            rulebooks,
            buyer,
            mode,
            willingness,
            chosen,
            by_key,
            values_by_grade,
            price_of,
            auction_on,
            shops_around,
        )
        if action is not None:
            plan.actions.append(action)
    plan.actions.extend(manipulator_actions(world, rulebooks, round_no, price_of, auction_on))

    if setup.exclusive:
        offered = [p for p in world.products if not auction_on or p.key in auction_on]
        matrix = []
        for buyer, need in round_needs:
            row = []
            for product in offered:
                if product.form != need.form:
                    row.append(0)
                    continue
                value = strategy.value_of(
                    need,
                    grade=product.grade,
                    base_values=setup.value_fen,
                    important_value_bp=setup.important_value_bp,
                )
                value = value_to(world, buyer, value, product.restriction)
                row.append(value - product.unit_cost_fen)
            matrix.append(row)
        best_by_round[round_no] = welfare.best_assignment(matrix)
    return plan


def value_to(world: World, buyer: Buyer, value_fen: int, restriction: str) -> int:
    """A buyer's value of a licence under the product's usage policy (an open one: all of it)."""
    if restriction == "open":
        return value_fen
    setup = world.scenario.products
    return strategy.restricted_value(
        value_fen,
        restriction=restriction,
        purpose=buyer.purpose,
        jurisdiction=buyer.jurisdiction,
        limited_value_bp=setup.limited_value_bp,
        compute_value_bp=setup.compute_value_bp,
        limited_purposes=setup.limited_purposes,
        compute_purposes=setup.compute_purposes,
    )


def _decide(
    world: World,
    rulebooks: dict[str, RulebookView],
    buyer: Buyer,
    mode: str,
    willingness: int,
    chosen_keys: list[str],
    by_key: dict[str, Product],
    values_by_grade: dict[str, int],
    price_of: Callable[[Product], int],
    auction_on: dict[str, str],
    shops_around: bool,
) -> Action | None:
    """One buyer's action this round, among the listings it looked at."""
    params = buyer.params
    quotes = []
    for key in chosen_keys:
        product = by_key[key]
        venues = (
            [auction_on[key]]
            if mode == "auction" and key in auction_on
            else ([] if mode == "auction" else list(product.exchanges))
        )
        if not shops_around and buyer.home in venues:
            venues = [buyer.home]
        for exchange_id in venues:
            rulebook = rulebooks[exchange_id]
            if mode not in rulebook.trade_modes:
                continue
            quotes.append(
                strategy.Quote(
                    key=key,
                    exchange_id=exchange_id,
                    form=product.form,
                    grade=product.grade,
                    price_fen=price_of(product),
                    buyer_fee_bp=rulebook.buyer_fee_bp,
                    personal_information=product.personal_information,
                    exclusive=world.scenario.products.exclusive,
                )
            )
    # Equal offers on both exchanges are split by the buyer's own draw, not by list order.
    buyer.rng.shuffle(quotes)
    values = {
        key: value_to(world, buyer, values_by_grade[by_key[key].grade], by_key[key].restriction)
        for key in chosen_keys
    }
    if mode == "auction":
        # Sealed bids reveal nothing of the price to come: bid in one auction worth entering.
        worth = [
            q
            for q in quotes
            if strategy.max_price_within(values[q.key], q.buyer_fee_bp)
            >= strategy.reserve_price(q.price_fen, world.scenario.auction.reserve_bp)
        ]
        quote = buyer.rng.choice(worth) if worth else None
    else:
        quote = strategy.choose_quote(quotes, values=values, willingness=willingness)
        if quote is None and mode == "negotiated" and quotes:
            # A negotiator may still talk a price down below the posted one.
            quote = max(quotes, key=lambda q: (values[q.key] - q.total_fen, q.key))
    if quote is None:
        return None
    product = by_key[quote.key]
    exchange_id, broker = _route(world, rulebooks, buyer, quote, quotes)
    rulebook = rulebooks[exchange_id]
    value = values[quote.key]
    limit_total = strategy.limit_of(value, willingness)
    if mode == "posted":
        fallbacks: list[Purchase] = []
        if world.scenario.products.exclusive:
            # If the licence is gone when its turn comes, the buyer walks to the next best.
            ranked = sorted(
                (
                    q
                    for q in quotes
                    if q.key != quote.key
                    and q.total_fen <= strategy.limit_of(values[q.key], willingness)
                ),
                key=lambda q: (q.total_fen - values[q.key], q.key, q.exchange_id),
            )
            seen = {quote.key}
            for alt in ranked:
                if alt.key in seen:
                    continue
                seen.add(alt.key)
                alt_exchange, alt_broker = _route(world, rulebooks, buyer, alt, quotes)
                fallbacks.append(
                    Purchase(
                        buyer.key,
                        by_key[alt.key],
                        alt_exchange,
                        alt.price_fen,
                        values[alt.key],
                        alt_broker,
                    )
                )
        return Purchase(
            buyer.key, product, exchange_id, price_of(product), value, broker, tuple(fallbacks)
        )
    if mode == "negotiated":
        limit = strategy.max_price_within(limit_total, rulebook.buyer_fee_bp)
        if limit <= 0:
            return None
        ask = price_of(product)
        offer = strategy.opening_offer(params.strategy, limit_fen=limit, ask_fen=ask, rng=buyer.rng)
        return Negotiation(
            buyer.key,
            product,
            exchange_id,
            max(offer, rulebook.min_price_fen),
            limit,
            ask,
            max(1, product.unit_cost_fen),
            value,
            broker,
        )
    reserve = max(
        rulebook.min_price_fen,
        strategy.reserve_price(price_of(product), world.scenario.auction.reserve_bp),
    )
    amount = strategy.bid_amount(
        params.strategy,
        value_fen=value,
        reserve_fen=reserve,
        fee_bp=rulebook.buyer_fee_bp,
        rule=world.scenario.auction.rule,
        aspiration_bp=buyer.aspiration_bp,
        rng=buyer.rng,
    )
    if amount is None:
        return None
    return Bid(buyer.key, product, exchange_id, amount, value, broker)


def _route(
    world: World,
    rulebooks: dict[str, RulebookView],
    buyer: Buyer,
    quote: strategy.Quote,
    quotes: list[strategy.Quote],
) -> tuple[str, str | None]:
    """Where the order goes and who places it: the buyer, or its broker when it uses one."""
    rulebook = rulebooks[quote.exchange_id]
    params = buyer.params
    if buyer.broker is None or not strategy.needs_broker(
        params.use_broker, required=params.role in rulebook.broker_required_for
    ):
        return quote.exchange_id, None
    broker = world.broker(buyer.broker)
    routed = strategy.broker_route(
        [q for q in quotes if q.key == quote.key], served=broker.exchanges
    )
    if routed is None:
        return quote.exchange_id, None
    return routed.exchange_id, broker.key


def agent_records(world: World, market: Market) -> list[AgentRecord]:
    """Every agent of the run as the results list them."""
    records = [
        AgentRecord(
            p.key,
            PROVIDER,
            agent_name(PROVIDER, p.index),
            market.participant_id(p.key),
            "CN",
            p.pricing,
        )
        for p in world.providers
    ]
    records += [
        AgentRecord(
            b.key,
            b.group,
            agent_name(b.group, b.index),
            market.participant_id(b.key),
            b.jurisdiction,
            b.params.strategy,
        )
        for b in world.buyers
    ]
    records += [
        AgentRecord(b.key, BROKER, agent_name(BROKER, b.index), market.participant_id(b.key))
        for b in world.brokers
    ]
    records += [
        AgentRecord(
            r.key,
            REGULATOR,
            agent_name(REGULATOR, r.index),
            market.participant_id(r.key),
            "CN",
            r.policy,
        )
        for r in world.regulators
    ]
    records += [
        AgentRecord(
            t.key,
            WASH_TRADER,
            agent_name(WASH_TRADER, t.index),
            market.participant_id(t.key),
            "CN",
            f"pair {t.pair}",
        )
        for t in world.wash_traders
    ]
    records += [
        AgentRecord(
            b.key,
            RING_BIDDER,
            agent_name(RING_BIDDER, b.index),
            market.participant_id(b.key),
            "CN",
            f"ring {b.ring}",
        )
        for b in world.ring_bidders
    ]
    return records


async def run(
    variant: Variant, market: Market, *, progress: Progress | None = None
) -> tuple[RunRecord, RunStats]:
    """Run a scenario variant against a market; return the record and the counts."""
    scenario = variant.scenario
    world = build_world(scenario)
    rulebooks = await market.open(world)
    record = RunRecord(
        scenario=scenario.name,
        label=variant.label,
        seed=scenario.seed,
        rounds=scenario.rounds,
        exchanges=sorted(rulebooks),
        title=scenario.title,
        note=scenario.note,
    )
    record.agents = agent_records(world, market)
    stats = RunStats()
    schedule_rng = stream(scenario.seed, "schedule", 0)
    buyers_by_key = {b.key: b for b in world.buyers}
    products = {p.key: p for p in world.products}
    for round_no in range(1, scenario.rounds + 1):
        schedule = list(world.buyers)
        schedule_rng.shuffle(schedule)
        first_need = len(record.needs)
        plan = plan_round(
            world, rulebooks, round_no, schedule, record.needs, record.best_gains_by_round
        )
        outcome = await market.play_round(plan, world)
        record.trades.extend(outcome.trades)
        record.orders.extend(outcome.orders)
        record.customs.extend(outcome.customs)
        for trade in outcome.trades:
            if trade.product in products:
                products[trade.product].sold += 1
        traded = {t.buyer for t in outcome.trades}
        needy = {n.buyer for n in record.needs[first_need:]}
        for key in sorted(needy):
            buyer = buyers_by_key[key]
            if buyer.params.strategy == "adaptive":
                buyer.aspiration_bp = strategy.next_aspiration(
                    buyer.aspiration_bp, traded=key in traded, step_bp=buyer.params.step_bp
                )
        stats.agent_steps += world.agent_count()
        stats.trades += len(outcome.trades)
        stats.actions += len(plan.actions)
        if progress is not None:
            progress(round_no, scenario.rounds)
    if scenario.agents.manipulators.scans:
        # The market-regulation agency scans the whole run (交易监测).
        record.alerts = await market.surveil(world)
        record.surveilled = True
    if scenario.operation.public_bp:
        record.operation = await market.operation_report(world)
    if scenario.consent.subjects:
        record.consent = await market.consent_report(world)
    record.audit_root, record.audit_size = await market.finish()
    return record, stats
