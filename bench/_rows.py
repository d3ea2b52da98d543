"""One row of the speed table (issue 17): a measure, its anchor from the same run, the ratio.

Every speed script returns `Row`s; `bench/bench_speed.py` runs them all in one run and prints
one table. A row's figures come from one run on this machine; absolute numbers move ±30% on a
shared 2-core machine, the ratio to an anchor measured in the same run much less.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """`value` and `anchor` in `unit`; `ratio` = value / anchor; `target` as the issue says it
    (e.g. "<= 10x", ">= 0.3x"); `met` is None where the row has no target (printed only)."""

    measure: str
    database: str
    value: float
    anchor: float
    unit: str
    anchor_label: str
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.anchor if self.anchor else float("nan")

    @property
    def met(self) -> bool | None:
        if not self.target:
            return None
        op, _, bound = self.target.partition(" ")
        limit = float(bound.rstrip("x×"))
        return self.ratio <= limit if op == "<=" else self.ratio >= limit

    def line(self) -> str:
        verdict = {None: "", True: "met", False: "MISSED"}[self.met]
        return (
            f"{self.measure:<46} {self.database:<11} {self.value:>12,.2f} {self.unit:<10} "
            f"vs {self.anchor_label:<30} {self.anchor:>12,.2f}  ratio {self.ratio:7.3f}x  "
            f"{self.target:<8} {verdict:<6} {self.note}"
        ).rstrip()


def print_rows(rows: list[Row]) -> None:
    """The rows, one line each."""
    for row in rows:
        print(row.line(), flush=True)
