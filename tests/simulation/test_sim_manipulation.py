"""Manipulative agents (issue 16): a wash-trading pair and a colluding bidding ring, as
scenario options; surveillance catches them, in memory and through the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from exchange.simulation import engine, loader, market, runner
from exchange.simulation.loader import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "manipulation.toml"


def _load(*overrides: tuple[str, object]) -> loader.Variant:
    return loader.load(SCENARIO, overrides=[("rounds", 4), *overrides])


async def test_in_memory_the_same_patterns_catch_the_pair_and_the_ring() -> None:
    variant = _load()
    record, _ = await engine.run(variant, market.NullMarket(variant.scenario))
    kinds = {a.kind: a for a in record.alerts}
    assert kinds["wash_trade"].parties == ("wash_trader-0001", "wash_trader-0002")
    assert kinds["wash_trade"].trades == 8  # each buys the other's licence every round
    ring = kinds["bid_collusion"]
    assert ring.parties == ("ring_bidder-0001", "ring_bidder-0002", "ring_bidder-0003")
    assert record.surveilled
    roles = {a.role for a in record.agents}
    assert {"wash_trader", "ring_bidder"} <= roles


async def test_an_honest_market_scanned_the_same_way_raises_no_manipulation_alert() -> None:
    variant = _load(("treatment", "honest"))
    record, _ = await engine.run(variant, market.NullMarket(variant.scenario))
    assert record.surveilled and not [
        a for a in record.alerts if a.kind in ("wash_trade", "bid_collusion")
    ]


async def test_through_the_services_the_run_ends_with_the_agency_s_alerts(
    tmp_path: Path,
) -> None:
    variant = _load()
    out = await runner.run_to_dir(variant, tmp_path / "run")
    kinds = {a.kind for a in out.record.alerts}
    assert {"wash_trade", "bid_collusion"} <= kinds
    wash = next(a for a in out.record.alerts if a.kind == "wash_trade")
    assert wash.entries >= wash.trades + 1  # every trade's entry, and the pair's transfer
    assert "wash_trader-0001" in wash.title  # named by agent, not by participant id
    assert (out.out / "alerts.csv").read_text(encoding="utf-8-sig").startswith("kind,")
    assert "交易监测 Surveillance alerts" in out.report.read_text(encoding="utf-8")


def test_a_ring_needs_exclusive_licences_and_a_wash_price_within_the_limits() -> None:
    with pytest.raises(ScenarioError, match="exclusive"):
        _load(("products.exclusive", False))
    with pytest.raises(ScenarioError, match="wash_price_fen"):
        _load(("agents.manipulators.wash_price_fen", 10))
