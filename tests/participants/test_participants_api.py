"""Participants, API keys and the rules of who may do what, over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem, footprint


async def audit_size(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def test_admin_registers_participant_and_key_is_shown_once(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    r = await client.post(
        "/v1/participants",
        json={"name": "深圳数据科技有限公司", "role": "enterprise", "jurisdiction": "CN"},
        headers=admin.auth,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    key = body["api_key"]["api_key"]
    assert body["participant"]["role_label"] == "企业"
    me = await client.get("/v1/participants/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["name"] == "深圳数据科技有限公司"
    keys = await client.get(
        f"/v1/participants/{body['participant']['id']}/keys",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert keys.status_code == 200
    assert keys.json()["total"] == 1
    assert "api_key" not in keys.json()["items"][0]
    assert key not in keys.text


async def test_non_admin_cannot_register(
    client: httpx.AsyncClient, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    company = await make_participant(Role.ENTERPRISE)
    before = await audit_size(runtime)
    r = await client.post(
        "/v1/participants", json={"name": "x", "role": "admin"}, headers=company.auth
    )
    assert_problem(r, 403, "forbidden")
    assert await audit_size(runtime) == before


async def test_bad_keys_all_get_the_same_401(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime
) -> None:
    before = await footprint(runtime)
    wrong_secret = admin.key[:-4] + "AAAA"
    cases = [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": f"Bearer {wrong_secret}"},
        {"Authorization": "Bearer gdx_0000000000000000_secret"},
    ]
    details = set()
    for headers in cases:
        r = await client.get("/v1/participants/me", headers=headers)
        body = assert_problem(r, 401, "unauthenticated")
        assert r.headers["www-authenticate"] == "Bearer"
        details.add(body["detail"])
        write = await client.post(
            "/v1/participants", json={"name": "x", "role": "enterprise"}, headers=headers
        )
        assert assert_problem(write, 401, "unauthenticated")["detail"] == body["detail"]
    assert len(details) == 1
    assert await footprint(runtime) == before


async def test_rotation_and_revocation(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    company = await make_participant(Role.ENTERPRISE)
    # The last key cannot be revoked by its owner: they would lock themselves out.
    r = await client.get(f"/v1/participants/{company.id}/keys", headers=company.auth)
    keys = r.json()["items"]
    assert_problem(
        await client.delete(f"/v1/api-keys/{keys[0]['id']}", headers=company.auth),
        409,
        "last-key",
    )
    r = await client.post(
        f"/v1/participants/{company.id}/keys", json={"label": "2026 轮换"}, headers=company.auth
    )
    assert r.status_code == 201
    new_key = r.json()["api_key"]
    new_auth = {"Authorization": f"Bearer {new_key}"}
    # Both keys work during the overlap.
    assert (await client.get("/v1/participants/me", headers=company.auth)).status_code == 200
    assert (await client.get("/v1/participants/me", headers=new_auth)).status_code == 200
    revoked = await client.delete(f"/v1/api-keys/{keys[0]['id']}", headers=new_auth)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_problem(await client.get("/v1/participants/me", headers=company.auth), 401)
    assert (await client.get("/v1/participants/me", headers=new_auth)).status_code == 200


async def test_others_keys_are_invisible(
    client: httpx.AsyncClient, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    a = await make_participant(Role.ENTERPRISE)
    b = await make_participant(Role.INDIVIDUAL)
    before = await footprint(runtime)
    assert_problem(await client.get(f"/v1/participants/{a.id}/keys", headers=b.auth), 404)
    keys = (await client.get(f"/v1/participants/{a.id}/keys", headers=a.auth)).json()["items"]
    assert_problem(await client.delete(f"/v1/api-keys/{keys[0]['id']}", headers=b.auth), 404)
    assert_problem(await client.post(f"/v1/participants/{a.id}/keys", json={}, headers=b.auth), 404)
    assert await footprint(runtime) == before
    assert (await client.get("/v1/participants/me", headers=a.auth)).status_code == 200


async def test_invalid_registration_bodies(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime
) -> None:
    before = await footprint(runtime)
    bad_bodies: list[object] = [
        {"name": "x", "role": "emperor"},
        {"name": "", "role": "enterprise"},
        {"name": "x", "role": "enterprise", "jurisdiction": "cn"},
        {"name": "x", "role": "enterprise", "extra": 1},
        {"name": 5, "role": "enterprise"},
        ["not", "an", "object"],
    ]
    for body in bad_bodies:
        r = await client.post("/v1/participants", json=body, headers=admin.auth)
        problem = assert_problem(r, 422, "invalid-request")
        assert problem["errors"]
    r = await client.post(
        "/v1/participants",
        content=b'{"name": "x", ',
        headers={**admin.auth, "content-type": "application/json"},
    )
    assert_problem(r, 422, "invalid-request")
    assert await footprint(runtime) == before
