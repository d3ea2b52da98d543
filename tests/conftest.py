"""Fixtures: each test runs against SQLite and (when enabled) PostgreSQL, schema by Alembic."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from exchange import wiring
from exchange.app import create_app
from exchange.clock import ManualClock, MarketClock
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import Base, create_engine, make_sessionmaker
from exchange.ids import IdFactory
from exchange.migrate import upgrade
from exchange.models import register_all
from exchange.participants import service as participants_service
from exchange.supervision.agencies import service as agencies_service
from exchange.vocabulary import Role
from support import Actor, MakeParticipant

register_all()
wiring.install()

PG_ENV = "EXCHANGE_TEST_POSTGRES_URL"
PG_REASON = (
    f"PostgreSQL tests are off: set {PG_ENV} (e.g. "
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test) to run them; .ci/run does."
)
START = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)  # a Monday


@dataclass
class Database:
    """A migrated test database and the rows its migrations seeded."""

    backend: str
    url: str
    engine: AsyncEngine
    seed_rows: dict[str, list[dict[str, Any]]]


async def _create_pg_database(base_url: str) -> str:
    name = f"exchange_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


async def _drop_pg_database(base_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def _snapshot(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            result = await conn.execute(select(table))
            rows[table.name] = [dict(r._mapping) for r in result]
    return rows


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    """A database migrated to head, once per backend per test session."""
    backend: str = request.param
    base_pg = os.environ.get(PG_ENV, "")
    if backend == "postgresql":
        if not base_pg:
            pytest.skip(PG_REASON)
        url = await _create_pg_database(base_pg)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'exchange.db'}"
    engine = create_engine(url, pool_size=20, synchronous="OFF")
    await upgrade(engine)
    db = Database(backend, url, engine, await _snapshot(engine))
    yield db
    await engine.dispose()
    if backend == "postgresql":
        await _drop_pg_database(base_pg, url)


async def reset(db: Database) -> None:
    """Empty every table and restore the rows the migrations seeded."""
    async with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(delete(table))
        for table in Base.metadata.sorted_tables:
            rows = db.seed_rows.get(table.name)
            if rows:
                await conn.execute(insert(table), rows)


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test sets by hand; starts on a Monday morning."""
    return ManualClock(START)


@pytest.fixture
async def runtime(database: Database, clock: ManualClock, tmp_path: Path) -> Runtime:
    """A fresh market on the backend under test."""
    await reset(database)
    settings = Settings(database_url=database.url, data_dir=tmp_path, max_body_bytes=65_536)
    return Runtime(
        settings=settings,
        engine=database.engine,
        sessionmaker=make_sessionmaker(database.engine),
        # The market clock, over the hand-set one: tests move `clock`, admins move the market.
        clock=MarketClock(clock),
        ids=IdFactory(),
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process."""
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make_participant(runtime: Runtime) -> MakeParticipant:
    """Register a participant directly through the service (like the CLI does)."""

    async def make(
        role: Role = Role.ENTERPRISE,
        *,
        name: str | None = None,
        jurisdiction: str = "CN",
        balance_fen: int = 0,
        agency: str | None = None,
    ) -> Actor:
        """`agency`: the seeded supervisory agency a regulator acts for (gd-cac 网信 export,
        gd-amr 市场监管 trading conduct, gd-gsdma 数据局 public data, gd-nfra 金融监管)."""
        async with runtime.unit_of_work() as session:
            ctx = runtime.context(session)
            participant, account, key = await participants_service.register(
                ctx,
                name=name or f"{role.value}-{uuid.uuid4().hex[:6]}",
                role=role,
                jurisdiction=jurisdiction,
            )
            if balance_fen:
                await session.flush()
                await participants_service.deposit(
                    ctx, participant_id=participant.id, amount_fen=balance_fen, memo="test"
                )
            if agency is not None:
                await session.flush()
                await agencies_service.assign_member(
                    ctx, agency_id=agency, participant_id=participant.id
                )
        return Actor(participant.id, participant.name, role, key.secret, account.id)

    return make


@pytest.fixture
async def admin(make_participant: MakeParticipant) -> Actor:
    """A platform admin."""
    return await make_participant(Role.ADMIN, name="管理员 admin")


@pytest.fixture
async def empty_database_url(database: Database, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of a brand-new, empty database on the backend under test."""
    if database.backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    base = os.environ[PG_ENV]
    url = await _create_pg_database(base)
    yield url
    await _drop_pg_database(base, url)
