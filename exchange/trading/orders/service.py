"""Posted-price orders (挂牌交易): buy a tier at its price; read orders and trades as a party,
an exchange's operator or an overseer. Settlement itself is `orders.settlement`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from exchange.context import Context, Principal
from exchange.trading.customs import repository as customs_repository
from exchange.trading.licences import repository as licences_repository
from exchange.trading.listings.service import get_offer
from exchange.trading.orders import repository
from exchange.trading.orders.buyers import resolve_buyer
from exchange.trading.orders.errors import OrderNotFound, TradeNotFound
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.models import Order, Trade
from exchange.trading.orders.settlement import (
    Placed,
    check_available,
    check_not_own,
    check_tradable,
    open_order,
)
from exchange.trading.policies.service import check_buyer_territory
from exchange.trading.venues.service import actor_of, operator_exchange, oversees
from exchange.vocabulary import MandateAction, OrderStatus, TradeMode


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
    check_buyer_territory(offer.tier.policy, buyer.jurisdiction)
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
    licence = (
        await licences_repository.get_licence(ctx.session, trade.licence_id) if trade else None
    )
    case = (await customs_repository.customs_cases_of_orders(ctx.session, [order.id])).get(order.id)
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
    licences = await licences_repository.get_licences(
        ctx.session, [t.licence_id for t in trades.values()]
    )
    cases = await customs_repository.customs_cases_of_orders(ctx.session, [o.id for o in rows])
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


async def list_all_trades(ctx: Context, *, limit: int, offset: int) -> tuple[Sequence[Trade], int]:
    """Every trade the caller may see, unfiltered (for reports, e.g. a live class's results)."""
    return await list_trades(ctx, TradeFilter(), limit=limit, offset=offset)


async def list_all_orders(ctx: Context, *, limit: int, offset: int) -> tuple[list[Placed], int]:
    """Every order the caller may see, unfiltered (for reports, e.g. a live class's results)."""
    return await list_orders(ctx, TradeFilter(), status=None, limit=limit, offset=offset)
