"""Bad input and attacks: refused with a clear problem and nothing changed, or reported."""

from __future__ import annotations

import base64
import copy
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support_assets import PUBLICITY, Registry, application, audit_size, refused_unchanged

from exchange.assets.certificates import service as assets_service
from exchange.assets.certificates.signing import (
    encode_signature,
    sign_document,
    verify_certificate_offline,
)
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem


async def _issuer_key(registry: Registry) -> str:
    key: str = (await registry.client.get("/v1/certificates/issuer-key")).json()["public_key"]
    return key


async def _offline(registry: Registry, document: Any, signature: str) -> str:
    key = await _issuer_key(registry)
    return str(
        verify_certificate_offline(document, signature, key, now=registry.clock.now()).status
    )


async def test_changed_fields_are_reported_as_bad_signatures(registry: Registry) -> None:
    asset = await registry.register()
    cert = await registry.certificate(asset["certificate"]["number"])
    doc, signature = cert["document"], cert["signature"]
    before = await audit_size(registry.runtime)
    changes: list[tuple[str, Any]] = [
        ("scenario", "个人信贷"),
        ("expires_at", "2099-11-30T09:00:00.123456Z"),
        ("number", "GDDA-2026-00000002"),
        ("personal_information", True),
    ]
    for field, value in changes:
        tampered = {**doc, field: value}
        verdict = await registry.verify(tampered, signature)
        assert verdict["status"] == "bad_signature" and verdict["accepted"] is False, field
        assert await _offline(registry, tampered, signature) == "bad_signature"
    for path in (("holder", "name"), ("grade", "code"), ("fingerprint", "value")):
        tampered = copy.deepcopy(doc)
        tampered[path[0]][path[1]] = "core" if path[1] == "code" else "f" * 64
        assert (await registry.verify(tampered, signature))["status"] == "bad_signature"
        assert await _offline(registry, tampered, signature) == "bad_signature"
    # Verifying changes nothing.
    assert await audit_size(registry.runtime) == before


async def test_foreign_and_truncated_signatures_are_refused(registry: Registry) -> None:
    asset = await registry.register()
    cert = await registry.certificate(asset["certificate"]["number"])
    doc = cert["document"]
    _, foreign = sign_document(doc, Ed25519PrivateKey.generate())
    raw = base64.b64decode(cert["signature"])
    for signature in (
        encode_signature(foreign),
        encode_signature(raw[:-1]),
        encode_signature(raw[:32]),
        cert["signature"][:-4],
        "",
    ):
        verdict = await registry.verify(doc, signature)
        assert verdict["status"] == "bad_signature" and verdict["accepted"] is False
        assert await _offline(registry, doc, signature) == "bad_signature"


async def test_registry_signed_document_it_never_issued_is_unknown(registry: Registry) -> None:
    asset = await registry.register()
    cert = await registry.certificate(asset["certificate"]["number"])
    # Even a document bearing the registry's own signature must match the register.
    forged = {**cert["document"], "number": "GDDA-2026-99999999"}
    key = assets_service.registry_key(registry.runtime).private_key
    _, signature = sign_document(forged, key)
    verdict = await registry.verify(forged, encode_signature(signature))
    assert verdict["status"] == "unknown_certificate" and verdict["accepted"] is False


