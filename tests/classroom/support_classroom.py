"""Helpers of the live-class tests: a small scenario and the calls a class makes over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from support import Actor

TINY = """
name = "tiny"
title = "课堂小市场 A tiny class market"
seed = 4
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


async def open_class(client: httpx.AsyncClient, instructor: Actor, **extra: Any) -> dict[str, Any]:
    """Open the tiny class; return the class as the instructor sees it."""
    body: dict[str, Any] = {"title": "数据要素市场第一课", "scenario_toml": TINY, **extra}
    response = await client.post("/v1/classroom/classes", json=body, headers=instructor.auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def join(client: httpx.AsyncClient, code: str, name: str) -> dict[str, Any]:
    """A student joins; return the join answer (with its key)."""
    response = await client.post("/v1/classroom/join", json={"code": code, "name": name})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def bearer(key: str) -> dict[str, str]:
    """Auth headers for a key."""
    return {"Authorization": f"Bearer {key}"}


async def control(
    client: httpx.AsyncClient, instructor: Actor, class_id: str, action: str
) -> dict[str, Any]:
    """start, pause, resume, advance or end a class."""
    response = await client.post(
        f"/v1/classroom/classes/{class_id}/{action}", headers=instructor.auth
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data
