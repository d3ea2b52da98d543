"""Valuation over HTTP, and the service surface other domains call (trading's listable_asset)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support_assets import PUBLICITY, Registry, audit_size

from exchange.assets.certificates.errors import CertificateNotValid, CertificatePledged
from exchange.assets.registry import market as assets_market
from exchange.assets.registry.errors import AssetNotRegistered, NotAssetHolder
from exchange.assets.registry.models import Asset
from exchange.assets.review import service as assets_review
from exchange.assets.valuation import service as assets_valuation
from exchange.assets.valuation.methods import ValuationMethod
from exchange.context import Context, Principal
from exchange.vocabulary import Role
from support import Actor, MakeParticipant
from support_audit import chain_entries


def principal(actor: Actor) -> Principal:
    return Principal(id=actor.id, name=actor.name, role=actor.role, jurisdiction="CN")


async def test_valuations_are_stored_and_summarised_on_the_certificate(
    registry: Registry,
) -> None:
    client = registry.client
    asset = await registry.apply()
    url = f"/v1/assets/{asset['id']}/valuations"
    cost = await client.post(
        url,
        json={
            "method": "cost",
            "acquisition_fen": 12_000_000,
            "processing_fen": 3_500_000,
            "maintenance_fen": 800_000,
        },
        headers=registry.holder.auth,
    )
    assert cost.status_code == 201, cost.text
    assert cost.json()["value_fen"] == 16_300_000
    registry.clock.advance(timedelta(minutes=1))
    market = await client.post(url, json={"method": "market"}, headers=registry.reviewer_a.auth)
    assert market.json()["value_fen"] is None
    assert market.json()["conclusion"] == "no_comparables"
    registry.clock.advance(timedelta(minutes=1))
    income = await client.post(
        url,
        json={
            "method": "income",
            "expected_income_fen": [5_000_000, 6_000_000, 7_000_000],
            "discount_rate_bp": 800,
        },
        headers=registry.admin.auth,
    )
    report = income.json()
    # 5e6/1.08 + 6e6/1.08^2 + 7e6/1.08^3 = 15,330,488.2 fen
    assert report["value_fen"] == 15_330_488
    assert report["inputs"] == {
        "expected_income_fen": [5_000_000, 6_000_000, 7_000_000],
        "discount_rate_bp": 800,
    }
    reports = (await client.get(url, headers=registry.holder.auth)).json()["items"]
    assert [r["method"] for r in reports] == ["income", "market", "cost"]
    detail = (await client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)).json()
    assert detail["latest_valuation"]["id"] == report["id"]

    await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY)
    registered = (await registry.finalize(asset["id"])).json()
    cert = await registry.certificate(registered["certificate"]["number"])
    assert cert["document"]["valuation"] == {
        "report_id": report["id"],
        "method": "income",
        "value_fen": 15_330_488,
        "conclusion": "valued",
        "valued_at": "2026-11-23T09:02:00.123456Z",
    }
    entries = await chain_entries(registry.runtime)
    valued = [e for e in entries if e["action"] == "asset.valued"]
    assert [e["payload"]["value_fen"] for e in valued] == [16_300_000, None, 15_330_488]


async def test_market_method_uses_the_comparables_source(registry: Registry) -> None:
    asset = await registry.apply()

    async def comparables(ctx: Context, found: Asset) -> list[int]:
        assert found.id == asset["id"]
        return [1_000_000, 3_000_000, 2_000_000, 9_000_000]

    async with registry.runtime.unit_of_work() as session:
        ctx = registry.runtime.context(session, principal(registry.holder))
        report = await assets_valuation.value_asset(
            ctx,
            asset_id=asset["id"],
            method=ValuationMethod.MARKET,
            inputs={},
            comparables=comparables,
        )
    assert report.value_fen == 2_500_000
    assert report.inputs == {"comparable_prices_fen": [1_000_000, 3_000_000, 2_000_000, 9_000_000]}


async def test_listable_asset_for_trading(registry: Registry) -> None:
    registered = await registry.register()
    pending = await registry.apply(name="尚在审查的数据产品")
    runtime = registry.runtime
    async with runtime.sessionmaker() as session:
        ctx = runtime.context(session)
        listable = await assets_market.listable_asset(ctx, registered["id"], registry.holder.id)
        assert listable.certificate_number == registered["certificate"]["number"]
        assert listable.certificate_status == "valid"
        assert listable.fingerprint == registered["fingerprint"]
        assert listable.grade == "general" and listable.personal_information is False
        assert listable.product_form == "indicator" and listable.pledged is False
        with pytest.raises(NotAssetHolder):
            await assets_market.listable_asset(ctx, registered["id"], registry.other.id)
        with pytest.raises(AssetNotRegistered) as caught:
            await assets_market.listable_asset(ctx, pending["id"], registry.holder.id)
        assert "无登记不交易" in caught.value.extra["rule"]
    registry.clock.advance(PUBLICITY * 200)
    async with runtime.sessionmaker() as session:
        with pytest.raises(CertificateNotValid):
            await assets_market.listable_asset(
                runtime.context(session), registered["id"], registry.holder.id
            )


async def test_transfer_reissues_and_respects_pledges(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    buyer = await make_participant(Role.ENTERPRISE, name="佛山智造数据有限公司")
    asset = await registry.register()
    number = asset["certificate"]["number"]
    pledge = (await registry.pledge(number)).json()
    await registry.client.post(f"/v1/pledges/{pledge['id']}/confirm", headers=registry.holder.auth)
    runtime = registry.runtime
    before = await audit_size(runtime)
    with pytest.raises(CertificatePledged):
        async with runtime.unit_of_work() as session:
            await assets_review.transfer_asset(
                runtime.context(session), asset_id=asset["id"], to_holder_id=buyer.id, reason="出售"
            )
    assert await audit_size(runtime) == before
    await registry.client.post(f"/v1/pledges/{pledge['id']}/release", headers=registry.lender.auth)
    async with runtime.unit_of_work() as session:
        certificate = await assets_review.transfer_asset(
            runtime.context(session), asset_id=asset["id"], to_holder_id=buyer.id, reason="出售"
        )
    new = await registry.certificate(certificate.number)
    assert new["document"]["holder"] == {"id": buyer.id, "name": "佛山智造数据有限公司"}
    assert new["document"]["asset"]["version"] == 2
    old = await registry.certificate(number)
    assert old["status"] == "revoked" and "转让" in old["revocation_reason"]
    async with runtime.sessionmaker() as session:
        listable = await assets_market.listable_asset(
            runtime.context(session), asset["id"], buyer.id
        )
    assert listable.certificate_number == certificate.number
