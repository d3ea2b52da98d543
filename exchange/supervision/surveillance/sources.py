"""What surveillance reads, through the owning domains' services: trades, direct transfers,
closed auctions and their bids, dropped negotiations, mandates, overdue sharing requests and
pending customs cases — each as the plain facts `detectors` takes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from exchange.catalog.sharing import service as sharing_service
from exchange.clock import working_days_between
from exchange.context import Context
from exchange.participants import service as participants_service
from exchange.supervision.surveillance.detectors import (
    AuctionFact,
    BidFact,
    DroppedNegotiation,
    MandateFact,
    OverdueShare,
    PendingCustoms,
    TradeFact,
    TransferFact,
)
from exchange.trading.auctions import service as auctions_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.customs import service as customs_service
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter
from exchange.vocabulary import AuctionStatus, CustomsStatus, NegotiationState

PAGE = 500
T = TypeVar("T")


async def _pages(fetch: Callable[[int], Awaitable[tuple[Sequence[T], int]]]) -> AsyncIterator[T]:
    offset = 0
    while True:
        rows, total = await fetch(offset)
        for row in rows:
            yield row
        offset += len(rows)
        if not rows or offset >= total:
            return


async def trades(ctx: Context, *, since: datetime, until: datetime) -> list[TradeFact]:
    """Trades settled in [since, until)."""

    async def fetch(offset: int) -> tuple[Sequence[Any], int]:
        return await orders_service.list_trades(
            ctx, TradeFilter(since=since, until=until), limit=PAGE, offset=offset
        )

    return [
        TradeFact(
            t.id,
            t.buyer_id,
            t.seller_id,
            t.broker_id,
            t.mandate_id,
            t.listing_id,
            t.product_form,
            t.grade,
            t.price_fen,
            t.settled_at,
        )
        async for t in _pages(fetch)
    ]


async def transfers(ctx: Context, *, since: datetime, until: datetime) -> list[TransferFact]:
    """Direct transfers between participants in [since, until)."""
    return [
        TransferFact(t.journal_id, t.payer_id, t.payee_id, t.amount_fen)
        for t in await participants_service.transfers(ctx, since=since, until=until)
    ]


async def auctions(ctx: Context, *, since: datetime, until: datetime) -> list[AuctionFact]:
    """Auctions closed in [since, until), with every bid (sealed no more)."""

    async def fetch(offset: int) -> tuple[Sequence[Any], int]:
        rows, _, total = await auctions_service.list_page(
            ctx,
            exchange_id=None,
            listing_id=None,
            status=AuctionStatus.CLOSED,
            limit=PAGE,
            offset=offset,
        )
        return rows, total

    found = []
    async for auction in _pages(fetch):
        if auction.closed_at is None or not since <= auction.closed_at < until:
            continue
        view = await auctions_service.view(ctx, auction.id)
        winner = next((b.bidder_id for b in view.bids if b.id == auction.winning_bid_id), None)
        found.append(
            AuctionFact(
                auction.id,
                winner if auction.order_id is not None else None,
                tuple(BidFact(b.id, b.bidder_id, b.amount_fen) for b in view.bids),
            )
        )
    return found


async def dropped_negotiations(
    ctx: Context, *, since: datetime, until: datetime
) -> list[DroppedNegotiation]:
    """Negotiations the opening side terminated in [since, until)."""

    async def fetch(offset: int) -> tuple[Sequence[Any], int]:
        return await negotiations_service.list_page(
            ctx, state=NegotiationState.TERMINATED, limit=PAGE, offset=offset
        )

    return [
        DroppedNegotiation(n.id, n.terminated_by)
        async for n in _pages(fetch)
        if since <= n.updated_at < until
        and n.terminated_by is not None
        and n.terminated_by == (n.broker_id or n.consumer_id)
    ]


async def mandates(ctx: Context) -> list[MandateFact]:
    """Every mandate with its committed spending."""

    async def fetch(offset: int) -> tuple[Sequence[Any], int]:
        return await brokerage_service.list_mandates(
            ctx, client_id=None, broker_id=None, status=None, limit=PAGE, offset=offset
        )

    return [
        MandateFact(m.id, m.broker_id, m.client_id, m.spending_limit_fen, m.spent_fen)
        async for m in _pages(fetch)
    ]


async def overdue_shares(ctx: Context) -> list[OverdueShare]:
    """Sharing requests unanswered past their target, now."""
    found: list[OverdueShare] = []
    offset = 0
    while True:
        page = await sharing_service.list_shares(
            ctx,
            department_id=None,
            direction="incoming",
            status=None,
            overdue=True,
            limit=PAGE,
            offset=offset,
        )
        found += [OverdueShare(s.id, s.owner_department.id) for s in page.items]
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return found


async def pending_customs(ctx: Context) -> list[PendingCustoms]:
    """Customs cases still pending, with their age in working days."""

    async def fetch(offset: int) -> tuple[Sequence[Any], int]:
        return await customs_service.list_customs_cases(
            ctx,
            status=CustomsStatus.PENDING,
            jurisdiction=None,
            exchange_id=None,
            limit=PAGE,
            offset=offset,
        )

    today = ctx.clock.now().date()
    return [
        PendingCustoms(c.id, c.buyer_id, working_days_between(c.created_at.date(), today))
        async for c in _pages(fetch)
    ]