async def test_revoked_and_expired_certificates_are_reported(registry: Registry) -> None:
    revoked = await registry.register()
    expiring = await registry.register(name="珠海跨境电商物流数据")
    r = await registry.client.post(
        f"/v1/assets/{revoked['id']}/revocation",
        json={"reason": "权属争议经复核成立"},
        headers=registry.admin.auth,
    )
    assert r.status_code == 200, r.text
    cert = await registry.certificate(revoked["certificate"]["number"])
    verdict = await registry.verify(cert["document"], cert["signature"])
    assert verdict["status"] == "revoked" and verdict["accepted"] is False
    assert "权属争议" in verdict["revocation_reason"]
    key = await _issuer_key(registry)
    doc, signature, now = cert["document"], cert["signature"], registry.clock.now()
    # Offline with no revocation list the signature is genuine, and revocation is unknown.
    alone = verify_certificate_offline(doc, signature, key, now=now)
    assert alone.status == "valid" and alone.revocations_as_of is None
    assert "unknown without the registry's revocation list" in alone.detail
    # With the registry's signed revocation list, offline reports it revoked, with the reason.
    r = await registry.client.get("/v1/certificates/revocations", headers=registry.lender.auth)
    assert r.status_code == 200, r.text
    crl = (r.json()["document"], r.json()["signature"])
    offline = verify_certificate_offline(doc, signature, key, now=now, revocation_list=crl)
    assert offline.status == "revoked" and offline.accepted is False
    assert offline.revocation_reason is not None and "权属争议" in offline.revocation_reason
    # A tampered list (the certificate taken off it), a list signed by another key, or a
    # certificate passed off as a list: each reported as a bad list, never accepted.
    unlisted = {**crl[0], "revoked": []}
    _, foreign = sign_document(unlisted, Ed25519PrivateKey.generate())
    for bad in (
        (unlisted, crl[1]),
        (unlisted, encode_signature(foreign)),
        ({**crl[0], "issued_at": "2099-01-01T00:00:00.000000Z"}, crl[1]),
        (crl[0], crl[1][:-4]),
        (doc, signature),
    ):
        found = verify_certificate_offline(doc, signature, key, now=now, revocation_list=bad)
        assert found.status == "bad_revocation_list" and found.accepted is False

    registry.clock.advance(timedelta(days=3 * 366))
    cert = await registry.certificate(expiring["certificate"]["number"])
    assert cert["status"] == "expired"
    verdict = await registry.verify(cert["document"], cert["signature"])
    assert verdict["status"] == "expired" and verdict["accepted"] is False
    assert await _offline(registry, cert["document"], cert["signature"]) == "expired"


async def test_malformed_presentations(registry: Registry) -> None:
    asset = await registry.register()
    cert = await registry.certificate(asset["certificate"]["number"])
    floaty = {**cert["document"], "valuation": {"value_fen": 1.5}}
    assert (await registry.verify(floaty, cert["signature"]))["status"] == "malformed"
    r = await registry.client.post(
        "/v1/certificates/verify",
        json={"document": [1], "signature": "x"},
        headers=registry.other.auth,
    )
    assert_problem(r, 422, "invalid-request")
    r = await registry.client.post(  # no API key: a bank or a court asks the register
        "/v1/certificates/verify", json={"document": cert["document"], "signature": "x"}
    )
    assert r.status_code == 200 and r.json()["status"] == "bad_signature", r.text


async def test_reviewing_ones_own_application_is_refused(registry: Registry) -> None:
    asset = await registry.apply()
    # Holders are never reviewers: refused by role (403) before the asset is looked up, so
    # others learn nothing of an unpublished application either.
    for who in (registry.holder, registry.regulator, registry.other):
        await refused_unchanged(
            registry, lambda who=who: registry.review(asset["id"], who), 403, "forbidden"
        )


async def test_reviewing_twice_is_refused(registry: Registry) -> None:
    asset = await registry.apply()
    assert (await registry.review(asset["id"], registry.reviewer_a)).status_code == 201
    await refused_unchanged(
        registry, lambda: registry.review(asset["id"], registry.reviewer_a), 409, "already-reviewed"
    )
    await refused_unchanged(
        registry,
        lambda: registry.review(asset["id"], registry.reviewer_a, "reject"),
        409,
        "already-reviewed",
    )


async def test_reviewing_after_approval_is_refused(registry: Registry) -> None:
    asset = await registry.apply()
    await registry.approve(asset["id"])
    await refused_unchanged(
        registry,
        lambda: registry.review(asset["id"], registry.reviewer_a),
        409,
        "no-open-application",
    )


async def test_objecting_after_the_period_is_refused(registry: Registry) -> None:
    asset = await registry.apply()
    await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY)

    def objection() -> Awaitable[httpx.Response]:
        return registry.client.post(
            f"/v1/assets/{asset['id']}/objections",
            json={"grounds": "迟到的异议"},
            headers=registry.other.auth,
        )

    await refused_unchanged(registry, objection, 409, "publicity-closed")


