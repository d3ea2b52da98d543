"""Runs through the platform's services: the real rules, a verifiable log, the same bytes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support_simulation import SMALL, write

from exchange.audit import merkle
from exchange.simulation import engine, loader, market, results, runner
from exchange.simulation.services_market import ServiceMarket

TINY_SETS = [("rounds", 3), ("agents.buyers.count", 8)]


async def run(tmp_path: Path, name: str, **kwargs: object) -> runner.RunOutput:
    path = write(tmp_path, SMALL)
    overrides = list(kwargs.pop("overrides", TINY_SETS))  # type: ignore[call-overload]
    variant = loader.load(path, overrides=overrides, seed=kwargs.pop("seed", None))  # type: ignore[arg-type]
    return await runner.run_to_dir(variant, tmp_path / name)


async def test_two_runs_with_one_seed_write_the_same_log_and_another_seed_does_not(
    tmp_path: Path,
) -> None:
    first = await run(tmp_path, "a")
    second = await run(tmp_path, "b")
    third = await run(tmp_path, "c", seed=43)
    assert first.record.audit_root == second.record.audit_root
    assert len(first.record.audit_root) == 64
    for name in ("audit-log.jsonl", "trades.csv", "orders.csv", "summary.json", "rounds.csv"):
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name
    assert third.record.audit_root != first.record.audit_root
    assert (third.out / "audit-log.jsonl").read_bytes() != (
        first.out / "audit-log.jsonl"
    ).read_bytes()


async def test_the_log_verifies_and_matches_the_market(tmp_path: Path) -> None:
    out = await run(tmp_path, "run")
    leaves = (out.out / "audit-log.jsonl").read_bytes().splitlines()
    assert len(leaves) == out.record.audit_size > 0
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    assert merkle.root_from_leaf_hashes(hashes).hex() == out.record.audit_root
    entries = [json.loads(leaf) for leaf in leaves]
    assert [e["seq"] for e in entries] == list(range(len(entries)))
    for previous, entry in zip(hashes, entries[1:], strict=False):
        assert entry["prev"] == previous.hex()
    actions = [e["action"] for e in entries]
    # The whole path ran on the real services: registration, listing, trading, customs.
    for action in (
        "asset.applied",
        "asset.reviewed",
        "certificate.issued",
        "trading.listing_created",
        "trading.trade_settled",
    ):
        assert action in actions, action
    assert actions.count("trading.trade_settled") == len(out.record.trades) > 0
    with sqlite3.connect(out.out / "market.db") as db:
        (trades,) = db.execute("SELECT count(*) FROM trading_trades").fetchone()
        (posted,) = db.execute("SELECT coalesce(sum(amount_fen), 0) FROM postings").fetchone()
    assert trades == len(out.record.trades)
    assert posted == 0  # double entry: every journal sums to zero


async def test_refused_actions_leave_nothing_behind(tmp_path: Path) -> None:
    # Individuals must use a broker on Guangzhou, and these have none: every order there is
    # refused by the rule, and the log shows no half-made order.
    out = await run(
        tmp_path,
        "refused",
        overrides=[
            *TINY_SETS,
            ("agents.buyers.role", "individual"),
            ("agents.buyers.use_broker", "never"),
            ("exchanges.gzde.broker_required_for", ["individual"]),
            ("exchanges.szdex.broker_required_for", ["individual"]),
            ("agents.cross_border_buyers.count", 0),
        ],
    )
    refused = [o for o in out.record.orders if o.outcome == "refused"]
    assert refused and {o.reason for o in refused} == {"broker-required"}
    assert out.record.trades == []
    log = (out.out / "audit-log.jsonl").read_text(encoding="utf-8")
    assert "trading.order" not in log and "ledger.posted" in log


async def test_strict_customs_refuses_what_lenient_customs_clears(tmp_path: Path) -> None:
    strict = await run(
        tmp_path, "strict", overrides=[("agents.cross_border_buyers.demand_bp", 10_000)]
    )
    lenient = await run(
        tmp_path,
        "lenient",
        overrides=[("agents.cross_border_buyers.demand_bp", 10_000), ("treatment", "lenient")],
    )
    strict_outcomes = {c.outcome for c in strict.record.customs}
    lenient_outcomes = {c.outcome for c in lenient.record.customs}
    assert "rejected" in strict_outcomes
    assert "rejected" not in lenient_outcomes and "approved" in lenient_outcomes


async def test_the_ceiling_plays_the_same_plans_without_a_market(tmp_path: Path) -> None:
    variant = loader.load(write(tmp_path, SMALL))
    record, stats = await engine.run(variant, market.NullMarket(variant.scenario))
    computed = results.compute(record)
    assert stats.agent_steps == variant.scenario.agents.total() * variant.scenario.rounds
    assert stats.trades == len(record.trades) > 0
    w = computed.summary["welfare"]
    assert 0 < w["realised_gains_fen"] <= w["best_gains_fen"]
    shares = [e["market_share"] for e in computed.summary["by_exchange"].values()]
    assert abs(sum(shares) - 1) < 1e-6


async def test_outputs_are_tables_charts_and_one_self_contained_report(tmp_path: Path) -> None:
    out = await run(tmp_path, "outputs")
    for name in (
        "rounds.csv",
        "prices.csv",
        "participants.csv",
        "customs.csv",
        "welfare.csv",
        "trades.csv",
        "orders.csv",
        "summary.json",
        "report.html",
        "parameters.json",
    ):
        assert (out.out / name).is_file(), name
    pngs = sorted((out.out / "charts").glob("*.png"))
    assert len(pngs) >= 6
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    page = (out.out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(pngs)
    assert 'src="http' not in page and 'href="http' not in page
    assert "教学说明" in page and out.record.audit_root in page
    participants = (out.out / "participants.csv").read_bytes()
    assert participants.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the Chinese
    assert "数据需方" in participants.decode("utf-8-sig")
    summary = json.loads((out.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["trades"] == len(out.record.trades)
    assert set(summary["by_exchange"]) == {"gzde", "szdex"}


async def test_a_round_replays_carefully_when_a_sure_purchase_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = [
        *TINY_SETS,
        ("agents.buyers.role", "individual"),
        ("agents.buyers.use_broker", "never"),
        ("exchanges.gzde.broker_required_for", ["individual"]),
        ("exchanges.gzde.buyer_fee_bp", 0),
        ("agents.buyers.shop_around_bp", 5_000),
        ("agents.cross_border_buyers.count", 0),
    ]
    careful = await run(tmp_path, "careful", overrides=overrides)
    # Pretend every purchase is sure to pass: refused ones now abort their round, which is
    # then played again action by action; the market ends up exactly as before.
    monkeypatch.setattr(ServiceMarket, "_sure", lambda self, action, offering: True)
    hasty = await run(tmp_path, "hasty", overrides=overrides)
    assert any(o.reason == "broker-required" for o in hasty.record.orders)
    assert [(o.round, o.buyer, o.outcome, o.reason) for o in hasty.record.orders] == [
        (o.round, o.buyer, o.outcome, o.reason) for o in careful.record.orders
    ]
    assert [(t.buyer, t.price_fen) for t in hasty.record.trades] == [
        (t.buyer, t.price_fen) for t in careful.record.trades
    ]
