"""HTTP endpoints of the market clock (沙盒时钟): read it, move it forward."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.context import Principal
from exchange.dependencies import RuntimeDep
from exchange.errors import Forbidden, responses
from exchange.markettime import service
from exchange.markettime.duework import DueWorkReport
from exchange.markettime.errors import ClockBackwards, ClockMoved, ClockPinned
from exchange.markettime.schemas import ClockAdvance, ClockAdvanced, ClockRead, DueWorkRead
from exchange.security import ActorContext, principal_apart
from exchange.vocabulary import Role

router = APIRouter(prefix="/v1", tags=["clock"])


def clock_read(state: service.ClockState) -> ClockRead:
    """The response model of a clock reading."""
    return ClockRead(
        now=state.now,
        real_now=state.real_now,
        offset_us=state.offset_us,
        mode="real" if state.mode == "real" else "market",
        moved_at=state.moved_at,
        moved_by=state.moved_by,
    )


def due_work_read(report: DueWorkReport) -> DueWorkRead:
    """The response model of a due-work run."""
    return DueWorkRead(
        registered_asset_ids=report.registered_asset_ids,
        certificate_numbers=report.certificate_numbers,
        auctions_closed=report.auctions_closed,
        licences_expired=report.licences_expired,
        mandates_expired=report.mandates_expired,
        shares_overdue=report.shares_overdue,
        agreements_activated=report.agreements_activated,
        agreements_expired=report.agreements_expired,
        failures=report.failures,
    )


@router.get("/clock", operation_id="get_clock")
async def get_clock(ctx: ActorContext) -> ClockRead:
    """The market clock: every deadline (publicity, auctions, expiries) reads its time."""
    return clock_read(await service.show(ctx))


@router.post(
    "/clock/advance",
    operation_id="advance_clock",
    responses=responses(Forbidden, ClockPinned, ClockBackwards, ClockMoved),
)
async def advance_clock(
    body: ClockAdvance, runtime: RuntimeDep, admin: Principal = principal_apart(Role.ADMIN)
) -> ClockAdvanced:
    """Move market time forward (admins), then do what fell due before answering.

    Give one of `by` (a duration), `to` (an instant) or `working_days`. Market time never
    moves back (409 `clock-backwards`); a deployment that pins the clock to real time
    (`EXCHANGE_CLOCK=real`) refuses every move (409 `clock-pinned`).
    """
    moved, report = await service.advance_and_run(
        runtime, admin, by=body.by, to=body.to, working_days=body.working_days
    )
    return ClockAdvanced(
        previous=moved.previous, clock=clock_read(moved.clock), due_work=due_work_read(report)
    )
