"""HTTP endpoints of operating agreements (授权运营协议)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import Forbidden, InvalidInput, responses
from exchange.kit.paging import Limit, Offset
from exchange.operation.agreements import service
from exchange.operation.agreements.schemas import (
    AgreementCreate,
    AgreementDecision,
    AgreementMove,
    AgreementPage,
    AgreementRead,
    PurposePage,
    PurposeRead,
)
from exchange.operation.dependencies import (
    AgreementRef,
    AuthorityContext,
    OperatorContext,
    PartyContext,
    ViewerContext,
)
from exchange.operation.errors import (
    AgreementItemsInvalid,
    AgreementNotFound,
    AgreementStateConflict,
    AgreementTermInvalid,
    DepartmentWithoutAccount,
    ExclusiveOperationConflict,
    ItemOpenToAll,
    NotDataAuthority,
    RawRecordsRefused,
    RevenueShareOutOfRange,
)
from exchange.operation.vocabulary import PURPOSE_LABELS, AgreementStatus
from exchange.security import ActorContext

router = APIRouter(tags=["operation"])


@router.get("/operation/purposes", operation_id="list_operation_purposes")
async def list_purposes(ctx: ActorContext, limit: Limit = 100, offset: Offset = 0) -> PurposePage:
    """The purposes (授权用途) an operating agreement may permit, with their Chinese labels."""
    rows = [PurposeRead(code=code, label=label) for code, label in PURPOSE_LABELS.items()]
    return PurposePage.window(rows, limit=limit, offset=offset)


@router.post(
    "/operation/agreements",
    status_code=201,
    operation_id="propose_operating_agreement",
    responses=responses(
        Forbidden,
        RevenueShareOutOfRange,
        AgreementTermInvalid,
        AgreementItemsInvalid,
        ItemOpenToAll,
        RawRecordsRefused,
        DepartmentWithoutAccount,
        ExclusiveOperationConflict,
    ),
)
async def propose(body: AgreementCreate, ctx: OperatorContext) -> AgreementRead:
    """An operator proposes an operating agreement (授权运营申请) over catalog items that are not
    unconditionally open: fields, purposes, output forms, term, the departments' revenue share,
    security duties, exclusivity. The data authority of the items' division decides it."""
    return await service.propose(ctx, body=body)


@router.get(
    "/operation/agreements",
    operation_id="list_operating_agreements",
    responses=responses(Forbidden),
)
async def list_agreements(
    ctx: ViewerContext,
    status: AgreementStatus | None = None,
    operator_id: str | None = None,
    item_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AgreementPage:
    """Operating agreements, newest first, with what was derived under each and the revenue
    paid: regulators and admins see all, an operator its own, a department those over its
    items and, as data authority, those over the items of its division."""
    return await service.list_agreements(
        ctx, status=status, operator_id=operator_id, item_id=item_id, limit=limit, offset=offset
    )


@router.get(
    "/operation/agreements/{agreement_id}",
    operation_id="get_operating_agreement",
    responses=responses(AgreementNotFound),
)
async def get_agreement(agreement_id: AgreementRef, ctx: ActorContext) -> AgreementRead:
    """One operating agreement (its operator, the items' departments and data authority,
    overseers; others get 404)."""
    return await service.get_agreement(ctx, agreement_id)


@router.post(
    "/operation/agreements/{agreement_id}/decision",
    operation_id="decide_operating_agreement",
    responses=responses(
        Forbidden,
        NotDataAuthority,
        AgreementNotFound,
        AgreementStateConflict,
        AgreementTermInvalid,
        ExclusiveOperationConflict,
        InvalidInput,
    ),
)
async def decide(
    agreement_id: AgreementRef, body: AgreementDecision, ctx: AuthorityContext
) -> AgreementRead:
    """The data authority (数据主管部门) approves or refuses a proposal; approved, the agreement
    is active from the start of its term. Of overlapping exclusive agreements one is approved."""
    return await service.decide(ctx, agreement_id=agreement_id, body=body)


@router.post(
    "/operation/agreements/{agreement_id}/suspension",
    operation_id="suspend_operating_agreement",
    responses=responses(Forbidden, NotDataAuthority, AgreementNotFound, AgreementStateConflict),
)
async def suspend(
    agreement_id: AgreementRef, body: AgreementMove, ctx: AuthorityContext
) -> AgreementRead:
    """The data authority suspends an active agreement; the listings of the products derived
    under it are suspended, with the reason shown to buyers and holders."""
    return await service.suspend(ctx, agreement_id=agreement_id, reason=body.reason)


@router.post(
    "/operation/agreements/{agreement_id}/resumption",
    operation_id="resume_operating_agreement",
    responses=responses(Forbidden, NotDataAuthority, AgreementNotFound, AgreementStateConflict),
)
async def resume(
    agreement_id: AgreementRef, body: AgreementMove, ctx: AuthorityContext
) -> AgreementRead:
    """The data authority resumes a suspended agreement within its term (its products'
    listings are resumed by their exchanges)."""
    return await service.resume(ctx, agreement_id=agreement_id, reason=body.reason)


@router.post(
    "/operation/agreements/{agreement_id}/termination",
    operation_id="terminate_operating_agreement",
    responses=responses(Forbidden, NotDataAuthority, AgreementNotFound, AgreementStateConflict),
)
async def terminate(
    agreement_id: AgreementRef, body: AgreementMove, ctx: PartyContext
) -> AgreementRead:
    """End an agreement early: its operator (or withdraw a proposal), or the data authority;
    the listings of the products derived under it are suspended."""
    return await service.terminate(ctx, agreement_id=agreement_id, reason=body.reason)
