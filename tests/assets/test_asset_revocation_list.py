"""The registry's signed revocation list (撤销清单) over HTTP, checked offline."""

from __future__ import annotations

from datetime import timedelta

from support_assets import Registry, audit_size

from exchange.assets.certificates.signing import check_revocation_list, verify_certificate_offline
from exchange.clock import rfc3339


async def test_revocation_list_lists_revoked_certificates_signed(registry: Registry) -> None:
    client = registry.client
    issuer = (await client.get("/v1/certificates/issuer-key")).json()
    url = "/v1/certificates/revocations"
    empty = await client.get(url)  # anyone checks a certificate: no API key needed
    assert empty.status_code == 200, empty.text
    assert empty.json()["document"]["revoked"] == []
    assert empty.json()["document"]["issued_at"] == rfc3339(registry.clock.now())

    first = await registry.register()
    second = await registry.register(name="珠海跨境电商物流数据")
    kept = await registry.register(name="江门市企业参保缴费指数")
    revoked_at = {}
    # Revoked in the opposite order to their numbers: the list is sorted by number anyway.
    for asset, reason in ((second, "来源合法性存疑"), (first, "权属争议经复核成立")):
        registry.clock.advance(timedelta(minutes=5))
        revoked_at[asset["certificate"]["number"]] = rfc3339(registry.clock.now())
        r = await client.post(
            f"/v1/assets/{asset['id']}/revocation",
            json={"reason": reason},
            headers=registry.admin.auth,
        )
        assert r.status_code == 200, r.text
    registry.clock.advance(timedelta(hours=1))
    before = await audit_size(registry.runtime)
    r = await client.get(url, headers=registry.lender.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert await audit_size(registry.runtime) == before  # reading it changes nothing
    doc = body["document"]
    assert doc["issuer"]["key_id"] == issuer["key_id"] == body["key_id"]
    assert doc["issued_at"] == rfc3339(registry.clock.now())
    numbers = [first["certificate"]["number"], second["certificate"]["number"]]
    assert [e["number"] for e in doc["revoked"]] == sorted(numbers)
    assert [e["revoked_at"] for e in doc["revoked"]] == [revoked_at[n] for n in sorted(numbers)]
    assert "权属争议经复核成立" in doc["revoked"][0]["reason"]
    assert "来源合法性存疑" in doc["revoked"][1]["reason"]

    # Checked once under the published key, the list settles many certificates offline.
    crl = check_revocation_list(doc, body["signature"], issuer["public_key"])
    now = registry.clock.now()
    for asset, status in ((first, "revoked"), (second, "revoked"), (kept, "valid")):
        cert = await registry.certificate(asset["certificate"]["number"])
        result = verify_certificate_offline(
            cert["document"], cert["signature"], issuer["public_key"], now=now, revocation_list=crl
        )
        assert result.status == status == cert["status"]
        assert result.revocations_as_of is not None
        assert rfc3339(result.revocations_as_of) == doc["issued_at"]
