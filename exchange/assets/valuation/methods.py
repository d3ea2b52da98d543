"""Pure: the valuation methods (价值评估方法) in integer fen: cost, income, market.

No floats anywhere: amounts are integer fen, rates are basis points (1 bp = 0.01%), and
discounting is exact rational arithmetic rounded once, half up, to the fen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

MAX_SAFE_FEN = 2**53 - 1
BASIS_POINTS = 10_000
MAX_HORIZON = 50
MAX_DISCOUNT_RATE_BP = 100_000  # 1000% a period: far above any sensible rate
VALUED = "valued"
NO_COMPARABLES = "no_comparables"


class ValuationMethod(StrEnum):
    """Valuation methods (价值评估方法)."""

    COST = "cost"  # 成本法
    INCOME = "income"  # 收益法
    MARKET = "market"  # 市场法


@dataclass(frozen=True, slots=True)
class ValuationResult:
    """A valuation: the method, its inputs as given, the value (None if none) and details."""

    method: str
    value_fen: int | None
    conclusion: str
    inputs: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


def round_half_up(value: Fraction) -> int:
    """Round a non-negative rational to the nearest integer, halves up (四舍五入)."""
    if value < 0:
        raise ValueError("only non-negative amounts are rounded here")
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _amount(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer number of fen")
    if not 0 <= value <= MAX_SAFE_FEN:
        raise ValueError(f"{name} must be between 0 and {MAX_SAFE_FEN} fen")
    return value


def _result_fen(value: int) -> int:
    if value > MAX_SAFE_FEN:
        raise ValueError("the value is too large to record exactly")
    return value


def cost_value(
    *, acquisition_fen: int, processing_fen: int, maintenance_fen: int
) -> ValuationResult:
    """Cost method (成本法): acquisition + processing + maintenance costs."""
    parts = {
        "acquisition_fen": _amount("acquisition_fen", acquisition_fen),
        "processing_fen": _amount("processing_fen", processing_fen),
        "maintenance_fen": _amount("maintenance_fen", maintenance_fen),
    }
    return ValuationResult(
        method="cost",
        value_fen=_result_fen(sum(parts.values())),
        conclusion=VALUED,
        inputs=parts,
    )


def present_value(expected_income_fen: Sequence[int], discount_rate_bp: int) -> Fraction:
    """Exact present value of income at the end of periods 1..n, discounted at the rate."""
    factor = Fraction(BASIS_POINTS, BASIS_POINTS + discount_rate_bp)
    total = Fraction(0)
    discount = Fraction(1)
    for income in expected_income_fen:
        discount *= factor
        total += income * discount
    return total


def income_value(*, expected_income_fen: Sequence[int], discount_rate_bp: int) -> ValuationResult:
    """Income method (收益法): expected income per period over a horizon, discounted."""
    incomes = [_amount(f"expected_income_fen[{i}]", v) for i, v in enumerate(expected_income_fen)]
    if not 1 <= len(incomes) <= MAX_HORIZON:
        raise ValueError(f"the horizon must be 1 to {MAX_HORIZON} periods")
    if isinstance(discount_rate_bp, bool) or not isinstance(discount_rate_bp, int):
        raise ValueError("discount_rate_bp must be an integer number of basis points")
    if not 0 <= discount_rate_bp <= MAX_DISCOUNT_RATE_BP:
        raise ValueError(f"discount_rate_bp must be between 0 and {MAX_DISCOUNT_RATE_BP}")
    value = round_half_up(present_value(incomes, discount_rate_bp))
    return ValuationResult(
        method="income",
        value_fen=_result_fen(value),
        conclusion=VALUED,
        inputs={"expected_income_fen": incomes, "discount_rate_bp": discount_rate_bp},
        details={"horizon": len(incomes), "undiscounted_fen": _result_fen(sum(incomes))},
    )


def market_value(*, comparable_prices_fen: Sequence[int]) -> ValuationResult:
    """Market method (市场法): the median of comparable trade prices; none without comparables."""
    prices = [
        _amount(f"comparable_prices_fen[{i}]", v) for i, v in enumerate(comparable_prices_fen)
    ]
    inputs: dict[str, Any] = {"comparable_prices_fen": prices}
    if not prices:
        return ValuationResult(
            method="market",
            value_fen=None,
            conclusion=NO_COMPARABLES,
            inputs=inputs,
            details={
                "comparables": 0,
                "note": "no comparable trades on the exchanges (无可比交易)",
            },
        )
    ordered = sorted(prices)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        median = ordered[middle]
    else:
        median = round_half_up(Fraction(ordered[middle - 1] + ordered[middle], 2))
    return ValuationResult(
        method="market",
        value_fen=median,
        conclusion=VALUED,
        inputs=inputs,
        details={"comparables": len(ordered), "min_fen": ordered[0], "max_fen": ordered[-1]},
    )
