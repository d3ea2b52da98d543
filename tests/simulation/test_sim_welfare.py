"""Welfare measures: surplus, efficiency against the best achievable, Gini of payoffs."""

from __future__ import annotations

import itertools
import random

import pytest

from exchange.simulation import welfare


def trade(
    value: int,
    price: int,
    buyer_fee: int = 0,
    seller_fee: int = 0,
    commission: int = 0,
    cost: int = 0,
) -> welfare.Settled:
    return welfare.Settled(value, price, buyer_fee, seller_fee, commission, cost)


def test_surplus_splits_the_gains_and_fees_are_transfers() -> None:
    t = trade(value=1_000, price=600, buyer_fee=6, seller_fee=12, commission=30, cost=200)
    # The buyer mandated the broker: its commission is the buyer's cost, not the seller's.
    assert welfare.buyer_surplus(t) == 1_000 - 600 - 6 - 30
    assert welfare.seller_surplus(t) == 600 - 12 - 200
    assert welfare.gains(t) == 800
    w = welfare.welfare([t, trade(500, 400, cost=100)], best_gains_fen=1_600)
    assert w.buyer_surplus_fen + w.seller_surplus_fen + w.fees_fen + w.commissions_fen == (
        w.realised_gains_fen
    )
    assert w.realised_gains_fen == 1_200
    assert w.efficiency == 0.75


def test_efficiency_is_undefined_when_nothing_could_be_gained() -> None:
    assert welfare.efficiency(0, 0) is None
    assert welfare.efficiency(5, 10) == 0.5


@pytest.mark.parametrize(
    ("payoffs", "expected"),
    [
        ([], 0.0),
        ([5, 5, 5, 5], 0.0),
        ([0, 0, 0, 10], 0.75),
        ([1, 2, 3, 4], 0.25),
        ([-5, 0, 10], 2 / 3),
    ],
)
def test_gini(payoffs: list[int], expected: float) -> None:
    assert welfare.gini(payoffs) == pytest.approx(expected, abs=1e-6)


def brute_force(matrix: list[list[int]]) -> int:
    rows, cols = len(matrix), len(matrix[0]) if matrix else 0
    best = 0
    slots = list(range(cols)) + [None] * rows
    for perm in itertools.permutations(slots, rows):
        used = [c for c in perm if c is not None]
        if len(used) != len(set(used)):
            continue
        best = max(best, sum(max(0, matrix[i][c]) for i, c in enumerate(perm) if c is not None))
    return best


def test_best_assignment_matches_brute_force() -> None:
    rng = random.Random(5)
    for _ in range(40):
        rows, cols = rng.randint(1, 4), rng.randint(1, 4)
        matrix = [[rng.randint(-50, 100) for _ in range(cols)] for _ in range(rows)]
        assert welfare.best_assignment(matrix) == brute_force(matrix)
    assert welfare.best_assignment([]) == 0


def test_non_rival_needs_take_their_best_option() -> None:
    assert welfare.best_single([5, -3, 12]) == 12
    assert welfare.best_single([-1]) == 0
