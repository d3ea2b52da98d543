"""Signing in to the console: cookie, CSRF, sign-out, revoked keys, language, class join."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select
from support_web import csrf_of, post_form, sign_in

from exchange.context import Runtime
from exchange.participants.models import ApiKey
from exchange.vocabulary import Role
from exchange.web.models import ConsoleSession
from support import MakeParticipant


async def test_sign_in_holds_only_an_httponly_samesite_session_cookie(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    holder = await make_participant(Role.ENTERPRISE, name="广州数联 holder")
    page = await client.get("/sign-in")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    answer = await client.post(
        "/sign-in", data={"api_key": holder.key, "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 303
    cookie = next(h for h in answer.headers.get_list("set-cookie") if "gdx_session=" in h)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = cookie.split("gdx_session=", 1)[1].split(";", 1)[0]
    assert holder.key not in answer.headers.get("location", "")
    assert holder.key not in " ".join(answer.headers.get_list("set-cookie"))
    async with runtime.unit_of_work(write=False) as session:
        rows = list(await session.scalars(select(ConsoleSession)))
    assert len(rows) == 1
    assert rows[0].token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0].participant_id == holder.id
    assert holder.key.split("_")[1] == rows[0].key_id
    signed_in = await client.get("/sign-in")
    assert "广州数联 holder" in signed_in.text


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    holder = await make_participant(Role.ENTERPRISE)
    await client.get("/sign-in")
    refused = await client.post("/sign-in", data={"api_key": holder.key})
    assert refused.status_code == 403
    assert "csrf-token-invalid" in refused.text
    forged = await client.post("/sign-in", data={"api_key": holder.key, "csrf_token": "x" * 43})
    assert forged.status_code == 403
    async with runtime.unit_of_work(write=False) as session:
        assert list(await session.scalars(select(ConsoleSession))) == []
    csrf = await sign_in(client, holder.key)
    out = await client.post("/sign-out", data={"csrf_token": "wrong"})
    assert out.status_code == 403
    assert holder.name in (await client.get("/sign-in")).text  # still signed in
    assert csrf


async def test_a_wrong_key_is_refused_on_the_page(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    holder = await make_participant(Role.ENTERPRISE)
    page = await client.get("/sign-in")
    wrong = holder.key[:-4] + ("AAAA" if not holder.key.endswith("AAAA") else "BBBB")
    answer = await client.post(
        "/sign-in", data={"api_key": wrong, "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 401
    assert "gdx_session" not in answer.headers.get("set-cookie", "")
    assert 'role="alert"' in answer.text


async def test_sign_out_ends_the_session_server_side(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    holder = await make_participant(Role.ENTERPRISE, name="签出测试 signer")
    csrf = await sign_in(client, holder.key)
    token = client.cookies["gdx_session"]
    out = await post_form(client, "/sign-out", csrf)
    assert out.status_code == 303
    # A copy of the cookie kept by the browser (or a thief) no longer signs anyone in.
    client.cookies.set("gdx_session", token)
    assert "签出测试 signer" not in (await client.get("/sign-in")).text
    async with runtime.unit_of_work(write=False) as session:
        row = (await session.scalars(select(ConsoleSession))).one()
    assert row.ended_at is not None


async def test_revoking_the_key_ends_its_console_sessions(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    holder = await make_participant(Role.ENTERPRISE, name="撤销测试 revoked")
    await sign_in(client, holder.key)
    key_id = holder.key.split("_")[1]
    async with runtime.unit_of_work() as session:
        key = await session.get(ApiKey, key_id)
        assert key is not None
        key.revoked_at = runtime.clock.now()
    assert "撤销测试 revoked" not in (await client.get("/sign-in")).text


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-GB,en;q=0.9", "Sign in"), ("zh-CN,zh;q=0.9,en;q=0.8", "登录"), ("", "登录")],
)
async def test_accept_language_picks_the_default_and_the_switch_overrides_it(
    client: httpx.AsyncClient, header: str, expected: str
) -> None:
    page = await client.get("/sign-in", headers={"Accept-Language": header})
    assert f"<h1>{expected}</h1>" in page.text
    switched = await client.get("/lang/en?next=/sign-in")
    assert switched.status_code == 303 and switched.headers["location"] == "/sign-in"
    page = await client.get("/sign-in", headers={"Accept-Language": "zh-CN"})
    assert "<h1>Sign in</h1>" in page.text and 'lang="en"' in page.text


async def test_the_language_switch_never_sends_the_reader_to_another_host(
    client: httpx.AsyncClient,
) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = await client.get("/lang/zh", params={"next": target})
        assert answer.headers["location"] == "/"
