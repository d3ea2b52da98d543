"""A holder deposits and downloads its own registered package; nobody else reaches it."""

from __future__ import annotations

import hashlib

from support_assets import FINGERPRINT, Registry, audit_size

from support import assert_problem

PACKAGE = "粤数据包 v1".encode()


async def test_holder_deposits_and_downloads_its_package_others_get_404(
    registry: Registry,
) -> None:
    client = registry.client
    asset = await registry.register()  # registered: the asset itself is public
    assert (await client.get(f"/v1/assets/{asset['id']}", headers=registry.other.auth)).is_success
    url = f"/v1/assets/{asset['id']}/package"
    holder = registry.holder.auth

    # Nothing deposited yet: the holder learns how to deposit it.
    assert_problem(await client.get(url, headers=holder), 404, "asset-package-not-stored")
    before = await audit_size(registry.runtime)
    wrong = await client.put(
        url, params={"filename": "x.csv"}, content=b"other bytes", headers=holder
    )
    body = assert_problem(wrong, 409, "asset-package-fingerprint-mismatch")
    assert body["fingerprint"] == FINGERPRINT
    assert await audit_size(registry.runtime) == before

    stored = await client.put(
        url,
        params={"filename": "用电指数.csv"},
        content=PACKAGE,
        headers={**holder, "Content-Type": "text/csv; charset=utf-8"},
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["sha256"] == FINGERPRINT and stored.json()["size"] == len(PACKAGE)
    assert await audit_size(registry.runtime) == before + 1

    got = await client.get(url, headers=holder)
    assert got.status_code == 200, got.text
    assert hashlib.sha256(got.content).hexdigest() == asset["fingerprint"] == FINGERPRINT
    assert got.headers["x-content-sha256"] == FINGERPRINT
    assert got.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''%E7%94%A8" in got.headers["content-disposition"]
    # Overseers read it; another enterprise, a lender, gets 404 as if there were none.
    regulator = await client.get(url, headers=registry.regulator.auth)
    assert regulator.status_code == 200 and regulator.content == PACKAGE
    for stranger in (registry.other, registry.lender):
        assert_problem(await client.get(url, headers=stranger.auth), 404, "asset-not-found")
    # Only the holder deposits (the same bytes again change nothing).
    refused = await client.put(
        url, params={"filename": "x"}, content=PACKAGE, headers=registry.other.auth
    )
    assert_problem(refused, 403)
    again = await client.put(url, params={"filename": "again.csv"}, content=PACKAGE, headers=holder)
    assert again.status_code == 200 and again.json()["filename"] == "用电指数.csv"
    assert await audit_size(registry.runtime) == before + 1
