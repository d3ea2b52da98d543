"""SQLite for the served app: statements run in the event loop's thread, waits on a thread.

aiosqlite runs every call on a worker thread and hands the result back to the event loop:
three or four thread hand-offs and greenlet switches per statement, about a fifth of a
purchase's server time. In WAL mode almost nothing SQLite does waits: readers never wait for
the writer, and a writer that holds the write lock (`BEGIN IMMEDIATE`) never waits for readers.
Two calls can wait, and those still go to the connection's worker thread so that the event
loop keeps serving everyone else meanwhile:

- `BEGIN IMMEDIATE`, which waits (busy timeout) while another process holds the write lock;
- `COMMIT`, which waits for the disk (synchronous=FULL: an fsync of the WAL). Requests that
  arrive during that fsync queue for the next group commit (`database.GroupCommit`).

Every other statement runs inline: it blocks the loop for as long as that one statement runs,
never longer, and only one connection of the process writes at a time (the write gate).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_WAITING_SQL = ("BEGIN IMMEDIATE", "COMMIT")


def _may_wait(fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    if isinstance(getattr(fn, "__self__", None), sqlite3.Connection):
        return getattr(fn, "__name__", "") == "commit"  # the connection's commit: an fsync
    return bool(args) and isinstance(args[0], str) and args[0].lstrip().startswith(_WAITING_SQL)


class LoopConnection(aiosqlite.Connection):
    """aiosqlite's connection, running calls that cannot wait inline (see the module's doc)."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if _may_wait(fn, args):
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def sqlite_url_path(url: str) -> str:
    """The file an `sqlite+aiosqlite:///…` URL names (':memory:' for none)."""
    _, _, path = url.partition(":///")
    return path.split("?", 1)[0] or ":memory:"


def loop_engine(url: str) -> AsyncEngine:
    """An async engine whose SQLite connections run statements in the event loop's thread."""
    connector = partial(sqlite3.connect, sqlite_url_path(url), timeout=30, check_same_thread=False)

    async def connect() -> LoopConnection:
        return await LoopConnection(connector, iter_chunk_size=64)  # type: ignore[return-value]

    return create_async_engine(url, async_creator=connect)
