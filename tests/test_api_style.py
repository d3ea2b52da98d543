"""One API style: one page envelope, one field name per concept, one timestamp format, replays
that say so, and refusals by role that are 403 (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

import httpx

from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem, footprint


def _json_schemas(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = [p["name"] for p in op.get("parameters", [])]
            for status, response in op["responses"].items():
                content = response.get("content", {}).get("application/json")
                if status.startswith("2") and content:
                    found.append((f"{method.upper()} {path}", status, content["schema"], params))
    return found


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    resolved: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return resolved


async def test_every_list_answers_one_page_paged_by_limit_and_offset(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    for operation, _status, schema, params in _json_schemas(spec):
        assert schema.get("type") != "array", f"{operation} answers a bare array"
        assert not {"page", "page_size"} & set(params), f"{operation} pages by page number"
        properties = _resolve(spec, schema).get("properties", {})
        if {"items", "total"} <= set(properties):
            assert {"limit", "offset"} <= set(params), f"{operation} is a page without limit"


async def test_short_lists_are_pages_too(client: httpx.AsyncClient, admin: Actor) -> None:
    first = await client.get("/v1/exchanges", params={"limit": 1}, headers=admin.auth)
    assert first.status_code == 200, first.text
    assert first.json()["total"] == 2 and len(first.json()["items"]) == 1
    second = await client.get("/v1/exchanges", params={"limit": 1, "offset": 1}, headers=admin.auth)
    ids = [e["id"] for e in first.json()["items"] + second.json()["items"]]
    assert sorted(ids) == ["gzde", "szdex"]
    cities = await client.get(
        "/v1/divisions",
        params={"parent_code": "440000", "limit": 5, "offset": 20},
        headers=admin.auth,
    )
    assert cities.json()["total"] == 21 and len(cities.json()["items"]) == 1
    keys = await client.get(f"/v1/participants/{admin.id}/keys", headers=admin.auth)
    assert keys.json()["total"] == 1 and "api_key" not in keys.json()["items"][0]


async def test_catalog_lists_page_by_limit_and_offset(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    someone = await make_participant(Role.ENTERPRISE)
    result = (
        await client.get(
            "/v1/catalog/search", params={"limit": 3, "offset": 1}, headers=someone.auth
        )
    ).json()
    assert (result["limit"], result["offset"]) == (3, 1)
    assert {"items", "total", "facets", "notes"} <= set(result) and "page" not in result
    open_list = (await client.get("/v1/catalog/open-list", params={"limit": 1})).json()
    assert set(open_list) == {"items", "total"}
    refused = await client.get("/v1/catalog/open-list", params={"page_size": 2, "limit": 0})
    assert refused.status_code == 422


HOLDERS = {Role.DEPARTMENT, Role.ENTERPRISE}
SUBJECTS = {Role.INDIVIDUAL, Role.ENTERPRISE}
GRANTEES = {Role.INDIVIDUAL, Role.ENTERPRISE, Role.DEPARTMENT, Role.LENDER, Role.BROKER}
BUYERS = {Role.DEPARTMENT, Role.ENTERPRISE, Role.INDIVIDUAL}
# (method, path) -> the only roles that can ever succeed; every other role is refused at the
# route with 403, before any object is looked up or the body is read.
WHO_CAN = {
    ("POST", "/v1/assets"): HOLDERS,
    ("POST", "/v1/assets/x/applications"): HOLDERS,
    ("POST", "/v1/listings"): HOLDERS,
    ("POST", "/v1/auctions"): HOLDERS,
    ("POST", "/v1/mandates"): BUYERS,
    ("POST", "/v1/assets/x/reviews"): {Role.COMPLIANCE_REVIEWER},
    ("POST", "/v1/assets/x/objections/y/decision"): {Role.REGULATOR},
    ("POST", "/v1/assets/x/revocation"): {Role.ADMIN, Role.REGULATOR},
    ("POST", "/v1/customs/cases/x/decision"): {Role.REGULATOR},
    ("POST", "/v1/licences/x/revoke"): {Role.REGULATOR},
    ("POST", "/v1/exchanges/x/rulebook"): {Role.EXCHANGE_OPERATOR},
    ("POST", "/v1/exchanges/x/operators"): {Role.ADMIN},
    ("POST", "/v1/brokers"): {Role.EXCHANGE_OPERATOR},
    ("POST", "/v1/brokers/x/revoke"): {Role.EXCHANGE_OPERATOR},
    ("POST", "/v1/listings/x/venues/y/review"): {Role.EXCHANGE_OPERATOR},
    ("POST", "/v1/participants"): {Role.ADMIN},
    ("POST", "/v1/clock/advance"): {Role.ADMIN},
    ("POST", "/v1/operation/agreements"): {Role.ENTERPRISE},
    ("GET", "/v1/operation/agreements"): {
        Role.ENTERPRISE,
        Role.DEPARTMENT,
        Role.REGULATOR,
        Role.ADMIN,
    },
    ("POST", "/v1/operation/agreements/x/decision"): {Role.DEPARTMENT},
    ("POST", "/v1/operation/agreements/x/suspension"): {Role.DEPARTMENT},
    ("POST", "/v1/operation/agreements/x/resumption"): {Role.DEPARTMENT},
    ("POST", "/v1/operation/agreements/x/termination"): HOLDERS,
    ("GET", "/v1/dataspaces/me"): SUBJECTS,
    ("GET", "/v1/dataspaces/me/records"): SUBJECTS,
    ("GET", "/v1/dataspaces/me/usage"): SUBJECTS,
    ("POST", "/v1/consents"): SUBJECTS,
    ("POST", "/v1/consents/x/revoke"): SUBJECTS,
    ("POST", "/v1/consents/x/reads"): GRANTEES,
    ("POST", "/v1/consent-requests"): GRANTEES,
    ("POST", "/v1/consent-requests/x/accept"): SUBJECTS,
    ("POST", "/v1/consent-requests/x/decline"): SUBJECTS,
}


async def test_roles_that_can_never_succeed_are_refused_with_403(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    actors = {role: await make_participant(role) for role in Role}
    before = await footprint(runtime)
    for (method, path), allowed in WHO_CAN.items():
        for role, actor in actors.items():
            if role in allowed:
                continue
            r = await client.request(method, path, json={}, headers=actor.auth)
            assert r.status_code == 403, (method, path, role, r.text)
            assert_problem(r, 403)
    assert await footprint(runtime) == before


async def test_a_regulator_creating_a_listing_is_refused_by_role(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    # Issue 12: this was 409 `not-asset-holder`; a regulator can never hold an asset.
    regulator = await make_participant(Role.REGULATOR)
    body = {
        "asset_id": "any",
        "title": "监管部门的挂牌",
        "venues": ["szdex"],
        "tiers": [{"name": "标准版", "scope": "内部使用", "term_days": 365, "price_fen": 100}],
        "delivery": {"kind": "file", "filename": "a.csv", "media_type": "text/csv"},
    }
    problem = assert_problem(
        await client.post("/v1/listings", json=body, headers=regulator.auth), 403, "forbidden"
    )
    assert "regulator" in problem["detail"]
