"""The last run of each whole-log check, kept for overseers: verification (验证: entries,
chain, subtrees, head, checkpoints) and reconciliation (对账: the derived tables against the
log's payloads).

Every verification passes through `halts.verify_and_guard` (start-up, periodic, an overseer's
request) and records its result here; a reconciliation is recorded when an overseer asks for
one (`reconcile_and_record`; the command line's offline `exchange audit reconcile` stays
read-only). The record is written in a unit of work of its own, outside the log, like a halt:
a failed write is logged and never fails the check itself.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import SQLAlchemyError

from exchange.audit.transparency import reconcile as reconciliation
from exchange.audit.transparency import repository
from exchange.audit.transparency.schemas import CheckRunRead, ReconcileReport, VerifyReport
from exchange.context import Context

log = logging.getLogger("exchange.audit")

VERIFY = "verify"
RECONCILE = "reconcile"


async def _save(ctx: Context, values: dict[str, object]) -> None:
    values = {**values, "run_by": ctx.actor_ref, "ran_at": ctx.clock.now()}
    try:
        async with ctx.runtime.unit_of_work() as session:
            await repository.save_check_run(session, values)
    except SQLAlchemyError as exc:  # the result was still reported to whoever asked
        log.warning("could not keep the result of the %s run: %s", values["kind"], exc)


async def record_verification(
    ctx: Context, report: VerifyReport, *, summary: str, trigger: str, seconds: float
) -> None:
    """Keep a verification's result (call from a read; it writes in its own unit of work)."""
    await _save(
        ctx,
        {
            "kind": VERIFY,
            "ok": report.ok,
            "log_size": report.size,
            "root": report.root,
            "first_bad_index": report.first_bad_index,
            "findings": len(report.problems),
            "summary": "" if report.ok else summary[:2000],
            "trigger": trigger,
            "duration_ms": round(seconds * 1000),
        },
    )


def reconcile_summary(report: ReconcileReport) -> str:
    """One line on what a reconciliation found (empty when the tables agree with the log)."""
    parts = []
    if report.differences:
        first = report.differences[0]
        where = f"{first.table} {first.row_id}" + (f".{first.column}" if first.column else "")
        at = f" (entry {first.entry_index})" if first.entry_index is not None else ""
        parts.append(f"{report.differences_total} differences; first: {first.kind} {where}{at}")
    if report.unreadable_entries:
        listed = ", ".join(map(str, report.unreadable_entries[:5]))
        parts.append(f"unreadable entries: {listed}")
    return "; ".join(parts)


async def reconcile_and_record(ctx: Context, *, trigger: str) -> ReconcileReport:
    """Reconcile every derived table with the log (对账) and keep the result."""
    started = time.monotonic()
    report = await reconciliation.reconcile(ctx)
    first = [d.entry_index for d in report.differences if d.entry_index is not None]
    first += report.unreadable_entries
    await _save(
        ctx,
        {
            "kind": RECONCILE,
            "ok": report.ok,
            "log_size": report.log_size,
            "root": None,
            "first_bad_index": min(first) if first else None,
            "findings": report.differences_total + len(report.unreadable_entries),
            "summary": reconcile_summary(report)[:2000],
            "trigger": trigger,
            "duration_ms": round((time.monotonic() - started) * 1000),
        },
    )
    return report


async def last_runs(ctx: Context) -> dict[str, CheckRunRead]:
    """The last verification and reconciliation, by kind (absent until one has run)."""
    rows = await repository.check_runs(ctx.session)
    return {row.kind: CheckRunRead.model_validate(row, from_attributes=True) for row in rows}
