"""The registration path over HTTP: apply, review, publicity, objections, register, certify."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from support_assets import FINGERPRINT, PUBLICITY, Registry, audit_size, count_rows

from exchange.assets.certificates.signing import verify_certificate_offline
from exchange.assets.registry.models import Asset, AssetApplication
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem
from support_audit import chain_entries


async def test_full_path_to_a_signed_certificate(registry: Registry) -> None:
    client = registry.client
    source = await registry.catalog_item("general")
    asset = await registry.apply(source_catalog_item_ids=[source["id"]])
    asset_id = asset["id"]
    assert asset["status"] == "applied"
    assert asset["status_label"] == "登记申请中"
    assert asset["right_label"] == "数据产品经营权"
    assert asset["open_application"]["status"] == "under_review"
    assert asset["source_catalog_item_ids"] == [source["id"]]
    # Before publicity the application is private to its holder and the registry.
    assert_problem(
        await client.get(f"/v1/assets/{asset_id}", headers=registry.other.auth),
        404,
        "asset-not-found",
    )
    listed = await client.get("/v1/assets", headers=registry.other.auth)
    assert asset_id not in {a["id"] for a in listed.json()["items"]}
    queue = await client.get(
        "/v1/asset-applications?status=under_review", headers=registry.reviewer_a.auth
    )
    assert [a["asset_id"] for a in queue.json()["items"]] == [asset_id]

    first = await registry.review(asset_id, registry.reviewer_a)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "under_review"
    assert first.json()["approvals"] == 1
    second = await registry.review(asset_id, registry.reviewer_b)
    application = second.json()
    assert application["status"] == "in_publicity"
    # Approved on Monday 09:00: five working days later is the next Monday, same time.
    assert application["publicity_ends_at"].startswith("2026-11-30T09:00:00.123456")

    # In publicity (公示) anyone may read it.
    seen = await client.get(f"/v1/assets/{asset_id}", headers=registry.other.auth)
    assert seen.status_code == 200
    assert_problem(await registry.finalize(asset_id), 409, "publicity-not-over")

    registry.clock.advance(PUBLICITY)
    done = await registry.finalize(asset_id)
    assert done.status_code == 200, done.text
    registered = done.json()
    assert registered["status"] == "registered"
    assert registered["version"] == 1
    number = registered["certificate"]["number"]
    assert number == "GDDA-2026-00000001"
    assert registered["certificate"]["status"] == "valid"

    cert = await registry.certificate(number)
    doc = cert["document"]
    assert doc["number"] == number
    assert doc["asset"] == {"id": asset_id, "name": "广州市企业用电指数数据产品", "version": 1}
    assert doc["holder"] == {"id": registry.holder.id, "name": "广州数联科技有限公司"}
    assert doc["right"] == {"code": "product_operation", "label": "数据产品经营权"}
    assert doc["product_form"] == {"code": "indicator", "label": "数据指标"}
    assert doc["grade"] == {"code": "general", "label": "一般数据"}
    assert doc["scenario"] == "企业信贷"
    assert doc["fingerprint"] == {"algorithm": "sha256", "value": FINGERPRINT}
    assert doc["valuation"] is None
    assert doc["issued_at"] == "2026-11-30T09:00:00.123456Z"
    assert doc["expires_at"] == "2029-11-30T09:00:00.123456Z"
    assert cert["status"] == "valid" and cert["pledged"] is False

    key = (await client.get("/v1/certificates/issuer-key")).json()
    assert key["algorithm"] == "ed25519" and key["key_id"] == doc["issuer"]["key_id"]
    offline = verify_certificate_offline(
        doc, cert["signature"], key["public_key"], now=registry.clock.now()
    )
    assert offline.accepted and offline.status == "valid"
    verified = await registry.verify(doc, cert["signature"])
    assert verified["status"] == "valid" and verified["accepted"] is True

    entries = await chain_entries(registry.runtime)
    actions = [e["action"] for e in entries if e["subject"]["id"] in (asset_id, number)]
    assert actions == [
        "asset.applied",
        "asset.reviewed",
        "asset.reviewed",
        "asset.registered",
        "certificate.issued",
    ]


async def test_publicity_spans_a_weekend(registry: Registry) -> None:
    registry.clock.advance(timedelta(days=3))  # Thursday
    asset = await registry.apply()
    application = await registry.approve(asset["id"])
    assert application["publicity_ends_at"].startswith("2026-12-03T09:00:00")  # next Thursday
    registry.clock.advance(timedelta(days=6, hours=23))  # Wednesday evening: still open
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/objections",
        json={"grounds": "该数据产品包含未经授权的企业数据"},
        headers=registry.other.auth,
    )
    assert r.status_code == 201, r.text


async def test_one_rejection_refuses_the_application(registry: Registry) -> None:
    asset = await registry.apply()
    assert (await registry.review(asset["id"], registry.reviewer_a)).status_code == 201
    r = await registry.review(asset["id"], registry.reviewer_b, "reject")
    assert r.json()["status"] == "rejected"
    detail = (
        await registry.client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)
    ).json()
    assert detail["status"] == "refused"
    assert detail["open_application"] is None
    # Still private: it never reached publicity.
    assert_problem(
        await registry.client.get(f"/v1/assets/{asset['id']}", headers=registry.other.auth),
        404,
        "asset-not-found",
    )


async def test_quorum_is_a_setting(registry: Registry, make_participant: MakeParticipant) -> None:
    registry.runtime.settings.asset_review_quorum = 3
    third = await make_participant(Role.COMPLIANCE_REVIEWER)
    asset = await registry.apply()
    await registry.review(asset["id"], registry.reviewer_a)
    r = await registry.review(asset["id"], registry.reviewer_b)
    assert r.json()["status"] == "under_review"
    r = await registry.review(asset["id"], third)
    assert r.json()["status"] == "in_publicity"


async def test_objection_upheld_stops_the_registration(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    client = registry.client
    asset = await registry.apply()
    await registry.approve(asset["id"])
    filed = await client.post(
        f"/v1/assets/{asset['id']}/objections",
        json={"grounds": "数据来源于我方系统，申请人无权登记"},
        headers=registry.other.auth,
    )
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["status"] == "open"
    # The holder sees the objection; a third party sees only its own.
    holder_view = await client.get(
        f"/v1/assets/{asset['id']}/objections", headers=registry.holder.auth
    )
    assert [o["id"] for o in holder_view.json()["items"]] == [objection["id"]]
    registry.clock.advance(PUBLICITY)
    assert_problem(await registry.finalize(asset["id"]), 409, "objection-open")
    # Only regulators decide objections.
    decision = {"decision": "uphold", "reason": "经核查，数据来源存在争议"}
    url = f"/v1/assets/{asset['id']}/objections/{objection['id']}/decision"
    assert_problem(await client.post(url, json=decision, headers=registry.admin.auth), 403)
    # …and only those of the agency overseeing the registry (数据局, the public-data remit).
    for agency in ("gd-amr", "gd-cac", None):
        other = await make_participant(Role.REGULATOR, agency=agency)
        slug = "outside-remit" if agency else "not-agency-member"
        refused = assert_problem(
            await client.post(url, json=decision, headers=other.auth), 403, slug
        )
        if agency:
            assert refused["needed_remits"] == ["public_data"], refused
    decided = await client.post(url, json=decision, headers=registry.regulator.auth)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "upheld"
    detail = (await client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)).json()
    assert detail["status"] == "refused"
    assert "异议成立" in detail["close_reason"]
    assert_problem(await registry.finalize(asset["id"]), 409, "no-open-application")
    assert_problem(
        await client.post(url, json=decision, headers=registry.regulator.auth),
        409,
        "objection-decided",
    )


async def test_objection_dismissed_lets_the_registration_complete(registry: Registry) -> None:
    client = registry.client
    asset = await registry.apply()
    await registry.approve(asset["id"])
    objection = (
        await client.post(
            f"/v1/assets/{asset['id']}/objections",
            json={"grounds": "名称与我方产品相近"},
            headers=registry.other.auth,
        )
    ).json()
    registry.clock.advance(PUBLICITY)
    r = await client.post(
        f"/v1/assets/{asset['id']}/objections/{objection['id']}/decision",
        json={"decision": "dismiss", "reason": "名称相近不构成权属争议"},
        headers=registry.regulator.auth,
    )
    assert r.json()["status"] == "dismissed"
    done = await registry.finalize(asset["id"])
    assert done.json()["status"] == "registered"


async def test_finalize_due_registers_in_bulk(registry: Registry) -> None:
    first = await registry.apply()
    second = await registry.apply(name="珠海港口集装箱吞吐数据集", product_form="dataset")
    pending = await registry.apply(name="江门侨乡文旅客流数据")
    for asset in (first, second):
        await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY)
    await registry.approve(pending["id"])  # its publicity has just begun
    url = "/v1/assets/finalize-due"
    assert_problem(await registry.client.post(url, json={}, headers=registry.other.auth), 403)
    r = await registry.client.post(url, json={"limit": 10}, headers=registry.admin.auth)
    assert r.status_code == 200, r.text
    assert sorted(r.json()["asset_ids"]) == sorted([first["id"], second["id"]])
    again = await registry.client.post(url, json={}, headers=registry.admin.auth)
    assert again.json() == {"registered": 0, "asset_ids": [], "certificate_numbers": []}


async def test_change_registration_reissues_the_certificate(registry: Registry) -> None:
    client = registry.client
    asset = await registry.register()
    old_number = asset["certificate"]["number"]
    r = await client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "change", "reason": "新增应用场景", "scenario": "企业信贷、供应链金融"},
        headers=registry.holder.auth,
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "change"
    assert r.json()["proposed"]["scenario"] == "企业信贷、供应链金融"
    await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY)
    changed = (await registry.finalize(asset["id"])).json()
    assert changed["scenario"] == "企业信贷、供应链金融"
    assert changed["version"] == 2
    new_number = changed["certificate"]["number"]
    assert new_number != old_number
    old = await registry.certificate(old_number)
    assert old["status"] == "revoked"
    assert "变更登记" in old["revocation_reason"]
    new = await registry.certificate(new_number)
    assert new["document"]["scenario"] == "企业信贷、供应链金融"
    assert new["document"]["asset"]["version"] == 2
    history = await client.get(
        f"/v1/assets/{asset['id']}/applications", headers=registry.other.auth
    )
    assert [a["kind"] for a in history.json()["items"]] == ["initial", "change"]
    assert len(history.json()["items"][1]["reviews"]) == 2


async def test_change_must_change_something(registry: Registry) -> None:
    asset = await registry.register()
    before = await audit_size(registry.runtime)
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "change", "reason": "无", "scenario": asset["scenario"]},
        headers=registry.holder.auth,
    )
    assert_problem(r, 409, "no-change")
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "change", "reason": "无", "grade": "core"},
        headers=registry.holder.auth,
    )
    assert_problem(r, 409, "core-data-refused")
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "change", "reason": "他人代为变更", "scenario": "个人信贷"},
        headers=registry.other.auth,
    )
    assert_problem(r, 403)
    assert await audit_size(registry.runtime) == before


async def test_cancellation_revokes_the_certificate(registry: Registry) -> None:
    client = registry.client
    asset = await registry.register()
    number = asset["certificate"]["number"]
    r = await client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "cancellation", "reason": "产品下线"},
        headers=registry.holder.auth,
    )
    assert r.status_code == 201, r.text
    await registry.review(asset["id"], registry.reviewer_a)
    r = await registry.review(asset["id"], registry.reviewer_b)
    assert r.json()["status"] == "completed"
    detail = (await client.get(f"/v1/assets/{asset['id']}", headers=registry.other.auth)).json()
    assert detail["status"] == "cancelled"
    cert = await registry.certificate(number)
    assert cert["status"] == "revoked"
    verified = await registry.verify(cert["document"], cert["signature"])
    assert verified["status"] == "revoked" and verified["accepted"] is False
    assert "产品下线" in verified["revocation_reason"]


async def test_registry_revocation(registry: Registry, make_participant: MakeParticipant) -> None:
    client = registry.client
    asset = await registry.register()
    url = f"/v1/assets/{asset['id']}/revocation"
    body = {"reason": "登记材料存在虚假陈述"}
    assert_problem(await client.post(url, json=body, headers=registry.holder.auth), 403)
    market = await make_participant(Role.REGULATOR, name="市场监管", agency="gd-amr")
    outside = assert_problem(await client.post(url, json=body, headers=market.auth), 403)
    assert outside["type"].endswith("/outside-remit") and "public_data" in outside["detail"]
    kept = await client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)
    assert kept.json()["status"] == "registered"
    r = await client.post(url, json=body, headers=registry.regulator.auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked"
    assert r.json()["certificate"]["status"] == "revoked"
    assert_problem(
        await client.post(url, json=body, headers=registry.admin.auth), 409, "asset-not-registered"
    )


async def test_listing_shows_published_and_own_assets(registry: Registry) -> None:
    mine = await registry.apply(holder=registry.other, name="深圳跨境物流时效数据")
    published = await registry.register(name="佛山制造业产能指数")
    private = await registry.apply(name="未公示的数据产品")
    r = await registry.client.get("/v1/assets", headers=registry.other.auth)
    ids = {a["id"] for a in r.json()["items"]}
    assert {mine["id"], published["id"]} <= ids and private["id"] not in ids
    r = await registry.client.get("/v1/assets?q=产能", headers=registry.other.auth)
    assert [a["id"] for a in r.json()["items"]] == [published["id"]]
    r = await registry.client.get("/v1/assets?status=applied", headers=registry.regulator.auth)
    assert {a["id"] for a in r.json()["items"]} == {mine["id"], private["id"]}
    assert await count_rows(registry.runtime, Asset) == 3
    assert await count_rows(registry.runtime, AssetApplication) == 3


async def test_concurrent_reviews_both_count(registry: Registry) -> None:
    assets = [await registry.apply(name=f"并发审查数据产品 {i}") for i in range(4)]
    results = await asyncio.gather(
        *(
            registry.review(asset["id"], reviewer)
            for asset in assets
            for reviewer in (registry.reviewer_a, registry.reviewer_b)
        )
    )
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    for asset in assets:
        detail = await registry.client.get(
            f"/v1/assets/{asset['id']}", headers=registry.holder.auth
        )
        application = detail.json()["open_application"]
        assert application["status"] == "in_publicity"
        assert application["approvals"] == 2
