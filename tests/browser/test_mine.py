"""My pages in a real browser on the demo market: the holder's dashboard, an asset and its
certificate, its statement, a registration through the form with a file; the broker's clients
in English; a phone's width."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from support_browser import PHONE, DemoServer, ShotFn, sign_in


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"


def test_the_holder_opens_its_dashboard_an_asset_its_certificate_and_its_statement(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    page = sign_in(browser, demo_server, "holder")
    page.goto("/me")
    assert page.inner_text("h1") == "我的"
    assert demo_server.names["holder"] in page.inner_text("main")
    assert "¥" in page.inner_text("#balance + .stat")
    shot(page, "mine-dashboard")

    page.click("a[data-tile='/me/assets']")
    page.wait_for_url("**/me/assets")
    assert "已登记" in page.inner_text("table")
    shot(page, "mine-assets")
    page.click("tr:has(span[data-state='registered']) a")
    assert page.locator("[data-step='certificate'][data-step-state='done']").count() == 1
    fingerprint = page.inner_text("#fingerprint").strip()
    shot(page, "mine-asset")

    page.click("text=查看数据资产凭证")
    page.wait_for_url("**/certificate")
    assert page.inner_text("#certificate-fingerprint").strip() == fingerprint
    assert page.get_attribute("#verification", "data-verification") == "valid"
    shot(page, "mine-certificate")

    page.goto("/me/account")
    rows = page.locator("#statement tbody tr")
    assert rows.count() >= 1
    assert "沙盒注资" in page.inner_text("#statement")
    shot(page, "mine-account")

    page.goto("/me/listings")
    assert page.locator("tr[data-listing-id]").count() >= 1
    shot(page, "mine-listings")
    page.context.close()


def test_a_registration_through_the_form_reaches_the_review_queue(
    browser: Any, demo_server: DemoServer, shot: ShotFn, tmp_path: Path
) -> None:
    package = tmp_path / "佛山制造业景气指数.csv"
    package.write_bytes("季度,景气指数\n2026Q3,51.8\n".encode())
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    page = sign_in(browser, demo_server, "holder")
    page.goto("/me/assets/new")
    page.fill("#name", "佛山制造业景气指数（浏览器测试）")
    page.fill("#scenario", "制造业信贷风控")
    page.fill("#source_legality", "企业授权采集，来源合法")
    page.set_input_files("#package", str(package))
    # The page computes the fingerprint in the browser before anything is sent.
    page.wait_for_function(f"document.getElementById('fingerprint').value === '{digest}'")
    shot(page, "mine-asset-form")
    page.click("#asset-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/me/assets/[^/]+\?done=applied$"))
    assert "登记申请已提交" in page.inner_text("main")
    assert page.locator("[data-step='review'][data-step-state='current']").count() == 1
    assert page.inner_text("#fingerprint").strip() == digest
    page.context.close()

    reviewer = sign_in(browser, demo_server, "reviewer1")
    reviewer.goto("/me/reviews")
    assert "佛山制造业景气指数（浏览器测试）" in reviewer.inner_text("table")
    shot(reviewer, "mine-review-queue")
    reviewer.click("text=佛山制造业景气指数（浏览器测试）")
    assert reviewer.locator("#decision").count() == 1
    reviewer.context.close()


def test_an_asset_and_the_dashboard_fit_a_phone(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    page = sign_in(browser, demo_server, "holder", viewport=PHONE)
    page.goto("/me")
    _fits(page)
    page.goto("/me/assets?status=registered")
    page.click("tr[data-asset-id] a")
    assert page.locator("#progress").count() == 1
    _fits(page)
    shot(page, "mine-asset-phone")
    page.click("text=查看数据资产凭证")
    _fits(page)
    page.context.close()


def test_the_broker_sees_its_clients_in_english(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    page = sign_in(browser, demo_server, "broker", lang="en-GB")
    page.goto("/me")
    assert page.inner_text("h1") == "Mine"
    page.click("a[data-tile='/me/clients']")
    page.wait_for_url("**/me/clients")
    assert page.inner_text("h1") == "My clients and mandates"
    table = page.inner_text("table")
    assert demo_server.names["individual"] in table and "Active" in table
    shot(page, "mine-clients-en")
    page.click(f"text={demo_server.names['individual']}")
    assert page.locator("#buy").count() == 1
    assert "Buy for the client" in page.inner_text("#buy")
    shot(page, "mine-client-en")
    page.context.close()
