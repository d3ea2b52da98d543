"""A student in a live class has the class page, not the market's "mine" pages."""

from __future__ import annotations

import httpx
from support_web import csrf_of

from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import MakeParticipant

SCENARIO = """
name = "tiny"
title = "课堂小市场 A tiny class market"
seed = 4
rounds = 2
round_hours = 24

[exchanges.szdex]

[products]
per_provider = 1
forms = { dataset = 1 }
unit_cost_fen = { min = 10000, max = 20000 }

[agents.providers]
count = 1
markup_bp = 5000

[agents.buyers]
count = 1
strategy = "truthful"
demand_bp = 10000
budget_fen = 2000000
"""


async def test_a_student_is_refused_the_mine_pages(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    instructor = await make_participant(Role.INSTRUCTOR, name="数据要素市场课程教师")
    try:
        opened = await client.post(
            "/v1/classroom/classes",
            json={"title": "数据要素市场第一课", "scenario_toml": SCENARIO},
            headers={"Authorization": f"Bearer {instructor.key}"},
        )
        assert opened.status_code == 201, opened.text
        page = await client.get("/join")
        joined = await client.post(
            "/join",
            data={
                "code": opened.json()["join_code"],
                "name": "李同学",
                "csrf_token": csrf_of(page.text),
            },
        )
        assert joined.status_code == 303 and joined.headers["location"] == "/class"
        for path in ("/me", "/me/account", "/me/assets"):
            answer = await client.get(path)
            assert answer.status_code == 403, answer.text
            assert "/class" in answer.text
    finally:
        await registry(runtime).dispose()
