"""Scenario files: validation names the file, the field and the reason, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_simulation import SMALL, write

from exchange.context import Runtime
from exchange.migrate import ROOT
from exchange.simulation import loader
from exchange.simulation.scenario import SEEDED_RULEBOOKS
from exchange.trading.venues import service as venues_service


def error_of(tmp_path: Path, text: str, **kwargs: object) -> loader.ScenarioError:
    path = write(tmp_path, text)
    with pytest.raises(loader.ScenarioError) as caught:
        loader.load(path, **kwargs)  # type: ignore[arg-type]
    assert str(path) in str(caught.value)
    return caught.value


def test_a_valid_scenario_loads_with_its_defaults(tmp_path: Path) -> None:
    variant = loader.load(write(tmp_path, SMALL))
    scenario = variant.scenario
    assert scenario.name == "small"
    assert scenario.agents.total() == 3 + 12 + 3 + 1 + 1
    assert scenario.exchanges["gzde"].seller_fee_bp is None  # keeps the seeded rulebook
    assert variant.label == "base"


def test_unknown_fields_are_named(tmp_path: Path) -> None:
    err = error_of(tmp_path, SMALL + "\n[agents.buyers.extra]\nfoo = 1\n")
    assert err.path == "agents.buyers.extra"
    assert err.reason == "unknown field"


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (("count = 12", "count = -3"), "agents.buyers.count", "greater than or equal to 0"),
        (
            (
                "demand_bp = 6000\n\n[agents.cross",
                "budget_fen = -1\ndemand_bp = 6000\n\n[agents.cross",
            ),
            "agents.buyers.budget_fen",
            "greater than or equal to 0",
        ),
        (("buyer_fee_bp = 50", "buyer_fee_bp = 12000"), "exchanges.gzde.buyer_fee_bp", "10000"),
        (("commission_bp = 200", "commission_bp = 10001"), "agents.brokers.commission_bp", "10000"),
        (("rounds = 4", "rounds = 0"), "rounds", "greater than or equal to 1"),
        (("count = 12", 'count = "12"'), "agents.buyers.count", "integer"),
    ],
)
def test_impossible_values_are_refused(
    tmp_path: Path, edit: tuple[str, str], path: str, words: str
) -> None:
    err = error_of(tmp_path, SMALL.replace(*edit, 1))
    assert err.path == path
    assert words in err.reason


def test_core_data_and_unknown_exchanges_are_explained(tmp_path: Path) -> None:
    core = error_of(tmp_path, SMALL.replace("important = 1", "core = 1"))
    assert core.path == "products.grades"
    assert "核心数据" in core.reason
    unknown = error_of(tmp_path, SMALL.replace("[exchanges.szdex]", "[exchanges.hkex]"))
    assert unknown.path == "exchanges"
    assert "hkex" in unknown.reason and "gzde" in unknown.reason


def test_a_treatment_naming_a_missing_field_is_an_error(tmp_path: Path) -> None:
    text = SMALL + '\n[treatments.typo]\n"agents.regulators.custom_policy" = "strict"\n'
    err = error_of(tmp_path, text)
    assert err.path == "treatments.typo: agents.regulators.custom_policy"
    assert "no field 'custom_policy'" in err.reason
    missing_entry = SMALL + '\n[treatments.ghost]\n"exchanges.hkex.buyer_fee_bp" = 1\n'
    assert "no entry 'hkex'" in error_of(tmp_path, missing_entry).reason


def test_a_treatment_with_an_impossible_value_is_refused_before_running(tmp_path: Path) -> None:
    text = SMALL + '\n[treatments.bad]\n"exchanges.gzde.seller_fee_bp" = 20000\n'
    err = error_of(tmp_path, text)
    assert err.path == "exchanges.gzde.seller_fee_bp"


def test_treatments_and_overrides_change_only_what_they_name(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    base = loader.load(path).scenario
    treated = loader.load(path, overrides=[("treatment", "lenient")]).scenario
    assert treated.agents.regulators.customs_policy == "lenient"
    assert treated.model_dump(exclude={"agents"}) == base.model_dump(exclude={"agents"})
    overridden = loader.load(
        path,
        overrides=[
            loader.parse_assignment("rounds=9"),
            loader.parse_assignment('exchanges.szdex.trade_modes=["posted"]'),
            loader.parse_assignment("agents.buyers.strategy=truthful"),
        ],
        seed=7,
    )
    assert overridden.scenario.rounds == 9
    assert overridden.scenario.exchanges["szdex"].trade_modes == ["posted"]
    assert overridden.scenario.agents.buyers.strategy == "truthful"
    assert overridden.scenario.seed == 7
    assert "rounds=9" in overridden.label


def test_overrides_and_sweeps_are_checked_like_treatments(tmp_path: Path) -> None:
    err = error_of(tmp_path, SMALL, overrides=[("agents.buyer.count", 3)])
    assert err.path == "--set: agents.buyer.count"
    assert "no field 'buyer'" in err.reason
    unknown = error_of(tmp_path, SMALL, overrides=[("treatment", "nope")])
    assert "no treatment 'nope'" in unknown.reason
    assert loader.parse_sweep("exchanges.gzde.buyer_fee_bp=0, 50,100") == (
        "exchanges.gzde.buyer_fee_bp",
        [0, 50, 100],
    )
    with pytest.raises(loader.ScenarioError):
        loader.parse_assignment("no-equals-sign")


def test_syntax_errors_and_missing_files_name_the_file(tmp_path: Path) -> None:
    err = error_of(tmp_path, "name = [unclosed")
    assert "not valid TOML" in err.reason
    with pytest.raises(loader.ScenarioError, match="no such file"):
        loader.load(tmp_path / "missing.toml")


def test_every_shipped_scenario_and_treatment_is_valid() -> None:
    shipped = sorted((ROOT / "scenarios").glob("*.toml"))
    assert {p.stem for p in shipped} >= {
        "baseline",
        "broker_vs_direct",
        "fee_competition",
        "customs",
        "auction_vs_posted",
    }
    for path in shipped:
        base = loader.load(path)
        assert base.scenario.note.strip(), f"{path.name} has no teaching note"
        for treatment in base.scenario.treatments:
            treated = loader.load(path, overrides=[("treatment", treatment)])
            assert treated.scenario != base.scenario


def test_unquoted_dotted_keys_in_a_treatment_merge_like_quoted_ones(tmp_path: Path) -> None:
    # In TOML an unquoted dotted key is a nested table; it must not replace the whole table.
    quoted = SMALL + (
        '\n[treatments.t]\n"agents.buyers.strategy" = "adaptive"\n'
        '"exchanges.gzde.buyer_fee_bp" = 0\n'
    )
    unquoted = SMALL + (
        '\n[treatments.t]\nagents.buyers.strategy = "adaptive"\nexchanges.gzde.buyer_fee_bp = 0\n'
    )
    a = loader.load(write(tmp_path, quoted, "q.toml"), overrides=[("treatment", "t")])
    b = loader.load(write(tmp_path, unquoted, "u.toml"), overrides=[("treatment", "t")])
    assert a.scenario.model_dump(exclude={"treatments"}) == b.scenario.model_dump(
        exclude={"treatments"}
    )
    buyers = b.scenario.agents.buyers
    assert buyers.strategy == "adaptive"
    assert (buyers.count, buyers.demand_bp) == (12, 6000)  # kept, not reset to defaults
    assert b.scenario.agents.providers.count == 3 and b.scenario.agents.brokers.count == 1
    assert b.scenario.exchanges["gzde"].buyer_fee_bp == 0
    assert b.scenario.exchanges["szdex"].buyer_fee_bp == 30
    # A table given to --set merges too; a plain table-valued field is still replaced whole.
    merged = loader.load(
        write(tmp_path, SMALL, "s.toml"),
        overrides=[
            loader.parse_assignment('agents.buyers={strategy = "adaptive"}'),
            loader.parse_assignment("products.forms={api = 1}"),
        ],
    ).scenario
    assert merged.agents.buyers.strategy == "adaptive" and merged.agents.buyers.count == 12
    assert merged.products.forms == {"api": 1}


def test_an_unknown_unquoted_treatment_path_is_named(tmp_path: Path) -> None:
    typo = SMALL + '\n[treatments.typo]\nagents.buyers.strateg = "adaptive"\n'
    err = error_of(tmp_path, typo)
    assert err.path == "treatments.typo: agents.buyers.strateg"
    assert "no field 'strateg'" in err.reason
    ghost = SMALL + "\n[treatments.ghost]\nexchanges.hkex.buyer_fee_bp = 1\n"
    err = error_of(tmp_path, ghost)
    assert err.path == "treatments.ghost: exchanges.hkex.buyer_fee_bp"
    assert "no entry 'hkex'" in err.reason


@pytest.mark.parametrize(
    ("sets", "path", "words"),
    [
        # Brokers serve both exchanges; gzde's seeded cap is 500 bp, and individuals there
        # must trade through a broker, so every client would grant a mandate at 600 bp.
        (
            [("agents.buyers.role", "individual"), ("agents.brokers.commission_bp", 600)],
            "agents.brokers.commission_bp",
            "commission cap of gzde",
        ),
        (
            [("exchanges.gzde.seller_fee_bp", 9600)],
            "exchanges.gzde.max_commission_bp",
            "more than 100%",
        ),
        (
            [("exchanges.szdex.min_price_fen", 6_000_000_000)],
            "exchanges.szdex.min_price_fen",
            "above max_price_fen",
        ),
        (
            [("products.unit_cost_fen", {"min": 0, "max": 10})],
            "products.unit_cost_fen",
            "price limits",
        ),
    ],
)
def test_values_the_market_would_refuse_at_set_up_are_refused_at_validation(
    tmp_path: Path, sets: list[tuple[str, object]], path: str, words: str
) -> None:
    err = error_of(tmp_path, SMALL, overrides=sets)
    assert err.path == path
    assert words in err.reason


def test_a_commission_above_a_cap_nobody_meets_is_allowed(tmp_path: Path) -> None:
    # Enterprise buyers trade directly (no exchange requires them a broker): no mandates.
    variant = loader.load(write(tmp_path, SMALL), overrides=[("agents.brokers.commission_bp", 600)])
    assert variant.scenario.agents.brokers.commission_bp == 600


async def test_the_seeded_rulebooks_the_validator_assumes_are_the_migrated_ones(
    runtime: Runtime,
) -> None:
    async with runtime.unit_of_work(write=False) as session:
        views = await venues_service.list_exchanges(runtime.context(session))
    books = {v.exchange.id: v.rulebook for v in views}
    for exchange_id, clauses in SEEDED_RULEBOOKS.items():
        for name, value in clauses.items():
            assert getattr(books[exchange_id], name) == value, (exchange_id, name)
