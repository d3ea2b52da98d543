"""Engine, sessions and the unit of work: every request commits or rolls back as a whole."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from exchange.clock import as_utc

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
        engine = create_async_engine(url, connect_args={"timeout": 30})
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


async def commit(session: AsyncSession) -> None:
    """Commit the unit of work: run pre-commit hooks (the audit append), then commit."""
    hooks: dict[str, PreCommitHook] = session.info.pop(_HOOKS, {})
    for hook in hooks.values():
        await hook(session)
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


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    write: bool = True,
    gate: asyncio.Lock | None = None,
) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on any exception.

    `gate` queues this process's SQLite writers in order instead of letting them poll the
    database lock (other processes still wait on SQLite's busy timeout).
    """
    queue = gate if (gate is not None and write) else contextlib.nullcontext()
    async with queue, sessionmaker() as session:
        if write:
            await begin_write(session)
        try:
            yield session
            if write:
                await commit(session)
        except BaseException:
            await session.rollback()
            raise
