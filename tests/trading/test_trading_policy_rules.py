"""The pure rules of usage policies: terms, negotiation bounds, quota periods, the table reader
and the computation menu with its noise."""

from __future__ import annotations

import csv
import io
import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from exchange.trading.policies import rules
from exchange.trading.policies.errors import (
    AccessNotGranted,
    DimensionNotAllowed,
    PurposeNotAllowed,
    PurposeNotDeclared,
    QueryNotOnMenu,
    TerritoryNotAllowed,
    UsageTermEnded,
)
from exchange.trading.policies.terms import (
    Access,
    Purpose,
    QuotaPeriod,
    UsagePolicy,
    for_audit,
    negotiated_misses,
)
from exchange.trading.transfers import compute
from exchange.trading.transfers.tables import RecordReader, header_of

START = datetime(2026, 11, 23, 9, tzinfo=UTC)
END = START + timedelta(days=30)


def policy(**fields: object) -> UsagePolicy:
    return UsagePolicy.model_validate(fields)


def test_check_use_names_each_clause() -> None:
    p = policy(purposes=["research"], territories=["CN"])
    ok = {
        "starts_at": START,
        "expires_at": END,
        "live": True,
        "now": START + timedelta(days=1),
        "purpose": Purpose.RESEARCH,
        "jurisdiction": "CN",
        "access": Access.DOWNLOAD,
    }
    rules.check_use(p, **ok)  # type: ignore[arg-type]
    for change, error in (
        ({"purpose": None}, PurposeNotDeclared),
        ({"purpose": Purpose.MARKETING}, PurposeNotAllowed),
        ({"jurisdiction": "SG"}, TerritoryNotAllowed),
        ({"now": END}, UsageTermEnded),
        ({"now": START - timedelta(seconds=1)}, UsageTermEnded),
        ({"live": False}, UsageTermEnded),
        ({"access": Access.COMPUTE}, AccessNotGranted),
    ):
        with pytest.raises(error) as refused:
            rules.check_use(p, **{**ok, **change})  # type: ignore[arg-type]
        assert refused.value.extra["clause"] == error.clause
    # No purposes listed: any purpose, or none, is fine.
    rules.check_use(policy(), **{**ok, "purpose": None})  # type: ignore[arg-type]


def test_quota_periods_count_from_the_licence_start() -> None:
    now = START + timedelta(days=8, hours=3)
    assert rules.quota_window(QuotaPeriod.DAY, starts_at=START, expires_at=END, now=now) == (
        START + timedelta(days=8),
        START + timedelta(days=9),
    )
    assert rules.quota_window(QuotaPeriod.WEEK, starts_at=START, expires_at=END, now=now) == (
        START + timedelta(days=7),
        START + timedelta(days=14),
    )
    # The last month is cut at the licence's end; a term quota spans the whole term.
    assert rules.quota_window(QuotaPeriod.MONTH, starts_at=START, expires_at=END, now=now) == (
        START,
        END,
    )
    assert rules.quota_window(QuotaPeriod.TERM, starts_at=START, expires_at=END, now=now) == (
        START,
        END,
    )


def test_a_counter_offer_may_move_only_what_the_allowance_names() -> None:
    base = policy(
        purposes=["research"],
        quota={"limit": 5, "period": "day"},
        prohibitions=["resale"],
        negotiable={"purposes": ["research", "statistics"], "quota_limit_max": 20},
    )
    assert negotiated_misses(base, base) == []
    moved = base.model_copy(
        update={
            "purposes": [Purpose.STATISTICS],
            "quota": base.quota.model_copy(update={"limit": 20}),  # type: ignore[union-attr]
        }
    )
    assert negotiated_misses(base, moved) == []
    assert negotiated_misses(base, moved.model_copy(update={"purposes": [Purpose.MARKETING]}))
    assert negotiated_misses(
        base,
        moved.model_copy(update={"quota": base.quota.model_copy(update={"limit": 21})}),  # type: ignore[union-attr]
    )
    assert "prohibitions" in " ".join(
        negotiated_misses(base, moved.model_copy(update={"prohibitions": []}))
    )
    fixed = policy(purposes=["research"])
    assert negotiated_misses(fixed, fixed.model_copy(update={"purposes": [Purpose.STATISTICS]}))


