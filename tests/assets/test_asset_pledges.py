"""Pledges (质押): recorded by a lender, confirmed by the holder, released by that lender."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import httpx
from support_assets import Registry, audit_size, refused_unchanged

from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem


async def pledged_certificate(registry: Registry) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A registered asset whose certificate is pledged to the registry's lender."""
    asset = await registry.register()
    number = asset["certificate"]["number"]
    r = await registry.pledge(number)
    assert r.status_code == 201, r.text
    pledge = r.json()
    confirmed = await registry.client.post(
        f"/v1/pledges/{pledge['id']}/confirm", headers=registry.holder.auth
    )
    assert confirmed.status_code == 200, confirmed.text
    return asset, number, confirmed.json()


async def test_pledge_lifecycle(registry: Registry, make_participant: MakeParticipant) -> None:
    client = registry.client
    asset = await registry.register()
    number = asset["certificate"]["number"]
    r = await registry.pledge(number)
    assert r.status_code == 201, r.text
    pledge = r.json()
    assert pledge["status"] == "pending"
    assert pledge["holder_id"] == registry.holder.id
    # Recorded but not confirmed: the certificate is not pledged yet.
    assert (await registry.certificate(number))["pledged"] is False
    # Only the holder confirms.
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/confirm", headers=registry.lender.auth), 403
    )
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/confirm", headers=registry.other.auth),
        404,
        "pledge-not-found",
    )
    r = await client.post(f"/v1/pledges/{pledge['id']}/confirm", headers=registry.holder.auth)
    assert r.json()["status"] == "active"

    # Anyone with the number sees that it is pledged, not to whom.
    public = await registry.certificate(number, registry.other)
    assert public["status"] == "pledged" and public["pledged"] is True
    assert public["pledge"] is None
    for insider in (registry.lender, registry.regulator, registry.holder):
        seen = await registry.certificate(number, insider)
        assert seen["pledge"]["lender_id"] == registry.lender.id
        assert seen["pledge"]["amount_fen"] == 50_000_000
    verdict = await registry.verify(public["document"], public["signature"])
    assert verdict["status"] == "pledged" and verdict["accepted"] is True
    assert verdict["pledged"] is True
    detail = (await client.get(f"/v1/assets/{asset['id']}", headers=registry.other.auth)).json()
    assert detail["certificate"]["pledged"] is True

    # Lists: the lender and regulators see it, a bystander does not.
    assert (await client.get("/v1/pledges", headers=registry.lender.auth)).json()["total"] == 1
    assert (await client.get("/v1/pledges", headers=registry.regulator.auth)).json()["total"] == 1
    assert (await client.get("/v1/pledges", headers=registry.other.auth)).json()["total"] == 0

    # Only that lender releases it.
    other_lender = await make_participant(Role.LENDER)
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/release", headers=other_lender.auth),
        404,
        "pledge-not-found",
    )
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/release", headers=registry.holder.auth), 403
    )
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/release", headers=registry.regulator.auth),
        403,
    )
    r = await client.post(f"/v1/pledges/{pledge['id']}/release", headers=registry.lender.auth)
    assert r.json()["status"] == "released"
    assert (await registry.certificate(number))["status"] == "valid"
    assert_problem(
        await client.post(f"/v1/pledges/{pledge['id']}/release", headers=registry.lender.auth),
        409,
        "pledge-state",
    )


