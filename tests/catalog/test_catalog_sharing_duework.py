"""Sharing requests unanswered past 3 working days are flagged overdue by the due-work runner."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from catalog_helpers import bound_department, create_elements, item_body, publish

from exchange.clock import ManualClock
from support import Actor, MakeParticipant


async def test_an_unanswered_request_is_flagged_overdue_once(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, clock: ManualClock
) -> None:
    owner, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    asker, _ = await bound_department(
        client, admin, make_participant, code="HSA", name="广东省医疗保障局"
    )
    await create_elements(client, owner)
    item = await publish(client, owner, item_body())
    clock.set(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # Friday 10:00 in Guangdong
    r = await client.post(
        "/v1/share-requests",
        json={"item_id": item["id"], "purpose": "医保待遇核验", "fields": ["id_number"]},
        headers=asker.auth,
    )
    assert r.status_code == 201, r.text
    request = r.json()
    assert request["overdue_flagged_at"] is None

    async def advance(to: datetime) -> list[str]:
        r = await client.post("/v1/clock/advance", json={"to": to.isoformat()}, headers=admin.auth)
        assert r.status_code == 200, r.text
        flagged: list[str] = r.json()["due_work"]["shares_overdue"]
        return flagged

    # Due on Wednesday 2 December: still on time then, overdue from Thursday.
    assert await advance(datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) == []
    assert await advance(datetime(2026, 12, 3, 1, 0, tzinfo=UTC)) == [request["id"]]
    seen = (await client.get(f"/v1/share-requests/{request['id']}", headers=owner.auth)).json()
    assert seen["overdue"] is True
    assert seen["overdue_flagged_at"].startswith("2026-12-03T01:00:00")
    assert await advance(datetime(2026, 12, 4, 1, 0, tzinfo=UTC)) == []
