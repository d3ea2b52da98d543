"""Authorized operation of public data (issue 14) as a scenario option: `[operation]` is
validated like every other section; a run needing agreements sets them up through
`exchange.operation`, pays the department its share, and the shipped scenario's treatments
move supply, prices and the department's revenue the way its teaching note says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from exchange.operation.agreements.models import Agreement
from exchange.operation.revenue.models import RevenueShare
from exchange.participants.models import Account, Posting
from exchange.simulation import engine, loader, market, runner
from exchange.simulation.loader import ScenarioError
from exchange.simulation.services_base import SetupRefused
from exchange.simulation.services_market import ServiceMarket
from exchange.simulation.services_operation import HOLDER

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "authorized_operation.toml"


def _load(*overrides: tuple[str, object]) -> loader.Variant:
    return loader.load(SCENARIO, overrides=list(overrides))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("operation.public_bp", 10_001, "less than or equal to 10000"),
        ("operation.revenue_share_bp", -1, "greater than or equal to 0"),
        ("operation.opening", "closed", "'unconditional', 'conditional' or 'not_open'"),
        ("operation.exclusive", "yes", "valid boolean"),
        ("operation.operators", 2, "operation has no field 'operators'"),
    ],
)
def test_bad_operation_values_are_refused_at_their_field(
    field: str, value: object, words: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        _load((field, value))
    assert caught.value.path.endswith(field) and str(SCENARIO) in str(caught.value)
    assert words in caught.value.reason


def test_rules_of_operation_are_refused_before_anything_runs() -> None:
    # Raw records (a dataset) of an item that is not open never leave (不予开放).
    with pytest.raises(ScenarioError) as caught:
        _load(("products.forms", {"dataset": 1, "indicator": 1}))
    assert caught.value.path == "operation.opening" and "dataset" in caught.value.reason
    # Exclusive operation of an item open to all means nothing.
    with pytest.raises(ScenarioError) as caught:
        _load(("treatment", "open_access"), ("operation.exclusive", True))
    assert caught.value.path == "operation.exclusive"
    # A conditionally open item may be operated as raw records.
    conditional = _load(("operation.opening", "conditional"), ("products.forms", {"dataset": 1}))
    assert conditional.scenario.operation.granted


async def test_without_the_platform_s_services_authorized_operation_is_refused() -> None:
    variant = _load()
    with pytest.raises(SetupRefused) as caught:
        await engine.run(variant, market.NullMarket(variant.scenario))
    assert caught.value.path == "operation"


async def _run(tmp_path: Path, treatment: str) -> tuple[dict[str, Any], ServiceMarket]:
    variant = _load(("treatment", treatment))
    (tmp_path / treatment).mkdir(parents=True)
    the_market = runner.make_market(variant, tmp_path / treatment, "services")
    assert isinstance(the_market, ServiceMarket)
    record, _ = await engine.run(variant, the_market)
    results, page = runner.write_outputs(tmp_path / treatment, record)
    assert "公共数据授权运营 Authorized operation" in page.read_text(encoding="utf-8")
    return results.summary, the_market


async def _ledger(the_market: ServiceMarket) -> tuple[int, int, int]:
    """The department's balance and postings, and the revenue-share rows, read from the
    run's database after it closed."""
    from exchange.simulation.inline_sqlite import inline_engine

    assert the_market.db_path is not None
    engine_ = inline_engine(the_market.db_path)
    try:
        async with engine_.connect() as conn:
            account_id = the_market.accounts[HOLDER]
            balance = await conn.scalar(select(Account.balance_fen).where(Account.id == account_id))
            postings = (
                await conn.execute(
                    select(Posting.amount_fen).where(Posting.account_id == account_id)
                )
            ).scalars()
            shares = (await conn.execute(select(RevenueShare.amount_fen))).scalars()
            posted, shared = sum(postings), sum(shares)
            agreements = len((await conn.execute(select(Agreement.id))).all())
    finally:
        await engine_.dispose()
    assert posted == balance
    return int(balance or 0), shared, agreements


async def test_treatments_move_supply_prices_and_revenue_as_the_note_says(tmp_path: Path) -> None:
    base, base_market = await _run(tmp_path, "base")
    open_access, open_market = await _run(tmp_path, "open_access")
    exclusive, exclusive_market = await _run(tmp_path, "exclusive")
    required, free, sole = base["operation"], open_access["operation"], exclusive["operation"]

    # Agreement required: every provider holds one; the department is paid its share, and
    # what the operation service reports is what the ledger holds.
    assert required["agreements"] == 4 and required["refused_agreements"] == 0
    assert required["revenue_fen"] > 0
    balance, shared, agreements = await _ledger(base_market)
    assert required["revenue_fen"] == required["department_balance_fen"] == balance == shared
    assert agreements == 4

    # Open access: no agreement, no share, the same supply, lower prices.
    assert free["agreements"] == 0 and free["revenue_fen"] == 0
    assert (await _ledger(open_market))[0] == 0
    assert free["products"] == required["products"] == 12
    assert free["mean_price_fen"] < required["mean_price_fen"]
    assert open_access["welfare"]["buyer_surplus_fen"] > base["welfare"]["buyer_surplus_fen"]

    # Exclusive: one agreement approved, the rest refused; their derived products never
    # registered, so supply, trades and the buyers' surplus fall, and so does the revenue.
    assert sole["agreements"] == 1 and sole["refused_agreements"] == 3
    assert sole["registered_public"] < sole["public_products"] == required["public_products"]
    assert sole["products"] < required["products"]
    assert exclusive["trades"] < base["trades"]
    assert exclusive["welfare"]["buyer_surplus_fen"] < base["welfare"]["buyer_surplus_fen"]
    assert 0 < sole["revenue_fen"] < required["revenue_fen"]
    assert sole["revenue_fen"] == (await _ledger(exclusive_market))[0]
