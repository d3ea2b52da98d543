"""The market in a real browser: search the catalog in Chinese, buy a listed product, download
it and match its bytes to the certificate's fingerprint; strangers' objects stay hidden."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from support_browser import DESKTOP, PHONE, DemoServer, ShotFn, sign_in

BUYER = "individual"  # 陈小明: an individual trades directly on Shenzhen (Guangzhou needs a broker)
PRODUCT = "深圳市公共交通客流指标"  # listed on Shenzhen with a 100-yuan trial tier


def test_search_buy_download_and_match_the_fingerprint(
    browser: Any, demo_server: DemoServer, shot: ShotFn, tmp_path: Path
) -> None:
    page = sign_in(browser, demo_server, BUYER)
    page.on("dialog", lambda dialog: dialog.accept())
    # The catalog: a two-character Chinese term finds its items.
    page.goto("/market/catalog")
    page.fill("#q", "社保")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert int(page.inner_text(".result-total")) >= 1
    assert "社保参保登记信息" in page.inner_text("table.results")
    shot(page, "market-catalog")
    page.click("table.results a:has-text('社保参保登记信息')")
    page.wait_for_load_state()
    assert "一数一源一标准" in page.inner_text("#standard")
    item_url = page.url
    shot(page, "market-item")

    # The listings, filtered by exchange, then the product page.
    page.goto("/market/listings")
    page.select_option("#f-exchange", "szdex")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "exchange=szdex" in page.url
    shot(page, "market-listings")
    page.click(f"table.listings a:has-text('{PRODUCT}')")
    page.wait_for_load_state()
    product_url = page.url
    page.wait_for_selector("#browser-check[data-result]")
    assert page.get_attribute("#browser-check", "data-result") == "valid"
    assert page.get_attribute(".offline-check", "data-result") == "valid"
    assert page.get_attribute(".registry-check", "data-result") == "valid"
    fingerprint = page.get_attribute(".fingerprint", "data-sha256")
    assert fingerprint and re.fullmatch(r"[0-9a-f]{64}", fingerprint)

    # Buy the trial tier at its posted price on Shenzhen.
    page.check("form.buy-form label:has-text('试用版') input[type=radio]")
    page.select_option("#buy-exchange", "szdex")
    page.click("form.buy-form button[type=submit]")
    page.wait_for_url(re.compile(r"/me/orders/[^/?]+\?done=bought"))
    assert page.inner_text(".order-status") == "已结算"
    order_url = page.url.split("?")[0]
    with page.expect_download() as caught:
        page.click("a.button[href$='/download']")
    download = caught.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == fingerprint
    page.click("a.licence-link")
    page.wait_for_load_state()
    licence_url = page.url
    assert page.inner_text(".package-sha256") == fingerprint

    # A stranger (another participant) is shown neither the licence nor the order.
    stranger = sign_in(browser, demo_server, "hk_buyer")
    for url in (licence_url, order_url):
        answer = stranger.goto(url)
        assert answer is not None and answer.status == 404
        assert "404" in stranger.inner_text("h1")
    stranger.context.close()

    # Every market page fits a phone's width (wide tables scroll inside their frame).
    phone = sign_in(browser, demo_server, BUYER, viewport=PHONE)
    for url in (
        "/",
        "/market/catalog?q=社保",
        item_url,
        "/market/listings",
        "/me/licences",
        licence_url,
        "/me/orders",
        order_url,
        "/me/negotiations",
        product_url,
    ):
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} scrolls sideways on a phone ({width}px)"
    phone.wait_for_selector("#browser-check[data-result=valid]")
    shot(phone, "market-product-phone")
    phone.context.close()
    page.context.close()


def test_the_market_in_english(browser: Any, demo_server: DemoServer, shot: ShotFn) -> None:
    page = sign_in(browser, demo_server, BUYER, lang="en-US")
    page.goto("/market/listings")
    assert page.inner_text("h1") == "Listed products"
    page.click(f"table.listings a:has-text('{PRODUCT}')")
    page.wait_for_selector("#browser-check[data-result=valid]")
    assert "Data asset certificate" in page.inner_text("#certificate")
    shot(page, "market-product-en")
    page.context.close()


def test_the_public_market_page_needs_no_sign_in(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=demo_server.url)
    page = context.new_page()
    page.goto("/")
    assert page.inner_text("h1") == "广东数据要素市场"
    cards = page.inner_text("section[aria-labelledby=exchanges]")
    assert "广州数据交易所" in cards and "深圳数据交易所" in cards
    assert page.locator("section[aria-labelledby=latest] a[href^='/market/listings/']").count() > 0
    size = int(page.inner_text(".checkpoint-size"))
    note = page.inner_text("pre.note")
    assert f"\n{size}\n" in note  # the signed note states the size shown
    assert re.fullmatch(r"[0-9a-f]{64}", page.inner_text(".checkpoint-root"))
    shot(page, "market-home")
    context.close()
