"""The pure rules of authorized operation: shares in range, overlapping terms, raw records of
closed data, and how a sale's proceeds divide among departments and the seller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange.operation import rules
from exchange.operation.errors import (
    AgreementTermInvalid,
    RawRecordsRefused,
    RevenueShareOutOfRange,
)
from exchange.operation.rules import ShareGrant, SharePayment, split_shares
from exchange.trading.rules import pay_shares
from exchange.vocabulary import Opening, ProductForm

T0 = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize("share_bp", [-1, 10_001, 2**40])
def test_a_share_outside_0_to_100_percent_is_refused(share_bp: int) -> None:
    with pytest.raises(RevenueShareOutOfRange) as refused:
        rules.check_share(share_bp)
    assert refused.value.extra["revenue_share_bp"] == share_bp


@pytest.mark.parametrize("share_bp", [0, 1, 5_000, 10_000])
def test_shares_from_0_to_100_percent_inclusive_pass(share_bp: int) -> None:
    rules.check_share(share_bp)


def test_terms() -> None:
    rules.check_term(T0, T0 + timedelta(days=365), T0 - timedelta(days=1))
    for start, end in [(T0, T0), (T0, T0 - timedelta(seconds=1))]:
        with pytest.raises(AgreementTermInvalid):
            rules.check_term(start, end, T0 - timedelta(days=1))
    with pytest.raises(AgreementTermInvalid, match="over already"):
        rules.check_term(T0 - timedelta(days=9), T0 - timedelta(days=1), T0)
    with pytest.raises(AgreementTermInvalid, match="ten years"):
        rules.check_term(T0, T0 + timedelta(days=3654), T0)


def test_terms_overlap_half_open_and_exclusivity_needs_one_exclusive() -> None:
    year = (T0, T0 + timedelta(days=365))
    assert rules.terms_overlap(year, (T0 + timedelta(days=364), T0 + timedelta(days=400)))
    assert not rules.terms_overlap(year, (T0 + timedelta(days=365), T0 + timedelta(days=400)))
    assert rules.clashes(exclusive=True, other_exclusive=False, overlap=True)
    assert rules.clashes(exclusive=False, other_exclusive=True, overlap=True)
    assert not rules.clashes(exclusive=False, other_exclusive=False, overlap=True)
    assert not rules.clashes(exclusive=True, other_exclusive=True, overlap=False)


def test_raw_records_never_leave_closed_data() -> None:
    openings = {"closed": Opening.NOT_OPEN, "conditional": Opening.CONDITIONAL}
    with pytest.raises(RawRecordsRefused) as refused:
        rules.check_forms([ProductForm.DATASET, ProductForm.REPORT], openings)
    assert refused.value.extra["catalog_item_ids"] == ["closed"]
    rules.check_forms([ProductForm.MODEL, ProductForm.REPORT], openings)
    rules.check_forms([ProductForm.DATASET], {"conditional": Opening.CONDITIONAL})


def test_one_agreement_splits_its_share_equally_the_remainder_to_the_first() -> None:
    paid = split_shares(1_001, [ShareGrant("a1", 2_000, ("d2", "d1", "d2"))])
    # 20% of 1001 = 200 fen, split between two departments: 100 each.
    assert paid == [SharePayment("a1", "d1", 100), SharePayment("a1", "d2", 100)]
    paid = split_shares(1_000, [ShareGrant("a1", 1_001, ("d1", "d2", "d3"))])
    assert [p.amount_fen for p in paid] == [34, 33, 33]


def test_shares_never_exceed_the_proceeds_and_zero_shares_pay_nothing() -> None:
    paid = split_shares(
        1_000,
        [
            ShareGrant("b", 9_000, ("d1",)),
            ShareGrant("a", 5_000, ("d2",)),
            ShareGrant("c", 0, ("d3",)),
        ],
    )
    assert paid == [SharePayment("a", "d2", 500), SharePayment("b", "d1", 500)]
    assert split_shares(0, [ShareGrant("a", 10_000, ("d1",))]) == []


@given(
    proceeds=st.integers(min_value=0, max_value=10**15),
    shares=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4),
)
def test_shares_sum_to_at_most_the_proceeds(proceeds: int, shares: list[int]) -> None:
    grants = [ShareGrant(f"a{i}", bp, (f"d{i}", "dx")) for i, bp in enumerate(shares)]
    paid = split_shares(proceeds, grants)
    assert sum(p.amount_fen for p in paid) <= proceeds
    assert all(p.amount_fen > 0 for p in paid)


def test_shares_leave_the_sellers_proceeds_in_one_balanced_journal() -> None:
    legs = [("buyer", -1_050), ("seller", 990), ("fees", 60)]
    paid = pay_shares(legs, seller_account="seller", shares=[("dept", 198)])
    assert paid == [("buyer", -1_050), ("seller", 792), ("fees", 60), ("dept", 198)]
    # The department buys a product of its own data: its two legs merge into one.
    paid = pay_shares(legs, seller_account="seller", shares=[("buyer", 198)])
    assert paid == [("buyer", -852), ("seller", 792), ("fees", 60)]
    # All the proceeds to the department: the seller's leg disappears.
    assert pay_shares(legs, seller_account="seller", shares=[("dept", 990)]) == [
        ("buyer", -1_050),
        ("fees", 60),
        ("dept", 990),
    ]
    assert pay_shares(legs, seller_account="seller", shares=[]) == legs
    with pytest.raises(ValueError, match="exceed"):
        pay_shares(legs, seller_account="seller", shares=[("dept", 991)])
