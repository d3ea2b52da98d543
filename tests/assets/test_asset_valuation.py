"""Valuation methods as pure functions: integer fen, exact discounting, half-up rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange.assets.valuation.methods import (
    MAX_SAFE_FEN,
    NO_COMPARABLES,
    VALUED,
    cost_value,
    income_value,
    market_value,
    present_value,
    round_half_up,
)


def test_cost_method_sums_the_costs_and_records_them() -> None:
    result = cost_value(acquisition_fen=1_000_000, processing_fen=250_050, maintenance_fen=9)
    assert result.method == "cost"
    assert result.value_fen == 1_250_059
    assert result.conclusion == VALUED
    assert result.inputs == {
        "acquisition_fen": 1_000_000,
        "processing_fen": 250_050,
        "maintenance_fen": 9,
    }


def test_income_method_discounts_exactly() -> None:
    # 10000/1.1 + 10000/1.21 = 9090.909... + 8264.462... = 17355.37... fen
    result = income_value(expected_income_fen=[10_000, 10_000], discount_rate_bp=1_000)
    assert result.value_fen == 17_355
    assert result.inputs == {"expected_income_fen": [10_000, 10_000], "discount_rate_bp": 1_000}
    assert result.details == {"horizon": 2, "undiscounted_fen": 20_000}


def test_income_method_rounds_half_up() -> None:
    # 1 fen a period from now at 100%: exactly half a fen, rounded up.
    assert income_value(expected_income_fen=[1], discount_rate_bp=10_000).value_fen == 1
    # 3 fen at 100%: 1.5 -> 2
    assert income_value(expected_income_fen=[3], discount_rate_bp=10_000).value_fen == 2
    # 5 fen at 300%: 1.25 -> 1
    assert income_value(expected_income_fen=[5], discount_rate_bp=30_000).value_fen == 1


def test_income_at_zero_rate_is_the_plain_sum() -> None:
    assert income_value(expected_income_fen=[7, 8, 9], discount_rate_bp=0).value_fen == 24


@given(
    st.lists(st.integers(0, 10**12), min_size=1, max_size=50),
    st.integers(0, 50_000),
    st.integers(1, 10_000),
)
def test_income_is_at_most_undiscounted_and_falls_with_the_rate(
    incomes: list[int], rate: int, step: int
) -> None:
    value = income_value(expected_income_fen=incomes, discount_rate_bp=rate).value_fen
    higher = income_value(expected_income_fen=incomes, discount_rate_bp=rate + step).value_fen
    assert value is not None and higher is not None
    assert higher <= value <= sum(incomes)
    assert abs(Fraction(value) - present_value(incomes, rate)) <= Fraction(1, 2)


def test_market_method_without_comparables_says_so() -> None:
    result = market_value(comparable_prices_fen=[])
    assert result.value_fen is None
    assert result.conclusion == NO_COMPARABLES
    assert result.inputs == {"comparable_prices_fen": []}


def test_market_method_takes_the_median() -> None:
    assert market_value(comparable_prices_fen=[500, 100, 300]).value_fen == 300
    assert market_value(comparable_prices_fen=[100, 200]).value_fen == 150
    assert market_value(comparable_prices_fen=[1, 2]).value_fen == 2  # 1.5 rounds up
    result = market_value(comparable_prices_fen=[9, 1, 5, 7])
    assert result.value_fen == 6
    assert result.details == {"comparables": 4, "min_fen": 1, "max_fen": 9}


@pytest.mark.parametrize(
    "call",
    [
        lambda: cost_value(acquisition_fen=1.5, processing_fen=0, maintenance_fen=0),  # type: ignore[arg-type]
        lambda: cost_value(acquisition_fen=-1, processing_fen=0, maintenance_fen=0),
        lambda: cost_value(acquisition_fen=True, processing_fen=0, maintenance_fen=0),
        lambda: cost_value(
            acquisition_fen=MAX_SAFE_FEN, processing_fen=MAX_SAFE_FEN, maintenance_fen=0
        ),
        lambda: income_value(expected_income_fen=[], discount_rate_bp=100),
        lambda: income_value(expected_income_fen=[1] * 51, discount_rate_bp=100),
        lambda: income_value(expected_income_fen=[100], discount_rate_bp=-1),
        lambda: income_value(expected_income_fen=[100], discount_rate_bp=2.5),  # type: ignore[arg-type]
        lambda: income_value(expected_income_fen=[100.0], discount_rate_bp=100),  # type: ignore[list-item]
        lambda: market_value(comparable_prices_fen=[100, 2.5]),  # type: ignore[list-item]
    ],
)
def test_bad_inputs_are_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_round_half_up() -> None:
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(7, 3)) == 2
    assert round_half_up(Fraction(0)) == 0
    with pytest.raises(ValueError):
        round_half_up(Fraction(-1, 2))
