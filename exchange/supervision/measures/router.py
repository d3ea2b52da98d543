"""HTTP endpoints of supervision measures (监管措施): read them, lift them."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import OverseerContext, RegulatorContext
from exchange.participants.errors import AccountNotFrozen, InsufficientFunds
from exchange.supervision.agencies.errors import NotAgencyMember, OutsideRemit
from exchange.supervision.cases import decisions
from exchange.supervision.cases.errors import CaseNotOwned
from exchange.supervision.cases.schemas import DecidedRead, LiftCreate, decided_read
from exchange.supervision.measures import service
from exchange.supervision.measures.errors import (
    MeasureAlreadyLifted,
    MeasureNotFound,
    MeasureNotInForce,
)
from exchange.supervision.measures.schemas import MeasurePage, MeasureRead, measure_read
from exchange.supervision.rules import MeasureKind, MeasureState

router = APIRouter(tags=["supervision"])


@router.get("/measures", operation_id="list_measures")
async def list_measures(
    ctx: OverseerContext,
    case_id: str | None = None,
    state: MeasureState | None = None,
    kind: MeasureKind | None = None,
    subject_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MeasurePage:
    """Measures, in force and lifted (every agency reads)."""
    rows, total = await service.list_measures(
        ctx,
        case_id=case_id,
        state=state,
        kind=kind,
        subject_id=subject_id,
        limit=limit,
        offset=offset,
    )
    return MeasurePage(items=[measure_read(m) for m in rows], total=total)


@router.get(
    "/measures/{measure_id}", operation_id="get_measure", responses=responses(MeasureNotFound)
)
async def get_measure(measure_id: str, ctx: OverseerContext) -> MeasureRead:
    """One measure."""
    return measure_read(await service.get_measure(ctx, measure_id))


@router.post(
    "/measures/{measure_id}/lift",
    operation_id="lift_measure",
    status_code=201,
    responses=responses(
        NotAgencyMember,
        MeasureNotFound,
        CaseNotOwned,
        OutsideRemit,
        MeasureAlreadyLifted,
        MeasureNotInForce,
        AccountNotFrozen,
        InsufficientFunds,
    ),
)
async def lift(measure_id: str, body: LiftCreate, ctx: RegulatorContext) -> DecidedRead:
    """Lift a measure by a later decision (解除): unfreeze, resume, or undo a refund."""
    return decided_read(await decisions.lift(ctx, measure_id=measure_id, reason=body.reason))
