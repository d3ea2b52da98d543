"""The compliance review queue in the console: the decision form, rejection with reasons, one
review per reviewer; forged and invalid decisions change nothing."""

from __future__ import annotations

import httpx
from support_mine import apply, as_, footprint, people, refused, text_of
from support_web import post_form

from exchange.context import Runtime
from support import MakeParticipant


async def test_a_reviewer_rejects_with_reasons_and_the_holder_sees_why(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    p = await people(make_participant)
    asset_id = await apply(runtime, p.holder, "珠三角物流景气报告")
    csrf = await as_(client, p.reviewers[0])
    page = await client.get(f"/me/reviews/{asset_id}")
    assert page.status_code == 200
    assert 'id="decision"' in page.text and "珠三角物流景气报告" in page.text
    assert "广州数联科技有限公司" in page.text  # the holder, by name
    before = await footprint(runtime)
    refused(
        await client.post(f"/me/reviews/{asset_id}", data={"decision": "reject", "reason": "x"}),
        403,
        "csrf-token-invalid",
    )
    for fields in ({"decision": "maybe", "reason": "不确定"}, {"decision": "reject", "reason": ""}):
        refused(await post_form(client, f"/me/reviews/{asset_id}", csrf, **fields), 422)
    assert await footprint(runtime) == before
    decided = await post_form(
        client, f"/me/reviews/{asset_id}", csrf, decision="reject", reason="来源授权材料缺失"
    )
    assert decided.status_code == 303
    queue = await client.get(decided.headers["location"])
    assert "审查意见已记录" in queue.text and asset_id not in queue.text  # no longer waiting
    again = await post_form(
        client, f"/me/reviews/{asset_id}", csrf, decision="approve", reason="补正后通过"
    )
    refused(again, 409, "no-open-application")

    await as_(client, p.holder)
    page = await client.get(f"/me/assets/{asset_id}")
    assert 'data-step="review" data-step-state="failed"' in page.text
    text = text_of(page.text)
    assert "不予登记" in text and "来源授权材料缺失" in text


async def test_one_review_per_reviewer_and_the_queue_shows_mine(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    p = await people(make_participant)
    asset_id = await apply(runtime, p.holder)
    csrf = await as_(client, p.reviewers[0])
    first = await post_form(
        client, f"/me/reviews/{asset_id}", csrf, decision="approve", reason="齐全"
    )
    assert first.status_code == 303
    queue = await client.get("/me/reviews")
    row = queue.text.split(f'data-review-asset="{asset_id}"')[1].split("</tr>")[0]
    assert "1/2" in row and 'data-state="approve"' in row
    page = await client.get(f"/me/reviews/{asset_id}")
    assert 'id="decision"' not in page.text and "你已审查此申请" in page.text
    twice = await post_form(
        client, f"/me/reviews/{asset_id}", csrf, decision="approve", reason="再审"
    )
    refused(twice, 409, "already-reviewed")
    await as_(client, p.reviewers[1])
    page = await client.get(f"/me/reviews/{asset_id}")
    assert 'id="decision"' in page.text
    refused(await client.get("/me/reviews/no-such-asset"), 404, "asset-not-found")
