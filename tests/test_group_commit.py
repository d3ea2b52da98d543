"""Group commit (组提交): many concurrent units of work, few fsyncs, each unit still whole.

SQLite's writers share commits at the write gate; PostgreSQL's release the log head's lock
before the WAL flush and share flushes. Both: every unit returns only once it is durable.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from exchange.audit.log.models import AuditEntry
from exchange.audit.transparency.verify import verify_log
from exchange.context import Runtime


def _sqlite(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("group commit at the write gate is SQLite's (PostgreSQL groups WAL flushes)")


class _Commits:
    """Counts the database commits (each one an fsync with synchronous=FULL)."""

    def __init__(self, runtime: Runtime) -> None:
        self.count = 0
        self._engine = runtime.engine.sync_engine
        event.listen(self._engine, "commit", self._seen)

    def _seen(self, _conn: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "commit", self._seen)


async def _entries(runtime: Runtime, subject_id: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    async with runtime.unit_of_work(write=False) as session:
        return int(await session.scalar(query) or 0)


async def _audited_unit(runtime: Runtime, name: str, *, fail: bool = False) -> None:
    async with runtime.unit_of_work() as session:
        runtime.context(session).audit(
            "test.group_commit", subject_type="test", subject_id=name, payload={"n": name}
        )
        await asyncio.sleep(0)  # let the other writers queue at the gate
        if fail:
            raise RuntimeError(f"unit {name} refused")
    # Returned: the entry is durable, so a reader on another connection sees it.
    assert await _entries(runtime, name) == 1, f"{name} returned before its commit"


async def test_concurrent_writers_share_commits_and_each_returns_after_its_commit(
    runtime: Runtime,
) -> None:
    before = await _entries(runtime)
    commits = _Commits(runtime)
    try:
        await asyncio.gather(*(_audited_unit(runtime, f"w{i:02d}") for i in range(40)))
    finally:
        commits.close()
    assert await _entries(runtime) == before + 40
    if runtime.engine.dialect.name == "sqlite":
        assert commits.count < 40 / 4, f"{commits.count} commits for 40 concurrent units"
    async with runtime.unit_of_work(write=False) as session:
        report = await verify_log(runtime.context(session))
    assert report.ok, report.problems


async def test_a_failed_unit_rolls_back_alone_inside_its_batch(runtime: Runtime) -> None:
    before = await _entries(runtime)
    names = [f"u{i:02d}" for i in range(24)]
    outcomes = await asyncio.gather(
        *(_audited_unit(runtime, n, fail=i % 3 == 1) for i, n in enumerate(names)),
        return_exceptions=True,
    )
    refused = [n for n, o in zip(names, outcomes, strict=True) if isinstance(o, RuntimeError)]
    assert refused == names[1::3]
    assert all(o is None for n, o in zip(names, outcomes, strict=True) if n not in refused)
    for name in refused:
        assert await _entries(runtime, name) == 0
    assert await _entries(runtime) == before + len(names) - len(refused)
    async with runtime.unit_of_work(write=False) as session:
        report = await verify_log(runtime.context(session))
    assert report.ok, report.problems


async def test_a_writer_cancelled_at_the_gate_does_not_strand_the_open_batch(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite(runtime)
    go = asyncio.Event()

    async def first() -> None:
        async with runtime.unit_of_work() as session:
            runtime.context(session).audit(
                "test.group_commit", subject_type="test", subject_id="first", payload={}
            )
            await go.wait()

    a = asyncio.create_task(first())
    await asyncio.sleep(0.05)  # a holds the gate
    b = asyncio.create_task(_audited_unit(runtime, "second"))
    await asyncio.sleep(0.05)  # b waits at the gate, so a leaves the batch open for it
    gate = runtime.write_gate._gate  # type: ignore[union-attr]
    release = gate.release

    def release_then_cancel_the_waiter() -> None:
        release()
        b.cancel()  # b gives up after a handed it the gate, before it ran

    monkeypatch.setattr(gate, "release", release_then_cancel_the_waiter)
    go.set()
    await asyncio.wait_for(a, timeout=10)  # without a flush of the stranded batch: hangs
    with pytest.raises(asyncio.CancelledError):
        await b
    assert await _entries(runtime, "first") == 1
    assert await _entries(runtime, "second") == 0
