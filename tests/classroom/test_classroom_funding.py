"""Instructors fund the participants of their own classes, in the class's market, and nobody
else: not themselves, not staff, not the main market, not another instructor's class."""

from __future__ import annotations

import httpx
from support_classroom import bearer, join, open_class

from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


async def deposit(
    client: httpx.AsyncClient, who: Actor, participant_id: str, amount_fen: int
) -> httpx.Response:
    return await client.post(
        f"/v1/accounts/{participant_id}/deposits",
        json={"amount_fen": amount_fen, "memo": "课堂注资"},
        headers=who.auth,
    )


async def balance(client: httpx.AsyncClient, key: str) -> int:
    r = await client.get("/v1/accounts/me", headers=bearer(key))
    assert r.status_code == 200, r.text
    return int(r.json()["balance_fen"])


async def test_an_instructor_funds_its_own_students_in_their_class_market(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    cls = await open_class(client, instructor)
    alice = await join(client, cls["join_code"], "Alice")
    before = await balance(client, alice["api_key"])
    r = await deposit(client, instructor, alice["participant_id"], 50_000)
    assert r.status_code == 201, r.text
    assert sorted(leg["amount_fen"] for leg in r.json()["legs"]) == [-50_000, 50_000]
    assert await balance(client, alice["api_key"]) == before + 50_000
    # A bot's seat of the class is a participant of it too.
    seats = (
        await client.get(f"/v1/classroom/classes/{cls['id']}", headers=instructor.auth)
    ).json()["seats"]
    bot = next(s for s in seats if s["occupant"] == "bot" and s["role"] == "buyer")
    assert (await deposit(client, instructor, bot["participant_id"], 1_000)).status_code == 201


async def test_an_instructor_funds_neither_itself_nor_staff_nor_strangers(
    client: httpx.AsyncClient, instructor: Actor, admin: Actor, make_participant: MakeParticipant
) -> None:
    cls = await open_class(client, instructor)
    alice = await join(client, cls["join_code"], "Alice")
    seats = (
        await client.get(f"/v1/classroom/classes/{cls['id']}", headers=instructor.auth)
    ).json()["seats"]
    company = await make_participant(Role.ENTERPRISE)
    refused = {
        "itself": instructor.id,
        "an admin": admin.id,
        "a main-market enterprise": company.id,
        "nobody at all": "no-such-participant",
        # Staff of the class's own market: its admin and its regulator.
        "the class admin": next(s for s in seats if s["agent_key"] == "admin")["participant_id"],
        "the class regulator": next(s for s in seats if s["role"] == "regulator")["participant_id"],
    }
    for what, participant_id in refused.items():
        r = await deposit(client, instructor, participant_id, 10**12)
        assert r.status_code == 403, what
        assert_problem(r, 403, "funding-refused")
    # Money minted for oneself cannot be spent either: none was.
    assert (await client.get("/v1/accounts/me", headers=instructor.auth)).json()["balance_fen"] == 0
    # Another instructor's students are not this one's.
    other = await make_participant(Role.INSTRUCTOR, name="另一位课程教师")
    before = await balance(client, alice["api_key"])
    r = await deposit(client, other, alice["participant_id"], 10**12)
    assert_problem(r, 403, "funding-refused")
    assert await balance(client, alice["api_key"]) == before
    # Admins still fund anyone on the main market.
    assert (await deposit(client, admin, company.id, 500)).status_code == 201
