"""The OpenAPI document describes the service as it answers: security, statuses, media types."""

from __future__ import annotations

from typing import Any

import httpx

PUBLIC = {
    ("/health", "get"),
    ("/health/ready", "get"),
    ("/v1/audit/checkpoint", "get"),
    ("/v1/audit/public-key", "get"),
    ("/v1/catalog/open-list", "get"),
    ("/v1/catalog/dcat", "get"),
    ("/v1/certificates/issuer-key", "get"),
    ("/v1/certificates/revocations", "get"),
    ("/v1/certificates/verify", "post"),
    ("/v1/classroom/join", "post"),
    ("/v1/consents/issuer-key", "get"),
    ("/v1/consents/verify", "post"),
}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]


async def test_every_keyed_operation_says_so_and_documents_401_and_403(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, method, op in operations(spec):
        if (path, method) in PUBLIC:
            assert "security" not in op, (path, method)
            continue
        assert op.get("security") == [{"bearerAuth": []}], (path, method)
        assert {"401", "403"} <= set(op["responses"]), (path, method)


async def test_every_error_is_documented_as_problem_json(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    ids = set()
    for path, method, op in operations(spec):
        ids.add(op["operationId"])
        responses = op["responses"]
        assert {"404", "422", "500"} <= set(responses), (path, method)
        if "requestBody" in op:
            assert {"400", "413"} <= set(responses), (path, method)
        if method in ("post", "put", "patch", "delete"):
            assert {"409", "503"} <= set(responses), (path, method)
        for status, response in responses.items():
            if status[0] in "45":
                assert list(response["content"]) == ["application/problem+json"], (path, status)
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (path, status)
    assert len(ids) == len(operations(spec)), "operation ids are unique"


async def test_authorize_in_docs_works_with_a_bearer_key(
    client: httpx.AsyncClient, admin: Any
) -> None:
    """What Swagger UI's Authorize button sends is what the API accepts."""
    r = await client.get("/v1/accounts/me", headers={"Authorization": f"Bearer {admin.key}"})
    assert r.status_code == 200
    r = await client.get("/v1/accounts/me", headers={"Authorization": f"Basic {admin.key}"})
    assert r.status_code == 401


async def test_docs_and_redoc_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    """Offline (a classroom, or where a CDN is unreliable) the pages still render."""
    import re

    for page in ("/docs", "/redoc"):
        r = await client.get(page)
        assert r.status_code == 200
        assert "http://" not in r.text and "https://" not in r.text.replace(
            "https://fastapi.tiangolo.com", ""
        ), page
        assets = re.findall(r'(?:src|href)=["\'](/[^"\']+)["\']', r.text)
        assert assets, page
        for asset in assets:
            served = await client.get(asset)
            assert served.status_code == 200, asset
            assert len(served.content) > 1000, asset
    swagger = (await client.get("/docs")).text
    assert "/openapi.json" in swagger and "persistAuthorization" in swagger
