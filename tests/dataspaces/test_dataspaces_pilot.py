"""The seeds' pilot (企业信贷): a bank asks a company for a consent to read its records and
certificates for a credit decision; the company accepts or declines; the bank reads only
under the consent it accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.catalog.items.models import CatalogItem
from exchange.client import verify_certificate
from exchange.clock import rfc3339
from exchange.context import Principal, Runtime
from exchange.dataspaces.vocabulary import RecordType
from exchange.seed.dataspaces import ensure_sources, seed_data_space
from exchange.seed.demo import DemoKey, seed_demo
from exchange.seed.province import loader
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem, footprint


def _auth(keys: list[DemoKey], handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {next(k.api_key for k in keys if k.handle == handle)}"}


def _id(keys: list[DemoKey], handle: str) -> str:
    return next(k.id for k in keys if k.handle == handle)


async def _ask(client: httpx.AsyncClient, keys: list[DemoKey], runtime: Runtime) -> dict[str, Any]:
    asked = await client.post(
        "/v1/consent-requests",
        json={
            "subject_id": _id(keys, "holder"),
            "record_types": ["business_licence", "tax", "social_insurance", "credit"],
            "purposes": ["credit_decision"],
            "certificates": True,
            "expires_at": rfc3339(runtime.clock.now() + timedelta(days=90)),
            "message": "流动资金贷款授信审查 working-capital loan review",
        },
        headers=_auth(keys, "lender"),
    )
    assert asked.status_code == 201, asked.text
    request: dict[str, Any] = asked.json()
    return request


async def test_a_bank_reads_a_companys_records_and_certificates_under_its_consent(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    bank, company = _auth(keys, "lender"), _auth(keys, "holder")
    request = await _ask(client, keys, runtime)
    assert request["status"] == "pending" and request["purpose_labels"] == ["信贷审批"]
    # Asked is not granted: the bank holds no consent of the company's, and cannot browse.
    held = await client.get("/v1/consents", params={"party": "grantee"}, headers=bank)
    assert _id(keys, "holder") not in {c["subject"]["id"] for c in held.json()["items"]}
    assert_problem(await client.get("/v1/dataspaces/me/records", headers=bank), 403)
    # Only the company asked decides; others do not even see the request.
    url = f"/v1/consent-requests/{request['id']}"
    assert_problem(await client.get(url, headers=_auth(keys, "hk_buyer")), 404)
    assert_problem(await client.post(f"{url}/accept", headers=_auth(keys, "hk_buyer")), 404)
    assert_problem(await client.post(f"{url}/accept", headers=_auth(keys, "individual")), 404)
    waiting = await client.get("/v1/consent-requests", params={"party": "subject"}, headers=company)
    assert [r["id"] for r in waiting.json()["items"]] == [request["id"]]

    accepted = await client.post(f"{url}/accept", headers=company)
    assert accepted.status_code == 201, accepted.text
    consent = accepted.json()
    assert consent["request_id"] == request["id"] and consent["certificates"] is True
    assert consent["grantee"]["id"] == _id(keys, "lender")
    decided = (await client.get(url, headers=bank)).json()
    assert decided["status"] == "accepted" and decided["consent_id"] == consent["id"]
    before = await footprint(runtime)
    again = await client.post(f"{url}/accept", headers=company)
    assert_problem(again, 409, "consent-request-decided")
    assert await footprint(runtime) == before

    read = await client.post(
        f"/v1/consents/{consent['id']}/reads", json={"purpose": "credit_decision"}, headers=bank
    )
    assert read.status_code == 200, read.text
    body = read.json()
    assert {r["record_type"] for r in body["records"]} == {
        "business_licence",
        "tax",
        "social_insurance",
        "credit",
    }
    assert all(r["fields"]["org_name"] == "广州数联科技有限公司" for r in body["records"])
    # Its certificates, as issued: the bank checks them offline with the registry's key.
    issuer = (await client.get("/v1/certificates/issuer-key")).json()["public_key"]
    assert len(body["certificates"]) >= 7
    for certificate in body["certificates"]:
        assert certificate["document"]["holder"]["id"] == _id(keys, "holder")
        checked = verify_certificate(certificate["document"], certificate["signature"], issuer)
        assert checked.status == "valid", checked.detail
    assert_problem(
        await client.post(
            f"/v1/consents/{consent['id']}/reads",
            json={"purpose": "insurance_underwriting"},
            headers=bank,
        ),
        403,
        "purpose-not-consented",
    )
    usage = (await client.get("/v1/dataspaces/me/usage", headers=company)).json()["items"]
    actions = [e["action"] for e in usage]
    for action in ("consent.requested", "consent.request_accepted", "consent.records_read"):
        assert action in actions, action
    read_entry = next(e for e in usage if e["action"] == "consent.records_read")
    assert read_entry["payload"]["certificate_numbers"] == [
        c["number"] for c in body["certificates"]
    ]


async def test_a_company_declines_and_nothing_is_granted(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    company = _auth(keys, "holder")
    request = await _ask(client, keys, runtime)
    url = f"/v1/consent-requests/{request['id']}"
    declined = await client.post(f"{url}/decline", json={"reason": "暂不融资"}, headers=company)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined" and declined.json()["consent_id"] is None
    again = await client.post(f"{url}/accept", headers=company)
    assert_problem(again, 409, "consent-request-decided")
    granted = await client.get("/v1/consents", params={"party": "subject"}, headers=company)
    assert granted.json()["total"] == 0
    # A bank asks only a person or a company, never itself or a department.
    for subject in (_id(keys, "lender"), _id(keys, "department"), "nobody"):
        refused = await client.post(
            "/v1/consent-requests",
            json={
                "subject_id": subject,
                "purposes": ["credit_decision"],
                "expires_at": rfc3339(runtime.clock.now() + timedelta(days=9)),
            },
            headers=_auth(keys, "lender"),
        )
        assert_problem(refused, 422, "invalid-data-subject")


async def test_the_demo_person_has_consented_to_the_bank(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    bank, person = _auth(keys, "lender"), _auth(keys, "individual")
    held = (await client.get("/v1/consents", params={"party": "grantee"}, headers=bank)).json()
    (consent,) = held["items"]
    assert consent["subject"]["id"] == _id(keys, "individual")
    assert consent["purposes"] == ["credit_decision"] and consent["status"] == "active"
    read = await client.post(
        f"/v1/consents/{consent['id']}/reads", json={"purpose": "credit_decision"}, headers=bank
    )
    assert read.status_code == 200 and read.json()["records"], read.text
    space = (await client.get("/v1/dataspaces/me", headers=person)).json()
    assert space["kind"] == "individual" and space["total"] >= 9
    # Seeding again changes nothing.
    again = await seed_demo(runtime, saved_keys={k.id: k.api_key for k in keys})
    assert [k.status for k in again] == ["kept"] * len(keys)
    held = (await client.get("/v1/consents", params={"party": "grantee"}, headers=bank)).json()
    assert held["total"] == 1


async def test_records_cite_a_generated_province_catalog(
    runtime: Runtime, client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    """On a province-scale synthetic catalog, the records come from its own items."""
    await loader.generate(runtime, departments=600, items=3000, seed=3, batch_items=1000)
    company = await make_participant(Role.ENTERPRISE, name="佛山顺德美居电器有限公司 Meiju")
    async with runtime.unit_of_work() as session:
        admin = Principal("system-admin", "admin", Role.ADMIN, "CN")
        sources = await ensure_sources(runtime.context(session, admin))
        subject = Principal(company.id, company.name, Role.ENTERPRISE, "CN")
        await seed_data_space(runtime.context(session), subject, sources, runtime.clock.now())
    async with runtime.sessionmaker() as session:
        names = {
            kind: await session.scalar(
                select(CatalogItem.name_zh).where(CatalogItem.id == source.item_id)
            )
            for kind, source in sources.items()
        }
        published = await session.scalar(select(func.count()).select_from(CatalogItem))
    assert published == 3000  # nothing had to be added: every kind has a generated source
    assert "社保" in names[RecordType.SOCIAL_INSURANCE]
    assert "纳税" in names[RecordType.TAX]
    assert "企业登记注册" in names[RecordType.BUSINESS_LICENCE]
    assert "信用" in names[RecordType.CREDIT]
    records = (await client.get("/v1/dataspaces/me/records", headers=company.auth)).json()
    cited = {r["source_item_id"] for r in records["items"]}
    assert cited == {source.item_id for source in sources.values()}
