"""The runtime an app or simulation holds, and the context one unit of work runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from exchange.clock import Clock, MarketClock, SystemClock
from exchange.config import Settings
from exchange.database import GroupCommit, create_engine, make_sessionmaker, unit_of_work
from exchange.hooks import HOOKS, NotWired
from exchange.ids import IdFactory
from exchange.vocabulary import Role

SYSTEM_ACTOR = "system"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slot(Generic[T]):
    """A named, typed place in a runtime's cache; declare one per cached thing, at module level."""

    name: str


class RuntimeCache:
    """What a runtime keeps between units of work (keys, id lookups), each under a typed slot."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Slot[Any], Any] = {}

    def get(self, slot: Slot[T]) -> T | None:
        """The cached value, or None."""
        return cast("T | None", self._values.get(slot))

    def set(self, slot: Slot[T], value: T) -> None:
        """Cache `value` under `slot`."""
        self._values[slot] = value

    def get_or_make(self, slot: Slot[T], make: Callable[[], T]) -> T:
        """The cached value, made and cached on first use."""
        if slot not in self._values:
            self._values[slot] = make()
        return cast("T", self._values[slot])


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: an authenticated participant."""

    id: str
    name: str
    role: Role
    jurisdiction: str
    key_id: str | None = None


@dataclass(slots=True)
class Runtime:
    """Long-lived pieces shared by every request of one app (or one simulation)."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=SystemClock)
    ids: IdFactory = field(default_factory=IdFactory)
    cache: RuntimeCache = field(default_factory=RuntimeCache)
    write_gate: GroupCommit | None = None
    group_commit: bool = True

    def __post_init__(self) -> None:
        # SQLite: this process's writers pass one gate and share commits. An offline run
        # (one task, nobody to share with) passes group_commit=False to skip the savepoints.
        if self.write_gate is None and self.engine.dialect.name == "sqlite":
            self.write_gate = GroupCommit(self.engine) if self.group_commit else None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Clock | None = None, ids: IdFactory | None = None
    ) -> Runtime:
        """Build the engine and sessions a runtime needs from settings.

        Without a given clock it runs on the market clock, or on real time when the
        deployment pins it (`EXCHANGE_CLOCK=real`).
        """
        engine = create_engine(
            settings.resolved_database_url(),
            pool_size=settings.db_pool_size,
            synchronous=settings.sqlite_synchronous,
        )
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            clock=clock or _default_clock(settings),
            ids=ids or IdFactory(),
        )

    def unit_of_work(self, *, write: bool = True) -> AbstractAsyncContextManager[AsyncSession]:
        """A session that commits (with its audit entries) on success, else rolls back.

        On the market clock it first adopts the stored offset: one primary-key read per unit
        of work (never one per `now()`), so another process's move is seen at once.
        """
        inner = unit_of_work(self.sessionmaker, write=write, gate=self.write_gate)
        if not isinstance(self.clock, MarketClock):
            return inner
        return self._synced(inner)

    @asynccontextmanager
    async def _synced(
        self, inner: AbstractAsyncContextManager[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        async with inner as session:
            await self.sync_clock(session)
            yield session

    async def sync_clock(self, session: AsyncSession) -> None:
        """Adopt the market clock's stored offset (a no-op on any other clock)."""
        read = HOOKS.clock_offset
        if isinstance(self.clock, MarketClock) and read is not None:
            self.clock.adopt(await read(session))

    def context(self, session: AsyncSession, actor: Principal | None = None) -> Context:
        """A context for one unit of work on `session`."""
        return Context(session=session, runtime=self, actor=actor)


def _default_clock(settings: Settings) -> Clock:
    return SystemClock() if settings.clock == "real" else MarketClock(SystemClock())


@dataclass(slots=True)
class Context:
    """What a service needs for one unit of work: session, clock, ids and the actor."""

    session: AsyncSession
    runtime: Runtime
    actor: Principal | None = None

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def ids(self) -> IdFactory:
        return self.runtime.ids

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def actor_ref(self) -> str:
        """The actor as the audit log names it."""
        return self.actor.id if self.actor is not None else SYSTEM_ACTOR

    def audit(
        self, action: str, *, subject_type: str, subject_id: str, payload: dict[str, Any]
    ) -> None:
        """Record an audit entry that commits with this unit of work."""
        record = HOOKS.record_audit
        if record is None:
            raise NotWired("record_audit")
        record(
            self.session,
            clock=self.runtime.clock,
            origin=self.runtime.settings.audit_origin,
            actor=self.actor_ref,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            payload=payload,
        )
