"""Every error is RFC 9457 problem+json: 404, 405, 413, 422 and 500 included."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from exchange.app import create_app
from exchange.context import Runtime
from support import Actor, assert_problem, footprint


async def test_health_and_docs(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json()["status"] == "ok"
    assert (await client.get("/health/ready")).json()["status"] == "ok"
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "create_participant" in {
        op["operationId"] for path in spec["paths"].values() for op in path.values()
    }


async def test_unknown_path_and_method(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404, "not-found")
    assert_problem(await client.put("/health"), 405, "method-not-allowed")


async def test_oversized_body_is_refused(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime
) -> None:
    before = await footprint(runtime)
    big = {"name": "x" * 70_000, "role": "enterprise"}
    r = await client.post("/v1/participants", json=big, headers=admin.auth)
    assert_problem(r, 413, "payload-too-large")

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 10_000

    r = await client.post(
        "/v1/participants",
        content=chunks(),
        headers={**admin.auth, "content-type": "application/json"},
    )
    assert_problem(r, 413, "payload-too-large")
    assert await footprint(runtime) == before


async def test_unexpected_error_is_a_problem_without_traceback(runtime: Runtime) -> None:
    app = create_app(runtime=runtime)
    boom = APIRouter()

    @boom.get("/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.get("/boom")
    body = assert_problem(r, 500, "internal-error")
    assert "secret internals" not in r.text
    assert "RuntimeError" not in body["detail"]
