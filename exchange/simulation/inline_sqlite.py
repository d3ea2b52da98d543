"""An SQLite driver connection without aiosqlite's worker thread, for offline runs.

aiosqlite runs every call on a thread of its own and hands results back to the event loop:
three or four thread hand-offs per statement, which dominate an offline run on a busy
machine. An offline simulation is a single task that owns its database, so nothing is gained
by leaving the event loop: this connection runs each call at once, in the loop's thread. The
SQL, the transactions and every service stay exactly as they are; live classes and the
served app keep the threaded driver.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from exchange.database import _configure_sqlite


class _InlineQueue:
    """Stands in for the worker thread's queue: runs each queued call at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's API, each call run inline (one task, one database: an offline run)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        # SQLAlchemy's adapter queues some calls (isolation level) straight onto the queue.
        self._tx = _InlineQueue()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def inline_engine(path: Path, *, synchronous: str = "OFF") -> AsyncEngine:
    """An async engine on one SQLite file whose calls run in the event loop's thread."""
    connector = partial(sqlite3.connect, str(path), timeout=30, check_same_thread=False)

    async def connect() -> InlineConnection:
        return await InlineConnection(connector)

    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", async_creator=connect, poolclass=StaticPool
    )
    # The same pragmas and write transactions as every SQLite engine of the exchange.
    _configure_sqlite(engine, synchronous)
    return engine
