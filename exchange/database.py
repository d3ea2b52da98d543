"""Engine, sessions and the unit of work: every request commits or rolls back as a whole."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from exchange.clock import as_utc
from exchange.sqlite_driver import loop_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; BIGINT elsewhere.
BigIntId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")

PreCommitHook = Callable[[AsyncSession], Awaitable[None]]
_HOOKS = "pre_commit_hooks"
_EARLY_RELEASE = "release_locks_before_flush"
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit = off")
_ASSIGN_XID = text("SELECT txid_current()")


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamp stored with microseconds and always read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True, precision=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        # SQLite keeps no zone: store UTC wall time so text order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 10, synchronous: str = "FULL") -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and up-front write locks."""
    if is_sqlite(url):
        engine = loop_engine(url)
        _configure_sqlite(engine, synchronous)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine, synchronous: str) -> None:
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock up front, so two writers never deadlock upgrading.
        if conn.get_execution_options().get("write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def begin_write(session: AsyncSession) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE)."""
    await session.connection(execution_options={"write": True})


def add_pre_commit_hook(session: AsyncSession, key: str, hook: PreCommitHook) -> None:
    """Run `hook` once just before this session's next commit (keyed, so added once)."""
    hooks: dict[str, PreCommitHook] = session.info.setdefault(_HOOKS, {})
    hooks.setdefault(key, hook)


def release_locks_before_flush(session: AsyncSession) -> None:
    """Ask this unit's commit to release its locks before the disk flush (PostgreSQL).

    The audit append asks for it once it holds the log head's row lock: held across the
    commit's WAL flush, that one lock would let the whole market commit one fsync at a time.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        session.info[_EARLY_RELEASE] = True


async def commit(session: AsyncSession) -> None:
    """Commit the unit of work: run pre-commit hooks (the audit append), then commit.

    On PostgreSQL, a unit that holds the log head's lock commits with `synchronous_commit`
    off, which releases its locks as soon as the commit record is written, and then waits for
    durability without any lock: a transaction with an id of its own commits synchronously,
    and its flush covers every earlier commit record in the WAL, so the unit is durable when
    that returns. Concurrent units' flushes share fsyncs (PostgreSQL flushes the WAL written
    so far). Nobody is answered before the change is durable; a later entry cannot be durable
    without every earlier one (the WAL is flushed in order), so a crash cannot fork the log.
    Others may read the change in the moments before it is durable.
    """
    hooks: dict[str, PreCommitHook] = session.info.pop(_HOOKS, {})
    for hook in hooks.values():
        await hook(session)
    early = session.info.pop(_EARLY_RELEASE, False)
    if early:
        await session.execute(_ASYNC_COMMIT)
    await session.commit()
    if early:
        await session.execute(_ASSIGN_XID)
        await session.commit()


@event.listens_for(Session, "before_commit")
def _refuse_commit_with_pending_hooks(session: Session) -> None:
    # The spine: a commit that skipped `commit()` would drop its audit entries.
    if session.info.get(_HOOKS):
        raise RuntimeError("session committed without running its pre-commit hooks")


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _clear_hooks(session: Session) -> None:
    session.info.pop(_HOOKS, None)
    session.info.pop(_EARLY_RELEASE, None)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    write: bool = True,
    gate: GroupCommit | None = None,
) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on any exception.

    With a `gate` (SQLite), this process's writers queue in order instead of polling the
    database lock, and share commits (`GroupCommit`); other processes still wait on SQLite's
    busy timeout.
    """
    if write and gate is not None:
        async with gate.unit(sessionmaker) as session:
            yield session
        return
    async with sessionmaker() as session:
        if write:
            await begin_write(session)
        try:
            yield session
            if write:
                await commit(session)
        except BaseException:
            await session.rollback()
            raise


class GroupCommit:
    """Group commit (组提交) of one process's SQLite writers: one fsync for many units of work.

    Writers pass the gate one at a time, as SQLite's single writer needs. The first opens a
    transaction (BEGIN IMMEDIATE) on a connection of its own; every unit of work then runs in
    a savepoint of it, so a refused or failed unit rolls back to its savepoint and leaves the
    others' work standing. A unit that ends while other writers wait at the gate leaves the
    transaction open for them; the unit that ends with no one waiting (or the batch full)
    commits once, with one fsync, and only then does any unit of the batch return. So nobody
    is told of a change that is not durable; a change and its audit entries share a savepoint
    (both commit or neither); the log's head moves only inside the one transaction, so no
    fork is possible. While the commit waits for the disk (on the connection's thread, see
    `sqlite_driver`), arriving requests queue at the gate and form the next batch.
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 32) -> None:
        self._engine = engine
        self._gate = asyncio.Lock()
        self._max_batch = max_batch
        self._waiting = 0
        self._units = 0
        self._connection: AsyncConnection | None = None
        self._durable: asyncio.Future[None] | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def unit(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        """One unit of work in the current batch; returns once the batch is durable."""
        self._waiting += 1
        try:
            await self._gate.acquire()
        except BaseException:
            self._waiting -= 1
            self._flush_soon()  # a batch left open for this writer must not wait forever
            raise
        self._waiting -= 1
        durable: asyncio.Future[None] | None = None
        try:
            connection = await self._batch()
            durable = self._durable
            async with sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint"
            ) as session:
                self._units += 1
                try:
                    yield session
                    await commit(session)
                except BaseException:
                    durable = None
                    await session.rollback()
                    raise
        finally:
            try:
                if self._connection is not None and (
                    self._waiting == 0 or self._units >= self._max_batch
                ):
                    await self._commit_batch()
            finally:
                self._gate.release()
        if durable is not None:
            await asyncio.shield(durable)

    async def _batch(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                await connection.execution_options(write=True)
                await connection.begin()
            except BaseException:
                await connection.close()
                raise
            durable: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            # A failed batch's error reaches its waiters; retrieve it so none is left unread.
            durable.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._connection, self._durable, self._units = connection, durable, 0
        return self._connection

    async def _commit_batch(self) -> None:
        connection, durable = self._connection, self._durable
        self._connection, self._durable = None, None
        assert connection is not None and durable is not None
        try:
            await connection.commit()
        except BaseException as exc:
            durable.set_exception(exc)
            raise
        else:
            durable.set_result(None)
        finally:
            await connection.close()

    def _flush_soon(self) -> None:
        async def flush() -> None:
            async with self._gate:
                if self._connection is not None and self._waiting == 0:
                    await self._commit_batch()

        task = asyncio.get_running_loop().create_task(flush())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)
