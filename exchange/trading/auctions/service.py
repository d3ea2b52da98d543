"""Sealed-bid auctions (竞价交易) of exclusive licences.

The holder opens an auction of an exclusive tier on one exchange; the tier is reserved for
it, and the exchange's rulebook is fixed at that version for the auction's life. Bidders
(or their brokers under a mandate with the action "bid") place one sealed bid each until
the deadline, by the clock. Each bid's amount plus the buyer fee is held in the exchange's
escrow account (保证金) when it is placed, so the winner can always pay and nobody can bid
money it does not have; the close refunds the losers and settles the winner from escrow
(returning the difference under the second-price rule). Anyone but a regulator may close an
auction once its deadline has passed; the result depends only on the bids (`matching`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from exchange.clock import rfc3339
from exchange.context import Context
from exchange.errors import ExchangeError, Forbidden, InvalidInput
from exchange.kit.measures import refuse_restricted
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.trading import matching, rules
from exchange.trading.auctions import repository
from exchange.trading.auctions.errors import (
    AlreadyBid,
    AuctionClosed,
    AuctionNeedsExclusiveTier,
    AuctionNotFound,
    AuctionNotOver,
    BidBelowReserve,
)
from exchange.trading.auctions.models import Auction, Bid, BidStatus
from exchange.trading.brokerage import repository as brokerage_repository
from exchange.trading.brokerage.errors import MandateLimitExceeded
from exchange.trading.customs.errors import LegalBasisRequired
from exchange.trading.listings import repository as listings_repository
from exchange.trading.listings.errors import EXCLUSIVE_RULE, LicenceUnavailable
from exchange.trading.listings.repository import Offer
from exchange.trading.listings.service import get_offer
from exchange.trading.orders.buyers import Buyer, resolve_buyer
from exchange.trading.orders.settlement import (
    Placed,
    account_of,
    check_exclusivity,
    check_not_own,
    check_price,
    check_tradable,
    open_order,
)
from exchange.trading.policies.service import check_buyer_territory
from exchange.trading.venues import repository as venues_repository
from exchange.trading.venues.service import actor_of, operator_exchange, oversees
from exchange.vocabulary import (
    AuctionRule,
    AuctionStatus,
    MandateAction,
    Restricted,
    Role,
    TradeMode,
)


@dataclass(frozen=True, slots=True)
class AuctionView:
    """An auction, the bids the caller may see, and (once closed) the order it led to."""

    auction: Auction
    bid_count: int
    bids: list[Bid]
    placed: Placed | None = None


def _claim(auction_id: str) -> str:
    return f"auction:{auction_id}"


async def _pinned_offer(ctx: Context, auction: Auction) -> Offer:
    """The auctioned tier under the rulebook version the auction opened with."""
    offer = await get_offer(
        ctx, listing_id=auction.listing_id, tier_id=auction.tier_id, exchange_id=auction.exchange_id
    )
    book = await venues_repository.get_rulebook(
        ctx.session, auction.exchange_id, auction.rulebook_version
    )
    assert book is not None
    return replace(offer, rulebook=book)


async def _get(ctx: Context, auction_id: str) -> Auction:
    auction = await repository.get_auction(ctx.session, auction_id)
    if auction is None:
        raise AuctionNotFound(f"No auction {auction_id!r}.")
    return auction


async def _sees_all_bids(ctx: Context, auction: Auction) -> bool:
    actor = actor_of(ctx)
    if auction.status != AuctionStatus.CLOSED:
        return False
    return (
        oversees(actor)
        or actor.id == auction.seller_id
        or await operator_exchange(ctx) == auction.exchange_id
    )


async def view(ctx: Context, auction_id: str) -> AuctionView:
    """An auction: bids stay sealed (a bidder sees its own) until the close."""
    actor = actor_of(ctx)
    auction = await _get(ctx, auction_id)
    bids = await repository.list_bids(ctx.session, auction.id)
    shown = (
        list(bids)
        if await _sees_all_bids(ctx, auction)
        else [b for b in bids if actor.id in (b.bidder_id, b.placed_by)]
    )
    return AuctionView(auction, len(bids), shown)


async def list_page(
    ctx: Context,
    *,
    exchange_id: str | None,
    listing_id: str | None,
    status: AuctionStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Auction], dict[str, int], int]:
    """Auctions (public: what is on offer and until when), with their bid counts."""
    actor_of(ctx)
    rows, total = await repository.list_auctions(
        ctx.session,
        exchange_id=exchange_id,
        listing_id=listing_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    counts = await repository.count_bids(ctx.session, [a.id for a in rows])
    return rows, counts, total


async def open_auction(
    ctx: Context,
    *,
    listing_id: str,
    tier_id: str,
    exchange_id: str,
    rule: AuctionRule,
    reserve_fen: int,
    closes_at: datetime,
) -> AuctionView:
    """The holder auctions an exclusive tier on one exchange until `closes_at`."""
    actor = actor_of(ctx)
    offer = await get_offer(ctx, listing_id=listing_id, tier_id=tier_id, exchange_id=exchange_id)
    if actor.id != offer.listing.holder_id:
        raise Forbidden("Only the listing's holder auctions its licences.")
    if not offer.tier.exclusive:
        raise AuctionNeedsExclusiveTier(
            f"Tier {tier_id} is not exclusive; non-exclusive licences sell at a posted price."
        )
    now = ctx.clock.now()
    if closes_at <= now:
        raise InvalidInput("An auction's deadline (closes_at) must be in the future.")
    await check_tradable(ctx, offer, mode=TradeMode.AUCTION, price_fen=reserve_fen)
    await check_exclusivity(ctx, asset_id=offer.listing.asset_id, tier=offer.tier)
    auction = Auction(
        id=ctx.ids.new(),
        listing_id=listing_id,
        tier_id=tier_id,
        exchange_id=exchange_id,
        seller_id=actor.id,
        rule=rule,
        reserve_fen=reserve_fen,
        rulebook_version=offer.rulebook.version,
        closes_at=closes_at,
        status=AuctionStatus.OPEN,
        created_at=now,
    )
    if not await listings_repository.claim_tier(
        ctx.session, tier_id, expected=None, claim=_claim(auction.id)
    ):
        raise LicenceUnavailable(
            f"Tier {tier_id} is already sold or reserved ({EXCLUSIVE_RULE}).", rule=EXCLUSIVE_RULE
        )
    ctx.session.add(auction)
    ctx.audit(
        "trading.auction_opened",
        subject_type="auction",
        subject_id=auction.id,
        payload={
            "listing_id": listing_id,
            "tier_id": tier_id,
            "exchange_id": exchange_id,
            "rule": rule,
            "reserve_fen": reserve_fen,
            "rulebook_version": auction.rulebook_version,
            "closes_at": closes_at,
        },
    )
    return AuctionView(auction, 0, [])


async def place_bid(
    ctx: Context,
    *,
    auction_id: str,
    amount_fen: int,
    mandate_id: str | None,
    legal_basis: str | None,
) -> Bid:
    """A sealed bid; its amount plus the buyer fee (and commission) moves into escrow."""
    auction = await _get(ctx, auction_id)
    if auction.status != AuctionStatus.OPEN or ctx.clock.now() >= auction.closes_at:
        raise AuctionClosed(
            f"Auction {auction_id} took bids until {rfc3339(auction.closes_at)}.",
            closes_at=rfc3339(auction.closes_at),
        )
    offer = await _pinned_offer(ctx, auction)
    # A listing, asset or seller a supervision measure stops takes no bids (it could not sell).
    await refuse_restricted(
        ctx,
        (Restricted.LISTING, offer.listing.id),
        (Restricted.ASSET, offer.listing.asset_id),
        (Restricted.PARTICIPANT, offer.listing.holder_id),
    )
    buyer = await resolve_buyer(
        ctx,
        mandate_id=mandate_id,
        action=MandateAction.BID,
        exchange=offer.exchange,
        rulebook=offer.rulebook,
    )
    check_not_own(offer, buyer)
    check_buyer_territory(offer.tier.policy, buyer.jurisdiction)
    if amount_fen < auction.reserve_fen:
        raise BidBelowReserve(
            f"The reserve price is {auction.reserve_fen} fen.", reserve_fen=auction.reserve_fen
        )
    check_price(offer, amount_fen)
    if (
        rules.crosses_border(buyer.jurisdiction)
        and rules.needs_legal_basis(
            grade=offer.listing.grade, personal_information=offer.listing.personal_information
        )
        and legal_basis is None
    ):
        raise LegalBasisRequired(
            "A bidder outside mainland China must declare the legal basis for exporting "
            "important data or personal information."
        )
    bids = await repository.list_bids(ctx.session, auction.id)
    if any(b.bidder_id == buyer.participant_id for b in bids):
        raise AlreadyBid("A sealed-bid auction takes one bid per bidder.")
    # The bid, the buyer fee and (for a broker's bid) the commission its client pays.
    escrow = buyer.split(price_fen=amount_fen, rulebook=offer.rulebook).buyer_pays_fen
    if (
        buyer.mandate is not None
        and await brokerage_repository.spend_mandate(ctx.session, buyer.mandate.id, escrow) is None
    ):
        raise MandateLimitExceeded(
            f"Mandate {buyer.mandate.id} cannot cover a bid needing {escrow} fen.",
            spending_limit_fen=buyer.mandate.spending_limit_fen,
            required_fen=escrow,
        )
    account_id = await account_of(ctx, buyer.participant_id)
    bid = Bid(
        id=ctx.ids.new(),
        auction_id=auction.id,
        bidder_id=buyer.participant_id,
        broker_id=buyer.broker_id,
        mandate_id=buyer.mandate.id if buyer.mandate is not None else None,
        placed_by=buyer.placed_by,
        amount_fen=amount_fen,
        escrow_fen=escrow,
        legal_basis=legal_basis,
        status=BidStatus.SEALED,
        placed_at=ctx.clock.now(),
    )
    await ledger.post(
        ctx,
        kind="bid_escrow",
        memo=f"竞价保证金 escrow of bid {bid.id}",
        legs=[
            ledger.Leg(account_id, -escrow),
            ledger.Leg(offer.exchange.escrow_account_id, escrow),
        ],
    )
    ctx.session.add(bid)
    ctx.audit(
        "trading.bid_placed",
        subject_type="auction",
        subject_id=auction.id,
        payload={
            "bid_id": bid.id,
            "bidder_id": bid.bidder_id,
            "broker_id": bid.broker_id,
            "mandate_id": bid.mandate_id,
            "amount_fen": amount_fen,
            "escrow_fen": escrow,
            "legal_basis": legal_basis,
        },
    )
    return bid


async def close(ctx: Context, *, auction_id: str) -> AuctionView:
    """Close an auction after its deadline: refund losers, settle the winner from escrow."""
    actor = actor_of(ctx)
    if actor.role is Role.REGULATOR:
        raise Forbidden("Regulators read auctions; they do not close them.")
    return await _close(ctx, await _get(ctx, auction_id))


async def due_auctions(ctx: Context, *, limit: int) -> list[str]:
    """Open auctions past their deadline (the due-work runner closes them)."""
    return await repository.due_auction_ids(ctx.session, now=ctx.clock.now(), limit=limit)


async def close_due(ctx: Context, *, auction_id: str) -> AuctionView:
    """Close an auction at its deadline on the market's own account (the due-work runner)."""
    auction = await repository.get_auction(ctx.session, auction_id)
    if auction is None:
        raise AuctionNotFound(f"No auction {auction_id!r}.")
    return await _close(ctx, auction)


