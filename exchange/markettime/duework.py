"""Due work (到期事项): what falls due as market time passes, done by one runner at a time.

Registrations whose publicity (公示期) ended with no open objection get their certificates,
auctions past their deadline close, licences and mandates past their term are recorded
expired, sharing requests past their 3-working-day target are flagged overdue, and operating
agreements (授权运营协议) start and end with their terms (an ended one suspends the listings of
the products derived under it). Each kind
asks its own domain service what is due and has that service do it (never a second copy of a
rule); each effect is audited by that service, on the market's own account ("system").

One runner at a time: an asyncio lock within a process, and across processes a PostgreSQL
advisory lock held for the whole run (SQLite: its single writer serializes every unit). Each
unit asks again what is due under its write lock, so a second run does nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import text

from exchange.assets.review import service as review_service
from exchange.catalog.sharing import service as sharing_service
from exchange.context import Context, Runtime, Slot
from exchange.errors import ExchangeError
from exchange.operation.agreements import service as agreements_service
from exchange.trading.auctions import service as auctions_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.licences import service as licences_service

log = logging.getLogger("exchange.duework")

BATCH = 50
# pg_advisory_lock key of the due-work runner ("gdxdue" in ASCII).
ADVISORY_KEY = 0x676478647565
_LOCAL: Slot[asyncio.Lock] = Slot("markettime.duework_lock")

Find = Callable[[Context, int], Awaitable[Sequence[str]]]
# An act does what is due for some ids: (the ids it did, report fields to extend by).
Act = Callable[[Context, Sequence[str]], Awaitable[tuple[Sequence[str], dict[str, list[str]]]]]


@dataclass
class DueWorkReport:
    """What one run did; `failures` are items it could not complete (tried again next run)."""

    registered_asset_ids: list[str] = field(default_factory=list)
    certificate_numbers: list[str] = field(default_factory=list)
    auctions_closed: list[str] = field(default_factory=list)
    licences_expired: list[str] = field(default_factory=list)
    mandates_expired: list[str] = field(default_factory=list)
    shares_overdue: list[str] = field(default_factory=list)
    agreements_activated: list[str] = field(default_factory=list)
    agreements_expired: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        """How many effects the run had."""
        return (
            len(self.registered_asset_ids)
            + len(self.auctions_closed)
            + len(self.licences_expired)
            + len(self.mandates_expired)
            + len(self.shares_overdue)
            + len(self.agreements_activated)
            + len(self.agreements_expired)
        )


async def run(runtime: Runtime) -> DueWorkReport:
    """Do everything that is due now, one runner at a time across processes."""
    report = DueWorkReport()
    lock = runtime.cache.get_or_make(_LOCAL, asyncio.Lock)
    async with lock, _exclusive(runtime):
        await _drain(runtime, report, "registration", _due_registrations, _register)
        await _drain(runtime, report, "auction", _due_auctions, _close_auctions)
        await _drain(runtime, report, "licence", _due_licences, _expire_licences)
        await _drain(runtime, report, "mandate", _due_mandates, _expire_mandates)
        await _drain(runtime, report, "share request", _due_shares, _flag_shares)
        await _drain(runtime, report, "agreement start", _due_starts, _start_agreements)
        await _drain(runtime, report, "agreement end", _due_ends, _end_agreements)
    if report.done or report.failures:
        log.info(
            "due work: %d done, %d failed",
            report.done,
            len(report.failures),
            extra={"failures": report.failures[:20]},
        )
    return report


@asynccontextmanager
async def _exclusive(runtime: Runtime) -> AsyncIterator[None]:
    """Across processes on PostgreSQL: a session advisory lock for the whole run."""
    if runtime.engine.dialect.name != "postgresql":
        yield
        return
    async with runtime.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


async def _drain(runtime: Runtime, report: DueWorkReport, kind: str, find: Find, act: Act) -> None:
    """Act on what `find` says is due, a batch per unit of work, until nothing is left.

    A batch that fails is retried item by item, so one item that cannot be done (recorded in
    `failures`) holds up no other. The report grows only by what committed.
    """
    skip: set[str] = set()
    while True:
        async with runtime.unit_of_work(write=False) as session:
            if not await _pick(runtime.context(session), find, skip):
                return
        ids: list[str] = []
        try:
            async with runtime.unit_of_work() as session:
                ctx = runtime.context(session)
                ids = await _pick(ctx, find, skip)
                done, fields = await act(ctx, ids) if ids else ((), {})
            _extend(report, fields)
            skip.update(set(ids) - set(done))  # never ask twice for what did not move
            continue
        except Exception:
            if not ids:
                raise
        for one in ids:
            try:
                async with runtime.unit_of_work() as session:
                    done, fields = await act(runtime.context(session), [one])
                _extend(report, fields)
            except ExchangeError as exc:
                report.failures.append(f"{kind} {one}: {exc.detail}")
            except Exception as exc:  # the runner must not wedge on one item
                log.exception("due work: %s %s failed", kind, one)
                report.failures.append(f"{kind} {one}: {type(exc).__name__}")
            skip.add(one)


def _extend(report: DueWorkReport, fields: dict[str, list[str]]) -> None:
    for name, values in fields.items():
        getattr(report, name).extend(values)


async def _pick(ctx: Context, find: Find, skip: set[str]) -> list[str]:
    found = await find(ctx, BATCH + len(skip))
    return [i for i in found if i not in skip][:BATCH]


# --- what is due, and doing it, by the domain services ---------------------------------------


async def _due_registrations(ctx: Context, limit: int) -> Sequence[str]:
    return await review_service.due_registrations(ctx, limit=limit)


async def _due_auctions(ctx: Context, limit: int) -> Sequence[str]:
    return await auctions_service.due_auctions(ctx, limit=limit)


async def _due_licences(ctx: Context, limit: int) -> Sequence[str]:
    return await licences_service.due_expiries(ctx, limit=limit)


async def _due_mandates(ctx: Context, limit: int) -> Sequence[str]:
    return await brokerage_service.due_mandates(ctx, limit=limit)


async def _due_shares(ctx: Context, limit: int) -> Sequence[str]:
    return await sharing_service.due_overdue(ctx, limit=limit)


async def _due_starts(ctx: Context, limit: int) -> Sequence[str]:
    return await agreements_service.due_activations(ctx, limit=limit)


async def _due_ends(ctx: Context, limit: int) -> Sequence[str]:
    return await agreements_service.due_expiries(ctx, limit=limit)


Done = tuple[Sequence[str], dict[str, list[str]]]


async def _register(ctx: Context, ids: Sequence[str]) -> Done:
    issued = await review_service.finalize_registrations(ctx, asset_ids=ids)
    done = [i.asset_id for i in issued]
    return done, {"registered_asset_ids": done, "certificate_numbers": [i.number for i in issued]}


async def _close_auctions(ctx: Context, ids: Sequence[str]) -> Done:
    for auction_id in ids:
        await auctions_service.close_due(ctx, auction_id=auction_id)
    return ids, {"auctions_closed": list(ids)}


async def _expire_licences(ctx: Context, ids: Sequence[str]) -> Done:
    done = await licences_service.expire_licences(ctx, licence_ids=ids)
    return done, {"licences_expired": done}


async def _expire_mandates(ctx: Context, ids: Sequence[str]) -> Done:
    done = await brokerage_service.expire_mandates(ctx, mandate_ids=ids)
    return done, {"mandates_expired": done}


async def _flag_shares(ctx: Context, ids: Sequence[str]) -> Done:
    done = await sharing_service.flag_overdue(ctx, request_ids=ids)
    return done, {"shares_overdue": done}


async def _start_agreements(ctx: Context, ids: Sequence[str]) -> Done:
    done = await agreements_service.activate_due(ctx, agreement_ids=ids)
    return done, {"agreements_activated": done}


async def _end_agreements(ctx: Context, ids: Sequence[str]) -> Done:
    done = await agreements_service.expire_due(ctx, agreement_ids=ids)
    return done, {"agreements_expired": done}
