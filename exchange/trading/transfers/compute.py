"""Pure: computation without disclosure (隐私计算, 可用不可见) — a safe menu of aggregates over a
registered table, released with small-cell suppression and Laplace noise.

The menu: `count`, `sum`, `mean`, `quantiles` and `histogram` of one measure, grouped by
at most two of the dimensions the policy allows. Measures are clamped to the bounds the
policy declares, which fixes how far one row can move a result (its sensitivity).

Release (every cell is a group of rows):
- a group of fewer than k rows (the policy's `k_threshold`) is not released at all — not
  even its label; the answer says how many were suppressed;
- the rest get Laplace noise scaled to sensitivity / ε, ε being the policy's
  `epsilon_per_query`: counts 1/ε; sums max(|lower|, |upper|)/ε; a mean spends ε/2 on its sum
  and ε/2 on its count; a histogram 1/ε per bin (bins hold disjoint rows), and bins under k
  rows are suppressed too; quantiles are read off a noisy 100-bin histogram of the
  measure's range (post-processing spends nothing more).
Groups hold disjoint rows, so a query spends ε once whatever its number of cells
(parallel composition); each query spends the same ε of the licence's budget.
Raw rows never leave: the answer holds only these noisy aggregates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Annotated, Any

from pydantic import Field, StrictFloat, StringConstraints

from exchange.schemas import RequestModel, StrictInt
from exchange.trading.policies.errors import DimensionNotAllowed, QueryNotOnMenu
from exchange.trading.policies.terms import ComputeTerms, MeasureBounds
from exchange.trading.transfers.tables import number

AGGREGATES = ("count", "sum", "mean", "quantiles", "histogram")
MAX_GROUP_BY = 2
MAX_CELLS = 1000
QUANTILE_BINS = 100


class ComputationCreate(RequestModel):
    """A computation from the safe menu (计算菜单). Checked against the licence's policy when
    it runs, so that a query off the menu is refused and recorded like any other refusal."""

    aggregate: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="count, sum, mean, quantiles or histogram"
    )
    measure: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    group_by: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=8
    )
    quantiles: list[Annotated[StrictFloat, Field(allow_inf_nan=False)]] | None = Field(
        default=None, max_length=20
    )
    bins: Annotated[StrictInt, Field(ge=-1000, le=1000)] | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A query checked against the menu and the policy, with the columns it reads."""

    aggregate: str
    measure: str | None
    bounds: MeasureBounds | None
    group_by: tuple[str, ...]
    quantiles: tuple[float, ...]
    bins: int

    def document(self) -> dict[str, Any]:
        """The query as usage records and audit entries keep it."""
        out: dict[str, Any] = {"aggregate": self.aggregate, "group_by": list(self.group_by)}
        if self.measure is not None:
            out["measure"] = self.measure
        if self.quantiles:
            out["quantiles"] = list(self.quantiles)
        if self.aggregate == "histogram":
            out["bins"] = self.bins
        return out


def plan(query: ComputationCreate, terms: ComputeTerms) -> Plan:
    """The query as a plan, or refused: off the menu (422 `computation-not-on-menu`) or on a
    column the policy does not allow (422 `computation-dimension-not-allowed`)."""
    if query.aggregate not in AGGREGATES:
        raise QueryNotOnMenu(
            f"{query.aggregate!r} is not on the menu; the menu is {', '.join(AGGREGATES)}.",
            clause="menu",
            menu=list(AGGREGATES),
        )
    if len(query.group_by) > MAX_GROUP_BY or len(set(query.group_by)) != len(query.group_by):
        raise QueryNotOnMenu(
            f"A query groups by at most {MAX_GROUP_BY} distinct dimensions.", clause="menu"
        )
    for column in query.group_by:
        if column not in terms.dimensions:
            raise DimensionNotAllowed(
                f"{column!r} is not a dimension this licence may group by (allowed: "
                f"{', '.join(terms.dimensions) or 'none'}).",
                clause="dimension",
                allowed=list(terms.dimensions),
            )
    bounds = None
    if query.aggregate == "count":
        if query.measure is not None:
            raise QueryNotOnMenu("A count takes no measure.", clause="menu")
    else:
        if query.measure is None or query.measure not in terms.measures:
            raise DimensionNotAllowed(
                f"{query.aggregate} needs a measure this licence allows (allowed: "
                f"{', '.join(sorted(terms.measures)) or 'none'}).",
                clause="dimension",
                allowed=sorted(terms.measures),
            )
        bounds = terms.measures[query.measure]
    quantiles: tuple[float, ...] = ()
    if query.aggregate == "quantiles":
        quantiles = tuple(query.quantiles or ())
        if not 1 <= len(quantiles) <= 9 or any(not 0 < q < 1 for q in quantiles):
            raise QueryNotOnMenu(
                "quantiles takes 1 to 9 probabilities strictly between 0 and 1.", clause="menu"
            )
    elif query.quantiles is not None:
        raise QueryNotOnMenu("Only a quantiles query takes quantiles.", clause="menu")
    bins = 0
    if query.aggregate == "histogram":
        bins = query.bins if query.bins is not None else 10
        if not 2 <= bins <= 50:
            raise QueryNotOnMenu("A histogram has 2 to 50 bins.", clause="menu")
    elif query.bins is not None:
        raise QueryNotOnMenu("Only a histogram takes bins.", clause="menu")
    return Plan(query.aggregate, query.measure, bounds, tuple(query.group_by), quantiles, bins)


@dataclass(slots=True)
class _Cell:
    count: int = 0
    total: float = 0.0
    bins: list[int] = field(default_factory=list)


