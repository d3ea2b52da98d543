"""Browser tests: Playwright driving Debian's Chromium against a served demo market.

One `exchange demo` server per test session (a subprocess on a free port, its own data
directory); each test opens fresh browser contexts on it. Without Chromium the tests skip with
one line saying how to enable them; `.ci/run` sets EXCHANGE_TEST_BROWSER=required, so there a
missing browser fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import free_port

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


def _require_browser() -> str:
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
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


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`exchange demo` serving a freshly seeded market on a free port."""
    _require_browser()
    data_dir = tmp_path_factory.mktemp("console-demo")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")},
        "EXCHANGE_DATA_DIR": str(data_dir),
    }
    keys_file = data_dir / "keys.json"
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "exchange.cli", "demo", "--port", str(port),
             "--keys-out", str(keys_file), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, log_path.read_text()[-4000:]
                assert time.monotonic() < deadline, "the demo server did not start in 180 s"
                time.sleep(0.3)
            rows = json.loads(keys_file.read_text(encoding="utf-8"))
            yield DemoServer(
                url,
                {r["handle"]: r["api_key"] for r in rows},
                {r["handle"]: r["name"] for r in rows},
                data_dir,
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def browser(demo_server: DemoServer) -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=_require_browser(), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main pages' screenshots go (EXCHANGE_SCREENSHOTS_DIR also gets a copy)."""
    return tmp_path_factory.mktemp("screenshots")


ShotFn = Callable[[Any, str], Path]


@pytest.fixture
def shot(screenshots: Path) -> ShotFn:
    """Save a full-page screenshot of `page` as `name`.png and check Chinese renders."""

    def take(page: Any, name: str) -> Path:
        assert_no_tofu(page)
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        extra = os.environ.get("EXCHANGE_SCREENSHOTS_DIR")
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / path.name)
        return path

    return take


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