async def test_a_pledged_certificate_cannot_be_cancelled_changed_or_pledged_again(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    asset, number, pledge = await pledged_certificate(registry)

    def apply(body: dict[str, Any]) -> Awaitable[httpx.Response]:
        return registry.client.post(
            f"/v1/assets/{asset['id']}/applications", json=body, headers=registry.holder.auth
        )

    await refused_unchanged(
        registry,
        lambda: apply({"kind": "cancellation", "reason": "产品下线"}),
        409,
        "certificate-pledged",
    )
    await refused_unchanged(
        registry,
        lambda: apply({"kind": "change", "reason": "改场景", "scenario": "个人信贷"}),
        409,
        "certificate-pledged",
    )
    other_lender = await make_participant(Role.LENDER)
    await refused_unchanged(
        registry, lambda: registry.pledge(number, other_lender), 409, "certificate-already-pledged"
    )
    await refused_unchanged(
        registry, lambda: registry.pledge(number), 409, "certificate-already-pledged"
    )
    # Released, the holder may cancel.
    r = await registry.client.post(
        f"/v1/pledges/{pledge['id']}/release", headers=registry.lender.auth
    )
    assert r.status_code == 200
    r = await apply({"kind": "cancellation", "reason": "产品下线"})
    assert r.status_code == 201, r.text


async def test_two_pending_pledges_only_one_binds(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    asset = await registry.register()
    number = asset["certificate"]["number"]
    second_lender = await make_participant(Role.LENDER)
    first = (await registry.pledge(number)).json()
    second = (await registry.pledge(number, second_lender)).json()
    r = await registry.client.post(
        f"/v1/pledges/{first['id']}/confirm", headers=registry.holder.auth
    )
    assert r.status_code == 200
    await refused_unchanged(
        registry,
        lambda: registry.client.post(
            f"/v1/pledges/{second['id']}/confirm", headers=registry.holder.auth
        ),
        409,
        "certificate-already-pledged",
    )
    r = await registry.client.post(
        f"/v1/pledges/{second['id']}/decline", headers=registry.holder.auth
    )
    assert r.json()["status"] == "declined"


async def test_lender_withdraws_an_unconfirmed_pledge(registry: Registry) -> None:
    asset = await registry.register()
    pledge = (await registry.pledge(asset["certificate"]["number"])).json()
    r = await registry.client.post(
        f"/v1/pledges/{pledge['id']}/release", headers=registry.lender.auth
    )
    assert r.json()["status"] == "withdrawn"
    await refused_unchanged(
        registry,
        lambda: registry.client.post(
            f"/v1/pledges/{pledge['id']}/confirm", headers=registry.holder.auth
        ),
        409,
        "pledge-state",
    )


async def test_pledging_what_is_not_registered_or_in_force_is_refused(registry: Registry) -> None:
    await refused_unchanged(
        registry, lambda: registry.pledge("GDDA-2026-00000404"), 404, "certificate-not-found"
    )
    revoked = await registry.register()
    r = await registry.client.post(
        f"/v1/assets/{revoked['id']}/revocation",
        json={"reason": "虚假登记"},
        headers=registry.regulator.auth,
    )
    assert r.status_code == 200
    await refused_unchanged(
        registry,
        lambda: registry.pledge(revoked["certificate"]["number"]),
        409,
        "certificate-not-valid",
    )
    expired = await registry.register(name="江门侨乡文旅客流数据")
    registry.clock.advance(timedelta(days=3 * 366))
    await refused_unchanged(
        registry,
        lambda: registry.pledge(expired["certificate"]["number"]),
        409,
        "certificate-not-valid",
    )


async def test_pledge_field_and_role_rules(registry: Registry) -> None:
    asset = await registry.register()
    number = asset["certificate"]["number"]
    before = await audit_size(registry.runtime)
    for body in (
        {"certificate_number": number, "loan_reference": "L1", "amount_fen": 0},
        {"certificate_number": number, "loan_reference": "L1", "amount_fen": 1.5},
        {"certificate_number": number, "loan_reference": "", "amount_fen": 100},
    ):
        r = await registry.client.post("/v1/pledges", json=body, headers=registry.lender.auth)
        assert_problem(r, 422, "invalid-request")
    for actor in (registry.holder, registry.other, registry.regulator, registry.admin):
        assert_problem(await registry.pledge(number, actor), 403, "forbidden")
    assert await audit_size(registry.runtime) == before


async def test_a_pending_change_blocks_new_pledges(registry: Registry) -> None:
    asset = await registry.register()
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/applications",
        json={"kind": "change", "reason": "更新指纹", "fingerprint": "c" * 64},
        headers=registry.holder.auth,
    )
    assert r.status_code == 201
    await refused_unchanged(
        registry, lambda: registry.pledge(asset["certificate"]["number"]), 409, "application-open"
    )


async def test_concurrent_confirmations_bind_one_pledge(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    asset = await registry.register()
    number = asset["certificate"]["number"]
    lenders = [registry.lender, await make_participant(Role.LENDER)]
    pledges = [(await registry.pledge(number, lender)).json() for lender in lenders]
    results = await asyncio.gather(
        *(
            registry.client.post(f"/v1/pledges/{p['id']}/confirm", headers=registry.holder.auth)
            for p in pledges
        )
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert_problem(refused, 409, "certificate-already-pledged")
    listed = (
        await registry.client.get(
            f"/v1/pledges?certificate_number={number}&status=active", headers=registry.holder.auth
        )
    ).json()
    assert listed["total"] == 1