class Accumulator:
    """Reads a table's records for a plan: per group, the row count, the clamped sum and (for
    quantiles and histograms) a histogram of the clamped measure. Rows whose measure is not a
    number are skipped (counted in `skipped`)."""

    def __init__(self, query: Plan) -> None:
        self.plan = query
        # Keyed by the group's value (one dimension) or values (two), or () for no grouping.
        self._cells: dict[Any, _Cell] = {}
        self.rows = 0
        self.skipped = 0
        self._key: Callable[[Sequence[str]], Any] | None = None
        self._measure = -1
        self._width = (
            query.bins
            if query.aggregate == "histogram"
            else QUANTILE_BINS
            if query.quantiles
            else 0
        )

    @property
    def cells(self) -> dict[tuple[str, ...], _Cell]:
        """Each group's cell, by the group's values."""
        if len(self.plan.group_by) == 1:
            return {(key,): cell for key, cell in self._cells.items()}
        return dict(self._cells)

    def header(self, columns: Sequence[str]) -> None:
        names = [c.strip() for c in columns]
        index = [names.index(c) for c in self.plan.group_by]
        self._key = itemgetter(*index) if index else _no_group
        if self.plan.measure is not None:
            self._measure = names.index(self.plan.measure)

    def feed(self, records: Sequence[Sequence[str]]) -> None:
        """Add records (data rows, the header already taken)."""
        key_of = self._key
        assert key_of is not None
        at, width = self._measure, self._width
        bounds = self.plan.bounds
        lower = bounds.lower if bounds is not None else 0.0
        upper = bounds.upper if bounds is not None else 0.0
        span = upper - lower
        cells = self._cells
        self.rows += len(records)
        for record in records:
            try:
                key = key_of(record)
                value = 0.0
                if at >= 0:
                    text = record[at]
                    try:
                        value = float(text)
                    except ValueError:
                        parsed = number(text)
                        if parsed is None:
                            self.skipped += 1
                            continue
                        value = parsed
                    if value != value:  # NaN
                        self.skipped += 1
                        continue
                    value = lower if value < lower else upper if value > upper else value
            except IndexError:
                self.skipped += 1
                continue
            cell = cells.get(key)
            if cell is None:
                if len(cells) >= MAX_CELLS:
                    raise QueryNotOnMenu(
                        f"The grouping makes more than {MAX_CELLS} cells; group by fewer or "
                        "coarser dimensions.",
                        clause="menu",
                    )
                cell = cells[key] = _Cell(bins=[0] * width)
            cell.count += 1
            cell.total += value
            if width:
                b = int((value - lower) / span * width)
                cell.bins[b if b < width else width - 1] += 1


def _no_group(record: Sequence[str]) -> tuple[str, ...]:
    return ()


def laplace(rng: random.Random, scale: float) -> float:
    """A draw of Laplace(0, scale) noise."""
    while True:
        u = rng.random() - 0.5
        if abs(u) < 0.5:
            return -scale * math.copysign(1.0, u) * math.log(1 - 2 * abs(u))


def _edges(bounds: MeasureBounds, width: int) -> list[float]:
    step = (bounds.upper - bounds.lower) / width
    return [round(bounds.lower + i * step, 6) for i in range(width + 1)]


def _quantiles(noisy: list[float], bounds: MeasureBounds, wanted: Sequence[float]) -> list[float]:
    total = sum(noisy)
    edges = _edges(bounds, len(noisy))
    out = []
    for q in wanted:
        target, seen = q * total, 0.0
        value = bounds.upper
        for i, n in enumerate(noisy):
            if n > 0 and seen + n >= target:
                value = edges[i] + (edges[i + 1] - edges[i]) * (target - seen) / n
                break
            seen += n
        out.append(round(value, 4))
    return out


def release(acc: Accumulator, *, k: int, epsilon: float, rng: random.Random) -> dict[str, Any]:
    """The answer to a plan: noisy aggregates of the cells of at least k rows, nothing of the
    others but their number."""
    query = acc.plan
    bounds = query.bounds
    cells = []
    suppressed = 0
    groups = acc.cells
    for key in sorted(groups):
        cell = groups[key]
        if cell.count < k:
            suppressed += 1
            continue
        value: Any
        if query.aggregate == "count":
            value = max(0, round(cell.count + laplace(rng, 1 / epsilon)))
        elif query.aggregate == "sum":
            assert bounds is not None
            value = round(cell.total + laplace(rng, bounds.sensitivity / epsilon), 4)
        elif query.aggregate == "mean":
            assert bounds is not None
            noisy_total = cell.total + laplace(rng, 2 * bounds.sensitivity / epsilon)
            noisy_count = max(1.0, cell.count + laplace(rng, 2 / epsilon))
            value = round(min(bounds.upper, max(bounds.lower, noisy_total / noisy_count)), 4)
        elif query.aggregate == "histogram":
            value = [
                None if n < k else max(0, round(n + laplace(rng, 1 / epsilon))) for n in cell.bins
            ]
        else:
            assert bounds is not None
            noisy = [max(0.0, n + laplace(rng, 1 / epsilon)) for n in cell.bins]
            value = _quantiles(noisy, bounds, query.quantiles)
        cells.append({"group": dict(zip(query.group_by, key, strict=True)), "value": value})
    answer: dict[str, Any] = {
        **query.document(),
        "cells": cells,
        "suppressed_cells": suppressed,
        "k_threshold": k,
        "epsilon": epsilon,
        "mechanism": "laplace",
    }
    if query.aggregate == "histogram":
        assert bounds is not None
        answer["bin_edges"] = _edges(bounds, query.bins)
    return answer
