"""Helpers of the classroom pages' tests: a small scenario, browsers, an instructor, a class."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from support_web import csrf_of, post_form, sign_in

from exchange.app import create_app
from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant

# Every buyer needs a licence every round (demand 100%), so a student buyer always has a need.
SMALL = """
name = "small"
title = "课堂小市场 A small class market"
seed = 7
rounds = 3
round_hours = 24

[exchanges.szdex]

[products]
per_provider = 1
forms = { dataset = 1 }
unit_cost_fen = { min = 10000, max = 20000 }

[agents.providers]
count = 2
markup_bp = 5000

[agents.buyers]
count = 3
strategy = "truthful"
demand_bp = 10000
budget_fen = 2000000

[agents.regulators]
count = 1
"""
CLASS_LINK = re.compile(r"/classroom/([0-9a-f-]{36})")


@pytest.fixture
async def instructor(make_participant: MakeParticipant, runtime: Runtime) -> AsyncIterator[Actor]:
    """A course instructor (课程教师); the class markets opened are closed afterwards."""
    yield await make_participant(Role.INSTRUCTOR, name="课堂教师 instructor")
    await registry(runtime).dispose()


@asynccontextmanager
async def browser(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser (its own cookies) on the same market."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def open_class(
    client: httpx.AsyncClient, csrf: str, *, scenario_toml: str = SMALL, **fields: str
) -> str:
    """Open a class from pasted scenario text through the page's form; returns its id."""
    answer = await post_form(
        client,
        "/classroom",
        csrf,
        title=fields.pop("title", "数据要素市场第一课"),
        source="upload",
        scenario_toml=scenario_toml,
        join_minutes="120",
        student_roles=["buyer", "provider"],
        **fields,
    )
    assert answer.status_code == 303, answer.text
    found = CLASS_LINK.search(answer.headers["location"])
    assert found is not None
    return found.group(1)


def join_code(page: str) -> str:
    """The join code a class page shows."""
    found = re.search(r'id="join-code">([A-Z0-9-]+)<', page)
    assert found is not None, "the class page shows no join code"
    return found.group(1)


async def join(student: httpx.AsyncClient, code: str, name: str) -> str:
    """A student joins by code in its own browser; returns the session's CSRF token."""
    page = await student.get(f"/join?code={code}")
    answer = await student.post(
        "/join", data={"code": code, "name": name, "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/class"
    return csrf_of((await student.get("/class")).text)


async def signed_in(client: httpx.AsyncClient, actor: Actor) -> str:
    """Sign `client` in as `actor`; returns the CSRF token."""
    return await sign_in(client, actor.key)
