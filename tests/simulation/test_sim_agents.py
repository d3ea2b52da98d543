"""Agent strategies are pure decision functions: same inputs, same decision."""

from __future__ import annotations

import random

import pytest

from exchange.simulation import agents


def test_fees_are_integer_fen_and_never_round_up() -> None:
    assert agents.fee(10_001, 50) == 50
    assert agents.with_fee(10_000, 30) == 10_030
    for total in (1, 999, 10_030, 123_457):
        price = agents.max_price_within(total, 50)
        assert agents.with_fee(price, 50) <= total < agents.with_fee(price + 1, 50)


def test_fixed_pricing_holds_and_adaptive_pricing_follows_sales() -> None:
    assert agents.list_price(10_000, 5_000) == 15_000
    kw = {"price_fen": 15_000, "unit_cost_fen": 10_000, "step_bp": 1_000}
    assert agents.next_price("fixed", sold=0, **kw) == 15_000
    assert agents.next_price("adaptive", sold=2, **kw) == 16_500
    assert agents.next_price("adaptive", sold=0, **kw) == 13_500
    # Never below the unit cost.
    assert (
        agents.next_price("adaptive", sold=0, price_fen=10_500, unit_cost_fen=10_000, step_bp=1_000)
        == 10_000
    )


def test_providers_answer_offers_within_their_floor() -> None:
    assert agents.respond_to_offer(ask_fen=100, floor_fen=60, offer_fen=120) == agents.Response(
        True, 120
    )
    counter = agents.respond_to_offer(ask_fen=100, floor_fen=60, offer_fen=70)
    assert not counter.accept and 70 < counter.price_fen <= 100
    assert agents.respond_to_offer(ask_fen=100, floor_fen=60, offer_fen=10).price_fen == 100


def test_buyer_strategies_never_pay_above_value() -> None:
    rng = random.Random(3)
    assert agents.willingness_bp("truthful", aspiration_bp=5_000, rng=rng) == 10_000
    assert agents.willingness_bp("adaptive", aspiration_bp=7_000, rng=rng) == 7_000
    zic = [agents.willingness_bp("zi_c", aspiration_bp=0, rng=rng) for _ in range(200)]
    assert all(1 <= w <= 10_000 for w in zic) and len(set(zic)) > 100
    with pytest.raises(ValueError, match="unknown buyer strategy"):
        agents.willingness_bp("greedy", aspiration_bp=0, rng=rng)


def test_buyers_choose_the_best_surplus_they_can_afford() -> None:
    cheap = agents.Quote("a", "gzde", "dataset", "general", 9_000, 0)
    dear = agents.Quote("b", "szdex", "dataset", "general", 15_000, 0)
    values = {"a": 10_000, "b": 16_500}
    # Paying up to its value, the buyer takes the larger surplus (1,500 against 1,000).
    assert agents.choose_quote([cheap, dear], values=values, willingness=10_000) == dear
    # Paying at most 90% of value, only the cheap one (9,000 of 10,000) is within reach.
    assert agents.choose_quote([cheap, dear], values=values, willingness=9_000) == cheap
    assert agents.choose_quote([cheap, dear], values=values, willingness=6_000) is None


def test_sealed_bids_respect_value_reserve_and_rule() -> None:
    rng = random.Random(1)
    kw = {"value_fen": 10_050, "reserve_fen": 5_000, "fee_bp": 50, "aspiration_bp": 5_000}
    assert agents.bid_amount("truthful", rule="second_price", rng=rng, **kw) == 10_000
    shaded = agents.bid_amount("adaptive", rule="first_price", rng=rng, **kw)
    assert shaded == 7_500
    assert agents.bid_amount("adaptive", rule="second_price", rng=rng, **kw) == 10_000
    assert (
        agents.bid_amount(
            "truthful",
            rule="first_price",
            rng=rng,
            value_fen=4_000,
            reserve_fen=5_000,
            fee_bp=0,
            aspiration_bp=0,
        )
        is None
    )


def test_adaptive_aspiration_moves_with_success() -> None:
    assert agents.next_aspiration(8_000, traded=True, step_bp=500) == 7_500
    assert agents.next_aspiration(9_800, traded=False, step_bp=500) == 10_000
    assert agents.next_aspiration(1_200, traded=True, step_bp=500) == agents.MIN_ASPIRATION_BP


def test_brokers_route_to_the_cheapest_exchange_they_serve() -> None:
    gz = agents.Quote("a", "gzde", "dataset", "general", 10_000, 50)
    sz = agents.Quote("a", "szdex", "dataset", "general", 10_000, 30)
    assert agents.broker_route([gz, sz], served=["gzde", "szdex"]) == sz
    assert agents.broker_route([gz, sz], served=["gzde"]) == gz
    assert agents.broker_route([gz], served=["szdex"]) is None
    assert agents.needs_broker("when_required", required=True)
    assert not agents.needs_broker("when_required", required=False)
    assert agents.needs_broker("always", required=False)
    assert not agents.needs_broker("never", required=True)


@pytest.mark.parametrize(
    ("policy", "grade", "pi", "basis", "approve"),
    [
        ("lenient", "important", True, "standard_contract", True),
        ("lenient", "general", True, None, False),
        ("strict", "important", False, "standard_contract", False),
        ("strict", "important", True, "security_assessment", True),
        ("strict", "general", True, "certification", True),
    ],
)
def test_customs_policies(
    policy: str, grade: str, pi: bool, basis: str | None, approve: bool
) -> None:
    ruling = agents.customs_ruling(policy, grade=grade, personal_information=pi, legal_basis=basis)
    assert ruling.approve is approve
    assert ruling.reason


def test_weighted_choice_follows_the_weights() -> None:
    rng = random.Random(9)
    picks = [agents.weighted_choice(rng, {"a": 3, "b": 1, "c": 0}) for _ in range(4_000)]
    assert "c" not in picks
    assert 2_800 < picks.count("a") < 3_200
