"""Refusals of live classes: wrong or expired codes, finished classes, students out of bounds."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from support_classroom import TINY, bearer, control, join, open_class

from exchange import database
from exchange.classroom.sandbox import registry
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.participants.models import ApiKey
from exchange.simulation.scenario import Scenario
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


async def test_wrong_expired_and_finished_codes_are_refused(
    client: httpx.AsyncClient, instructor: Actor, clock: ManualClock
) -> None:
    cls = await open_class(client, instructor, join_minutes=30)
    wrong = await client.post("/v1/classroom/join", json={"code": "ZZZZZZ", "name": "甲"})
    assert_problem(wrong, 404, "join-code-invalid")
    typed = cls["join_code"].lower()[:3] + "-" + cls["join_code"][3:]
    assert (
        await client.post("/v1/classroom/join", json={"code": typed, "name": "乙"})
    ).status_code == 201
    twice = await client.post("/v1/classroom/join", json={"code": cls["join_code"], "name": "乙"})
    assert_problem(twice, 409, "student-name-taken")
    clock.advance(timedelta(minutes=31))
    expired = await client.post("/v1/classroom/join", json={"code": cls["join_code"], "name": "丙"})
    assert_problem(expired, 409, "join-code-expired")

    other = await open_class(client, instructor)
    await control(client, instructor, other["id"], "end")
    finished = await client.post(
        "/v1/classroom/join", json={"code": other["join_code"], "name": "丁"}
    )
    assert_problem(finished, 409, "class-finished")


async def test_a_full_class_refuses_more_students(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    cls = await open_class(client, instructor, student_roles=["provider"])
    await join(client, cls["join_code"], "甲")
    await join(client, cls["join_code"], "乙")
    full = await client.post("/v1/classroom/join", json={"code": cls["join_code"], "name": "丙"})
    assert_problem(full, 409, "class-full")


async def test_the_instructor_assigns_roles_by_name(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    cls = await open_class(client, instructor)
    seat = next(s for s in cls["seats"] if s["agent_key"] == "provider-0002")
    assigned = await client.post(
        f"/v1/classroom/classes/{cls['id']}/assignments",
        json={"name": "陈小明", "seat_id": seat["id"]},
        headers=instructor.auth,
    )
    assert assigned.status_code == 200, assigned.text
    first = await join(client, cls["join_code"], "路人")
    chen = await join(client, cls["join_code"], "陈小明")
    assert first["agent_key"] == "buyer-0001"
    assert chen["agent_key"] == "provider-0002" and chen["role"] == "provider"
    staff = next(s for s in cls["seats"] if s["agent_key"] == "admin")
    refused = await client.post(
        f"/v1/classroom/classes/{cls['id']}/assignments",
        json={"name": "x", "seat_id": staff["id"]},
        headers=instructor.auth,
    )
    assert_problem(refused, 404, "seat-not-found")


async def test_a_student_key_stays_inside_its_own_class(
    client: httpx.AsyncClient, instructor: Actor, make_participant: MakeParticipant
) -> None:
    first = await open_class(client, instructor)
    second = await open_class(client, instructor)
    alice = await join(client, first["join_code"], "Alice")
    bob = await join(client, second["join_code"], "Bob")
    await control(client, instructor, first["id"], "start")
    await control(client, instructor, second["id"], "start")

    # Each student sees its own class's market only: the other class's listing is not there.
    theirs = (await client.get("/v1/listings", headers=bearer(bob["api_key"]))).json()["items"][0]
    reach = await client.get(f"/v1/listings/{theirs['id']}", headers=bearer(alice["api_key"]))
    assert_problem(reach, 404, "listing-not-found")
    order = await client.post(
        "/v1/orders",
        json={
            "listing_id": theirs["id"],
            "tier_id": theirs["tiers"][0]["id"],
            "exchange_id": "szdex",
        },
        headers=bearer(alice["api_key"]),
    )
    assert_problem(order, 404)

    # The instructor's endpoints are not a student's, in its class or another.
    for class_id in (first["id"], second["id"]):
        peek = await client.get(
            f"/v1/classroom/classes/{class_id}", headers=bearer(alice["api_key"])
        )
        assert_problem(peek, 403)

    # A student of one class is nobody in the main market, and nobody else's participant.
    main_user = await make_participant(Role.ENTERPRISE, balance_fen=1_000)
    me = await client.get("/v1/participants/me", headers=bearer(alice["api_key"]))
    assert me.json()["id"] == alice["participant_id"]
    stranger = await client.get(f"/v1/accounts/{main_user.id}", headers=bearer(alice["api_key"]))
    assert_problem(stranger, 404)
    assert (await client.get("/v1/classroom/me", headers=main_user.auth)).status_code == 403
    # ...and a main-market key gets nothing of a class.
    classmate = await client.get(f"/v1/accounts/{alice['participant_id']}", headers=main_user.auth)
    assert_problem(classmate, 404)


async def test_a_student_cannot_act_for_another(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    cls = await open_class(client, instructor)
    buyer = await join(client, cls["join_code"], "买方同学")
    provider = await join(client, cls["join_code"], "卖方同学")
    other_buyer = await join(client, cls["join_code"], "另一买方")
    await control(client, instructor, cls["id"], "start")
    mine = (await client.get("/v1/classroom/me", headers=bearer(provider["api_key"]))).json()
    product = mine["products"][0]

    # A buyer may not relist the provider's asset, nor read another student's account.
    relist = await client.post(
        "/v1/listings",
        json={
            "asset_id": product["asset_id"],
            "title": "冒名挂牌",
            "description": "",
            "venues": ["szdex"],
            "tiers": [
                {
                    "name": "t",
                    "scope": "s",
                    "term_days": 30,
                    "price_fen": 10_000,
                    "exclusive": False,
                }
            ],
            "delivery": {
                "kind": "file",
                "filename": "x.csv",
                "media_type": "text/csv",
                "content_base64": base64.b64encode(product["delivery_package"].encode()).decode(),
            },
        },
        headers=bearer(buyer["api_key"]),
    )
    assert relist.status_code in (403, 404, 409, 422), relist.text
    assert relist.headers["content-type"].startswith("application/problem+json")
    peek = await client.get(
        f"/v1/accounts/{other_buyer['participant_id']}", headers=bearer(buyer["api_key"])
    )
    assert_problem(peek, 404)
    # A negotiation between one buyer and the provider is not another buyer's to accept.
    asked = await client.post(
        "/v1/negotiations",
        json={
            "listing_id": product["listing_id"],
            "tier_id": product["tier_id"],
            "exchange_id": "szdex",
            "price_fen": product["price_fen"] - 100,
            "message": "能便宜些吗",
        },
        headers=bearer(buyer["api_key"]),
    )
    assert asked.status_code == 201, asked.text
    hijack = await client.post(
        f"/v1/negotiations/{asked.json()['id']}/agree",
        json={"message": "同意"},
        headers=bearer(other_buyer["api_key"]),
    )
    assert hijack.status_code in (403, 404), hijack.text
    assert hijack.headers["content-type"].startswith("application/problem+json")


async def test_a_removed_student_is_locked_out_and_a_bot_takes_over(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    cls = await open_class(client, instructor)
    student = await join(client, cls["join_code"], "捣乱同学")
    await control(client, instructor, cls["id"], "start")
    removed = await client.post(
        f"/v1/classroom/classes/{cls['id']}/seats/{student['seat_id']}/remove",
        json={"reason": "扰乱课堂"},
        headers=instructor.auth,
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["occupant"] == "bot"
    after = await client.get("/v1/classroom/me", headers=bearer(student["api_key"]))
    assert_problem(after, 401)


async def test_only_the_instructor_runs_its_classes(
    client: httpx.AsyncClient, instructor: Actor, make_participant: MakeParticipant
) -> None:
    someone = await make_participant(Role.ENTERPRISE)
    refused = await client.post(
        "/v1/classroom/classes", json={"title": "x", "scenario": "baseline"}, headers=someone.auth
    )
    assert_problem(refused, 403)
    cls = await open_class(client, instructor)
    colleague = await make_participant(Role.INSTRUCTOR)
    hidden = await client.get(f"/v1/classroom/classes/{cls['id']}", headers=colleague.auth)
    assert_problem(hidden, 404, "class-not-found")
    again = await client.post(f"/v1/classroom/classes/{cls['id']}/resume", headers=instructor.auth)
    assert_problem(again, 409, "class-state")


async def test_a_scenario_that_cannot_run_is_refused_naming_the_field(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    bad = await client.post(
        "/v1/classroom/classes",
        json={"title": "x", "scenario_toml": TINY.replace("count = 3", "count = -3")},
        headers=instructor.auth,
    )
    body = assert_problem(bad, 422, "scenario-invalid")
    assert body["path"] == "agents.buyers.count"
    unknown = await client.post(
        "/v1/classroom/classes",
        json={"title": "x", "scenario": "baseline", "overrides": {"agents.buyer.count": 1}},
        headers=instructor.auth,
    )
    assert "no field 'buyer'" in assert_problem(unknown, 422, "scenario-invalid")["detail"]
    missing = await client.post(
        "/v1/classroom/classes", json={"title": "x", "scenario": "nope"}, headers=instructor.auth
    )
    assert_problem(missing, 422, "scenario-invalid")


BROKERED = {
    "exchanges.szdex.broker_required_for": ["individual"],
    "exchanges.szdex.max_commission_bp": 300,
    "agents.buyers.role": "individual",
    "agents.brokers.count": 1,
    "agents.brokers.commission_bp": 500,
}


async def test_a_scenario_the_market_refuses_at_set_up_is_scenario_invalid(
    client: httpx.AsyncClient,
    instructor: Actor,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A commission above the exchange's cap is refused when the scenario is validated...
    body = {"title": "x", "scenario_toml": TINY, "overrides": BROKERED}
    early = await client.post("/v1/classroom/classes", json=body, headers=instructor.auth)
    problem = assert_problem(early, 422, "scenario-invalid")
    assert problem["path"] == "agents.brokers.commission_bp"
    # ...and, were a rule unknown to the validator, by the market when the class is set up:
    # the same problem, not a 500, and no class market left behind.
    monkeypatch.setattr(Scenario, "_fits_the_rulebooks", lambda self: None)
    late = await client.post("/v1/classroom/classes", json=body, headers=instructor.auth)
    problem = assert_problem(late, 422, "scenario-invalid")
    assert problem["path"] == "agents.brokers.commission_bp"
    assert "commission-above-cap" in problem["detail"] and "scenario_toml" in problem["detail"]
    assert not list((runtime.settings.data_dir / "classes").glob("*.db"))
    listed = await client.get("/v1/classroom/classes", headers=instructor.auth)
    assert listed.json() == {"items": [], "total": 0}


async def test_a_join_whose_main_commit_fails_leaves_no_usable_key(
    client: httpx.AsyncClient,
    instructor: Actor,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cls = await open_class(client, instructor)
    real_commit = database.commit

    async def failing_commit(session: AsyncSession) -> None:
        # The main database fails to commit the seat (the class database has its key by then).
        drafts = session.info.get("audit_pending", [])
        if any(d.action == "classroom.student_joined" for d in drafts):
            raise RuntimeError("the main database went away")
        await real_commit(session)

    monkeypatch.setattr(database, "commit", failing_commit)
    failed = await client.post("/v1/classroom/join", json={"code": cls["join_code"], "name": "甲"})
    assert_problem(failed, 500)
    monkeypatch.setattr(database, "commit", real_commit)

    class_market = registry(runtime).session(cls["id"], 0)
    async with class_market.runtime.sessionmaker() as session:
        keys = (await session.scalars(select(ApiKey).where(ApiKey.label.contains("甲")))).all()
    assert len(keys) == 1 and keys[0].revoked_at is not None  # withdrawn again
    assert keys[0].id not in registry(runtime).routes  # and never routed
    view = (await client.get(f"/v1/classroom/classes/{cls['id']}", headers=instructor.auth)).json()
    assert all(s["occupant"] == "bot" for s in view["seats"])
    # The student simply joins again, and that key works.
    again = await join(client, cls["join_code"], "甲")
    me = await client.get("/v1/classroom/me", headers=bearer(again["api_key"]))
    assert me.status_code == 200, me.text
