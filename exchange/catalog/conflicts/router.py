"""HTTP endpoints of source conflicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.catalog.conflicts import service
from exchange.catalog.conflicts.models import ConflictStatus
from exchange.catalog.conflicts.schemas import (
    ConflictEscalate,
    ConflictPage,
    ConflictRead,
    ConflictResolve,
)
from exchange.catalog.dependencies import DepartmentContext, OversightContext, Ref
from exchange.catalog.errors import (
    ConflictNotFound,
    ConflictState,
    DepartmentNotBound,
    InvalidItem,
    NotYourDepartment,
)
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import AdminContext

router = APIRouter()


@router.get(
    "/catalog/conflicts",
    tags=["catalog"],
    operation_id="list_source_conflicts",
    responses=responses(Forbidden, DepartmentNotBound),
)
async def list_source_conflicts(
    ctx: OversightContext,
    status: Annotated[list[ConflictStatus] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ConflictPage:
    """Refused and pending second-source conflicts (regulators and admins: all)."""
    statuses = status or [ConflictStatus.REFUSED, ConflictStatus.PENDING]
    return await service.list_conflicts(ctx, statuses=statuses, limit=limit, offset=offset)


@router.get(
    "/catalog/conflicts/{conflict_id}",
    tags=["catalog"],
    operation_id="get_source_conflict",
    responses=responses(ConflictNotFound),
)
async def get_source_conflict(conflict_id: Ref, ctx: OversightContext) -> ConflictRead:
    """One conflict."""
    return await service.get_conflict(ctx, conflict_id)


@router.post(
    "/catalog/conflicts/{conflict_id}/escalate",
    tags=["catalog"],
    operation_id="escalate_source_conflict",
    responses=responses(ConflictNotFound, NotYourDepartment, ConflictState, InvalidItem),
)
async def escalate_source_conflict(
    conflict_id: Ref, body: ConflictEscalate, ctx: DepartmentContext
) -> ConflictRead:
    """Ask for a decision on a refused source (申诉): the conflict becomes pending."""
    return await service.escalate_conflict(ctx, conflict_id=conflict_id, body=body)


@router.post(
    "/catalog/conflicts/{conflict_id}/resolve",
    tags=["catalog"],
    operation_id="resolve_source_conflict",
    responses=responses(Forbidden, ConflictNotFound, ConflictState),
)
async def resolve_source_conflict(
    conflict_id: Ref, body: ConflictResolve, ctx: AdminContext
) -> ConflictRead:
    """Decide a pending conflict (admin): keep the source or transfer it."""
    return await service.resolve_conflict(ctx, conflict_id=conflict_id, body=body)
