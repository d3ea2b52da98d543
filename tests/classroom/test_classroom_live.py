"""A live class runs to the end over HTTP: scripted students trade beside bots."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from support_classroom import TINY, bearer, control, join, open_class

from exchange.clock import ManualClock
from support import Actor, assert_problem


async def buy_best(client: httpx.AsyncClient, student: dict[str, str]) -> dict[str, object]:
    """A scripted buyer: reads its need, buys the listing of that form with most surplus."""
    me = (await client.get("/v1/classroom/me", headers=bearer(student["api_key"]))).json()
    need = me["need"]
    assert need is not None
    listings = (await client.get("/v1/listings", headers=bearer(student["api_key"]))).json()
    options = [
        (need["value_fen_by_grade"][item["grade"]] - tier["price_fen"], item, tier, venue)
        for item in listings["items"]
        if item["product_form"] == need["form"]
        for tier in item["tiers"]
        for venue in item["venues"]
        if venue["status"] == "active"
    ]
    _, item, tier, venue = max(options, key=lambda o: o[0])
    response = await client.post(
        "/v1/orders",
        json={"listing_id": item["id"], "tier_id": tier["id"], "exchange_id": venue["exchange_id"]},
        headers=bearer(student["api_key"]),
    )
    assert response.status_code == 201, response.text
    order: dict[str, object] = response.json()
    return order


async def test_a_class_runs_to_the_end_with_students_and_bots(
    client: httpx.AsyncClient, instructor: Actor, clock: ManualClock
) -> None:
    cls = await open_class(client, instructor, round_seconds=300)
    assert cls["status"] == "open" and cls["round"] == 0 and cls["rounds"] == 3
    code = cls["join_code"]
    zhang = await join(client, code, "张三")
    li = await join(client, code, "李四")
    wang = await join(client, code, "王五")
    assert [zhang["agent_key"], li["agent_key"], wang["agent_key"]] == [
        "buyer-0001",
        "provider-0001",
        "buyer-0002",
    ]
    assert zhang["balance_fen"] == 2_000_000 and zhang["api_key"].startswith("gdx_")

    # Before round 1 nobody trades.
    early = await client.post(
        "/v1/orders",
        json={"listing_id": "x", "tier_id": "y", "exchange_id": "szdex"},
        headers=bearer(zhang["api_key"]),
    )
    assert_problem(early, 409, "class-state")

    started = await control(client, instructor, cls["id"], "start")
    assert started["status"] == "running" and started["round"] == 1

    # The provider student sees its product, its cost and its listing.
    mine = (await client.get("/v1/classroom/me", headers=bearer(li["api_key"]))).json()
    assert mine["role"] == "provider" and mine["products"]
    product = mine["products"][0]
    assert product["listing_id"] and product["price_fen"] > product["unit_cost_fen"]

    # Round 1: both buyer students trade on the ordinary endpoint.
    order = await buy_best(client, zhang)
    assert order["status"] == "settled"
    await buy_best(client, wang)

    # The instructor sees who is connected and what each did.
    view = (await client.get(f"/v1/classroom/classes/{cls['id']}", headers=instructor.auth)).json()
    seats = {s["agent_key"]: s for s in view["seats"]}
    assert seats["buyer-0001"]["student_name"] == "张三"
    assert seats["buyer-0001"]["last_seen_at"] is not None
    assert seats["buyer-0001"]["requests"] >= 1
    assert seats["buyer-0001"]["activity"].get("trading.trade_settled", 0) == 1
    assert seats["buyer-0003"]["occupant"] == "bot"
    assert seats["buyer-0003"]["activity"].get("trading.trade_settled", 0) >= 1  # a bot traded

    # Pause: students read, nobody trades; resume.
    await control(client, instructor, cls["id"], "pause")
    paused = await client.post(
        "/v1/orders",
        json={"listing_id": "x", "tier_id": "y", "exchange_id": "szdex"},
        headers=bearer(zhang["api_key"]),
    )
    assert_problem(paused, 409, "class-paused")
    assert (
        await client.get("/v1/classroom/me", headers=bearer(zhang["api_key"]))
    ).status_code == 200
    await control(client, instructor, cls["id"], "resume")

    # Round 2 begins when the instructor says; round 3 when the timer runs out.
    advanced = await control(client, instructor, cls["id"], "advance")
    assert advanced["round"] == 2
    await buy_best(client, zhang)
    clock.advance(timedelta(seconds=301))
    me = (await client.get("/v1/classroom/me", headers=bearer(wang["api_key"]))).json()
    assert me["round"] == 3
    await buy_best(client, wang)
    finished = await control(client, instructor, cls["id"], "advance")
    assert finished["status"] == "finished"

    # Trading is over; the results are those of an offline run, plus every order and trade.
    closed = await client.post(
        "/v1/orders",
        json={"listing_id": "x", "tier_id": "y", "exchange_id": "szdex"},
        headers=bearer(zhang["api_key"]),
    )
    assert_problem(closed, 409, "class-finished")
    results = await client.get(
        f"/v1/classroom/classes/{cls['id']}/results", headers=instructor.auth
    )
    assert results.status_code == 200, results.text
    body = results.json()
    assert body["final"] is True
    summary = body["summary"]
    assert summary["rounds"] == 3 and summary["trades"] >= 4
    assert set(summary["welfare"]) >= {"buyer_surplus_fen", "efficiency", "best_gains_fen"}
    people = {p["key"]: p for p in body["participants"]}
    assert people["buyer-0001"]["human"] is True and people["buyer-0001"]["name"] == "张三"
    assert people["buyer-0001"]["trades"] == 2
    report = await client.get(body["report_url"], headers=instructor.auth)
    assert report.status_code == 200 and "data:image/png;base64," in report.text
    assert "张三" in report.text
    sheet = await client.get(body["csv_url"], headers=instructor.auth)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    zhang_rows = [r for r in rows if r["name"] == "张三"]
    assert {r["kind"] for r in zhang_rows} >= {"order", "trade:buyer"}
    assert len({r["payoff_fen"] for r in zhang_rows}) == 1
    assert int(zhang_rows[0]["payoff_fen"]) == people["buyer-0001"]["payoff_fen"]
    seller_rows = [r for r in rows if r["kind"] == "trade:seller" and r["name"] == "李四"]
    assert all(r["student"] == "true" for r in seller_rows)


CROSS_BORDER = TINY.replace(
    "forms = { dataset = 1 }\n",
    "forms = { dataset = 1 }\ngrades = { important = 1 }\npersonal_information_bp = 10000\n",
).replace(
    "[agents.regulators]\ncount = 1\n",
    """[agents.cross_border_buyers]
