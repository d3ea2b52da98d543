"""Who a case is about and who is notified of it: a participant itself, a listing's holder,
a trade's buyer, seller and broker, an agreement's consumer, provider and broker."""

from __future__ import annotations

from exchange.context import Context
from exchange.errors import NotFound
from exchange.participants import service as participants_service
from exchange.supervision.cases.errors import SubjectNotFound
from exchange.supervision.rules import SubjectType
from exchange.trading.listings import service as listings_service
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.orders import service as orders_service


async def parties_of(ctx: Context, subject_type: SubjectType, subject_id: str) -> list[str]:
    """The participants a case about this subject notifies (422 if the subject is unknown)."""
    try:
        if subject_type is SubjectType.PARTICIPANT:
            return [(await participants_service.get(ctx, subject_id)).id]
        if subject_type is SubjectType.LISTING:
            return [(await listings_service.get_listing(ctx, subject_id)).listing.holder_id]
        if subject_type is SubjectType.TRADE:
            trade = await orders_service.get_trade(ctx, subject_id)
            found = [trade.buyer_id, trade.seller_id, trade.broker_id]
        else:
            negotiation = await negotiations_service.load(ctx, subject_id)
            found = [negotiation.consumer_id, negotiation.provider_id, negotiation.broker_id]
    except NotFound as exc:
        raise SubjectNotFound(
            f"No {subject_type.value} {subject_id!r} to open a case about: {exc.detail}",
            subject_type=subject_type.value,
        ) from None
    return list(dict.fromkeys(p for p in found if p is not None))
