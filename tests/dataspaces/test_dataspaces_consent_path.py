"""Issue 14's acceptance, on both databases: a person grants a bank a consent, the bank reads
under it, the person revokes it, the next read is refused, and the person sees both reads —
the served one and the refused one — in "who used my data", each provable by its index."""

from __future__ import annotations

import base64
import copy
import json

import httpx
from support_dataspaces import Spaces

from exchange.client import verify_consent_receipt
from support import assert_problem, footprint


async def test_grant_read_revoke_refuse_and_see_who_used_my_data(spaces: Spaces) -> None:
    s = spaces
    mine = await s.records(s.person)
    kinds = {r["record_type"] for r in mine}
    assert kinds == {"social_insurance", "tax", "credit"}
    assert all(r["source_item_id"] and r["source_department_id"] for r in mine)
    consent = await s.granted(
        s.person,
        record_types=["social_insurance", "tax"],
        fields=["tax_year", "income_fen", "paid_fen"],
        purposes=["credit_decision"],
    )
    assert consent["status"] == "active" and consent["subject"]["name"].startswith("陈小明")
    covered = {r["id"] for r in mine if r["record_type"] in ("social_insurance", "tax")}
    assert set(consent["record_ids"]) == covered

    # The bank reads only what is covered, only the consented fields.
    read = await s.read(s.lender, consent["id"])
    assert read.status_code == 200, read.text
    body = read.json()
    assert {r["id"] for r in body["records"]} == covered
    for record in body["records"]:
        assert set(record["fields"]) <= {"tax_year", "income_fen", "paid_fen"}
        assert "id_number" not in record["fields"] and "person_name" not in record["fields"]
    assert body["certificates"] == []

    revoked = await s.revoke(s.person, consent["id"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"

    before = await footprint(s.runtime)
    refused = await s.read(s.lender, consent["id"])
    assert_problem(refused, 409, "consent-revoked")
    assert "records" not in refused.json()
    # Nothing changes but the log, which records the attempt (its subject sees it below).
    again = await s.client.get(f"/v1/consents/{consent['id']}", headers=s.person.auth)
    assert again.json() == revoked.json()
    participants, keys, entries = await footprint(s.runtime)
    assert (participants, keys, entries) == (before[0], before[1], before[2] + 1)

    usage = await s.usage(s.person)
    reads = [e for e in usage if e["action"] in ("consent.records_read", "consent.read_refused")]
    assert [e["action"] for e in reads] == ["consent.read_refused", "consent.records_read"]
    assert all(e["actor"] == s.lender.id and e["subject_id"] == consent["id"] for e in reads)
    assert reads[1]["payload"]["purpose"] == "credit_decision"
    assert reads[0]["payload"]["refusal"] == "consent-revoked"
    actions = [e["action"] for e in usage]
    assert {"consent.granted", "consent.revoked", "dataspace.records_added"} <= set(actions)
    # Newest first, and each index names the entry in the log itself.
    indexes = [e["index"] for e in usage]
    assert indexes == sorted(indexes, reverse=True)
    for entry in reads:
        logged = await s.client.get(
            "/v1/audit/entries",
            params={"start": entry["index"], "limit": 1},
            headers=s.regulator.auth,
        )
        assert logged.status_code == 200, logged.text
        (found,) = logged.json()["entries"]
        leaf = json.loads(found["leaf"])
        assert found["index"] == leaf["seq"] == entry["index"]
        assert (leaf["action"], leaf["payload"]) == (entry["action"], entry["payload"])

    # Nobody else sees the person's usage or records.
    other = await s.usage(s.other_person)
    assert not {e["subject_id"] for e in other} & {consent["id"], s.person.id}


async def test_the_receipt_verifies_offline_and_fails_when_one_byte_changes(
    spaces: Spaces,
) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"])
    receipt = (
        await s.client.get(f"/v1/consents/{consent['id']}/receipt", headers=s.lender.auth)
    ).json()
    key = (await s.client.get("/v1/consents/issuer-key")).json()
    document, signature = receipt["document"], receipt["signature"]
    assert receipt["key_id"] == key["key_id"] == document["issuer"]["key_id"]
    assert document["grantee"]["id"] == s.lender.id
    assert [p["label"] for p in document["purposes"]] == ["信贷审批"]

    valid = verify_consent_receipt(document, signature, key["public_key"])
    assert valid.status == "valid" and valid.accepted and valid.consent_id == consent["id"]
    # One character of the document changed (the grantee, the subject's name, the end), or
    # one bit of the signature: it no longer verifies.
    for change in (
        lambda d: d["grantee"].update(id=s.company.id),
        lambda d: d["subject"].update(name="陈小朋 Chen Xiaoming"),
        lambda d: d.update(expires_at=s.later(3650)),
        lambda d: d["records"].pop(),
    ):
        tampered = copy.deepcopy(document)
        change(tampered)
        found = verify_consent_receipt(tampered, signature, key["public_key"])
        assert found.status == "bad_signature" and not found.accepted
    flipped = bytearray(base64.b64decode(signature))
    flipped[0] ^= 1
    bad = base64.b64encode(bytes(flipped)).decode()
    assert verify_consent_receipt(document, bad, key["public_key"]).status == "bad_signature"
    # The registry's certificate key is another key: it does not verify a receipt.
    registry = (await s.client.get("/v1/certificates/issuer-key")).json()
    assert registry["public_key"] != key["public_key"]
    assert verify_consent_receipt(document, signature, registry["public_key"]).status == (
        "bad_signature"
    )
    # Past its end it is expired, offline too.
    late = s.runtime.clock.now().replace(year=2999)
    assert verify_consent_receipt(document, signature, key["public_key"], now=late).status == (
        "expired"
    )

    # The platform also knows revocation; anyone holding the receipt may ask, without a key.
    online = await s.client.post(
        "/v1/consents/verify", json={"document": document, "signature": signature}
    )
    assert online.json()["status"] == "valid"
    assert (await s.revoke(s.person, consent["id"])).status_code == 200
    online = await s.client.post(
        "/v1/consents/verify", json={"document": document, "signature": signature}
    )
    assert online.json()["status"] == "revoked" and not online.json()["accepted"]
    assert verify_consent_receipt(document, signature, key["public_key"]).status == "valid"


async def test_the_subject_alone_browses_its_space(
    spaces: Spaces, client: httpx.AsyncClient
) -> None:
    s = spaces
    theirs = await s.records(s.other_person)
    assert theirs and all(r["fields"]["person_name"] == "李华" for r in theirs)
    mine = await s.records(s.person)
    assert not {r["id"] for r in mine} & {r["id"] for r in theirs}
    url = f"/v1/dataspaces/me/records/{theirs[0]['id']}"
    assert_problem(await client.get(url, headers=s.person.auth), 404, "data-record-not-found")
    for outsider in (s.lender, s.regulator, s.admin):
        assert_problem(await client.get("/v1/dataspaces/me/records", headers=outsider.auth), 403)
    space = (await client.get("/v1/dataspaces/me", headers=s.company.auth)).json()
    counts = {c["record_type"]: c["count"] for c in space["by_type"]}
    assert space["kind_label"] == "法人" and counts["business_licence"] == 1
    assert space["total"] == sum(counts.values()) == len(await s.records(s.company))
