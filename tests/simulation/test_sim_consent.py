"""Consent rates among individuals (issue 14, 授权用数) as a scenario option: `[consent]` is
validated like every other section; a run with it gives simulated people data spaces, draws
their consents, and registers the personal-information products on those consents through the
registry — a low rate leaves products unmade, and what was registered names consents in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from exchange.assets.registry.models import Asset
from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.vocabulary import ConsentPurpose, ConsentStatus, LawfulBasis
from exchange.simulation import engine, loader, market, runner
from exchange.simulation.loader import ScenarioError
from exchange.simulation.services_base import SetupRefused
from exchange.simulation.services_market import ServiceMarket

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "consent.toml"


def _load(*overrides: tuple[str, object]) -> loader.Variant:
    return loader.load(SCENARIO, overrides=list(overrides))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("consent.rate_bp", 10_001, "less than or equal to 10000"),
        ("consent.subjects", -1, "greater than or equal to 0"),
        ("consent.min_subjects", 0, "greater than or equal to 1"),
        ("consent.rate_bp", "most", "valid integer"),
        ("consent.people", 5, "consent has no field 'people'"),
    ],
)
def test_bad_consent_values_are_refused_at_their_field(
    field: str, value: object, words: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        _load((field, value))
    assert caught.value.path.endswith(field) and str(SCENARIO) in str(caught.value)
    assert words in caught.value.reason


def test_impossible_consent_settings_are_refused_before_anything_runs() -> None:
    # A threshold no run can reach.
    with pytest.raises(ScenarioError) as caught:
        _load(("consent.min_subjects", 41))
    assert caught.value.path == "consent.min_subjects" and "40" in caught.value.reason
    # People consent to products containing personal information; with none, nothing to ask.
    with pytest.raises(ScenarioError) as caught:
        _load(("products.personal_information_bp", 0))
    assert caught.value.path == "consent.subjects"
    # Without people the option is off, whatever the threshold.
    off = _load(("consent.subjects", 0), ("consent.min_subjects", 99))
    assert not off.scenario.consent.subjects


async def test_without_the_platform_s_services_consents_are_refused() -> None:
    variant = _load()
    with pytest.raises(SetupRefused) as caught:
        await engine.run(variant, market.NullMarket(variant.scenario))
    assert caught.value.path == "consent"


async def _run(tmp_path: Path, treatment: str) -> tuple[dict[str, Any], ServiceMarket]:
    variant = _load(("treatment", treatment))
    (tmp_path / treatment).mkdir(parents=True)
    the_market = runner.make_market(variant, tmp_path / treatment, "services")
    assert isinstance(the_market, ServiceMarket)
    record, _ = await engine.run(variant, the_market)
    results, page = runner.write_outputs(tmp_path / treatment, record)
    assert "授权用数 Consent of individuals" in page.read_text(encoding="utf-8")
    return results.summary, the_market


async def _registered_on_consent(the_market: ServiceMarket) -> list[tuple[Any, list[Any]]]:
    """The run's personal-information assets and the consents each names, read from its
    database after it closed."""
    from exchange.simulation.inline_sqlite import inline_engine

    assert the_market.db_path is not None
    engine_ = inline_engine(the_market.db_path)
    try:
        async with engine_.connect() as conn:
            assets = (
                await conn.execute(select(Asset).where(Asset.personal_information.is_(True)))
            ).all()
            consents = {row.id: row for row in (await conn.execute(select(Consent))).all()}
    finally:
        await engine_.dispose()
    return [(a, [consents[c] for c in a.consent_ids if c in consents]) for a in assets]


async def test_a_low_consent_rate_leaves_personal_information_products_unmade(
    tmp_path: Path,
) -> None:
    base, base_market = await _run(tmp_path, "base")
    low, low_market = await _run(tmp_path, "low_consent")
    full, _ = await _run(tmp_path, "full_consent")
    asked, few, everyone = base["consent"], low["consent"], full["consent"]

    # The same people are asked about the same products; the rate realised follows the rate.
    assert asked["asked"] == few["asked"] == everyone["asked"] == 40 * asked["pi_products"]
    assert everyone["realised_bp"] == 10_000 and everyone["dropped_pi"] == 0
    assert few["realised_bp"] < asked["realised_bp"] < 10_000
    assert asked["realised_bp"] == asked["granted"] * 10_000 // asked["asked"]

    # Fewer people consenting: products with too few of them are never made or listed.
    assert few["registered_pi"] < asked["registered_pi"] == asked["pi_products"]
    assert few["dropped_pi"] == few["pi_products"] - few["registered_pi"] > 0
    assert few["products"] < asked["products"]
    assert low["welfare"]["buyer_surplus_fen"] < base["welfare"]["buyer_surplus_fen"]

    # What the registry holds: each personal-information asset made on consent names at least
    # `min_subjects` consents, granted to its holder, in force and covering product making.
    for summary, the_market in ((asked, base_market), (few, low_market)):
        registered = await _registered_on_consent(the_market)
        assert len(registered) == summary["registered_pi"]
        end = the_market.clock.now()
        for asset, consents in registered:
            assert asset.lawful_basis == LawfulBasis.CONSENT
            assert len(consents) == len(asset.consent_ids) >= summary["min_subjects"]
            for consent in consents:
                assert consent.grantee_id == asset.holder_id
                assert consent.status == ConsentStatus.ACTIVE and consent.revoked_at is None
                expires = consent.expires_at
                assert (expires if expires.tzinfo else expires.replace(tzinfo=end.tzinfo)) > end
                assert ConsentPurpose.PRODUCT_DEVELOPMENT.value in consent.purposes
