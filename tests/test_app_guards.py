"""Hostile input meets a clear 422 on both databases, and nothing is written.

PostgreSQL refuses NUL in text and integers past 2^63; SQLite stores both. Before these guards the
same request answered 500 on one database and was stored on the other.
"""

from __future__ import annotations

import json
import logging
import os

import httpx
import pytest
from fastapi import APIRouter

from exchange.app import create_app
from exchange.context import Runtime
from exchange.middleware import JsonLogFormatter
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem, footprint


async def _balance(client: httpx.AsyncClient, actor: Actor) -> int:
    r = await client.get("/v1/accounts/me", headers=actor.auth)
    assert r.status_code == 200, r.text
    return int(r.json()["balance_fen"])


@pytest.fixture
async def payer(make_participant: MakeParticipant) -> Actor:
    return await make_participant(Role.ENTERPRISE, name="付款方 payer", balance_fen=10_000)


@pytest.fixture
async def payee(make_participant: MakeParticipant) -> Actor:
    return await make_participant(Role.ENTERPRISE, name="收款方 payee")


@pytest.mark.parametrize(
    "body",
    [
        '{"to_participant_id": "%(to)s", "amount_fen": 1, "amount_fen": 2}',
        '{"to_participant_id": "%(to)s", "amount_fen": 2, "memo": "a\\u0000b"}',
        '{"to_participant_id": "%(to)s", "amount_fen": 2, "memo": "\\ud800"}',
        '{"to_participant_id": "%(to)s", "amount_fen": 9223372036854775808}',
        '{"to_participant_id": "%(to)s", "amount_fen": 9007199254740992}',
        '{"to_participant_id": "%(to)s\\u0000", "amount_fen": 2}',
    ],
    ids=["duplicate-key", "nul", "lone-surrogate", "2^63", "2^53", "nul-in-id"],
)
async def test_a_hostile_transfer_body_is_refused_and_moves_nothing(
    client: httpx.AsyncClient, runtime: Runtime, payer: Actor, payee: Actor, body: str
) -> None:
    before = await footprint(runtime)
    r = await client.post(
        "/v1/transfers",
        content=body % {"to": payee.id},
        headers={**payer.auth, "content-type": "application/json"},
    )
    problem = assert_problem(r, 422, "invalid-request")
    assert problem["errors"][0]["loc"][0] == "body"
    assert await _balance(client, payer) == 10_000
    assert await _balance(client, payee) == 0
    assert await footprint(runtime) == before
    # The connection's next request is served normally.
    assert (await client.get("/health")).status_code == 200


async def test_control_characters_in_the_path_or_query_are_refused(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    r = await client.get("/v1/participants/abc%00def", headers=admin.auth)
    assert_problem(r, 422, "invalid-request")
    r = await client.get("/v1/participants", params={"limit": "1\x00"}, headers=admin.auth)
    assert_problem(r, 422, "invalid-request")


async def test_an_unexpected_error_answers_500_and_the_app_does_not_raise(
    runtime: Runtime,
) -> None:
    """The app itself answers (ASGI raise_app_exceptions=True would surface a re-raise): a
    server that re-raised drops the keep-alive connection, so the client's next call failed."""
    app = create_app(runtime=runtime)
    boom = APIRouter()

    @boom.get("/boom")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.get("/boom", headers={"X-Request-ID": "trace-42"})
        body = assert_problem(r, 500, "internal-error")
        assert body["request_id"] == "trace-42"
        assert r.headers["x-request-id"] == "trace-42"
        assert "secret internals" not in r.text
        assert (await c.get("/health")).status_code == 200


async def test_every_answer_carries_a_request_id_and_one_json_log_line(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonLogFormatter().format(record))

    access = logging.getLogger("exchange.access")
    handler, level = Collect(), access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        r = await client.get("/v1/accounts/me", headers=admin.auth)
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    rid = r.headers["x-request-id"]
    assert len(rid) == 32
    line = json.loads(lines[-1])
    assert line["request_id"] == rid
    assert line["participant"] == admin.id
    assert line["route"] == "/v1/accounts/me"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["ts"].endswith("Z")
    assert line["pid"] == os.getpid()


async def test_metrics_are_for_overseers_and_count_requests_and_refusals(
    client: httpx.AsyncClient, admin: Actor, payer: Actor
) -> None:
    assert_problem(await client.get("/metrics"), 401, "unauthenticated")
    assert_problem(await client.get("/metrics", headers=payer.auth), 403)
    await client.post(
        "/v1/transfers",
        json={"to_participant_id": admin.id, "amount_fen": 10**9},
        headers=payer.auth,
    )
    r = await client.get("/metrics", headers=admin.auth)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'exchange_requests_total{method="POST",route="/v1/transfers",status="409"}' in text
    assert 'exchange_refusals_total{type="insufficient-funds"}' in text
    assert "exchange_request_duration_seconds_bucket" in text
