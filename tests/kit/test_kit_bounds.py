"""Every number and time a URL carries has a bound: past it a 422 problem, never a 500.

Before the bounds, an integer of 2^63 or more in `before` or a version (2^31 on PostgreSQL, whose
version columns are 32-bit) reached the database and answered 500, as did a far-future time
such as 9999-12-31T23:59:59.999999-23:59, which has no UTC form at all.
"""

from __future__ import annotations

import httpx
import pytest

from support import Actor, assert_problem

FAR_FUTURE = "9999-12-31T23:59:59.999999-23:59"
LAST_TIME = "2999-12-31T23:59:59.999999Z"

OUT_OF_RANGE = [
    ("/v1/accounts/me", {"before": str(2**63)}),
    ("/v1/accounts/me", {"before": str(2**53)}),
    ("/v1/catalog/items/item-1/versions/" + str(2**63), {}),
    ("/v1/catalog/items/item-1/versions/" + str(2**31), {}),
    ("/v1/audit/entries", {"start": str(2**63)}),
    ("/v1/audit/entries", {"proofs": "true", "tree_size": str(2**53)}),
    ("/v1/audit/proof/inclusion", {"index": str(2**53), "tree_size": str(2**63)}),
    ("/v1/audit/proof/consistency", {"first": "1", "second": str(2**64)}),
    ("/v1/audit/entries", {"since": FAR_FUTURE}),
    ("/v1/orders", {"since": FAR_FUTURE}),
    ("/v1/trades", {"until": FAR_FUTURE}),
    ("/v1/market/stats", {"since": FAR_FUTURE}),
    ("/v1/market/stats", {"until": "1999-12-31T23:59:59Z"}),
    ("/v1/orders", {"since": "2026-11-23T09:00:00"}),  # no time zone
]
IN_RANGE = [
    ("/v1/accounts/me", {"before": str(2**53 - 1)}, 200),
    ("/v1/catalog/items/item-1/versions/" + str(2**31 - 1), {}, 404),
    ("/v1/audit/entries", {"start": str(2**53 - 1)}, 200),
    ("/v1/audit/entries", {"until": LAST_TIME}, 200),
    ("/v1/orders", {"since": "2000-01-01T08:00:00+08:00"}, 200),
    ("/v1/market/stats", {"until": LAST_TIME}, 200),
]


@pytest.mark.parametrize(("path", "params"), OUT_OF_RANGE)
async def test_a_parameter_past_its_bound_is_a_422_and_the_connection_stays_usable(
    client: httpx.AsyncClient, admin: Actor, path: str, params: dict[str, str]
) -> None:
    r = await client.get(path, params=params, headers=admin.auth)
    problem = assert_problem(r, 422, "invalid-request")
    assert problem["errors"][0]["loc"][0] in {"query", "path"}
    assert (await client.get("/health")).status_code == 200


@pytest.mark.parametrize(("path", "params", "status"), IN_RANGE)
async def test_a_parameter_at_its_bound_is_answered(
    client: httpx.AsyncClient, admin: Actor, path: str, params: dict[str, str], status: int
) -> None:
    r = await client.get(path, params=params, headers=admin.auth)
    assert r.status_code == status, r.text


async def test_the_bounds_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    params = {
        (path, p["name"]): p["schema"]
        for path, item in doc["paths"].items()
        for operation in item.values()
        for p in operation.get("parameters", [])
    }
    version = params[("/v1/catalog/items/{item_id}/versions/{version}", "version")]
    assert version["maximum"] == 2**31 - 1
    before = params[("/v1/accounts/me", "before")]["anyOf"][0]
    assert before["maximum"] == 2**53 - 1
    assert params[("/v1/audit/proof/inclusion", "index")]["maximum"] == 2**53 - 1
