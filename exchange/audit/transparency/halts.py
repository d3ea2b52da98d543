"""Fail closed (故障关闭): a log that fails verification halts every state change.

Verification runs at start-up and every `EXCHANGE_AUDIT_CHECK_SECONDS` in the served app
(`exchange.app`), and whenever an overseer asks (`GET /v1/audit/verify`). When it finds the
log damaged it records a halt (`audit_halts`, outside the log: nothing may be appended to a
damaged log). From then on the append -- the one place every writer passes, requests, the
command line and simulations alike -- refuses with 503 `/problems/audit-log-damaged`
naming the first bad index (`exchange.audit.log.service.append_pending`), and
`/health/ready` answers 503. Reads keep working so that regulators can inspect.

The halt is a row, so every worker and every restart sees it. An admin lifts it after
inspection (`POST /v1/audit/halt/acknowledge`, `exchange audit acknowledge`): the log is
verified again and the halt lifted only if it now passes, with an audit entry of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from exchange import metrics
from exchange.audit.log import repository as log_repository
from exchange.audit.log.models import AuditHalt
from exchange.audit.log.service import log_damaged
from exchange.audit.transparency import runs
from exchange.audit.transparency import verify as verification
from exchange.audit.transparency.errors import AuditLogStillDamaged, AuditNotHalted
from exchange.audit.transparency.schemas import (
    HaltAcknowledgement,
    HaltRead,
    HaltStatus,
    VerifyReport,
)
from exchange.context import Context, Runtime

log = logging.getLogger("exchange.audit")

HALT_ACKNOWLEDGED = "audit.halt_acknowledged"


def summary(report: VerifyReport) -> str:
    """One line on what a failed verification found (the problem at the first bad index)."""
    problems = report.problems
    first = next((p for p in problems if p.index == report.first_bad_index), None)
    first = first or (problems[0] if problems else None)
    text = f"{first.kind}: {first.detail}" if first else "verification failed"
    return text if len(problems) <= 1 else f"{text}; {len(problems) - 1} more problems"


def observe(report: VerifyReport) -> None:
    """Export the result of a verification as Prometheus gauges."""
    metrics.AUDIT_VERIFIED.set(1 if report.ok else 0)
    metrics.AUDIT_SIZE.set(report.size)


async def verify_and_guard(ctx: Context, *, trigger: str) -> VerifyReport:
    """Verify the whole log; if it is damaged, halt state changes (unless already halted).

    The halt is written in its own unit of work, so call this from a read (never from inside
    a write unit of work of the same runtime). The result is kept as the last verification.
    """
    started = time.monotonic()
    report = await verification.verify_log(ctx)
    observe(report)
    await runs.record_verification(
        ctx,
        report,
        summary=summary(report),
        trigger=trigger,
        seconds=time.monotonic() - started,
    )
    if not report.ok:
        await halt(ctx.runtime, report, trigger=trigger)
    return report


async def halt(runtime: Runtime, report: VerifyReport, *, trigger: str) -> None:
    """Record a halt for a failed verification, unless one is already in force."""
    async with runtime.unit_of_work() as session:
        if await log_repository.active_halt(session) is not None:
            return
        await log_repository.add_halt(
            session,
            first_bad_index=report.first_bad_index,
            detail=summary(report)[:2000],
            detected_by=trigger,
            detected_at=runtime.clock.now(),
        )
    log.error(
        "audit log failed verification (%s) at entry %s: state changes are halted",
        trigger,
        report.first_bad_index,
    )


async def check_log(runtime: Runtime, *, trigger: str) -> VerifyReport:
    """Verify the log of a runtime (start-up, periodic) and halt if it is damaged."""
    async with runtime.unit_of_work(write=False) as session:
        return await verify_and_guard(runtime.context(session), trigger=trigger)


async def watch(runtime: Runtime, seconds: float) -> None:
    """Verify the log every `seconds` until cancelled (a failed run is logged, not fatal)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await check_log(runtime, trigger="periodic")
        except Exception:  # the next run tries again; the halt table keeps what was found
            log.exception("periodic audit log verification could not run")


def _read(halt: AuditHalt) -> HaltRead:
    return HaltRead.model_validate(halt, from_attributes=True)


async def status(ctx: Context) -> HaltStatus:
    """Whether state changes are halted, and by which findings."""
    halts = await log_repository.active_halts(ctx.session)
    return HaltStatus(halted=bool(halts), halts=[_read(h) for h in halts])


async def acknowledge(ctx: Context) -> HaltAcknowledgement:
    """Lift the halt after inspection: only if the log verifies now; audited."""
    halts: Sequence[AuditHalt] = await log_repository.active_halts(ctx.session)
    if not halts:
        raise AuditNotHalted("State changes are not halted; there is nothing to acknowledge.")
    report = await verification.verify_log(ctx)
    observe(report)
    if not report.ok:
        raise AuditLogStillDamaged(
            f"The log still fails verification at entry {report.first_bad_index} "
            f"({summary(report)}); the halt stays until it verifies.",
            first_bad_index=report.first_bad_index,
        )
    now = ctx.clock.now()
    for each in halts:
        each.acknowledged_at = now
        each.acknowledged_by = ctx.actor_ref
    ctx.audit(
        HALT_ACKNOWLEDGED,
        subject_type="audit_halt",
        subject_id=str(halts[0].id),
        payload={
            "halts": [
                {
                    "id": h.id,
                    "first_bad_index": h.first_bad_index,
                    "detected_by": h.detected_by,
                    "detected_at": h.detected_at,
                    "detail": h.detail,
                }
                for h in halts
            ],
            "verified_size": report.size,
            "verified_root": report.root,
        },
    )
    await ctx.session.flush()
    log.warning(
        "audit halt lifted by %s after the log verified (size %s)", ctx.actor_ref, report.size
    )
    return HaltAcknowledgement(
        halted=False,
        acknowledged=[_read(h) for h in halts],
        verified_size=report.size,
        verified_root=report.root,
    )


async def check_ready(runtime: Runtime) -> None:
    """Readiness: a halted market is not ready (503 naming the first bad index)."""
    async with runtime.sessionmaker() as session:
        halt = await log_repository.active_halt(session)
    if halt is not None:
        raise log_damaged(halt)
