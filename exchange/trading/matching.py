"""Sealed-bid auction resolution (密封竞价撮合) as a pure function.

Ranking: highest amount first; ties go to the earliest bid, then to the smaller bidder id,
so that the same bids always give the same winner whatever order they are read in.
Price: first-price pays the winning bid; second-price pays the best losing bid, or the
reserve if there is none (never less than the reserve, never more than the winning bid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from exchange.vocabulary import AuctionRule


@dataclass(frozen=True, slots=True)
class SealedBid:
    """A bid as the auction sees it at the close."""

    bid_id: str
    bidder_id: str
    amount_fen: int
    placed_at: datetime


@dataclass(frozen=True, slots=True)
class AuctionOutcome:
    """The winner (None without bids), the price it pays, and every bid in rank order."""

    winner: SealedBid | None
    price_fen: int | None
    ranking: tuple[SealedBid, ...]


def rank(bids: Sequence[SealedBid]) -> list[SealedBid]:
    """Bids best first: amount descending, then earliest, then bidder id."""
    return sorted(bids, key=lambda b: (-b.amount_fen, b.placed_at, b.bidder_id, b.bid_id))


def resolve(bids: Sequence[SealedBid], *, rule: AuctionRule, reserve_fen: int) -> AuctionOutcome:
    """Pick the winner and its price under the rule; bids below the reserve never count."""
    ranking = rank([b for b in bids if b.amount_fen >= reserve_fen])
    if not ranking:
        return AuctionOutcome(None, None, ())
    winner = ranking[0]
    if rule is AuctionRule.FIRST_PRICE:
        price = winner.amount_fen
    else:
        price = ranking[1].amount_fen if len(ranking) > 1 else reserve_fen
    return AuctionOutcome(winner, price, tuple(ranking))
