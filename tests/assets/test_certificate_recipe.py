"""The recipe the API documents verifies a certificate with nothing of ours: a bank's view."""

from __future__ import annotations

import base64
import hashlib

import httpx
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from support_assets import Registry


async def test_the_documented_recipe_verifies_a_certificate_without_a_key(
    registry: Registry,
) -> None:
    asset = await registry.register()
    cert = await registry.certificate(asset["certificate"]["number"])
    anyone = registry.client  # no Authorization header from here on
    spec = (await anyone.get("/openapi.json")).json()
    described = spec["components"]["schemas"]["CertificateRead"]["properties"]
    assert "RFC 8785" in described["document"]["description"]
    assert "SHA-256" in described["key_id"]["description"]

    issuer = (await anyone.get("/v1/certificates/issuer-key")).json()
    raw = base64.b64decode(issuer["public_key"])
    assert len(raw) == 32
    assert hashlib.sha256(raw).hexdigest()[:16] == issuer["key_id"] == cert["key_id"]
    signed = rfc8785.dumps(cert["document"])
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(cert["signature"]), signed)

    revocations = await anyone.get("/v1/certificates/revocations")
    assert revocations.status_code == 200
    body = revocations.json()
    Ed25519PublicKey.from_public_bytes(raw).verify(
        base64.b64decode(body["signature"]), rfc8785.dumps(body["document"])
    )
    r: httpx.Response = await anyone.post(
        "/v1/certificates/verify",
        json={"document": cert["document"], "signature": cert["signature"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "valid", r.text
