"""Helpers of the browser tests: finding Chromium, the served demo market, screenshots that
check Chinese renders, and signing in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BROWSER_ENV = "EXCHANGE_TEST_BROWSER"
CHROMIUM_ENV = "EXCHANGE_TEST_CHROMIUM"
SKIP_LINE = (
    "browser tests are off: no Chromium found; `apt-get install chromium fonts-noto-cjk` "
    f"(or set {CHROMIUM_ENV}=/path/to/chromium) and `pip install -e '.[test]'` to run them; "
    ".ci/run does."
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_path() -> str | None:
    """Debian's Chromium (or the one the environment names)."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def usable_chromium() -> str | None:
    """Chromium's path, if it and Playwright are both there."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return chromium_path()


def require_browser() -> str:
    path = usable_chromium()
    if path is None:
        if os.environ.get(BROWSER_ENV) == "required":
            pytest.fail(SKIP_LINE.replace("are off", "are required but cannot run"))
        pytest.skip(SKIP_LINE)
    return path


@dataclass
class DemoServer:
    """A served demo market: its address and the demo participants' keys by handle."""

    url: str
    keys: dict[str, str]
    names: dict[str, str]
    data_dir: Path


ShotFn = Callable[[Any, str], Path]


# Draw a few distinct CJK characters in the page's own font: missing glyphs all come out as
# the same box ("tofu"), real glyphs differ from one another.
_TOFU_PROBE = """
() => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (ch) => {
    const c = document.createElement("canvas");
    c.width = 40; c.height = 40;
    const g = c.getContext("2d");
    g.font = `32px ${font}`;
    g.fillStyle = "#000";
    g.fillText(ch, 2, 32);
    return c.toDataURL();
  };
  const images = ["数", "据", "市", "场"].map(draw);
  return new Set(images).size;
}
"""


def assert_no_tofu(page: Any) -> None:
    """Chinese characters render as distinct glyphs (the CJK fonts are installed)."""
    distinct = page.evaluate(_TOFU_PROBE)
    assert distinct == 4, "Chinese text renders as tofu boxes: install fonts-noto-cjk"


def sign_in(
    browser: Any,
    server: DemoServer,
    handle: str,
    *,
    viewport: dict[str, int] = DESKTOP,
    lang: str = "zh-CN",
) -> Any:
    """A new browser context signed in as a demo participant; returns its page."""  # fmt: skip
    context = browser.new_context(viewport=viewport, locale=lang, base_url=server.url)
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("#api_key", server.keys[handle])
    page.click("form[action='/sign-in'] button[type=submit]")
    page.wait_for_load_state()
    return page
