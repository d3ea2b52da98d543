"""The demo market exercises every rule, and re-seeding it keeps the market and its keys."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from importlib import resources

import httpx
from sqlalchemy import func, select

from exchange.app import create_app
from exchange.assets.packages.models import AssetPackage
from exchange.assets.registry.models import Asset
from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.participants.models import Participant
from exchange.seed.demo import DemoKey, seed_demo
from exchange.seed.products import DEMO_PRODUCTS, WALKTHROUGH_PACKAGE, package_bytes
from exchange.trading.customs.models import CustomsCase
from exchange.trading.listings.models import Listing
from exchange.trading.orders.models import Order
from support import assert_problem


def _auth(keys: list[DemoKey], handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {next(k.api_key for k in keys if k.handle == handle)}"}


async def _counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessionmaker() as session:
        return {
            model.__name__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Participant, Asset, AssetPackage, Listing, Order, CustomsCase)
        }


async def _audit_size(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def test_reseeding_keeps_the_market_and_the_keys_that_still_work(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    assert {k.status for k in keys} == {"new"}
    market, audited = await _counts(runtime), await _audit_size(runtime)

    # The keys file passed back: nothing new is issued, nothing in the market changes.
    again = await seed_demo(runtime, saved_keys={k.id: k.api_key for k in keys})
    assert [(k.id, k.api_key, k.status) for k in again] == [(k.id, k.api_key, "kept") for k in keys]
    assert await _counts(runtime) == market
    assert await _audit_size(runtime) == audited
    for key in again:
        me = await client.get("/v1/accounts/me", headers=_auth(again, key.handle))
        assert me.status_code == 200, (key.handle, me.text)

    # Without the file the demo keys are rotated: the old ones stop working.
    rotated = await seed_demo(runtime)
    assert {k.status for k in rotated} == {"rotated"}
    assert await _counts(runtime) == market
    for old, new in zip(keys, rotated, strict=True):
        assert old.id == new.id and old.api_key != new.api_key
        gone = await client.get("/v1/accounts/me", headers=_auth(keys, old.handle))
        assert_problem(gone, 401)
        assert (await client.get("/v1/accounts/me", headers=_auth(rotated, new.handle))).is_success


async def test_the_review_quorum_of_reviewers_have_keys(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"asset_review_quorum": 3})
    market = replace(runtime, settings=settings)
    keys = await seed_demo(market)
    reviewers = [k for k in keys if k.role == "compliance_reviewer"]
    assert [k.handle for k in reviewers] == ["reviewer1", "reviewer2", "reviewer3"]
    app = create_app(runtime=market)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for reviewer in reviewers:
            me = await client.get("/v1/participants/me", headers=_auth(keys, reviewer.handle))
            assert me.status_code == 200 and me.json()["role"] == "compliance_reviewer"
        # Three approvals registered every demo product.
        listed = await client.get("/v1/listings", headers=_auth(keys, "individual"))
        assert listed.json()["total"] == len(DEMO_PRODUCTS)


async def test_every_package_is_what_its_certificate_says_and_what_buyers_get(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    holder = _auth(keys, "holder")
    shipped = {f.name for f in resources.files("exchange.seed").joinpath("packages").iterdir()}
    assert shipped == {p.package_file for p in DEMO_PRODUCTS} | {WALKTHROUGH_PACKAGE}
    forms = {p.product_form.value for p in DEMO_PRODUCTS}
    assert forms == {"dataset", "api", "indicator", "report", "model", "application"}
    assert {p.grade.value for p in DEMO_PRODUCTS} == {"general", "important"}
    assert any(p.draft().personal_information for p in DEMO_PRODUCTS)

    certificates = (await client.get("/v1/certificates", headers=holder)).json()["items"]
    by_name = {c["document"]["asset"]["name"]: c for c in certificates}
    listings = (await client.get("/v1/listings", headers=holder)).json()["items"]
    by_asset = {item["asset_id"]: item for item in listings}
    for product in DEMO_PRODUCTS:
        digest = hashlib.sha256(package_bytes(product.package_file)).hexdigest()
        certificate = by_name[product.name]
        assert certificate["document"]["fingerprint"]["value"] == digest, product.name
        assert certificate["status"] == "valid"
        # The holder downloads its own registered package; a stranger gets 404.
        url = f"/v1/assets/{certificate['asset_id']}/package"
        own = await client.get(url, headers=holder)
        assert own.status_code == 200 and own.content == package_bytes(product.package_file)
        assert_problem(await client.get(url, headers=_auth(keys, "hk_buyer")), 404)
        assert by_asset[certificate["asset_id"]]["delivery"]["sha256"] == digest

    # A buyer's download is the registered package.
    report = next(p for p in DEMO_PRODUCTS if p.product_form.value == "report")
    listing = by_asset[by_name[report.name]["asset_id"]]
    person = _auth(keys, "individual")
    order = await client.post(
        "/v1/orders",
        json={
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][0]["id"],
            "exchange_id": "szdex",
        },
        headers={**person, "Idempotency-Key": "demo-report-1"},
    )
    assert order.status_code == 201, order.text
    delivery = await client.get(
        f"/v1/licences/{order.json()['licence']['id']}/delivery", headers=person
    )
    digest = hashlib.sha256(delivery.content).hexdigest()
    assert digest == by_name[report.name]["document"]["fingerprint"]["value"]


async def test_orders_for_important_data_from_abroad_wait_for_the_regulator(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    # Customs decisions are the export remit's (网信): the market regulator is refused.
    regulator = _auth(keys, "regulator_cac")
    foreign = next(k for k in keys if k.handle == "foreign_buyer")
    hk = next(k for k in keys if k.handle == "hk_buyer")
    assert (foreign.jurisdiction, hk.jurisdiction) == ("SG", "HK")

    # The demo holds the foreign buyer's order for the important-grade dataset at customs.
    pending = await client.get("/v1/customs/cases", params={"status": "pending"}, headers=regulator)
    (case,) = pending.json()["items"]
    assert (case["buyer_id"], case["jurisdiction"], case["grade"]) == (
        foreign.id,
        "SG",
        "important",
    )
    outside = await client.post(
        f"/v1/customs/cases/{case['id']}/decision",
        json={"decision": "approve", "reason": "放行"},
        headers=_auth(keys, "regulator"),
    )
    assert outside.status_code == 403 and outside.json()["needed_remits"] == ["cross_border"]
    assert "gd-amr" in outside.json()["detail"]
    cleared = await client.post(
        f"/v1/customs/cases/{case['id']}/decision",
        json={"decision": "approve", "reason": "已通过数据出境安全评估"},
        headers=regulator,
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "settled"
    buyer = _auth(keys, "foreign_buyer")
    delivery = await client.get(
        f"/v1/licences/{cleared.json()['licence']['id']}/delivery", headers=buyer
    )
    assert hashlib.sha256(delivery.content).hexdigest() == delivery.headers["x-content-sha256"]

    # The Hong Kong buyer's order waits too; the regulator refuses it and it is refunded.
    important = (
        await client.get(
            "/v1/listings", params={"grade": "important"}, headers=_auth(keys, "hk_buyer")
        )
    ).json()["items"][0]
    before = (await client.get("/v1/accounts/me", headers=_auth(keys, "hk_buyer"))).json()
    held = await client.post(
        "/v1/orders",
        json={
            "listing_id": important["id"],
            "tier_id": important["tiers"][0]["id"],
            "exchange_id": "gzde",
            "legal_basis": "security_assessment",
        },
        headers={**_auth(keys, "hk_buyer"), "Idempotency-Key": "demo-hk-1"},
    )
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "awaiting_customs"
    refused = await client.post(
        f"/v1/customs/cases/{held.json()['customs_case']['id']}/decision",
        json={"decision": "reject", "reason": "出境用途与申报不符"},
        headers=regulator,
    )
    assert refused.json()["status"] == "refused"
    after = (await client.get("/v1/accounts/me", headers=_auth(keys, "hk_buyer"))).json()
    assert after["balance_fen"] == before["balance_fen"]
