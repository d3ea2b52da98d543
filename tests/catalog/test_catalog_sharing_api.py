"""Sharing requests (共享申请): answered in working days, averaged, overdue when late."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from catalog_helpers import bound_department, create_elements, item_body, publish

from exchange.catalog.sharing.service import china_date
from exchange.clock import ManualClock, add_working_days, working_days_between
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


def test_working_day_arithmetic_across_weekends() -> None:
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_working_days(friday, 3) == date(2026, 12, 2)  # Wednesday
    assert working_days_between(friday, date(2026, 11, 29)) == 0  # the weekend counts none
    assert working_days_between(friday, date(2026, 11, 30)) == 1
    assert working_days_between(date(2026, 11, 23), date(2026, 12, 4)) == 9


def test_dates_are_china_dates() -> None:
    # 17:00 UTC on Friday is 01:00 on Saturday in Guangdong.
    assert china_date(datetime(2026, 11, 27, 17, 0, tzinfo=UTC)) == date(2026, 11, 28)


async def setup(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> tuple[Actor, Actor, dict[str, object]]:
    owner, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    asker, _ = await bound_department(
        client, admin, make_participant, code="HSA", name="广东省医疗保障局"
    )
    await create_elements(client, owner)
    return owner, asker, await publish(client, owner, item_body())


async def test_request_answered_across_a_weekend(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, clock: ManualClock
) -> None:
    owner, asker, item = await setup(client, admin, make_participant)
    clock.set(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # Friday 10:00 in Guangdong
    r = await client.post(
        "/v1/share-requests",
        json={"item_id": item["id"], "purpose": "医保待遇核验", "fields": ["id_number"]},
        headers=asker.auth,
    )
    assert r.status_code == 201, r.text
    request = r.json()
    assert request["status"] == "pending" and request["submitted_on"] == "2026-11-27"
    assert request["due_on"] == "2026-12-02"  # three working days later: Wednesday
    clock.set(datetime(2026, 11, 30, 3, 0, tzinfo=UTC))  # Monday
    seen = await client.get(f"/v1/share-requests/{request['id']}", headers=owner.auth)
    assert seen.json()["age_working_days"] == 1 and seen.json()["overdue"] is False
    # Only the owning department answers, and a refusal needs a reason.
    assert_problem(
        await client.post(
            f"/v1/share-requests/{request['id']}/decision",
            json={"decision": "approve"},
            headers=asker.auth,
        ),
        403,
        "not-your-department",
    )
    assert_problem(
        await client.post(
            f"/v1/share-requests/{request['id']}/decision",
            json={"decision": "refuse"},
            headers=owner.auth,
        ),
        422,
    )
    answered = await client.post(
        f"/v1/share-requests/{request['id']}/decision",
        json={"decision": "refuse", "reason": "申请字段超出履职需要"},
        headers=owner.auth,
    )
    assert answered.json()["status"] == "refused"
    assert answered.json()["age_working_days"] == 1
    assert_problem(
        await client.post(
            f"/v1/share-requests/{request['id']}/decision",
            json={"decision": "approve"},
            headers=owner.auth,
        ),
        409,
        "share-request-answered",
    )
    clock.advance(timedelta(days=30))
    later = await client.get(f"/v1/share-requests/{request['id']}", headers=asker.auth)
    assert later.json()["age_working_days"] == 1  # an answered request stops ageing


async def test_average_response_and_overdue_list(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, clock: ManualClock
) -> None:
    owner, asker, item = await setup(client, admin, make_participant)
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 CST

    async def ask(at: datetime) -> str:
        clock.set(at)
        r = await client.post(
            "/v1/share-requests",
            json={"item_id": item["id"], "purpose": "跨部门核验"},
            headers=asker.auth,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def answer(request_id: str, at: datetime) -> None:
        clock.set(at)
        r = await client.post(
            f"/v1/share-requests/{request_id}/decision",
            json={"decision": "approve"},
            headers=owner.auth,
        )
        assert r.status_code == 200, r.text

    quick = await ask(start)
    slow = await ask(start + timedelta(days=1))  # Tuesday
    late = await ask(start + timedelta(days=2))  # Wednesday
    fresh = await ask(start + timedelta(days=9))  # next Wednesday
    await answer(quick, start + timedelta(days=1))  # 1 working day
    await answer(slow, start + timedelta(days=7))  # Tuesday → next Monday: 4 working days
    clock.set(start + timedelta(days=10))  # next Thursday
    stats = (await client.get("/v1/share-requests/stats", headers=owner.auth)).json()
    assert stats["answered"] == 2
    assert stats["average_response_working_days"] == 2.5
    assert stats["meets_target"] is True
    assert stats["open"] == 2
    assert stats["overdue_count"] == 1
    [overdue] = stats["overdue"]
    assert overdue["id"] == late and overdue["age_working_days"] == 6
    listed = await client.get("/v1/share-requests", params={"overdue": "true"}, headers=owner.auth)
    assert [r["id"] for r in listed.json()["items"]] == [late]
    incoming = await client.get(
        "/v1/share-requests", params={"direction": "incoming"}, headers=owner.auth
    )
    assert {r["id"] for r in incoming.json()["items"]} == {quick, slow, late, fresh}
    assert (
        await client.get("/v1/share-requests", params={"direction": "incoming"}, headers=asker.auth)
    ).json()["total"] == 0
    regulator = await make_participant(Role.REGULATOR)
    assert (await client.get("/v1/share-requests/stats", headers=regulator.auth)).json()[
        "overdue_count"
    ] == 1


async def test_only_conditional_items_of_other_departments_take_requests(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    owner, asker, item = await setup(client, admin, make_participant)
    open_item = await publish(
        client,
        owner,
        item_body(
            name_zh="养老保险待遇发放统计数据",
            grade="general",
            personal_information=False,
            sharing="unconditional",
            opening="unconditional",
            fields=[{"code": "stat_period", "name_zh": "统计期"}],
            unique_key=[],
            timeliness_field=None,
        ),
    )
    r = await client.post(
        "/v1/share-requests",
        json={"item_id": open_item["id"], "purpose": "统计分析"},
        headers=asker.auth,
    )
    assert "无条件共享" in assert_problem(r, 409, "not-shareable")["detail"]
    assert_problem(
        await client.post(
            "/v1/share-requests",
            json={"item_id": item["id"], "purpose": "自用"},
            headers=owner.auth,
        ),
        409,
        "not-shareable",
    )
    r = await client.post(
        "/v1/share-requests",
        json={"item_id": item["id"], "purpose": "核验", "fields": ["salary"]},
        headers=asker.auth,
    )
    assert assert_problem(r, 422)["unknown_fields"] == ["salary"]
    company = await make_participant(Role.ENTERPRISE)
    assert_problem(
        await client.post(
            "/v1/share-requests", json={"item_id": item["id"], "purpose": "x"}, headers=company.auth
        ),
        403,
    )
    made = await client.post(
        "/v1/share-requests", json={"item_id": item["id"], "purpose": "核验"}, headers=asker.auth
    )
    stranger, _ = await bound_department(
        client, admin, make_participant, code="EDU", name="广东省教育厅"
    )
    assert_problem(
        await client.get(f"/v1/share-requests/{made.json()['id']}", headers=stranger.auth), 404
    )
