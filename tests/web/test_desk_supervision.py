"""Supervision on the regulator's desk (issue 16): alerts with their evidence, a case opened
from one, its facts, referrals and measures — each within the acting agency's remit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from support_desk import Desk, desk_fixture  # noqa: F401  (the `desk` fixture)
from support_web import post_form, sign_in

from exchange.supervision.cases.models import Case
from exchange.supervision.measures.models import Measure


def _auth(desk: Desk, handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {desk.key(handle)}"}


async def _price_alert(desk: Desk) -> dict[str, Any]:
    """The demo individual buys two indicators at ¥100 and ¥3,000; the market regulator
    (gd-amr) tightens its price thresholds and scans: a price-deviation alert is raised."""
    listings = (await desk.client.get("/v1/listings", headers=_auth(desk, "individual"))).json()
    wanted = {10_000, 300_000}
    bought = 0
    for item in listings["items"]:
        for tier in item["tiers"]:
            venues = [v["exchange_id"] for v in item["venues"]]
            if item["product_form"] == "indicator" and tier["price_fen"] in wanted:
                assert "szdex" in venues  # Guangzhou's rulebook wants a broker for persons
                wanted.discard(tier["price_fen"])
                order = await desk.client.post(
                    "/v1/orders",
                    json={
                        "listing_id": item["id"],
                        "tier_id": tier["id"],
                        "exchange_id": "szdex",
                    },
                    headers={**_auth(desk, "individual"), "Idempotency-Key": f"sv-{tier['id']}"},
                )
                assert order.status_code == 201 and order.json()["status"] == "settled", order.text
                bought += 1
    assert bought == 2
    desk.clock.advance(timedelta(minutes=1))  # the scan's window ends before now
    amr = _auth(desk, "regulator")
    tightened = await desk.client.put(
        "/v1/supervision/agencies/gd-amr/thresholds",
        json={"values": {"price_deviation_bp": 1, "price_min_sample": 2}},
        headers=amr,
    )
    assert tightened.status_code == 200, tightened.text
    since = (desk.clock.now() - timedelta(days=1)).isoformat()
    scan = await desk.client.post("/v1/supervision/alerts/scan", json={"since": since}, headers=amr)
    assert scan.status_code == 201, scan.text
    (alert, *_) = [a for a in scan.json()["raised"] if a["kind"] == "price_deviation"]
    return dict(alert)


async def _counts(desk: Desk) -> tuple[int, int, int]:
    async with desk.runtime.sessionmaker() as session:
        cases = int(await session.scalar(select(func.count()).select_from(Case)) or 0)
        measures = int(await session.scalar(select(func.count()).select_from(Measure)) or 0)
    return await desk.log_size(), cases, measures


def _card(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</article>", 1)[0]


async def test_the_market_regulator_sees_an_alert_and_opens_a_case_from_it(desk: Desk) -> None:
    alert = await _price_alert(desk)
    csrf = await sign_in(desk.client, desk.key("regulator"))
    page = await desk.client.get("/desk/alerts")
    assert page.status_code == 200
    card = _card(page.text, f"alert-{alert['id']}")
    assert 'data-state="new"' in page.text and alert["title"] in card
    assert "价格偏离指数" in card and "交易行为与价格" in card
    entries = alert["evidence"]["entry_indexes"]
    assert entries and all(f'href="/desk/entries/{i}"' in card for i in entries)
    assert desk.keys["individual"].name in card
    assert f'action="/desk/alerts/{alert["id"]}/case"' in card
    assert f'action="/desk/alerts/{alert["id"]}/dismissal"' in card

    subject = desk.keys["individual"].id
    assert subject in alert["parties"]
    opened = await post_form(
        desk.client,
        f"/desk/alerts/{alert['id']}/case",
        csrf,
        remit="trading_conduct",
        subject_id=subject,
        title="价格异常核查",
        summary="同类指标成交价差三十倍",
    )
    assert opened.status_code == 303, opened.text
    location = opened.headers["location"]
    assert re.fullmatch(r"/desk/cases/[^/?]+\?done=opened", location)
    case_page = (await desk.client.get(location)).text
    assert "已立案" in case_page and "价格异常核查" in case_page
    facts = case_page.split('id="facts"', 1)[1].split("</section>", 1)[0]
    assert all(f'href="/desk/entries/{i}"' in facts for i in entries)
    parties = case_page.split('id="parties"', 1)[1].split("</section>", 1)[0]
    assert desk.keys["individual"].name in parties
    case_id = location.split("/")[-1].split("?")[0]
    listed = await desk.client.get("/desk/cases")
    assert f'href="/desk/cases/{case_id}"' in listed.text and "gd-amr" in listed.text
    after = await desk.client.get("/desk/alerts", params={"state": "case_opened"})
    card = _card(after.text, f"alert-{alert['id']}")
    assert f'href="/desk/cases/{case_id}"' in card and "/case" not in card.split("<dl", 1)[0]

    # The cyberspace regulator reads the alert but is offered no form for it.
    desk.client.cookies.clear()
    await sign_in(desk.client, desk.key("regulator_cac"))
    seen = await desk.client.get("/desk/alerts", params={"state": "all"})
    assert f'id="alert-{alert["id"]}"' in seen.text
    assert f'action="/desk/alerts/{alert["id"]}' not in seen.text


async def test_measures_within_the_remit_only_then_lifted_and_a_referral(desk: Desk) -> None:
    alert = await _price_alert(desk)
    csrf = await sign_in(desk.client, desk.key("regulator"))
    subject = desk.keys["individual"].id
    opened = await post_form(
        desk.client,
        f"/desk/alerts/{alert['id']}/case",
        csrf,
        remit="trading_conduct",
        subject_id=subject,
        title="价格异常核查",
        summary="核查",
    )
    case_url = opened.headers["location"].split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]
    page = (await desk.client.get(case_url)).text
    options = page.split('id="m-kind"', 1)[1].split("</select>", 1)[0]
    assert 'value="suspend_trading"' in options and 'value="require_rereview"' not in options

    # A compliance re-review is the export or public-data remit's: refused, nothing written.
    before = await _counts(desk)
    refused = await post_form(
        desk.client,
        f"{case_url}/measures",
        csrf,
        kind="require_rereview",
        subject_id=subject,
        reason="复审",
    )
    assert refused.status_code == 403
    assert "outside-remit" in refused.text and "public_data" in refused.text
    assert await _counts(desk) == before

    taken = await post_form(
        desk.client, f"{case_url}/measures", csrf, kind="suspend_trading", subject_id=subject,
        reason="暂停交易待查",
    )  # fmt: skip
    assert taken.status_code == 303 and taken.headers["location"] == f"{case_url}?done=imposed"
    page = (await desk.client.get(taken.headers["location"])).text
    (measure_id,) = re.findall(r'id="measure-([^"]+)" data-state="in_force"', page)
    assert "暂停交易 trading suspended" in page and "执行中" in page
    lifted = await post_form(
        desk.client, f"/desk/measures/{measure_id}/lift", csrf, reason="已说明情况"
    )
    assert lifted.status_code == 303 and lifted.headers["location"] == f"{case_url}?done=lifted"
    page = (await desk.client.get(lifted.headers["location"])).text
    assert f'id="measure-{measure_id}" data-state="lifted"' in page and "已解除" in page

    referred = await post_form(
        desk.client, f"{case_url}/referrals", csrf, to_agency_id="gd-cac", remit="cross_border",
        part="涉及个人信息出境部分", reason="属网信职责",
    )  # fmt: skip
    assert referred.status_code == 303
    page = (await desk.client.get(f"/desk/cases/{case_id}")).text
    referrals = page.split('id="referrals"', 1)[1].split("</section>", 1)[0]
    assert "gd-amr → gd-cac" in referrals and "涉及个人信息出境部分" in referrals


async def test_dismissal_needs_a_reason_and_its_csrf_token(desk: Desk) -> None:
    alert = await _price_alert(desk)
    csrf = await sign_in(desk.client, desk.key("regulator"))
    action = f"/desk/alerts/{alert['id']}/dismissal"
    before = await _counts(desk)
    for token in (None, "forged-token"):
        data = {"reason": "正常波动"}
        if token:
            data["csrf_token"] = token
        answer = await desk.client.post(action, data=data)
        assert answer.status_code == 403 and "csrf-token-invalid" in answer.text
    blank = await post_form(desk.client, action, csrf, reason="  ")
    assert blank.status_code == 422 and "dismissal-reason-required" in blank.text
    no_case = await desk.client.post(
        f"/desk/alerts/{alert['id']}/case",
        data={"remit": "trading_conduct", "subject_id": "x", "title": "t", "summary": "s"},
    )
    assert no_case.status_code == 403
    assert await _counts(desk) == before
    dismissed = await post_form(desk.client, action, csrf, reason="季节性价格差异，非异常")
    assert dismissed.status_code == 303
    page = (await desk.client.get(dismissed.headers["location"])).text
    card = _card(page, f"alert-{alert['id']}")
    assert 'data-state="dismissed"' in page and "季节性价格差异，非异常" in card


async def test_a_holder_is_refused_the_supervision_pages_and_forms(desk: Desk) -> None:
    alert = await _price_alert(desk)
    csrf = await sign_in(desk.client, desk.key("holder"))
    before = await _counts(desk)
    for path in ("/desk/alerts", "/desk/cases", "/desk/cases/no-such-case"):
        assert (await desk.client.get(path)).status_code == 403, path
    for path, fields in (
        (f"/desk/alerts/{alert['id']}/dismissal", {"reason": "不归我管"}),
        (f"/desk/alerts/{alert['id']}/case", {"remit": "trading_conduct", "subject_id": "x"}),
        ("/desk/cases/x/measures", {"kind": "suspend_trading", "subject_id": "x", "reason": "r"}),
        ("/desk/measures/x/lift", {"reason": "r"}),
    ):
        assert (await post_form(desk.client, path, csrf, **fields)).status_code == 403, path
    assert await _counts(desk) == before
    desk.client.cookies.clear()
    signed_out = await desk.client.get("/desk/cases")
    assert signed_out.status_code in (302, 303) and "/sign-in" in signed_out.headers["location"]


async def test_an_unknown_case_is_a_404_page(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("admin"))
    assert (await desk.client.get("/desk/cases/no-such-case")).status_code == 404
    listed = await desk.client.get("/desk/cases")
    assert listed.status_code == 200 and "没有案件" in listed.text
    assert (await desk.client.get("/desk/alerts?state=lost")).status_code == 422
