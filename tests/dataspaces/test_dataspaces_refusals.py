"""Bad input: each refusal with its own problem type, and nothing changed by it."""

from __future__ import annotations

from datetime import timedelta

from support_dataspaces import Spaces

from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem, footprint


async def test_a_consent_covers_only_the_grantors_own_records(spaces: Spaces) -> None:
    s = spaces
    theirs = [r["id"] for r in await s.records(s.other_person)]
    mine = [r["id"] for r in await s.records(s.person)]
    before = await footprint(s.runtime)
    for named in ([theirs[0]], [mine[0], theirs[1]], ["no-such-record"]):
        refused = await s.grant(s.person, record_ids=named)
        body = assert_problem(refused, 403, "consent-records-not-yours")
        assert set(body["record_ids"]) == set(named) - set(mine)
    assert await footprint(s.runtime) == before
    consents = await s.client.get("/v1/consents", headers=s.person.auth)
    assert consents.json()["total"] == 0


async def test_a_grant_names_a_real_grantee_scope_and_term(
    spaces: Spaces, make_participant: MakeParticipant
) -> None:
    s = spaces
    before = await footprint(s.runtime)
    cases = [
        ({"grantee_id": s.person.id, "record_types": ["tax"]}, 422, "invalid-grantee"),
        ({"grantee_id": "nobody", "record_types": ["tax"]}, 422, "invalid-grantee"),
        ({"grantee_id": s.regulator.id, "record_types": ["tax"]}, 422, "invalid-grantee"),
        ({"record_types": []}, 422, "consent-scope-invalid"),
        ({"record_types": ["business_licence"]}, 422, "consent-scope-invalid"),
        ({"record_types": ["tax"], "certificates": True}, 422, "consent-scope-invalid"),
        ({"record_types": ["tax"], "fields": ["salary"]}, 422, "consent-scope-invalid"),
        ({"record_types": ["tax"], "expires_at": s.later(-1)}, 422, "consent-term-invalid"),
        ({"record_types": ["tax"], "expires_at": s.later(365 * 6)}, 422, "consent-term-invalid"),
        ({"record_types": ["tax"], "purposes": []}, 422, "invalid-request"),
        ({"record_types": ["tax"], "purposes": ["marketing"]}, 422, "invalid-request"),
    ]
    for body, status, slug in cases:
        assert_problem(await s.grant(s.person, **body), status, slug)
    # Roles without a data space cannot grant at all.
    for actor in (s.lender, s.regulator, s.admin):
        assert_problem(await s.grant(actor, record_types=["tax"]), 403)
    assert await footprint(s.runtime) == before


async def test_a_revoked_consent_is_refused_and_cannot_be_revoked_twice(spaces: Spaces) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"])
    assert_problem(await s.revoke(s.lender, consent["id"]), 403)  # the grantee cannot
    assert_problem(await s.revoke(s.company, consent["id"]), 404)  # a stranger sees nothing
    assert (await s.revoke(s.person, consent["id"])).status_code == 200
    before = await footprint(s.runtime)
    assert_problem(await s.revoke(s.person, consent["id"]), 409, "consent-revoked")
    assert await footprint(s.runtime) == before
    assert_problem(await s.read(s.lender, consent["id"]), 409, "consent-revoked")


async def test_an_expired_consent_is_refused(spaces: Spaces) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"], expires_at=s.later(10))
    assert (await s.read(s.lender, consent["id"])).status_code == 200
    s.clock.advance(timedelta(days=10))
    refused = await s.read(s.lender, consent["id"])
    assert_problem(refused, 409, "consent-expired")
    shown = (await s.client.get(f"/v1/consents/{consent['id']}", headers=s.person.auth)).json()
    assert shown["status"] == "expired" and shown["status_label"] == "已到期"
    assert_problem(await s.revoke(s.person, consent["id"]), 409, "consent-expired")
    listed = await s.client.get("/v1/consents", params={"status": "expired"}, headers=s.lender.auth)
    assert [c["id"] for c in listed.json()["items"]] == [consent["id"]]


async def test_a_purpose_outside_the_consent_is_refused(spaces: Spaces) -> None:
    s = spaces
    consent = await s.granted(
        s.person, record_types=["tax"], purposes=["credit_decision", "insurance_underwriting"]
    )
    assert (await s.read(s.lender, consent["id"], "insurance_underwriting")).status_code == 200
    body = assert_problem(
        await s.read(s.lender, consent["id"], "employment_verification"),
        403,
        "purpose-not-consented",
    )
    assert body["consented_purposes"] == ["credit_decision", "insurance_underwriting"]
    assert_problem(await s.read(s.lender, consent["id"], "spying"), 422)


async def test_only_the_grantee_reads(spaces: Spaces, make_participant: MakeParticipant) -> None:
    s = spaces
    consent = await s.granted(s.person, record_types=["tax"])
    other_bank = await make_participant(Role.LENDER, name="另一家银行")
    assert_problem(await s.read(other_bank, consent["id"]), 404, "consent-not-found")
    assert_problem(await s.read(s.company, consent["id"]), 404, "consent-not-found")
    # The subject reads its own space, not through its consent; a regulator reads nothing.
    assert_problem(await s.read(s.person, consent["id"]), 403, "consent-not-held")
    assert_problem(await s.read(s.regulator, consent["id"]), 403)
    assert_problem(await s.read(s.lender, "no-such-consent"), 404, "consent-not-found")
    # Overseers see the consent (not the records); strangers do not.
    seen = await s.client.get(f"/v1/consents/{consent['id']}", headers=s.regulator.auth)
    assert seen.status_code == 200
    hidden = await s.client.get(f"/v1/consents/{consent['id']}", headers=other_bank.auth)
    assert_problem(hidden, 404, "consent-not-found")
    receipt = await s.client.get(f"/v1/consents/{consent['id']}/receipt", headers=other_bank.auth)
    assert_problem(receipt, 404, "consent-not-found")
