"""Driving console pages in process: signing in, reading forms' CSRF tokens, posting forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, api_key: str) -> str:
    """Sign the client in with an API key; returns the session's CSRF token."""
    page = await client.get("/sign-in")
    answer = await client.post(
        "/sign-in", data={"api_key": api_key, "csrf_token": csrf_of(page.text), "next": "/sign-in"}
    )
    assert answer.status_code == 303, answer.text
    return csrf_of((await client.get("/sign-in")).text)


async def post_form(
    client: httpx.AsyncClient, path: str, csrf: str, **fields: Any
) -> httpx.Response:
    """Post a console form with the session's CSRF token."""
    return await client.post(path, data={"csrf_token": csrf, **fields})
