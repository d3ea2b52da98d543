"""The surveillance patterns as pure functions: each catches its pattern and lets honest
trading be (thresholds from the defaults, changed where a test says so)."""

from __future__ import annotations

from datetime import UTC, datetime

from exchange.supervision.rules import DEFAULT_THRESHOLDS, AlertKind, Severity
from exchange.supervision.surveillance import detectors as d

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
TH = dict(DEFAULT_THRESHOLDS)


def trade(i: int, buyer: str, seller: str, price: int = 100_000, **kw: object) -> d.TradeFact:
    fields: dict[str, object] = {
        "broker_id": None,
        "mandate_id": None,
        "listing_id": f"listing-{seller}",
        "product_form": "dataset",
        "grade": "general",
    }
    fields.update(kw)
    return d.TradeFact(
        f"t{i}",
        buyer,
        seller,
        fields["broker_id"],  # type: ignore[arg-type]
        fields["mandate_id"],  # type: ignore[arg-type]
        fields["listing_id"],  # type: ignore[arg-type]
        fields["product_form"],  # type: ignore[arg-type]
        fields["grade"],  # type: ignore[arg-type]
        price,
        T0,
    )


def test_a_pair_trading_back_and_forth_is_a_wash_and_one_way_trade_is_not() -> None:
    wash = [trade(1, "a", "b"), trade(2, "b", "a"), trade(3, "a", "b"), trade(4, "b", "a")]
    honest = [trade(5, "c", "d"), trade(6, "c", "d"), trade(7, "c", "d")]
    (found,) = d.wash_trades(wash + honest, [], TH)
    assert found.kind is AlertKind.WASH_TRADE and found.parties == ("a", "b")
    assert found.figures["signals"] == ["back_and_forth"] and found.severity is Severity.MEDIUM
    assert set(found.evidence["trade_ids"]) == {"t1", "t2", "t3", "t4"}
    # Money that does not come back is trade, not a wash.
    lopsided = [trade(1, "a", "b", 900_000), trade(2, "b", "a", 10_000)] * 2
    assert d.wash_trades(lopsided, [], TH) == []


def test_trading_while_paying_each_other_directly_is_common_control() -> None:
    one_way = [trade(1, "a", "b"), trade(2, "a", "b")]
    paid = [d.TransferFact("j1", "b", "a", 200_000)]
    (found,) = d.wash_trades(one_way, paid, TH)
    assert found.figures["signals"] == ["common_control"]
    assert found.evidence["journal_ids"] == ("j1",)
    assert d.wash_trades(one_way, [d.TransferFact("j2", "b", "z", 1)], TH) == []
    back = [*one_way, trade(3, "b", "a"), trade(4, "b", "a")]
    both = d.wash_trades(back, paid, TH)
    assert both[0].severity is Severity.HIGH
    # Scanning the same facts again finds the same alert (it is raised once).
    assert both[0].fingerprint == d.wash_trades(back, paid, TH)[0].fingerprint


def test_prices_far_from_the_median_of_their_form_and_grade() -> None:
    normal = [trade(i, f"b{i}", "s", 100_000 + i) for i in range(5)]
    inflated = trade(9, "x", "w", 400_000, listing_id="listing-w")
    (found,) = d.price_deviations([*normal, inflated], TH)
    assert found.evidence["trade_ids"] == ("t9",) and found.figures["listing_id"] == "listing-w"
    assert found.severity is Severity.HIGH  # 300% from the median
    # Too few trades of the form and grade: no reference, no alert.
    assert d.price_deviations([normal[0], inflated], TH) == []
    other_grade = trade(8, "y", "v", 400_000, grade="important", listing_id="listing-v")
    assert [f.figures["listing_id"] for f in d.price_deviations([*normal, other_grade], TH)] == []


def test_a_burst_of_dropped_negotiations() -> None:
    dropped = [d.DroppedNegotiation(f"n{i}", "spoofer") for i in range(5)]
    dropped.append(d.DroppedNegotiation("n9", "someone"))
    (found,) = d.cancel_bursts(dropped, TH)
    assert found.parties == ("spoofer",) and found.figures["dropped"] == 5


def _auction(i: int, winner: str, bids: dict[str, int]) -> d.AuctionFact:
    return d.AuctionFact(
        f"a{i}", winner, tuple(d.BidFact(f"a{i}-{b}", b, amount) for b, amount in bids.items())
    )


def test_a_ring_places_identical_cover_bids_and_takes_turns_winning() -> None:
    ring = ["r1", "r2", "r3"]
    auctions = []
    for i in range(3):
        winner = ring[i % 3]
        bids = {m: 50_000 for m in ring}
        bids[winner] = 51_000
        bids["honest"] = 40_000 + i
        auctions.append(_auction(i, winner, bids))
    (found,) = d.bid_collusion(auctions, TH)
    assert found.parties == ("r1", "r2", "r3")
    assert found.figures["signals"] == ["identical_bids", "rotating_winners"]
    assert found.severity is Severity.HIGH and len(found.evidence["auction_ids"]) == 3
    # Competing bidders who happen to win in turn but never bid alike are not flagged with
    # fewer shared auctions than the threshold.
    fair = [
        _auction(0, "p", {"p": 60_000, "q": 55_000}),
        _auction(1, "q", {"p": 50_000, "q": 58_000}),
    ]
    assert d.bid_collusion(fair, TH) == []


def test_brokers_pressing_their_mandates_and_departments_and_customs_left_waiting() -> None:
    trades = [trade(1, "client", "s", mandate_id="m1", broker_id="broker")]
    mandates = [
        d.MandateFact("m1", "broker", "client", 1_000_000, 950_000),
        d.MandateFact("m2", "broker", "client2", 1_000_000, 999_999),  # no trade in the window
    ]
    (found,) = d.broker_mandates(trades, mandates, TH)
    assert found.evidence["mandate_ids"] == ("m1",) and found.figures["use_bp"] == 9_500
    shares = [d.OverdueShare("s1", "dept-1"), d.OverdueShare("s2", "dept-1")]
    (late,) = d.overdue_sharing(shares, TH)
    assert late.evidence["department_ids"] == ("dept-1",) and late.figures["overdue"] == 2
    customs = [d.PendingCustoms("c1", "hk", 2), d.PendingCustoms("c2", "sg", 6)]
    (waiting,) = d.unanswered_customs(customs, TH)
    assert waiting.evidence["customs_case_ids"] == ("c2",) and waiting.severity is Severity.HIGH
