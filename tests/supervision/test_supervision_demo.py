"""The demo's agencies at work (issue 16): each demo regulator acts for its agency; a foreign
order left at data customs and a sharing request left unanswered raise the cyberspace and the
data bureau's alerts; the report counts customs cases and ranks the departments (SLA)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.seed.demo import DemoKey, seed_demo
from support import assert_problem


def _auth(keys: list[DemoKey], handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {next(k.api_key for k in keys if k.handle == handle)}"}


async def test_the_demo_regulators_act_for_their_agencies_and_see_the_slow_answers(
    runtime: Runtime, clock: ManualClock, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    agencies = (await client.get("/v1/supervision/agencies", headers=_auth(keys, "admin"))).json()
    members = {a["id"]: a["members"] for a in agencies["items"]}
    by_handle = {k.handle: k.id for k in keys}
    assert members == {
        "gd-amr": [by_handle["regulator"]],
        "gd-cac": [by_handle["regulator_cac"]],
        "gd-gsdma": [by_handle["regulator_data"]],
        "gd-nfra": [by_handle["regulator_finance"]],
    }
    start = clock.now() - timedelta(days=1)
    clock.advance(timedelta(days=10))  # two weeks of working days pass unanswered

    cac = await client.post(
        "/v1/supervision/alerts/scan",
        json={"since": start.isoformat()},
        headers=_auth(keys, "regulator_cac"),
    )
    assert cac.status_code == 201, cac.text
    assert [a["kind"] for a in cac.json()["raised"]] == ["unanswered_customs"]
    customs = cac.json()["raised"][0]
    assert customs["parties"] == [by_handle["foreign_buyer"]] and customs["severity"] == "high"
    assert customs["evidence"]["entry_indexes"]  # the case's customs.case_opened entry

    data = await client.post(
        "/v1/supervision/alerts/scan", json={}, headers=_auth(keys, "regulator_data")
    )
    assert [a["kind"] for a in data.json()["raised"]] == ["overdue_sharing"]
    # The trading agency does not dismiss the cyberspace agency's alert.
    assert_problem(
        await client.post(
            f"/v1/supervision/alerts/{customs['id']}/dismissal",
            json={"reason": "不归我管"},
            headers=_auth(keys, "regulator"),
        ),
        403,
        "outside-remit",
    )

    clock.advance(timedelta(minutes=1))
    report = await client.get(
        "/v1/supervision/reports/gd-cac",
        params={"since": start.isoformat()},
        headers=_auth(keys, "regulator_finance"),
    )
    assert report.status_code == 200, report.text
    doc = report.json()["document"]
    assert doc["customs"]["opened"] == 1 and doc["customs"]["by_status"] == {"pending": 1}
    assert doc["alerts"]["by_kind"] == {"unanswered_customs": 1}
    (department,) = doc["sharing_sla"]["departments"]
    assert department["open"] == 1 and department["overdue"] == 1 and department["rank"] == 1
    assert doc["agency"]["remits"][0]["code"] == "cross_border"
