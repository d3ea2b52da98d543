"""The served app does what falls due by itself, periodically, until it stops."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from exchange.app import create_app
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import create_engine
from exchange.markettime import duework
from exchange.migrate import upgrade


async def test_the_served_app_runs_due_work_periodically(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(empty_database_url)
    await upgrade(engine)
    await engine.dispose()
    runs: list[Runtime] = []
    real_run = duework.run

    async def counted(runtime: Runtime) -> duework.DueWorkReport:
        runs.append(runtime)
        return await real_run(runtime)

    monkeypatch.setattr(duework, "run", counted)
    settings = Settings(
        database_url=empty_database_url, data_dir=tmp_path, due_work_interval_seconds=0.05
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if len(runs) >= 3:
                break
            await asyncio.sleep(0.05)
        assert len(runs) >= 3 and all(r is app.state.runtime for r in runs)
    stopped = len(runs)
    await asyncio.sleep(0.2)
    assert len(runs) == stopped  # the loop ends with the app
