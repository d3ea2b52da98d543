"""Each live class's own market: a sandbox database, its runtime and its clock.

A class's market lives in a SQLite file of its own (`<data_dir>/classes/<class id>.db`),
migrated like any database, so several classes run on one server without seeing each
other's markets. The registry (one per app) keeps their runtimes, and remembers which API
key ids belong to which class so that a student's requests are served by its class alone.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from exchange.clock import Clock
from exchange.context import Runtime, Slot
from exchange.database import create_engine, make_sessionmaker
from exchange.ids import IdFactory
from exchange.migrate import upgrade

REGISTRY: Slot[ClassRegistry] = Slot("classroom.registry")
CLASS_ID: Slot[str] = Slot("classroom.class_id")
MAIN: Slot[Runtime] = Slot("classroom.main")
ROUTE_CACHE_SIZE = 100_000


class OffsetClock:
    """A class market's clock: the server's clock plus an offset that only ever grows.

    Registration publicity (five working days) and each round's deadline pass in the class's
    own time, which jumps ahead when the market needs it; the server's clock never moves.
    """

    def __init__(self, base: Clock, offset: timedelta = timedelta(0)) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def set(self, when: datetime) -> None:
        """Move the class's time forward to `when` (never back)."""
        gap = when - self.now()
        if gap > timedelta(0):
            self.offset += gap

    def offset_us(self) -> int:
        """The offset in microseconds (as stored with the class)."""
        return self.offset // timedelta(microseconds=1)

    def catch_up(self, offset_us: int) -> None:
        """Adopt a larger offset recorded by another process."""
        stored = timedelta(microseconds=offset_us)
        if stored > self.offset:
            self.offset = stored


@dataclass
class ClassSession:
    """What a process holds for one class: its runtime and clock (never its bots)."""

    class_id: str
    runtime: Runtime
    clock: OffsetClock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ClassRegistry:
    """The classes this app serves: sandbox runtimes and the key → class routing table."""

    def __init__(self, main: Runtime) -> None:
        self.main = main
        self.sessions: dict[str, ClassSession] = {}
        self.routes: OrderedDict[str, str | None] = OrderedDict()
        self.presence: dict[str, tuple[datetime, int]] = {}

    def db_path(self, class_id: str) -> Path:
        """Where a class's market database lives."""
        return self.main.settings.data_dir / "classes" / f"{class_id}.db"

    def _runtime(self, class_id: str, clock: OffsetClock) -> Runtime:
        path = self.db_path(class_id)
        url = f"sqlite+aiosqlite:///{path}"
        settings = self.main.settings.model_copy(
            update={
                "database_url": url,
                "signing_key_dir": self.main.settings.resolved_key_dir(),
            }
        )
        engine = create_engine(url, synchronous=self.main.settings.sqlite_synchronous)
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            clock=clock,
            ids=IdFactory(),
        )
        runtime.cache.set(CLASS_ID, class_id)
        runtime.cache.set(MAIN, self.main)
        return runtime

    async def create(self, class_id: str) -> ClassSession:
        """A new class market: a fresh database file, migrated."""
        path = self.db_path(class_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise FileExistsError(f"class database {path} exists already")
        clock = OffsetClock(self.main.clock)
        session = ClassSession(class_id, self._runtime(class_id, clock), clock)
        await upgrade(session.runtime.engine)
        self.sessions[class_id] = session
        return session

    def session(self, class_id: str, offset_us: int) -> ClassSession:
        """The class's runtime in this process (opened on first use), its clock caught up."""
        found = self.sessions.get(class_id)
        if found is None:
            clock = OffsetClock(self.main.clock, timedelta(microseconds=offset_us))
            found = ClassSession(class_id, self._runtime(class_id, clock), clock)
            self.sessions[class_id] = found
        found.clock.catch_up(offset_us)
        return found

    def cached_route(self, key_id: str) -> tuple[bool, str | None]:
        """(known, class id) for an API key id from the cache."""
        if key_id not in self.routes:
            return False, None
        self.routes.move_to_end(key_id)
        return True, self.routes[key_id]

    def remember_route(self, key_id: str, class_id: str | None) -> None:
        """Cache where a key id belongs. Safe to keep: a key id never changes its class."""
        self.routes[key_id] = class_id
        self.routes.move_to_end(key_id)
        while len(self.routes) > ROUTE_CACHE_SIZE:
            self.routes.popitem(last=False)

    async def dispose(self) -> None:
        """Close every class database this process opened."""
        for session in self.sessions.values():
            await session.runtime.engine.dispose()
        self.sessions.clear()


def registry(main: Runtime) -> ClassRegistry:
    """The class registry of an app (made on first use)."""
    return main.cache.get_or_make(REGISTRY, lambda: ClassRegistry(main))
