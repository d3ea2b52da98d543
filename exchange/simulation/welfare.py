"""Welfare measures as pure functions: surplus, allocative efficiency and the Gini coefficient.

Fees and broker commissions are transfers: the gains from a trade are the buyer's value less
the provider's unit cost, however the price and fees split them. Allocative efficiency is the
realised gains over the best achievable gains (the most any allocation of the same needs to
the products on offer could have produced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settled:
    """The money side of one trade, with the buyer's value and the provider's unit cost."""

    value_fen: int
    price_fen: int
    buyer_fee_fen: int
    seller_fee_fen: int
    commission_fen: int
    unit_cost_fen: int


def buyer_surplus(trade: Settled) -> int:
    """Value less everything the buyer paid (price, buyer fee, and its broker's commission)."""
    return trade.value_fen - trade.price_fen - trade.buyer_fee_fen - trade.commission_fen


def seller_surplus(trade: Settled) -> int:
    """What the provider kept (price less seller fee) less its unit cost (brokers act for
    buyers, who pay their commission)."""
    return trade.price_fen - trade.seller_fee_fen - trade.unit_cost_fen


def gains(trade: Settled) -> int:
    """The gains from trade: value less unit cost (fees and commissions only move them)."""
    return trade.value_fen - trade.unit_cost_fen


@dataclass(frozen=True, slots=True)
class Welfare:
    """Totals over a set of trades, measured against the best achievable gains."""

    buyer_surplus_fen: int
    seller_surplus_fen: int
    fees_fen: int
    commissions_fen: int
    realised_gains_fen: int
    best_gains_fen: int

    @property
    def efficiency(self) -> float | None:
        """Realised over best achievable gains (None when nothing could have been gained)."""
        return efficiency(self.realised_gains_fen, self.best_gains_fen)


def welfare(trades: Sequence[Settled], *, best_gains_fen: int) -> Welfare:
    """Buyer and seller surplus, transfers, and realised gains of these trades."""
    return Welfare(
        buyer_surplus_fen=sum(buyer_surplus(t) for t in trades),
        seller_surplus_fen=sum(seller_surplus(t) for t in trades),
        fees_fen=sum(t.buyer_fee_fen + t.seller_fee_fen for t in trades),
        commissions_fen=sum(t.commission_fen for t in trades),
        realised_gains_fen=sum(gains(t) for t in trades),
        best_gains_fen=best_gains_fen,
    )


def efficiency(realised_fen: int, best_fen: int) -> float | None:
    """Allocative efficiency, rounded to six places; None if the best achievable is zero."""
    if best_fen <= 0:
        return None
    return round(realised_fen / best_fen, 6)


def gini(payoffs: Sequence[int]) -> float:
    """The Gini coefficient of payoffs (0 = equal, → 1 = one takes all).

    The coefficient is defined on non-negative amounts: losses count as zero payoff.
    """
    values = sorted(max(0, p) for p in payoffs)
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 6)


def best_single(options: Sequence[int]) -> int:
    """The best gains one need can yield from non-rival products: its best option, or 0."""
    return max((o for o in options if o > 0), default=0)


def best_assignment(gains_matrix: Sequence[Sequence[int]]) -> int:
    """The largest total gains assigning needs (rows) to exclusive licences (columns).

    Each need takes at most one licence and each licence goes to at most one need; negative
    gains are never taken. Exact (Hungarian algorithm, O(n³)).
    """
    rows = len(gains_matrix)
    cols = max((len(r) for r in gains_matrix), default=0)
    if rows == 0 or cols == 0:
        return 0
    size = max(rows, cols)
    # Minimise cost = top - gain on a square matrix padded with zero-gain dummies.
    cell = [
        [
            max(0, gains_matrix[i][j]) if i < rows and j < len(gains_matrix[i]) else 0
            for j in range(size)
        ]
        for i in range(size)
    ]
    top = max(max(r) for r in cell)
    cost = [[top - g for g in r] for r in cell]
    assignment = _hungarian(cost)
    return sum(cell[i][j] for i, j in enumerate(assignment))


def _hungarian(cost: list[list[int]]) -> list[int]:
    """For a square cost matrix, the column assigned to each row minimising the total."""
    n = len(cost)
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    match = [0] * (n + 1)  # match[j] = row (1-based) assigned to column j
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0 = match[j0]
            delta = inf
            j1 = 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while True:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
            if j0 == 0:
                break
    result = [0] * n
    for j in range(1, n + 1):
        result[match[j] - 1] = j - 1
    return result