async def _close(ctx: Context, auction: Auction) -> AuctionView:
    auction_id = auction.id
    now = ctx.clock.now()
    if auction.status != AuctionStatus.OPEN:
        raise AuctionClosed(f"Auction {auction_id} is already closed.")
    if now < auction.closes_at:
        raise AuctionNotOver(
            f"Auction {auction_id} takes bids until {rfc3339(auction.closes_at)}.",
            closes_at=rfc3339(auction.closes_at),
        )
    if not await repository.close_auction(
        ctx.session, auction.id, values={"status": AuctionStatus.CLOSED, "closed_at": now}
    ):
        raise AuctionClosed(f"Auction {auction_id} was closed meanwhile.")
    bids = list(await repository.list_bids(ctx.session, auction.id))
    outcome = matching.resolve(
        [matching.SealedBid(b.id, b.bidder_id, b.amount_fen, b.placed_at) for b in bids],
        rule=AuctionRule(auction.rule),
        reserve_fen=auction.reserve_fen,
    )
    offer = await _pinned_offer(ctx, auction)
    # The asset's lock before any account's: the winner's settlement takes it in that order.
    await listings_repository.lock_asset(ctx.session, offer.listing.asset_id)
    no_sale = None if outcome.winner is not None else "no bids"
    facts = None
    if outcome.winner is not None:
        assert outcome.price_fen is not None
        try:
            facts = await check_tradable(
                ctx, offer, mode=TradeMode.AUCTION, price_fen=outcome.price_fen
            )
        except ExchangeError as exc:
            # The listing or its certificate stopped trading during the auction: no sale.
            no_sale = exc.detail
    winner = next((b for b in bids if outcome.winner and b.id == outcome.winner.bid_id), None)
    losers = [b for b in bids if no_sale is not None or b is not winner]
    await _refund_bids(ctx, offer, losers)
    placed = None
    if winner is not None and facts is not None and no_sale is None:
        assert outcome.price_fen is not None
        winner.status = BidStatus.WON
        mandate = (
            await brokerage_repository.get_mandate(ctx.session, winner.mandate_id)
            if winner.mandate_id
            else None
        )
        bidder = await participants_service.get(ctx, winner.bidder_id)
        buyer = Buyer(
            winner.bidder_id, bidder.jurisdiction, winner.placed_by, winner.broker_id, mandate
        )
        placed = await open_order(
            ctx,
            offer=offer,
            buyer=buyer,
            facts=facts,
            mode=TradeMode.AUCTION,
            price_fen=outcome.price_fen,
            legal_basis=winner.legal_basis,
            auction_id=auction.id,
            escrowed_fen=winner.escrow_fen,
        )
        auction.winning_bid_id = winner.id
        auction.clearing_price_fen = outcome.price_fen
        auction.order_id = placed.order.id
    else:
        await listings_repository.claim_tier(
            ctx.session, auction.tier_id, expected=_claim(auction.id), claim=None
        )
    auction.status = AuctionStatus.CLOSED
    auction.closed_at = now
    ctx.audit(
        "trading.auction_closed",
        subject_type="auction",
        subject_id=auction.id,
        payload={
            "rule": auction.rule,
            "reserve_fen": auction.reserve_fen,
            "winning_bid_id": auction.winning_bid_id,
            "winner_id": winner.bidder_id if placed is not None and winner else None,
            "clearing_price_fen": auction.clearing_price_fen,
            "order_id": auction.order_id,
            "no_sale_reason": no_sale,
            "ranking": [
                {"bid_id": b.bid_id, "bidder_id": b.bidder_id, "amount_fen": b.amount_fen}
                for b in outcome.ranking
            ],
        },
    )
    return AuctionView(auction, len(bids), bids, placed)


async def _refund_bids(ctx: Context, offer: Offer, bids: Sequence[Bid]) -> None:
    """Return the escrow of losing bids in one journal and free their mandates' limits."""
    if not bids:
        return
    legs = [ledger.Leg(offer.exchange.escrow_account_id, -sum(b.escrow_fen for b in bids))]
    for bid in bids:
        legs.append(ledger.Leg(await account_of(ctx, bid.bidder_id), bid.escrow_fen))
        bid.status = BidStatus.LOST
        if bid.mandate_id is not None:
            await brokerage_repository.release_mandate(ctx.session, bid.mandate_id, bid.escrow_fen)
    await ledger.post(
        ctx,
        kind="bid_refund",
        memo=f"竞价保证金退还 refunds of auction {bids[0].auction_id}",
        legs=legs,
    )
