"""Scenario files: validation names the file, the field and the reason, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_simulation import SMALL, write

from exchange.migrate import ROOT
from exchange.simulation import loader


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
