"""The console's shell in a real browser: sign-in, language switch, sign-out, a phone's width."""

from __future__ import annotations

from typing import Any

from support_browser import PHONE, DemoServer, ShotFn, sign_in


def test_sign_in_switch_language_and_sign_out(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    page = sign_in(browser, demo_server, "holder")
    name = demo_server.names["holder"]
    page.goto("/sign-in")
    assert name in page.inner_text("header")
    assert page.inner_text("h1") == "登录"
    shot(page, "sign-in-zh")
    page.click("text=English")
    assert page.inner_text("h1") == "Sign in"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["gdx_session"]["httpOnly"] and cookies["gdx_session"]["sameSite"] == "Lax"
    # The key is nowhere a script could read it.
    assert demo_server.keys["holder"] not in page.evaluate("document.cookie + localStorage.length")
    page.click("header button:has-text('Sign out')")
    page.goto("/sign-in")
    assert name not in page.inner_text("header")
    page.context.close()


def test_the_sign_in_page_fits_a_phone(browser: Any, demo_server: DemoServer, shot: ShotFn) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=demo_server.url)
    page = context.new_page()
    page.goto("/join")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    shot(page, "join-phone")
    context.close()
