"""Supervision on the desk in a real browser: the market regulator (gd-amr) finds a case in
the list, takes a measure through the case page's form within its remit and lifts it; the
alerts and cases pages at a phone's width and in English."""

from __future__ import annotations

import re
from typing import Any

import httpx
from support_browser import PHONE, DemoServer, ShotFn, sign_in


def _open_case(server: DemoServer) -> str:
    """The market regulator opens a case by hand on the demo lender (POST /v1/supervision/cases)."""
    lender = httpx.get(
        f"{server.url}/v1/participants/me",
        headers={"Authorization": f"Bearer {server.keys['lender']}"},
    ).json()["id"]
    opened = httpx.post(
        f"{server.url}/v1/supervision/cases",
        json={
            "remit": "trading_conduct",
            "subject_type": "participant",
            "subject_id": lender,
            "title": "质押融资交易行为核查",
            "summary": "核查出借方的数据交易行为",
        },
        headers={"Authorization": f"Bearer {server.keys['regulator']}"},
    )
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["id"]
    return case_id


def test_the_market_regulator_takes_and_lifts_a_measure_on_a_case(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    case_id = _open_case(demo_server)
    page = sign_in(browser, demo_server, "regulator")
    page.goto("/desk/cases")
    page.locator(f"#case-{case_id} a").click()
    page.wait_for_url(re.compile(rf"/desk/cases/{case_id}$"))
    assert page.inner_text("h1").startswith("质押融资交易行为核查")
    kinds = page.locator("#m-kind option").evaluate_all("els => els.map(e => e.value)")
    assert "suspend_trading" in kinds and "require_rereview" not in kinds
    page.select_option("#m-kind", "suspend_trading")
    page.fill("#m-reason", "暂停交易，待查明")
    page.locator("#impose button[type='submit']").click()
    page.wait_for_url(re.compile(r"done=imposed"))
    measure = page.locator("#measures article[data-state='in_force']")
    assert measure.count() == 1 and "执行中" in measure.inner_text()
    shot(page, "desk-case")
    measure.locator("textarea[name='reason']").fill("已查明，恢复交易")
    measure.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"done=lifted"))
    assert page.locator("#measures article[data-state='lifted']").count() == 1
    page.context.close()


def test_alerts_and_cases_at_a_phone_width_and_in_english(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    phone = sign_in(browser, demo_server, "regulator_cac", viewport=PHONE)
    for path in ("/desk/alerts?state=all", "/desk/cases?state=all"):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
    shot(phone, "desk-cases-phone")
    phone.context.close()

    english = sign_in(browser, demo_server, "regulator", lang="en-US")
    english.goto("/desk/alerts")
    assert english.inner_text("h1") == "Surveillance alerts"
    assert "gd-amr" in english.inner_text("#acting")
    shot(english, "desk-alerts-en")
    english.context.close()
