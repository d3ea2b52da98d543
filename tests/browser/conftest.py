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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support_browser import (
    BROWSER_ENV,
    SKIP_LINE,
    DemoServer,
    ShotFn,
    assert_no_tofu,
    require_browser,
    usable_chromium,
)

from support import free_port

HERE = Path(__file__).parent
_SKIPPED = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, leave the browser tests out and say so once (not once per test)."""
    if usable_chromium() is not None or os.environ.get(BROWSER_ENV) == "required":
        return
    ours = [item for item in items if HERE in item.path.parents]
    if ours:
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if HERE not in item.path.parents]
        config.stash[_SKIPPED] = len(ours)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    skipped = config.stash.get(_SKIPPED, 0)
    if skipped:
        terminalreporter.write_line(f"{skipped} {SKIP_LINE}")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`exchange demo` serving a freshly seeded market on a free port."""
    require_browser()
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


# Module-scoped: while Playwright's sync API is open it holds an event loop running on this
# thread, and the async tests of other modules (pytest-asyncio) need the thread free of it.
@pytest.fixture(scope="module")
def browser(demo_server: DemoServer) -> Iterator[Any]:
    """One headless Chromium for the test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=require_browser(), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main pages' screenshots go (EXCHANGE_SCREENSHOTS_DIR also gets a copy)."""
    return tmp_path_factory.mktemp("screenshots")


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
