"""The market clock over HTTP: anyone reads it, admins move it forward, never back, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from exchange.app import create_app
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock, MarketClock
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import make_sessionmaker
from exchange.ids import IdFactory
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem, footprint


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_admin_moves_market_time_and_every_reader_sees_it(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, clock: ManualClock
) -> None:
    student = await make_participant(Role.INDIVIDUAL)
    r = await client.get("/v1/clock", headers=student.auth)
    assert r.status_code == 200, r.text
    before = r.json()
    assert instant(before["now"]) == clock.now() and before["offset_us"] == 0
    assert before["mode"] == "market"

    r = await client.post("/v1/clock/advance", json={"by": "P3DT2H"}, headers=admin.auth)
    assert r.status_code == 200, r.text
    moved = r.json()
    assert instant(moved["previous"]) == clock.now()
    assert instant(moved["clock"]["now"]) == clock.now() + timedelta(days=3, hours=2)

    # A reader sees the new time; real time keeps running under it.
    clock.advance(timedelta(minutes=5))
    now = (await client.get("/v1/clock", headers=student.auth)).json()
    assert instant(now["now"]) == clock.now() + timedelta(days=3, hours=2)
    assert instant(now["real_now"]) == clock.now()
    assert now["moved_by"] == admin.id

    # To an instant, and by working days (Friday 09:00 + 1 working day = Monday 09:00).
    friday = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    r = await client.post("/v1/clock/advance", json={"to": friday.isoformat()}, headers=admin.auth)
    assert instant(r.json()["clock"]["now"]) == friday
    r = await client.post("/v1/clock/advance", json={"working_days": 1}, headers=admin.auth)
    assert instant(r.json()["clock"]["now"]) == friday + timedelta(days=3)


async def test_each_move_is_an_audit_entry(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime, clock: ManualClock
) -> None:
    start = clock.now()
    r = await client.post("/v1/clock/advance", json={"by": 3600}, headers=admin.auth)
    assert r.status_code == 200, r.text
    async with runtime.sessionmaker() as session:
        entries = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "clock.advanced"))
        ).all()
    assert len(entries) == 1 and entries[0].actor == admin.id
    leaf = bytes(entries[0].leaf).decode()
    assert '"by_us":3600000000' in leaf and f'"from":"{start.strftime("%Y-%m-%dT%H:%M:%S")}' in leaf


async def test_market_time_never_moves_back(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime, clock: ManualClock
) -> None:
    await client.post("/v1/clock/advance", json={"by": "P1D"}, headers=admin.auth)
    before = await footprint(runtime)
    for body in (
        {"to": clock.now().isoformat()},  # real time, but market time is a day ahead
        {"to": (clock.now() + timedelta(days=1)).isoformat()},  # exactly now: not forward
        {"by": "-PT1H"},
        {"by": 0},
    ):
        r = await client.post("/v1/clock/advance", json=body, headers=admin.auth)
        problem = assert_problem(r, 409, "clock-backwards")
        # RFC 3339 with `Z`, as in every JSON body, not isoformat's `+00:00`.
        assert problem["now"].endswith("Z") and "+00:00" not in problem["detail"]
        assert instant(problem["now"]) == clock.now() + timedelta(days=1)
    assert await footprint(runtime) == before
    now = (await client.get("/v1/clock", headers=admin.auth)).json()
    assert instant(now["now"]) == clock.now() + timedelta(days=1)


async def test_only_admins_move_it_and_requests_are_checked(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    for role in (Role.REGULATOR, Role.ENTERPRISE, Role.INSTRUCTOR):
        who = await make_participant(role)
        r = await client.post("/v1/clock/advance", json={"by": "P1D"}, headers=who.auth)
        assert_problem(r, 403, "forbidden")
    assert_problem(await client.post("/v1/clock/advance", json={"by": "P1D"}), 401)
    assert_problem(await client.get("/v1/clock"), 401)
    for body in ({}, {"by": "P1D", "working_days": 1}, {"to": "2027-01-01T00:00:00"}):
        r = await client.post("/v1/clock/advance", json=body, headers=admin.auth)
        assert_problem(r, 422)


async def test_a_move_by_one_worker_is_seen_by_the_next_request_on_another(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime, clock: ManualClock
) -> None:
    # A second worker: its own runtime (and clock cache) on the same database.
    other = Runtime(
        settings=runtime.settings,
        engine=runtime.engine,
        sessionmaker=make_sessionmaker(runtime.engine),
        clock=MarketClock(clock),
        ids=IdFactory(),
    )
    transport = httpx.ASGITransport(app=create_app(runtime=other), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker2") as worker2:
        assert instant((await worker2.get("/v1/clock", headers=admin.auth)).json()["now"]) == (
            clock.now()
        )
        r = await client.post("/v1/clock/advance", json={"by": "P2D"}, headers=admin.auth)
        assert r.status_code == 200, r.text
        seen = (await worker2.get("/v1/clock", headers=admin.auth)).json()
    assert instant(seen["now"]) == clock.now() + timedelta(days=2)


async def test_a_pinned_clock_refuses_moves_naming_the_setting(
    runtime: Runtime, admin: Actor, clock: ManualClock, tmp_path: Path
) -> None:
    pinned = Runtime(
        settings=Settings(
            database_url=runtime.settings.database_url, data_dir=tmp_path, clock="real"
        ),
        engine=runtime.engine,
        sessionmaker=make_sessionmaker(runtime.engine),
        clock=clock,
        ids=IdFactory(),
    )
    transport = httpx.ASGITransport(app=create_app(runtime=pinned), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://pinned") as c:
        before = await footprint(runtime)
        r = await c.post("/v1/clock/advance", json={"by": "P5D"}, headers=admin.auth)
        body = assert_problem(r, 409, "clock-pinned")
        assert "EXCHANGE_CLOCK" in body["detail"] and body["setting"] == "EXCHANGE_CLOCK"
        assert await footprint(runtime) == before
        shown = (await c.get("/v1/clock", headers=admin.auth)).json()
    assert shown["mode"] == "real" and instant(shown["now"]) == clock.now()