async def test_objections_that_are_not_allowed(registry: Registry) -> None:
    asset = await registry.apply()

    def objection(actor: Any) -> Callable[[], Awaitable[httpx.Response]]:
        return lambda: registry.client.post(
            f"/v1/assets/{asset['id']}/objections",
            json={"grounds": "异议"},
            headers=actor.auth,
        )

    # Not yet published: nothing to object to, and it is not visible.
    await refused_unchanged(registry, objection(registry.other), 404, "asset-not-found")
    await registry.approve(asset["id"])
    await refused_unchanged(registry, objection(registry.holder), 409, "own-asset-objection")
    await refused_unchanged(registry, objection(registry.regulator), 403, "forbidden")
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/objections", json={"grounds": ""}, headers=registry.other.auth
    )
    assert_problem(r, 422, "invalid-request")


async def test_registering_with_no_scenario_is_refused(registry: Registry) -> None:
    for scenario in (None, "", "   "):
        body = application(scenario=scenario)

        def call(body: dict[str, Any] = body) -> Awaitable[httpx.Response]:
            return registry.client.post("/v1/assets", json=body, headers=registry.holder.auth)

        problem = await refused_unchanged(registry, call, 422, "scenario-required")
        assert "无场景不登记" in problem["rule"]
    body = application()
    del body["scenario"]
    await refused_unchanged(
        registry,
        lambda: registry.client.post("/v1/assets", json=body, headers=registry.holder.auth),
        422,
        "scenario-required",
    )


async def test_core_data_is_refused_automatically(registry: Registry) -> None:
    problem = await refused_unchanged(
        registry,
        lambda: registry.client.post(
            "/v1/assets", json=application(grade="core"), headers=registry.holder.auth
        ),
        409,
        "core-data-refused",
    )
    assert "核心数据" in problem["rule"]


async def test_source_catalog_items_must_exist(registry: Registry) -> None:
    known = await registry.catalog_item("general")
    body = application(source_catalog_item_ids=[known["id"], "catalog-item-electricity-001"])
    problem = await refused_unchanged(
        registry,
        lambda: registry.client.post("/v1/assets", json=body, headers=registry.holder.auth),
        422,
        "unknown-source-catalog-item",
    )
    assert problem["catalog_item_id"] == "catalog-item-electricity-001"
    assert "catalog-item-electricity-001" in problem["detail"]


async def test_core_data_cannot_be_laundered_through_source_items(registry: Registry) -> None:
    core = await registry.catalog_item("core", name="全省电网调度运行数据")
    important = await registry.catalog_item("important")
    general = await registry.catalog_item("general")
    # Derived from core data: refused under the core-data rule whatever grade is declared.
    for grade in ("general", "important"):
        body = application(grade=grade, source_catalog_item_ids=[general["id"], core["id"]])

        def call(body: dict[str, Any] = body) -> Awaitable[httpx.Response]:
            return registry.client.post("/v1/assets", json=body, headers=registry.holder.auth)

        problem = await refused_unchanged(registry, call, 409, "core-data-refused")
        assert "核心数据" in problem["rule"]
        assert problem["catalog_item_id"] == core["id"] and problem["catalog_item_grade"] == "core"
        assert "全省电网调度运行数据" in problem["detail"]
    # Graded below an important source: refused, naming the item and its grade.
    body = application(grade="general", source_catalog_item_ids=[general["id"], important["id"]])
    problem = await refused_unchanged(
        registry,
        lambda: registry.client.post("/v1/assets", json=body, headers=registry.holder.auth),
        409,
        "grade-below-source",
    )
    assert problem["catalog_item_id"] == important["id"]
    assert problem["catalog_item_grade"] == "important" and "important" in problem["detail"]
    # Graded at (or above) its highest source, the grade rule passes; the important item is
    # not open, so only an operating agreement over it lets the holder derive from it (授权运营,
    # tests/operation): without one the refusal names the rule and the missing grant.
    body = application(grade="important", source_catalog_item_ids=[general["id"], important["id"]])
    problem = await refused_unchanged(
        registry,
        lambda: registry.client.post("/v1/assets", json=body, headers=registry.holder.auth),
        409,
        "operation-grant-required",
    )
    assert problem["missing_grant"]["catalog_item_id"] == important["id"]


