"""HTTP endpoints of sharing requests."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from exchange.catalog.dependencies import DepartmentContext, OversightContext, Ref
from exchange.catalog.errors import (
    DepartmentNotBound,
    InvalidItem,
    ItemNotFound,
    NotShareable,
    NotYourDepartment,
    ShareAlreadyAnswered,
    ShareRequestNotFound,
)
from exchange.catalog.sharing import service
from exchange.catalog.sharing.models import ShareStatus
from exchange.catalog.sharing.schemas import (
    ShareDecision,
    ShareRequestCreate,
    ShareRequestPage,
    ShareRequestRead,
    ShareStats,
)
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset

router = APIRouter()


@router.post(
    "/share-requests",
    status_code=201,
    tags=["catalog"],
    operation_id="create_share_request",
    responses=responses(Forbidden, DepartmentNotBound, ItemNotFound, NotShareable, InvalidItem),
)
async def create_share_request(
    body: ShareRequestCreate, ctx: DepartmentContext
) -> ShareRequestRead:
    """Ask another department for a conditionally shared item (共享申请)."""
    return await service.request_share(ctx, body=body)


@router.get(
    "/share-requests",
    tags=["catalog"],
    operation_id="list_share_requests",
    responses=responses(Forbidden, DepartmentNotBound, NotYourDepartment),
)
async def list_share_requests(
    ctx: OversightContext,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: ShareStatus | None = None,
    overdue: bool = False,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ShareRequestPage:
    """Sharing requests, oldest first, with working-day ages; `overdue=true` for late ones."""
    return await service.list_shares(
        ctx,
        department_id=department_id,
        direction=direction,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/share-requests/stats",
    tags=["catalog"],
    operation_id="get_share_request_stats",
    responses=responses(Forbidden, DepartmentNotBound, NotYourDepartment),
)
async def get_share_request_stats(
    ctx: OversightContext,
    department_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$")] = None,
) -> ShareStats:
    """Average answer time in working days (target: 3) and the overdue list."""
    return await service.share_stats(ctx, department_id=department_id)


@router.get(
    "/share-requests/{request_id}",
    tags=["catalog"],
    operation_id="get_share_request",
    responses=responses(ShareRequestNotFound),
)
async def get_share_request(request_id: Ref, ctx: OversightContext) -> ShareRequestRead:
    """One sharing request (its two departments, admins and regulators)."""
    return await service.get_share(ctx, request_id)


@router.post(
    "/share-requests/{request_id}/decision",
    tags=["catalog"],
    operation_id="decide_share_request",
    responses=responses(ShareRequestNotFound, NotYourDepartment, ShareAlreadyAnswered, InvalidItem),
)
async def decide_share_request(
    request_id: Ref, body: ShareDecision, ctx: DepartmentContext
) -> ShareRequestRead:
    """The owning department approves, or refuses with a reason."""
    return await service.decide_share(ctx, request_id=request_id, body=body)
