"""Pure: what the manipulative agents (操纵市场的代理) do each round.

A wash-trading pair (对敲) buys each other's product at its (inflated) posted price every
`wash_every` rounds, so turnover grows while the money goes round in a circle. A colluding
ring (串通竞价) bids in the auction of one product each round: every member places the same
cover bid at the reserve and one member, in turn, bids a markup above it — identical bids and
rotating winners, the two patterns surveillance looks for.
"""

from __future__ import annotations

from collections.abc import Callable

from exchange.simulation import agents as strategy
from exchange.simulation.market import Action, Bid, Purchase, RulebookView
from exchange.simulation.world import Product, World


def manipulator_actions(
    world: World,
    rulebooks: dict[str, RulebookView],
    round_no: int,
    price_of: Callable[[Product], int],
    auction_on: dict[str, str],
) -> list[Action]:
    """The manipulators' actions this round, pairs first, then rings, in key order."""
    rigged = world.scenario.agents.manipulators
    actions: list[Action] = []
    if world.wash_traders and (round_no - 1) % rigged.wash_every == 0:
        by_key = {t.key: t for t in world.wash_traders}
        for trader in world.wash_traders:
            product = by_key[trader.partner].product
            actions.append(
                Purchase(
                    trader.key,
                    product,
                    product.exchanges[0],
                    product.price_fen,
                    product.price_fen,
                    None,
                )
            )
    products = world.products
    for ring in range(1, rigged.rings + 1):
        members = [b for b in world.ring_bidders if b.ring == ring]
        target = products[(ring - 1) % len(products)] if products else None
        exchange_id = auction_on.get(target.key) if target is not None else None
        if target is None or exchange_id is None or not members:
            continue
        book = rulebooks[exchange_id]
        reserve = max(
            book.min_price_fen,
            strategy.reserve_price(price_of(target), world.scenario.auction.reserve_bp),
        )
        winner = members[(round_no - 1) % len(members)]
        for member in members:
            amount = reserve
            if member is winner:
                amount = reserve + max(1, reserve * rigged.ring_markup_bp // strategy.BASIS)
            amount = min(amount, book.max_price_fen)
            actions.append(Bid(member.key, target, exchange_id, amount, amount, None))
    return actions