count = 2
jurisdictions = ["HK"]
legal_basis = "standard_contract"
demand_bp = 10000

[agents.regulators]
count = 1
customs_policy = "strict"
""",
)


async def test_students_cross_border_orders_are_decided_by_the_regulator_bot(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    # No bot buys abroad here: only the students' orders wait for data customs (数据海关).
    cls = await open_class(
        client, instructor, scenario_toml=CROSS_BORDER, student_roles=["cross_border_buyer"]
    )
    hk_a = await join(client, cls["join_code"], "陈大文")
    hk_b = await join(client, cls["join_code"], "李小龙")
    assert {hk_a["role"], hk_b["role"]} == {"cross_border_buyer"}
    await control(client, instructor, cls["id"], "start")
    listing = (await client.get("/v1/listings", headers=bearer(hk_a["api_key"]))).json()["items"]
    item = listing[0]
    assert item["grade"] == "important"
    orders = {}
    for student, basis in ((hk_a, "standard_contract"), (hk_b, "security_assessment")):
        placed = await client.post(
            "/v1/orders",
            json={
                "listing_id": item["id"],
                "tier_id": item["tiers"][0]["id"],
                "exchange_id": "szdex",
                "legal_basis": basis,
            },
            headers=bearer(student["api_key"]),
        )
        assert placed.status_code == 201, placed.text
        assert placed.json()["status"] == "awaiting_customs"
        orders[basis] = (student, placed.json()["id"])

    await control(client, instructor, cls["id"], "advance")

    # Strict customs: important data needs a security assessment; a standard contract is not it.
    decided = {}
    for basis, (student, order_id) in orders.items():
        order = await client.get(f"/v1/orders/{order_id}", headers=bearer(student["api_key"]))
        assert order.status_code == 200, order.text
        decided[basis] = order.json()["status"]
    assert decided == {"standard_contract": "refused", "security_assessment": "settled"}
    cases = (await client.get("/v1/customs/cases", headers=bearer(hk_a["api_key"]))).json()
    assert len(cases["items"]) == 1
    assert cases["items"][0]["status"] != "pending" and cases["items"][0]["decided_by"]
