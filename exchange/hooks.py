"""Where the domains plug into the core: the core calls these, `exchange.wiring` installs them.

The core (context, security, dependencies) knows no domain. Three things it needs come from
domains, each through one hook set when the application is assembled:
- `record_audit` (the audit log): queue an entry that commits with the unit of work;
- `find_key` (participants): the stored API key and its holder, for authentication;
- `resolve_runtime` (classroom): the runtime a request acts on (a live class's sandbox).
One more lets a domain ask an application without importing it:
- `fund_class_participant` (classroom, asked by participants): an instructor's deposit, made
  in the market of the class the participant sits in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fastapi import Request
    from sqlalchemy.ext.asyncio import AsyncSession

    from exchange.clock import Clock
    from exchange.context import Context, Principal, Runtime


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


class ClassFunder(Protocol):
    """An instructor's deposit into a participant of one of its own classes, made in that
    class's market: the posted journal, or None if the participant sits in none of them."""

    async def __call__(
        self, ctx: Context, *, participant_id: str, amount_fen: int, memo: str
    ) -> Any: ...


@dataclass(slots=True)
class Hooks:
    """The hooks installed in this process (None until `exchange.wiring.install()`)."""

    record_audit: AuditRecorder | None = None
    find_key: KeyFinder | None = None
    resolve_runtime: RuntimeResolver | None = None
    fund_class_participant: ClassFunder | None = None


HOOKS = Hooks()


class NotWired(RuntimeError):
    """A core service ran before the application installed the domain hooks."""

    def __init__(self, hook: str) -> None:
        super().__init__(f"hook {hook!r} is not installed: call exchange.wiring.install() first")
