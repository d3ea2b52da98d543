"""The pure rules: fee splits, customs triage, negotiation steps, auctions, the price index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange.trading import matching, rules
from exchange.trading.stats import indices as stats_indices
from exchange.vocabulary import (
    AuctionRule,
    CustomsDecision,
    CustomsStatus,
    MandateSide,
    NegotiationParty,
    NegotiationState,
)

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_split_rounds_fees_down_and_the_buyers_broker_is_paid_by_the_buyer() -> None:
    parts = rules.split(
        price_fen=199,
        buyer_fee_bp=50,
        seller_fee_bp=100,
        commission_bp=300,
        commission_payer=MandateSide.BUYER,
    )
    assert (parts.buyer_fee_fen, parts.seller_fee_fen, parts.commission_fen) == (0, 1, 5)
    # The buyer mandated the broker: it pays the commission on top; the seller keeps its share.
    assert parts.buyer_pays_fen == 204 and parts.seller_receives_fen == 198
    legs = rules.settlement_legs(
        parts, payer_account="b", seller_account="s", fee_account="x", broker_account="k"
    )
    assert legs == [("b", -204), ("s", 198), ("x", 1), ("k", 5)]


def test_a_sellers_broker_is_paid_out_of_the_sellers_proceeds() -> None:
    parts = rules.split(
        price_fen=199,
        buyer_fee_bp=50,
        seller_fee_bp=100,
        commission_bp=300,
        commission_payer=MandateSide.SELLER,
    )
    assert parts.buyer_pays_fen == 199 and parts.seller_receives_fen == 193
    legs = rules.settlement_legs(
        parts, payer_account="b", seller_account="s", fee_account="x", broker_account="k"
    )
    assert legs == [("b", -199), ("s", 193), ("x", 1), ("k", 5)]


@given(
    price=st.integers(1, 10**12),
    buyer_bp=st.integers(0, 10_000),
    seller_bp=st.integers(0, 10_000),
    commission_bp=st.integers(0, 10_000),
    payer=st.sampled_from(list(MandateSide)),
)
def test_split_never_leaves_the_seller_negative(
    price: int, buyer_bp: int, seller_bp: int, commission_bp: int, payer: MandateSide
) -> None:
    def split() -> rules.Split:
        return rules.split(
            price_fen=price,
            buyer_fee_bp=buyer_bp,
            seller_fee_bp=seller_bp,
            commission_bp=commission_bp,
            commission_payer=payer,
        )

    if payer is MandateSide.SELLER and seller_bp + commission_bp > rules.BASIS_POINTS:
        with pytest.raises(ValueError):
            split()
        return
    parts = split()
    assert parts.seller_receives_fen >= 0
    client = parts.buyer_pays_fen - parts.price_fen - parts.buyer_fee_fen
    if payer is MandateSide.BUYER:
        assert client == parts.commission_fen
    else:
        assert client == 0
    legs = rules.settlement_legs(
        parts, payer_account="b", seller_account="s", fee_account="x", broker_account="k"
    )
    assert sum(amount for _, amount in legs) == 0
    assert all(amount != 0 for _, amount in legs)


def test_a_commission_without_a_broker_account_is_a_bug() -> None:
    parts = rules.split(
        price_fen=10_000,
        buyer_fee_bp=0,
        seller_fee_bp=0,
        commission_bp=100,
        commission_payer=MandateSide.BUYER,
    )
    with pytest.raises(ValueError):
        rules.settlement_legs(
            parts, payer_account="b", seller_account="s", fee_account="x", broker_account=None
        )


@pytest.mark.parametrize(
    ("grade", "pi", "status", "decision"),
    [
        ("core", False, CustomsStatus.REFUSED, CustomsDecision.AUTO_REFUSED),
        ("core", True, CustomsStatus.REFUSED, CustomsDecision.AUTO_REFUSED),
        ("important", False, CustomsStatus.PENDING, None),
        ("general", True, CustomsStatus.PENDING, None),
        ("important", True, CustomsStatus.PENDING, None),
        ("general", False, CustomsStatus.CLEARED, CustomsDecision.AUTO_CLEARED),
    ],
)
def test_customs_triage(
    grade: str, pi: bool, status: CustomsStatus, decision: CustomsDecision | None
) -> None:
    triage = rules.customs_triage(grade=grade, personal_information=pi)
    assert (triage.status, triage.decision) == (status, decision)
    assert triage.reason
    assert rules.needs_legal_basis(grade=grade, personal_information=pi) == (
        status is CustomsStatus.PENDING or grade == "core"
    )


def test_hong_kong_and_macao_are_cross_border() -> None:
    assert [rules.crosses_border(j) for j in ("CN", "HK", "MO", "SG")] == [
        False,
        True,
        True,
        True,
    ]


C, P = NegotiationParty.CONSUMER, NegotiationParty.PROVIDER
S = NegotiationState


def test_negotiation_follows_the_dataspace_protocol_states() -> None:
    state = S.REQUESTED
    for step, party, expected in [
        ("offer", P, S.OFFERED),
        ("request", C, S.REQUESTED),
        ("offer", P, S.OFFERED),
        ("accept", C, S.ACCEPTED),
        ("agree", P, S.AGREED),
        ("settle", C, S.FINALIZED),
    ]:
        state = rules.negotiation_step(state, step, party)
        assert state is expected
    assert rules.negotiation_step(S.REQUESTED, "agree", P) is S.AGREED


@pytest.mark.parametrize(
    ("state", "step", "party"),
    [
        (S.TERMINATED, "accept", C),
        (S.TERMINATED, "terminate", P),
        (S.FINALIZED, "terminate", C),
        (S.REQUESTED, "accept", C),
        (S.OFFERED, "offer", P),
        (S.OFFERED, "agree", P),
        (S.ACCEPTED, "accept", C),
        (S.REQUESTED, "offer", C),
        (S.AGREED, "settle", P),
    ],
)
def test_negotiation_refuses_out_of_turn_steps(
    state: NegotiationState, step: str, party: NegotiationParty
) -> None:
    with pytest.raises(rules.StepRefused):
        rules.negotiation_step(state, step, party)


def bid(bid_id: str, bidder: str, amount: int, minutes: int) -> matching.SealedBid:
    return matching.SealedBid(bid_id, bidder, amount, T0 + timedelta(minutes=minutes))


def test_first_and_second_price() -> None:
    bids = [bid("1", "a", 500, 0), bid("2", "b", 900, 1), bid("3", "c", 700, 2)]
    first = matching.resolve(bids, rule=AuctionRule.FIRST_PRICE, reserve_fen=400)
    second = matching.resolve(bids, rule=AuctionRule.SECOND_PRICE, reserve_fen=400)
    assert first.winner == bids[1] and first.price_fen == 900
    assert second.winner == bids[1] and second.price_fen == 700
    assert [b.bid_id for b in second.ranking] == ["2", "3", "1"]


def test_second_price_with_one_bid_pays_the_reserve_and_low_bids_never_count() -> None:
    bids = [bid("1", "a", 300, 0), bid("2", "b", 600, 1)]
    outcome = matching.resolve(bids, rule=AuctionRule.SECOND_PRICE, reserve_fen=500)
    assert outcome.winner == bids[1] and outcome.price_fen == 500
    assert matching.resolve([], rule=AuctionRule.FIRST_PRICE, reserve_fen=1).winner is None


@given(st.permutations(range(6)))
def test_ties_go_to_the_earliest_bid_then_the_smaller_bidder_id(order: list[int]) -> None:
    bids = [
        bid("x1", "zeta", 800, 5),
        bid("x2", "beta", 800, 3),
        bid("x3", "alpha", 800, 3),
        bid("x4", "gamma", 700, 0),
        bid("x5", "delta", 800, 9),
        bid("x6", "omega", 100, 0),
    ]
    shuffled = [bids[i] for i in order]
    outcome = matching.resolve(shuffled, rule=AuctionRule.SECOND_PRICE, reserve_fen=100)
    assert outcome.winner is not None and outcome.winner.bidder_id == "alpha"
    assert outcome.price_fen == 800
    assert [b.bidder_id for b in outcome.ranking] == [
        "alpha",
        "beta",
        "zeta",
        "delta",
        "gamma",
        "omega",
    ]


def test_price_index_is_chained_and_not_fooled_by_product_mix() -> None:
    day1, day2, day3 = (T0 + timedelta(days=i) for i in range(3))
    trades = [
        (day1, "dataset", 100),
        (day1, "dataset", 300),
        (day1, "api", 1_000),
        (day2, "dataset", 220),  # datasets +10% on average
        (day2, "api", 1_100),  # APIs +10%
        (day3, "report", 5_000),  # a new form: no price relative, the level holds
    ]
    aggregates = stats_indices.daily_aggregates(trades)
    overall = stats_indices.market_index(aggregates)
    assert [p.day for p in overall] == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    assert [p.index for p in overall] == [Fraction(100), Fraction(110), Fraction(110)]
    # A plain average price would have jumped with the mix; the chained index does not.
    assert overall[2].average_price_fen == 5_000
    forms = {(p.product_form, p.day): p.index for p in stats_indices.form_indices(aggregates)}
    assert forms[("dataset", date(2026, 11, 24))] == Fraction(110)
    assert forms[("api", date(2026, 11, 23))] == Fraction(100)
    assert stats_indices.share(1, 4) == Fraction(1, 4) and stats_indices.share(5, 0) == 0
