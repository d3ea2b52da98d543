"""An instructor moves the class market's own clock; the main market's time stays put."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from support_classroom import bearer, join, open_class

from exchange.clock import ManualClock
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_an_instructor_moves_the_class_clock_forward_only(
    client: httpx.AsyncClient,
    instructor: Actor,
    admin: Actor,
    make_participant: MakeParticipant,
    clock: ManualClock,
) -> None:
    cls = await open_class(client, instructor)
    student = await join(client, cls["join_code"], "张三")
    seen = (await client.get("/v1/clock", headers=bearer(student["api_key"]))).json()
    start = instant(seen["now"])
    path = f"/v1/classroom/classes/{cls['id']}/clock/advance"

    r = await client.post(path, json={"by": "P3D"}, headers=instructor.auth)
    assert r.status_code == 200, r.text
    assert instant(r.json()["clock"]["now"]) == start + timedelta(days=3)
    seen = (await client.get("/v1/clock", headers=bearer(student["api_key"]))).json()
    assert instant(seen["now"]) == start + timedelta(days=3)
    # The main market's clock did not move.
    main = (await client.get("/v1/clock", headers=admin.auth)).json()
    assert instant(main["now"]) == clock.now()

    assert_problem(
        await client.post(path, json={"to": start.isoformat()}, headers=instructor.auth),
        409,
        "clock-backwards",
    )
    other = await make_participant(Role.INSTRUCTOR)
    assert_problem(await client.post(path, json={"by": "P1D"}, headers=other.auth), 404)
    assert_problem(await client.post(path, json={"by": "P1D"}, headers=admin.auth), 403)
