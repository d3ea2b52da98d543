"""HTTP endpoints of divisions and departments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.catalog.departments import service
from exchange.catalog.departments.schemas import (
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
    DivisionPage,
)
from exchange.catalog.dependencies import Ref
from exchange.catalog.errors import (
    CircularHierarchy,
    DataAuthorityTaken,
    DepartmentInUse,
    DepartmentNotFound,
    DivisionNotFound,
    DuplicateCode,
    HierarchyInvalid,
)
from exchange.catalog.vocabulary import Level
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import AdminContext
from exchange.security import ActorContext

router = APIRouter()


@router.get("/divisions", tags=["catalog"], operation_id="list_divisions")
async def list_divisions(
    ctx: ActorContext, parent_code: str | None = None, limit: Limit = 500, offset: Offset = 0
) -> DivisionPage:
    """Administrative divisions (行政区划): Guangdong, its 21 cities and 122 counties."""
    rows = await service.list_divisions(ctx, parent_code=parent_code)
    return DivisionPage.window(rows, limit=limit, offset=offset)


@router.post(
    "/departments",
    status_code=201,
    tags=["catalog"],
    operation_id="create_department",
    responses=responses(
        Forbidden, DivisionNotFound, HierarchyInvalid, DuplicateCode, DepartmentInUse
    ),
)
async def create_department(body: DepartmentCreate, ctx: AdminContext) -> DepartmentRead:
    """Register a department (数据责任部门) in a division, under a parent (admin)."""
    return await service.create_department(ctx, body=body)


@router.get("/departments", tags=["catalog"], operation_id="list_departments")
async def list_departments(
    ctx: ActorContext,
    division_code: str | None = None,
    city_code: str | None = None,
    level: Level | None = None,
    parent_id: str | None = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DepartmentPage:
    """Departments, by code; filter by division, city, level, parent or name."""
    return await service.list_departments(
        ctx,
        division_code=division_code,
        city_code=city_code,
        level=level,
        parent_id=parent_id,
        name=name,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/departments/{department_id}",
    tags=["catalog"],
    operation_id="get_department",
    responses=responses(DepartmentNotFound),
)
async def get_department(department_id: Ref, ctx: ActorContext) -> DepartmentRead:
    """One department."""
    return await service.get_department(ctx, department_id)


@router.patch(
    "/departments/{department_id}",
    tags=["catalog"],
    operation_id="update_department",
    responses=responses(
        Forbidden,
        DepartmentNotFound,
        HierarchyInvalid,
        CircularHierarchy,
        DepartmentInUse,
        DataAuthorityTaken,
    ),
)
async def update_department(
    department_id: Ref, body: DepartmentUpdate, ctx: AdminContext
) -> DepartmentRead:
    """Rename, move in the hierarchy, bind a participant, or designate the data authority
    (数据主管部门) of its division (admin); cycles are refused, one authority per division."""
    return await service.update_department(ctx, department_id=department_id, body=body)