async def test_a_change_cannot_add_a_core_source(registry: Registry) -> None:
    core = await registry.catalog_item("core")
    asset = await registry.register()
    url = f"/v1/assets/{asset['id']}/applications"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"source_catalog_item_ids": [core["id"]]}, 409, "core-data-refused"),
        ({"source_catalog_item_ids": ["no-such-item"]}, 422, "unknown-source-catalog-item"),
    ]
    for changes, status, slug in cases:
        body = {"kind": "change", "reason": "补充数据来源", **changes}

        def call(body: dict[str, Any] = body) -> Awaitable[httpx.Response]:
            return registry.client.post(url, json=body, headers=registry.holder.auth)

        await refused_unchanged(registry, call, status, slug)


async def test_application_field_rules(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        (application(fingerprint="ABC"), 422, "invalid-request"),
        (application(fingerprint="A" * 64), 422, "invalid-request"),
        (application(grade="secret"), 422, "invalid-request"),
        (application(right="ownership"), 422, "invalid-request"),
        (application(personal_information="yes"), 422, "invalid-request"),
        (application(personal_information=True), 422, "personal-information-basis-required"),
        (application(source_legality=""), 422, "invalid-request"),
        (application(name=""), 422, "invalid-request"),
        (application(owner="someone-else"), 422, "invalid-request"),
        (application(source_catalog_item_ids=["x"] * 51), 422, "invalid-request"),
    ]
    for body, status, slug in cases:

        def call(body: dict[str, Any] = body) -> Awaitable[httpx.Response]:
            return registry.client.post("/v1/assets", json=body, headers=registry.holder.auth)

        await refused_unchanged(registry, call, status, slug)
    individual = await make_participant(Role.INDIVIDUAL)
    for actor in (individual, registry.reviewer_a, registry.regulator, registry.lender):

        def as_actor(actor: Any = actor) -> Awaitable[httpx.Response]:
            return registry.client.post("/v1/assets", json=application(), headers=actor.auth)

        await refused_unchanged(registry, as_actor, 403, "forbidden")


async def test_finalizing_early_or_as_a_regulator_is_refused(registry: Registry) -> None:
    asset = await registry.apply()
    await refused_unchanged(
        registry,
        lambda: registry.finalize(asset["id"], registry.holder),
        409,
        "no-open-application",
    )
    await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY - timedelta(microseconds=1))
    await refused_unchanged(
        registry, lambda: registry.finalize(asset["id"]), 409, "publicity-not-over"
    )
    registry.clock.advance(timedelta(microseconds=1))
    await refused_unchanged(
        registry, lambda: registry.finalize(asset["id"], registry.regulator), 403, "forbidden"
    )
    assert (await registry.finalize(asset["id"])).status_code == 200


async def test_valuation_input_rules(registry: Registry) -> None:
    asset = await registry.apply()
    url = f"/v1/assets/{asset['id']}/valuations"
    good = {"method": "cost", "acquisition_fen": 1, "processing_fen": 2, "maintenance_fen": 3}
    cases: list[tuple[dict[str, Any], Any, int, str]] = [
        ({**good, "acquisition_fen": 1.5}, registry.holder, 422, "invalid-request"),
        ({**good, "acquisition_fen": "100"}, registry.holder, 422, "invalid-request"),
        ({**good, "acquisition_fen": -1}, registry.holder, 422, "invalid-request"),
        (
            {"method": "income", "expected_income_fen": [100.0], "discount_rate_bp": 500},
            registry.holder,
            422,
            "invalid-request",
        ),
        (
            {"method": "income", "expected_income_fen": [], "discount_rate_bp": 500},
            registry.holder,
            422,
            "invalid-request",
        ),
        (
            {"method": "market", "comparable_prices_fen": [1]},
            registry.holder,
            422,
            "invalid-request",
        ),
        ({"method": "guess"}, registry.holder, 422, "invalid-request"),
        (good, registry.regulator, 403, "forbidden"),
        (good, registry.other, 404, "asset-not-found"),
    ]
    for body, actor, status, slug in cases:

        def call(body: dict[str, Any] = body, actor: Any = actor) -> Awaitable[httpx.Response]:
            return registry.client.post(url, json=body, headers=actor.auth)

        await refused_unchanged(registry, call, status, slug)


async def test_unknown_certificate(registry: Registry) -> None:
    assert_problem(
        await registry.client.get(
            "/v1/certificates/GDDA-2026-00000042", headers=registry.other.auth
        ),
        404,
        "certificate-not-found",
    )
