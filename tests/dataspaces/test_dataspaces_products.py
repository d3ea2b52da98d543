"""Using personal information requires consent: registering a product made from people's
records names the consents it relies on (or another basis the registry accepts); listing,
selling, delivering and exporting it stop once one of them is revoked."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from support_dataspaces import Spaces

from exchange.context import Runtime
from exchange.seed.demo import DemoKey, seed_demo
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem, footprint


def application(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "社保缴费画像数据集 Contribution profiles",
        "description": "由参保人授权的社保缴费记录加工形成",
        "product_form": "dataset",
        "right": "product_operation",
        "scenario": "普惠金融授信",
        "grade": "important",
        "personal_information": True,
        "fingerprint": hashlib.sha256(b"profiles").hexdigest(),
        "source_legality": "参保人授权",
    }
    body.update(changes)
    return body


async def _apply(s: Spaces, actor: Actor, **changes: Any) -> httpx.Response:
    return await s.client.post("/v1/assets", json=application(**changes), headers=actor.auth)


async def test_registering_personal_information_relies_on_consents_in_force(
    spaces: Spaces, make_participant: MakeParticipant
) -> None:
    s = spaces
    to_company = await s.granted(
        s.person,
        grantee_id=s.company.id,
        record_types=["social_insurance"],
        purposes=["product_development"],
    )
    to_bank = await s.granted(s.person, record_types=["tax"])
    to_revoke = await s.granted(
        s.person,
        grantee_id=s.company.id,
        record_types=["tax"],
        purposes=["product_development"],
    )
    assert (await s.revoke(s.person, to_revoke["id"])).status_code == 200
    department = await make_participant(Role.DEPARTMENT, name="广东省医疗保障局")
    before = await footprint(s.runtime)
    cases: list[tuple[Actor, dict[str, Any], int, str]] = [
        (s.company, {}, 422, "personal-information-basis-required"),
        (
            s.company,
            {"personal_information_basis": "个人单独同意"},
            422,
            "personal-information-basis-required",
        ),
        (s.company, {"lawful_basis": "consent"}, 422, "consent-ids-required"),
        (
            s.company,
            {"lawful_basis": "publicly_disclosed", "consent_ids": [to_company["id"]]},
            422,
            "consent-ids-required",
        ),
        (
            s.company,
            {"lawful_basis": "publicly_disclosed"},
            422,
            "personal-information-basis-required",
        ),
        (
            s.company,
            {"lawful_basis": "legal_duty", "personal_information_basis": "依法履职"},
            409,
            "lawful-basis-not-accepted",
        ),
        (
            department,
            {"lawful_basis": "contract", "personal_information_basis": "合同所必需"},
            409,
            "lawful-basis-not-accepted",
        ),
        (
            s.company,
            {"lawful_basis": "consent", "consent_ids": [to_bank["id"]]},
            403,
            "consent-not-held",
        ),
        (
            s.company,
            {"lawful_basis": "consent", "consent_ids": ["no-such-consent"]},
            403,
            "consent-not-held",
        ),
        (
            s.company,
            {"lawful_basis": "consent", "consent_ids": [to_company["id"], to_revoke["id"]]},
            409,
            "consent-revoked",
        ),
    ]
    for actor, changes, status, slug in cases:
        assert_problem(await _apply(s, actor, **changes), status, slug)
    assert await footprint(s.runtime) == before
    # A consent to the company for credit decisions does not cover making products.
    for_credit = await s.granted(s.person, grantee_id=s.company.id, record_types=["tax"])
    assert_problem(
        await _apply(s, s.company, lawful_basis="consent", consent_ids=[for_credit["id"]]),
        403,
        "purpose-not-consented",
    )

    made = await _apply(s, s.company, lawful_basis="consent", consent_ids=[to_company["id"]])
    assert made.status_code == 201, made.text
    asset = made.json()
    assert (asset["lawful_basis"], asset["lawful_basis_label"]) == ("consent", "个人同意")
    assert asset["consent_ids"] == [to_company["id"]]
    legal = await _apply(
        s,
        department,
        lawful_basis="legal_duty",
        personal_information_basis="医疗保障部门依法履职（第十三条第三项）",
    )
    assert legal.status_code == 201, legal.text
    # The person sees the product made from its records, provably.
    used = [e for e in await s.usage(s.person) if e["action"] == "consent.relied_on"]
    assert [(e["subject_id"], e["payload"]["use"], e["payload"]["asset_id"]) for e in used] == [
        (to_company["id"], "asset_registration", asset["id"])
    ]
    assert used[0]["actor"] == s.company.id


def _auth(keys: list[DemoKey], handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {next(k.api_key for k in keys if k.handle == handle)}"}


async def test_a_revoked_consent_stops_sales_delivery_and_export(
    runtime: Runtime, client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    keys = await seed_demo(runtime)
    person, regulator, hk = (_auth(keys, h) for h in ("individual", "regulator", "hk_buyer"))
    listings = (await client.get("/v1/listings", headers=person)).json()["items"]
    (claims,) = [item for item in listings if item["personal_information"]]
    asset = (await client.get(f"/v1/assets/{claims['asset_id']}", headers=person)).json()
    assert asset["lawful_basis"] == "consent"
    (consent_id,) = asset["consent_ids"]
    consent = (await client.get(f"/v1/consents/{consent_id}", headers=person)).json()
    assert consent["purposes"] == ["product_development"]
    usage = (await client.get("/v1/dataspaces/me/usage", headers=person)).json()["items"]
    uses = {e["payload"]["use"] for e in usage if e["action"] == "consent.relied_on"}
    assert uses == {"asset_registration", "listing"}

    def order(tier: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"listing_id": claims["id"], "tier_id": tier["id"], "exchange_id": "szdex", **extra}

    buyer = await make_participant(Role.ENTERPRISE, name="某保险公司", balance_fen=10_000_000)
    bought = await client.post(
        "/v1/orders",
        json=order(claims["tiers"][0]),
        headers={**buyer.auth, "Idempotency-Key": "claims-1"},
    )
    assert bought.status_code == 201 and bought.json()["status"] == "settled", bought.text
    delivery_url = f"/v1/licences/{bought.json()['licence']['id']}/delivery"
    assert (await client.get(delivery_url, headers=buyer.auth)).status_code == 200
    # Abroad, the claims wait at customs; the persons never consented to cross-border
    # provision, so the regulator cannot clear them.
    held = await client.post(
        "/v1/orders",
        json=order(claims["tiers"][0], legal_basis="standard_contract"),
        headers={**hk, "Idempotency-Key": "claims-hk"},
    )
    assert held.json()["status"] == "awaiting_customs", held.text
    case_url = f"/v1/customs/cases/{held.json()['customs_case']['id']}"
    before = await footprint(runtime)
    approve = await client.post(
        f"{case_url}/decision",
        json={"decision": "approve", "reason": "标准合同已备案"},
        headers=regulator,
    )
    body = assert_problem(approve, 409, "export-not-consented")
    assert body["consent_id"] == consent_id and "三十九条" in body["rule"]
    assert await footprint(runtime) == before
    assert (await client.get(case_url, headers=regulator)).json()["status"] == "pending"

    revoked = await client.post(
        f"/v1/consents/{consent_id}/revoke", json={"reason": "撤回"}, headers=person
    )
    assert revoked.status_code == 200, revoked.text
    refused = await client.get(delivery_url, headers=buyer.auth)
    assert_problem(refused, 409, "consent-revoked")
    again = await client.post(
        "/v1/orders",
        json=order(claims["tiers"][0]),
        headers={**buyer.auth, "Idempotency-Key": "claims-2"},
    )
    assert_problem(again, 409, "consent-revoked")
    assert_problem(
        await client.post(
            f"{case_url}/decision", json={"decision": "approve", "reason": "-"}, headers=regulator
        ),
        409,
        "consent-revoked",
    )
    rejected = await client.post(
        f"{case_url}/decision",
        json={"decision": "reject", "reason": "数据主体已撤回授权"},
        headers=regulator,
    )
    assert rejected.json()["status"] == "refused", rejected.text
    # Products without personal information are untouched by the revocation.
    other = next(item for item in listings if not item["personal_information"])
    fine = await client.post(
        "/v1/orders",
        json={
            "listing_id": other["id"],
            "tier_id": other["tiers"][0]["id"],
            "exchange_id": other["venues"][0]["exchange_id"],
        },
        headers={**buyer.auth, "Idempotency-Key": "other-1"},
    )
    assert fine.status_code == 201, fine.text
