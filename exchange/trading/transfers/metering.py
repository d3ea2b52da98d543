"""Metered calls committed in groups (计量接口的成组提交).

A metered call is small — check the policy, count one use, keep a usage record and an audit
entry — and most of its cost is the commit around it. Calls that arrive while a commit is
under way wait for the next one, and each commit takes every call waiting (up to
`MAX_GROUP`) in one unit of work: each call is authorized, counted and audited exactly as if
it ran alone (the quota's compare-and-set sees the calls before it in the group), and they
commit together, with their audit entries, or not at all. A call the policy refuses writes
nothing (its compare-and-set fails before any write), is answered with its refusal and
recorded afterwards in a unit of work of its own, as every refusal is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from exchange.context import Principal, Runtime, Slot
from exchange.errors import ExchangeError
from exchange.trading.policies.errors import UsageRefused
from exchange.trading.policies.terms import Access
from exchange.trading.transfers import usage
from exchange.trading.transfers.models import UsageKind

MAX_GROUP = 64


@dataclass(frozen=True, slots=True)
class Rows:
    """A metered call's answer."""

    columns: list[str]
    rows: list[list[str]]
    offset: int
    more: bool
    used_in_period: int
    quota_limit: int | None


@dataclass(slots=True)
class _Call:
    principal: Principal
    transfer_id: str
    offset: int
    limit: int
    future: asyncio.Future[Rows]
    outcome: Rows | ExchangeError | None = field(default=None)


class Meter:
    """The calls waiting for the next group commit of one runtime (one market)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.waiting: list[_Call] = []
        self.draining: asyncio.Task[None] | None = None

    async def call(
        self, principal: Principal, *, transfer_id: str, offset: int, limit: int
    ) -> Rows:
        """Serve one metered call in the next group commit."""
        future: asyncio.Future[Rows] = asyncio.get_running_loop().create_future()
        self.waiting.append(_Call(principal, transfer_id, offset, limit, future))
        if self.draining is None or self.draining.done():
            self.draining = asyncio.create_task(self._drain())
        # A caller that goes away does not cancel the group it is part of.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self.waiting:
            group, self.waiting = self.waiting[:MAX_GROUP], self.waiting[MAX_GROUP:]
            try:
                await self._commit(group)
            except BaseException as exc:  # nothing of the group was committed
                for call in group:
                    if not call.future.done():
                        call.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            try:
                refused = [c for c in group if isinstance(c.outcome, UsageRefused)]
                if refused:
                    await self._record(refused)
            finally:
                for call in group:
                    if call.future.done():
                        continue
                    if isinstance(call.outcome, ExchangeError):
                        call.future.set_exception(call.outcome)
                    elif call.outcome is not None:
                        call.future.set_result(call.outcome)

    async def _commit(self, group: list[_Call]) -> None:
        runtime = self.runtime
        async with runtime.unit_of_work() as session:
            for call in group:
                ctx = runtime.context(session, call.principal)
                try:
                    use = await usage.authorize(
                        ctx, transfer_id=call.transfer_id, access=Access.METERED
                    )
                    usage.precheck(ctx, use)
                    columns, rows, more = await usage.read_rows(
                        ctx, use.listing, offset=call.offset, limit=call.limit
                    )
                    await usage.spend(ctx, use, kind=UsageKind.ROWS, units=len(rows))
                except ExchangeError as refusal:
                    # Raised before the call wrote anything: the others go on.
                    call.outcome = refusal
                    continue
                quota = use.policy.quota
                call.outcome = Rows(
                    columns,
                    rows,
                    call.offset,
                    more,
                    use.licence.usage_count,
                    quota.limit if quota is not None else None,
                )

    async def _record(self, refused: list[_Call]) -> None:
        runtime = self.runtime
        async with runtime.unit_of_work() as session:
            for call in refused:
                assert isinstance(call.outcome, UsageRefused)
                if "licence_id" in call.outcome.extra:
                    await usage.record_refusal(
                        runtime.context(session, call.principal), call.outcome
                    )


_METERS: Slot[Meter] = Slot("trading.meter")


def meter_of(runtime: Runtime) -> Meter:
    """The runtime's meter."""
    return runtime.cache.get_or_make(_METERS, lambda: Meter(runtime))