def test_policies_refuse_what_makes_no_sense() -> None:
    for fields in (
        {"purposes": ["research", "research"]},
        {"access": "compute"},
        {"access": "compute", "compute": {}},
        {"compute": {"dimensions": ["a"]}},
        {
            "access": "compute",
            "compute": {"dimensions": ["a"], "measures": {"a": {"lower": 0, "upper": 1}}},
        },
        {"access": "compute", "compute": {"measures": {"x": {"lower": 5, "upper": 5}}}},
        {"unknown": True},
    ):
        with pytest.raises(ValidationError):
            policy(**fields)


def test_audit_form_holds_no_floats() -> None:
    p = policy(
        access="compute",
        compute={"measures": {"x": {"lower": -1.5, "upper": 10}}, "epsilon_per_query": 0.25},
    )
    found = for_audit(p.document())
    assert found["compute"]["epsilon_per_query"] == "0.25"
    assert found["compute"]["measures"]["x"] == {"lower": "-1.5", "upper": "10.0"}


@given(
    st.lists(
        st.lists(st.text(alphabet='ab,"\n 中', max_size=6), min_size=1, max_size=4),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=1, max_value=17),
)
def test_the_reader_gives_the_same_records_whatever_the_chunk_boundaries(
    records: list[list[str]], cut: int
) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    data = out.getvalue().encode()
    expected = [r for r in csv.reader(io.StringIO(out.getvalue())) if r]
    reader = RecordReader()
    got = []
    for start in range(0, len(data), cut):
        got += reader.feed(data[start : start + cut])
    got += reader.feed(b"", final=True)
    assert got == expected


def test_header_of_reads_the_first_line_and_drops_a_bom() -> None:
    assert header_of("\ufeff地市,金额\n广州,1\n".encode()) == ["地市", "金额"]
    assert header_of(b"") is None


TERMS = UsagePolicy.model_validate(
    {
        "access": "compute",
        "compute": {
            "dimensions": ["city"],
            "measures": {"amount": {"lower": 0, "upper": 100}},
            "k_threshold": 3,
        },
    }
).compute


def _acc(query: dict[str, object], records: list[list[str]]) -> compute.Accumulator:
    assert TERMS is not None
    acc = compute.Accumulator(compute.plan(compute.ComputationCreate.model_validate(query), TERMS))
    acc.header(["city", "amount"])
    acc.feed(records)
    return acc


def test_the_menu_refuses_what_it_does_not_offer() -> None:
    assert TERMS is not None
    for query, error in (
        ({"aggregate": "max", "measure": "amount"}, QueryNotOnMenu),
        ({"aggregate": "count", "measure": "amount"}, QueryNotOnMenu),
        ({"aggregate": "count", "group_by": ["amount"]}, DimensionNotAllowed),
        ({"aggregate": "sum"}, DimensionNotAllowed),
        ({"aggregate": "sum", "measure": "amount", "bins": 4}, QueryNotOnMenu),
        ({"aggregate": "quantiles", "measure": "amount", "quantiles": [0, 0.5]}, QueryNotOnMenu),
        ({"aggregate": "histogram", "measure": "amount", "bins": 1}, QueryNotOnMenu),
    ):
        with pytest.raises(error):
            compute.plan(compute.ComputationCreate.model_validate(query), TERMS)


def test_small_cells_are_not_released_and_the_rest_are_noisy() -> None:
    records = [["gz", "10"]] * 50 + [["sz", "1000"]] * 20 + [["zh", "5"]] * 2 + [["gz", "n/a"]]
    acc = _acc({"aggregate": "sum", "measure": "amount", "group_by": ["city"]}, records)
    assert acc.skipped == 1 and acc.cells[("sz",)].total == 20 * 100  # clamped to the bound
    answer = compute.release(acc, k=3, epsilon=1.0, rng=random.Random(1))
    assert [c["group"] for c in answer["cells"]] == [{"city": "gz"}, {"city": "sz"}]
    assert answer["suppressed_cells"] == 1 and "zh" not in str(answer)
    # Noise of scale 100/ε around the true sums, different each time, unbiased on average.
    draws = [
        compute.release(acc, k=3, epsilon=1.0, rng=random.Random(seed))["cells"][0]["value"]
        for seed in range(400)
    ]
    assert len(set(draws)) > 300
    assert abs(statistics.mean(draws) - 500) < 25


def test_laplace_noise_has_the_scale_it_is_given() -> None:
    rng = random.Random(7)
    draws = [compute.laplace(rng, 2.0) for _ in range(20_000)]
    assert abs(statistics.mean(draws)) < 0.1
    # The mean absolute deviation of Laplace(0, b) is b.
    assert abs(statistics.mean(abs(d) for d in draws) - 2.0) < 0.1
