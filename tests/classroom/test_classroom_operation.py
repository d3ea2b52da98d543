"""A live class opens from the shipped authorized-operation scenario (issue 14): the set-up
goes through the operating-agreement services of the class's market, the derived products of
providers without a grant are never listed, and the rounds play on without them."""

from __future__ import annotations

from pathlib import Path

import httpx
from support_classroom import bearer, control, join

from exchange.simulation import loader
from exchange.simulation.world import build_world
from support import Actor

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "authorized_operation.toml"


async def test_a_class_opens_from_the_authorized_operation_scenario(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    body = {
        "title": "公共数据授权运营 课堂",
        "scenario": "authorized_operation",
        "treatment": "exclusive",
        "overrides": {"rounds": 2, "agents.buyers.count": 6},
    }
    opened = await client.post("/v1/classroom/classes", json=body, headers=instructor.auth)
    assert opened.status_code == 201, opened.text
    cls = opened.json()
    seats = {s["agent_key"]: s for s in cls["seats"]}
    # The data authority and the department holding the item sit in the class's market.
    assert {"data-authority", "data-department"} <= set(seats)

    student = await join(client, cls["join_code"], "张三")
    started = await control(client, instructor, cls["id"], "start")
    assert started["status"] == "running" and started["round"] == 1
    listings = (
        await client.get("/v1/listings?limit=100", headers=bearer(student["api_key"]))
    ).json()
    # Only the first provider with derived products holds the exclusive agreement: the
    # other providers' derived products were refused registration, and never listed.
    world = build_world(loader.load(SCENARIO, overrides=[("treatment", "exclusive")]).scenario)
    holder = next(p.provider for p in world.products if p.public)
    refused = {p.key for p in world.products if p.public and p.provider != holder}
    assert len(refused) >= 2
    titles = {item["title"].rsplit(" ", 1)[-1] for item in listings["items"]}
    assert titles == {p.key for p in world.products} - refused
    assert listings["total"] == len(world.products) - len(refused)

    # The rounds play on without the refused products, to the end.
    assert (await control(client, instructor, cls["id"], "advance"))["round"] == 2
    assert (await control(client, instructor, cls["id"], "advance"))["status"] == "finished"
    results = await client.get(
        f"/v1/classroom/classes/{cls['id']}/results", headers=instructor.auth
    )
    assert results.status_code == 200, results.text
    assert results.json()["summary"]["trades"] >= 1
