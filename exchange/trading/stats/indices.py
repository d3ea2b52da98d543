"""Market statistics as pure functions: daily aggregates and the price index (价格指数).

The price index, base 100 on the first trading day in the window:
- per product form: 100 × (average price that day) / (average price on the form's first
  trading day) — the chain of day-to-day ratios of average prices telescopes to this;
- for the whole market, a chained index that is not fooled by a change of product mix:
  each trading day links to the previous one by the turnover-weighted mean of the price
  relatives (average price today / average price on that form's previous trading day) of the
  forms traded today that have traded before; a day with no such form links by 1.
Values are exact fractions until they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

BASE = Fraction(100)
ALL_FORMS = "all"


@dataclass(frozen=True, slots=True)
class DayAggregate:
    """Trades of one product form on one day (UTC)."""

    day: date
    product_form: str
    trades: int
    turnover_fen: int

    @property
    def average_fen(self) -> Fraction:
        return Fraction(self.turnover_fen, self.trades)


@dataclass(frozen=True, slots=True)
class IndexPoint:
    """One day's value of one index."""

    day: date
    product_form: str
    trades: int
    turnover_fen: int
    average_price_fen: Fraction
    index: Fraction


def daily_aggregates(trades: Iterable[tuple[datetime, str, int]]) -> list[DayAggregate]:
    """Bucket (settled_at, product_form, price_fen) trades by UTC day and form."""
    buckets: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for settled_at, form, price in trades:
        bucket = buckets[(settled_at.date(), form)]
        bucket[0] += 1
        bucket[1] += price
    return [
        DayAggregate(day, form, count, turnover)
        for (day, form), (count, turnover) in sorted(buckets.items())
    ]


def form_indices(aggregates: Sequence[DayAggregate]) -> list[IndexPoint]:
    """Each product form's index: base 100 on its first trading day."""
    base: dict[str, Fraction] = {}
    points = []
    for agg in sorted(aggregates, key=lambda a: (a.product_form, a.day)):
        first = base.setdefault(agg.product_form, agg.average_fen)
        points.append(
            IndexPoint(
                agg.day,
                agg.product_form,
                agg.trades,
                agg.turnover_fen,
                agg.average_fen,
                BASE * agg.average_fen / first,
            )
        )
    return points


def market_index(aggregates: Sequence[DayAggregate]) -> list[IndexPoint]:
    """The whole market's chained, mix-adjusted index: base 100 on the first trading day."""
    by_day: dict[date, list[DayAggregate]] = defaultdict(list)
    for agg in aggregates:
        by_day[agg.day].append(agg)
    last_average: dict[str, Fraction] = {}
    level = BASE
    points = []
    for day in sorted(by_day):
        today = by_day[day]
        linked = [a for a in today if a.product_form in last_average]
        weight = sum(a.turnover_fen for a in linked)
        if linked and weight > 0:
            relatives = (
                Fraction(a.turnover_fen) * a.average_fen / last_average[a.product_form]
                for a in linked
            )
            level *= sum(relatives, Fraction(0)) / weight
        for agg in today:
            last_average[agg.product_form] = agg.average_fen
        trades = sum(a.trades for a in today)
        turnover = sum(a.turnover_fen for a in today)
        points.append(
            IndexPoint(day, ALL_FORMS, trades, turnover, Fraction(turnover, trades), level)
        )
    return points


def share(part: int, whole: int) -> Fraction:
    """A part's share of a whole (0 when the whole is 0)."""
    return Fraction(part, whole) if whole else Fraction(0)
