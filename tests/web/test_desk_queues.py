"""The desk's queues: data customs and objections, decided through their forms."""

from __future__ import annotations

from support_desk import Desk, desk_fixture  # noqa: F401  (the `desk` fixture)
from support_web import post_form, sign_in


async def test_the_customs_queue_shows_the_held_order_and_a_decision_form(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    page = await desk.client.get("/desk/customs")
    assert page.status_code == 200
    (case,) = await desk.cases()
    card = page.text.split(f'id="case-{case.id}"', 1)[1].split("</article>", 1)[0]
    assert desk.keys["foreign_buyer"].name in card and "SG" in card
    assert "重要数据" in card and "数据出境安全评估" in card
    assert f'action="/desk/customs/{case.id}/decision"' in card
    assert 'value="approve"' in card and 'value="reject"' in card
    decided = await desk.client.get("/desk/customs", params={"status": "cleared"})
    assert "没有案件" in decided.text
    assert (await desk.client.get("/desk/customs?status=lost")).status_code == 422


async def test_a_customs_decision_without_its_csrf_token_decides_nothing(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    (case,) = await desk.cases()
    size = await desk.log_size()
    for token in (None, "forged-token"):
        data = {"decision": "approve", "reason": "合规"}
        if token:
            data["csrf_token"] = token
        refused = await desk.client.post(f"/desk/customs/{case.id}/decision", data=data)
        assert refused.status_code == 403 and "csrf-token-invalid" in refused.text
    assert (await desk.cases())[0].status == "pending"
    assert await desk.log_size() == size


BAD_DECISIONS = [
    {"decision": "approve", "reason": ""},
    {"decision": "maybe", "reason": "不确定"},
    {"reason": "没有决定"},
    {"decision": "reject", "reason": "长" * 1001},
]


async def test_a_bad_customs_decision_is_a_422_page_and_writes_nothing(desk: Desk) -> None:
    csrf = await sign_in(desk.client, desk.key("regulator"))
    (case,) = await desk.cases()
    size = await desk.log_size()
    for fields in BAD_DECISIONS:
        answer = await post_form(desk.client, f"/desk/customs/{case.id}/decision", csrf, **fields)
        assert answer.status_code == 422, fields
        assert "<h1>422" in answer.text
    assert (await desk.cases())[0].status == "pending"
    assert await desk.log_size() == size


async def test_the_regulator_clears_a_case_and_the_order_settles(desk: Desk) -> None:
    csrf = await sign_in(desk.client, desk.key("regulator"))
    (case,) = await desk.cases()
    decided = await post_form(
        desk.client,
        f"/desk/customs/{case.id}/decision",
        csrf,
        decision="approve",
        reason="已完成数据出境安全评估",
    )
    assert decided.status_code == 303
    assert decided.headers["location"] == f"/desk/customs?done=approve&case={case.id}"
    page = await desk.client.get(decided.headers["location"])
    assert 'id="decided"' in page.text and "已放行，订单已结算" in page.text
    (after,) = await desk.cases()
    assert after.status == "cleared" and after.reason == "已完成数据出境安全评估"
    assert after.decided_by == desk.keys["regulator"].id
    again = await post_form(
        desk.client, f"/desk/customs/{case.id}/decision", csrf, decision="reject", reason="再次"
    )
    assert again.status_code == 409 and "customs-case-decided" in again.text
    unknown = await post_form(
        desk.client, "/desk/customs/no-such-case/decision", csrf, decision="reject", reason="x"
    )
    assert unknown.status_code == 404
    stats = await desk.client.get("/desk/stats")
    assert 'id="total-trades">1<' in stats.text


async def test_the_objection_queue_and_its_decisions(desk: Desk) -> None:
    objection_id = await desk.object_to_a_new_asset()
    csrf = await sign_in(desk.client, desk.key("regulator"))
    page = await desk.client.get("/desk/objections")
    card = page.text.split(f'id="objection-{objection_id}"', 1)[1].split("</article>", 1)[0]
    assert "广州市区县人口统计（异议测试）" in card and "该数据来源存在权属争议" in card
    assert desk.keys["holder"].name in card
    (objection,) = await desk.objections()
    action = f"/desk/objections/{objection.asset_id}/{objection.id}/decision"
    assert f'action="{action}"' in card
    size = await desk.log_size()
    refused = await desk.client.post(action, data={"decision": "uphold", "reason": "成立"})
    assert refused.status_code == 403
    bad = await post_form(desk.client, action, csrf, decision="accept", reason="成立")
    assert bad.status_code == 422
    blank = await post_form(desk.client, action, csrf, decision="uphold", reason="")
    assert blank.status_code == 422
    assert (await desk.objections())[0].status == "open" and await desk.log_size() == size
    decided = await post_form(desk.client, action, csrf, decision="uphold", reason="权属争议属实")
    assert decided.status_code == 303 and decided.headers["location"] == (
        "/desk/objections?done=uphold"
    )
    after = await desk.client.get(decided.headers["location"])
    assert "异议成立：登记已终止" in after.text and "没有异议" in after.text
    (objection,) = await desk.objections()
    assert objection.status == "upheld" and objection.decision_reason == "权属争议属实"
    everything = await desk.client.get("/desk/objections?status=all")
    assert "权属争议属实" in everything.text and f'action="{action}"' not in everything.text


async def test_holders_and_admins_cannot_decide_objections(desk: Desk) -> None:
    objection_id = await desk.object_to_a_new_asset()
    (objection,) = await desk.objections()
    action = f"/desk/objections/{objection.asset_id}/{objection_id}/decision"
    for handle in ("holder", "admin"):
        desk.client.cookies.clear()
        csrf = await sign_in(desk.client, desk.key(handle))
        answer = await post_form(desk.client, action, csrf, decision="dismiss", reason="不成立")
        assert answer.status_code == 403, handle
    assert (await desk.objections())[0].status == "open"
