"""One API style: one page envelope, one field name per concept, one timestamp format, replays
that say so, and refusals by role that are 403 (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

import httpx

from exchange.vocabulary import Role
from support import Actor, MakeParticipant


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
