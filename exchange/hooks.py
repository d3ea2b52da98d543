"""Where the domains plug into the core: the core calls these, `exchange.wiring` installs them.

The core (context, security, dependencies) knows no domain. The things it needs come from
domains, each through one hook set when the application is assembled:
- `record_audit` (the audit log): queue an entry that commits with the unit of work;
- `find_key` (participants): the stored API key and its holder, for authentication;
- `clock_offset` (market time): the market clock's stored offset, read by each unit of work;
- `check_ready` (the audit log): refuse readiness while the market is halted;
- `resolve_runtime` (classroom; installed by the app): the runtime a request acts on.
One more lets a domain ask an application without importing it (installed by the app):
- `fund_class_participant` (classroom, asked by participants): an instructor's deposit, made
  in the market of the class the participant sits in.
And one lets the lower domains ask supervision, which sits above them (installed by wiring):
- `check_measures` (supervision, asked by trading): refuse an act a measure in force forbids
  (a suspended listing or participant, a suspended broker licence, an asset under re-review),
  naming the measure and its case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fastapi import Request
    from sqlalchemy.ext.asyncio import AsyncSession

    from exchange.clock import Clock
    from exchange.context import Context, Principal, Runtime
    from exchange.vocabulary import Restricted


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key as stored (its digest), with the participant it authenticates."""

    key_id: str
    digest: str
    revoked: bool
    active: bool
    principal: Principal


class AuditRecorder(Protocol):
    """Queue an audit entry to be appended when the session's unit of work commits."""

    def __call__(
        self,
        session: AsyncSession,
        *,
        clock: Clock,
        origin: str,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        payload: dict[str, Any],
    ) -> None: ...


class KeyFinder(Protocol):
    """The stored key with this public key id, or None."""

    async def __call__(self, session: AsyncSession, key_id: str, /) -> StoredKey | None: ...


class RuntimeResolver(Protocol):
    """The runtime a request acts on, given the app's own."""

    async def __call__(self, request: Request, runtime: Runtime, /) -> Runtime: ...


class ClockOffsetReader(Protocol):
    """The market clock's stored offset in microseconds (0 when none is stored)."""

    async def __call__(self, session: AsyncSession, /) -> int: ...


class ReadinessCheck(Protocol):
    """Raise an ExchangeError if the runtime must not take traffic."""

    async def __call__(self, runtime: Runtime, /) -> None: ...


class ClassFunder(Protocol):
    """An instructor's deposit into a participant of one of its own classes, made in that
    class's market: the posted journal, or None if the participant sits in none of them."""

    async def __call__(
        self, ctx: Context, *, participant_id: str, amount_fen: int, memo: str
    ) -> Any: ...


class MeasureCheck(Protocol):
    """Raise an ExchangeError naming the measure and its case if a supervision measure in
    force stops any of these (what, subject id) pairs; return None if none does."""

    async def __call__(
        self, session: AsyncSession, restrictions: Sequence[tuple[Restricted, str]], /
    ) -> None: ...


@dataclass(slots=True)
class Hooks:
    """The hooks installed in this process (None until `exchange.wiring.install()`)."""

    record_audit: AuditRecorder | None = None
    find_key: KeyFinder | None = None
    resolve_runtime: RuntimeResolver | None = None
    clock_offset: ClockOffsetReader | None = None
    check_ready: ReadinessCheck | None = None
    fund_class_participant: ClassFunder | None = None
    check_measures: MeasureCheck | None = None


HOOKS = Hooks()


class NotWired(RuntimeError):
    """A core service ran before the application installed the domain hooks."""

    def __init__(self, hook: str) -> None:
        super().__init__(f"hook {hook!r} is not installed: call exchange.wiring.install() first")
